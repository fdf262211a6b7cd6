"""git runs no code and takes no setting it was not given by retrospect: a clone planted in the cache (by a
pull request, or a poisoned actions/cache entry) is cloned again, whatever it holds; no hook runs, and a
repository's settings that name a program (a signature program for `git log`) are not read."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from news_repos import git, hermetic_git, make_remote, push_change

from reporter.errors import UserError
from reporter.git import guard, repos, walk

# Subprocesses: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

__all__ = ["hermetic_git"]

# Every hook git 2.39 may run while fetching, writing refs or collecting garbage.
HOOKS = ("reference-transaction", "pre-auto-gc", "post-checkout", "post-merge", "post-rewrite", "push-to-checkout")


def evil(tmp: Path, name: str = "evil") -> Path:
    """A program that leaves a mark (`pwned`, naming itself and its arguments) and passes its input on."""
    program = tmp / name
    program.write_text(f"#!/bin/sh\necho \"$0 $*\" >> '{tmp}/pwned'\ncat\n")
    program.chmod(0o755)
    return program


def hooks_at(directory: Path, program: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in HOOKS:
        (directory / name).write_text(f"#!/bin/sh\nexec '{program}' {name} </dev/null\n")
        (directory / name).chmod(0o755)
    return directory


def setting(name: str, value: str) -> Callable[[Path, Path], None]:
    """A plant: one setting in the clone's config, `{evil}` standing for the marking program."""

    def plant(clone: Path, program: Path) -> None:
        shown = {"evil": program, "hooks": clone.parent / "hooks"}
        git(clone, "config", "--file", "config", name.format(**shown), value.format(**shown))

    return plant


def file(path: str, text: str) -> Callable[[Path, Path], None]:
    def plant(clone: Path, program: Path) -> None:
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text(text.format(evil=program, clone=clone, hooks=clone.parent / "hooks"))

    return plant


