"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from github_server import GithubAPI
from kernelrepo import build_kernel, build_tool


@pytest.fixture
def github_api(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[GithubAPI]:
    """A fake GitHub REST API on 127.0.0.1 (see tests/github_server.py for its small set-up API).

    The environment is made hermetic for GitHub calls: GITHUB_API_URL points at the server, GITHUB_TOKEN is
    unset, and XDG_CACHE_HOME is a fresh directory so the ETag cache starts empty.
    """
    api = GithubAPI().start()
    monkeypatch.setenv("GITHUB_API_URL", api.url)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    yield api
    api.stop()


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads or writes the user's ~/.cache: each test gets a cache directory of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(scope="session")
def kernel_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel-like repository (see tests/kernelrepo.py); tests must not change it."""
    return build_kernel(tmp_path_factory.mktemp("kernel") / "linux")


@pytest.fixture(scope="session")
def tool_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A damo-like repository with commits across 2022-2024; tests must not change it."""
    return build_tool(tmp_path_factory.mktemp("tool") / "damo")


@pytest.fixture(scope="session")
def series_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kernel-like repository with patch series in the mm tree's shape (kernelrepo.SERIES)."""
    return build_kernel(tmp_path_factory.mktemp("series") / "linux", series=True)