def both(*plants: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    def plant(clone: Path, program: Path) -> None:
        for one in plants:
            one(clone, program)

    return plant


def own_hooks(clone: Path, program: Path) -> None:
    hooks_at(clone / "hooks", program)


def hooks_beside(clone: Path, program: Path) -> None:
    hooks_at(clone.parent / "hooks", program)


def hooks_path(clone: Path, program: Path) -> None:
    git(clone, "config", "--file", "config", "core.hooksPath", str(hooks_at(clone.parent / "hooks", program)))


def upload_pack(clone: Path, program: Path) -> None:
    wrapper = clone.parent / "upload-pack"
    wrapper.write_text(f"#!/bin/sh\n'{program}' upload-pack </dev/null\nexec git-upload-pack \"$@\"\n")
    wrapper.chmod(0o755)
    git(clone, "config", "--file", "config", "remote.origin.uploadpack", str(wrapper))


def replace_ref(clone: Path, program: Path) -> None:
    head = git(clone, "rev-parse", "HEAD")
    tree = git(clone, "rev-parse", "HEAD^{tree}")
    other = git(clone, "commit-tree", "-m", "replacement", tree)
    git(clone, "replace", head, other)


def grafts(clone: Path, program: Path) -> None:
    (clone / "info").mkdir(exist_ok=True)
    (clone / "info" / "grafts").write_text(git(clone, "rev-parse", "HEAD") + "\n")


def alternates(clone: Path, program: Path) -> None:
    other = make_remote(clone.parent / "other.git", {"x": "y\n"})
    (clone / "objects" / "info" / "alternates").write_text(f"{other}/objects\n")


def symlink(clone: Path, program: Path) -> None:
    (clone / "refs" / "tags").mkdir(parents=True, exist_ok=True)
    (clone / "refs" / "tags" / "elsewhere").symlink_to(clone.parent)


INCLUDED = "[core]\n\thooksPath = {hooks}\n"
# By family: hooks, settings that run a program, settings that pull in others, URL rewrites and transports,
# attribute-driven drivers, what changes the history git sees.
PLANTS: dict[str, Callable[[Path, Path], None]] = {
    "own-hooks": own_hooks,
    "core.hooksPath": hooks_path,
    "core.fsmonitor": setting("core.fsmonitor", "{evil}"),
    "core.sshCommand": setting("core.sshCommand", "{evil}"),
    "core.gitProxy": setting("core.gitProxy", "{evil}"),
    "core.askPass": setting("core.askPass", "{evil}"),
    "core.alternateRefsCommand": setting("core.alternateRefsCommand", "{evil}"),
    "credential.helper": setting("credential.helper", "!{evil}"),
    "remote.origin.uploadpack": upload_pack,
    "remote.origin.vcs": setting("remote.origin.vcs", "evil"),
    "uploadpack.packObjectsHook": setting("uploadpack.packObjectsHook", "{evil}"),
    "gc.auto-with-hook": both(setting("gc.auto", "1"), own_hooks),
    "include.path": both(file("evil.cfg", INCLUDED), setting("include.path", "evil.cfg"), hooks_beside),
    "includeIf": both(file("evil.cfg", INCLUDED), setting("includeIf.gitdir:/.path", "evil.cfg"), hooks_beside),
    "url.insteadOf-ext": both(
        setting("protocol.ext.allow", "always"), setting("url.ext::{evil} %S .insteadOf", "file://")
    ),
    "url.insteadOf-elsewhere": setting("url.file:///nowhere/.insteadOf", "file:///"),
    "http.extraHeader": setting("http.extraHeader", "X-Leak: yes"),
    "filter-driver": both(file("info/attributes", "* filter=evil\n"), setting("filter.evil.smudge", "{evil}")),
    "textconv": both(file("info/attributes", "* diff=evil\n"), setting("diff.evil.textconv", "{evil}")),
    "diff.external": setting("diff.external", "{evil}"),
    "attributes-binary": file("info/attributes", "* -diff\n"),
    "log.showSignature": both(setting("log.showSignature", "true"), setting("gpg.program", "{evil}")),
    "replace-ref": replace_ref,
    "grafts": grafts,
    "alternates": alternates,
    "symlink": symlink,
}


def numstat(repo: Path) -> str:
    return git(repo, "log", "--numstat", "--format=%H %P %an", "main")


@pytest.mark.parametrize("name", PLANTS)
def test_a_planted_clone_is_cloned_again_and_runs_nothing(
    name: str, tmp_path: Path, hermetic_git: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_remote(tmp_path / "src.git", {"a.txt": "1\n2\n"})
    url = f"file://{source}"
    root = tmp_path / "cache"
    repos.ensure("damo", url, root, 2023, offline=False, shallow=False)
    clone = root / "damo.git"
    PLANTS[name](clone, evil(tmp_path))
    push_change(source, "a.txt", "1\n3\n4\n")  # something to fetch: refs to update, hooks to run
    with pytest.raises(UserError, match="holds"):
        repos.ensure("damo", url, root, 2023, offline=True, shallow=False)
    repo = repos.ensure("damo", url, root, 2023, offline=False, shallow=False)
    assert not (tmp_path / "pwned").exists(), (tmp_path / "pwned").read_text()
    assert "cloning damo again: its cached clone holds" in capsys.readouterr().err
    written = guard.settings(clone / "config")
    assert written is not None
    assert {n for n, _ in written} <= {"core.repositoryformatversion", "core.filemode", "core.bare"} | {
        "remote.origin.url",
        "remote.origin.fetch",
    }
    assert repos.foreign(clone, url) is None
    assert numstat(clone) == numstat(source)
    assert [c.insertions for c in walk.log(repo, ["main"])] == [2, 2]


def test_a_clone_of_retrospects_own_is_kept(tmp_path: Path, hermetic_git: Path) -> None:
    """One made before clones were made without git's templates (hooks/*.sample, info/exclude) too."""
    source = make_remote(tmp_path / "src.git", {"a.txt": "1\n"})
    url = f"file://{source}"
    root = tmp_path / "cache"
    git(tmp_path, "init", "-q", "--bare", str(root / "damo.git"))
    git(root / "damo.git", "remote", "add", "origin", url)
    git(root / "damo.git", "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*")
    marker = root / "damo.git" / "objects" / "kept"
    marker.touch()
    repos.ensure("damo", url, root, 2023, offline=False, shallow=False)
    assert marker.exists() and repos.foreign(root / "damo.git", url) is None


def signed(repo: Path) -> None:
    """A commit carrying a (made-up) signature on top of main: `git log --show-signature` runs gpg for it."""
    body = git(repo, "cat-file", "commit", "main")
    head, _, message = body.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----"
    commit = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        input=f"{head}\n{signature}\n\n{message}",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(repo, "update-ref", "refs/heads/main", commit)


def test_a_named_repositorys_settings_run_nothing(tmp_path: Path, hermetic_git: Path) -> None:
    """A repository the user names (in the action: a checkout in the workspace) is read as it is, but no
    program its settings name runs: a signature program for each signed commit `git log` shows."""
    repo = make_remote(tmp_path / "named.git", {"a.txt": "1\n"})
    signed(repo)
    PLANTS["log.showSignature"](repo, evil(tmp_path))
    opened = walk.open_repo(repo)
    assert [c.insertions for c in walk.log(opened, ["main"])] == [1]
    walk.tags(opened)
    walk.show_file(opened, "main", "a.txt")
    assert not (tmp_path / "pwned").exists(), (tmp_path / "pwned").read_text()


def test_the_action_reads_no_git_configuration_it_did_not_write(tmp_path: Path, hermetic_git: Path) -> None:
    system = tmp_path / "system.cfg"
    system.write_text("[core]\n\thooksPath = /x\n")
    environ = {"GIT_CONFIG_SYSTEM": str(system), "GIT_CONFIG_COUNT": "1", "GIT_DIR": "/x", "PATH": "/bin"}
    config = guard.isolate(environ)
    assert config.read_text() == "" and config.stat().st_mode & 0o777 == 0o600
    assert environ == {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(config),
        "XDG_CONFIG_HOME": str(config.parent),
        "PATH": "/bin",
    }
