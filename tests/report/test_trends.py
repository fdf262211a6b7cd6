"""`retrospect trends`: every year equals that year's report, a kept year is read back, and the example
workflow's matrix (one job a year, then a merge) gives the one-machine result."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from command_json import validated
from kernelrepo import CONFIG, report_2023

from reporter.cli import main
from reporter.render import trends as render_trends
from reporter.report import trends
from reporter.report.config import load

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github/examples/trends-matrix.yml"


def repos(kernel: Path, tool: Path) -> list[str]:
    return ["--repo", f"linux={kernel}", "--repo", f"damo={tool}", "--offline", "--quiet"]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trends") / "retrospect.yml"
    path.write_text(CONFIG)
    return path


def trends_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["trends", *args, "--format", "json"]) == 0
    data: dict[str, Any] = validated("trends", capsys.readouterr().out)
    return data


@pytest.fixture(scope="module")
def one_machine(config: Path, kernel_repo: Path, tool_repo: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("years")
    args = ["trends", "--config", str(config), *repos(kernel_repo, tool_repo), "--out", str(out), "--format", "json"]
    done = subprocess.run([sys.executable, "-m", "reporter", *args], capture_output=True, text=True, check=True)
    return validated("trends", done.stdout), out, done.stderr


def test_every_year_equals_its_report(one_machine, config: Path, kernel_repo: Path, tool_repo: Path, tmp_path: Path):
    found, _, stderr = one_machine
    years = [y["year"] for y in found["years"]]
    assert years == [2022, 2023, 2024]  # the fixture's tags start in December 2021, end in January 2024
    assert "2021 left out: no tag matching" in stderr
    for y in found["years"]:
        out = tmp_path / str(y["year"])
        args = ["report", "--config", str(config), "--year", str(y["year"]), "--out", str(out)]
        assert main([*args, *repos(kernel_repo, tool_repo)]) == 0
        stats = json.loads((out / f"{y['year']}.json").read_text())["stats"]
        k = stats["kernel"]
        assert y["refs"] == k["refs"]
        assert y["people"] == len(k["people"])
        assert y["commits"] == k["authors"]["total_commits"]
        commits, lines = (k["tables"][kind]["rows"][-1] for kind in ("commits", "lines"))
        assert y["lines"] == lines["damon"]
        for kind, row in (("commits", commits), ("lines", lines)):
            assert y["shares"][kind]["parent"] == {"part": row["damon"], "whole": row["mm"]}
            assert y["shares"][kind]["total"] == {"part": row["damon"], "whole": row["linux"]}
        tool = stats["tools"][0]
        assert y["tools"] == [
            {"name": "damo", "people": len(tool["people"]), "commits": tool["authors"]["total_commits"]}
        ]
        assert y["commits"] > 0 and y["tools"][0]["commits"] > 0


def _never(*args: object) -> None:
    raise AssertionError("a kept year was computed again")


def test_a_kept_year_is_read_back_until_its_inputs_change(
    one_machine, config: Path, kernel_repo: Path, tool_repo: Path, capsys, monkeypatch
):
    found, out, _ = one_machine
    kept = {p.name: p.read_text() for p in out.glob("trends-*.json")}
    assert sorted(kept) == ["trends-2022.json", "trends-2023.json", "trends-2024.json"]
    args = ["--config", str(config), *repos(kernel_repo, tool_repo), "--out", str(out)]
    with monkeypatch.context() as m:
        m.setattr(trends, "_compute", _never)
        assert trends_json(capsys, *args) == found
    # Another fingerprint (as after a moved tag or a changed config): that year alone is computed again.
    data = json.loads(kept["trends-2023.json"])
    data["fingerprint"] = "0" * 64
    data["trend"]["commits"] = 999_999
    (out / "trends-2023.json").write_text(json.dumps(data))
    assert trends_json(capsys, *args) == found
    assert {p.name: p.read_text() for p in out.glob("trends-*.json")} == kept
    assert trends_json(capsys, "--from", str(out), "--config", str(config)) == found


def _step(job: str, step_id: str) -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    step: dict[str, Any] = next(s for s in workflow["jobs"][job]["steps"] if s.get("id") == step_id)
    return step


def _bash(script: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# Slow: a process per job; the merge of kept years equals the one-machine result in the quick part too
# (test_a_kept_year_is_read_back_until_its_inputs_change, `--from`).
@pytest.mark.slow
def test_the_workflows_matrix_merges_to_the_one_machine_result(
    one_machine, config: Path, kernel_repo: Path, tool_repo: Path, tmp_path: Path, capsys
):
    """The example workflow's own commands, in sequence: the years job, each matrix job in a directory of
    its own (its own cache), the artifacts downloaded into one directory, then the merge job."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # `retrospect` as the jobs run it, with this test's repositories and configuration added.
    shim = tmp_path / "bin" / "retrospect"
    shim.parent.mkdir()
    extra = " ".join(["--config", str(config), *repos(kernel_repo, tool_repo)])
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reporter "$@" {extra}\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, **workflow["env"], "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}

    output = tmp_path / "github_output"
    _bash(_step("years", "list")["run"], tmp_path, {**env, "GITHUB_OUTPUT": str(output)})
    years = json.loads(output.read_text().strip().removeprefix("list="))
    assert years[0] == int(workflow["env"]["FIRST_YEAR"])
    merged = tmp_path / "merge"
    (merged / "years").mkdir(parents=True)
    for year in years:
        job = tmp_path / f"job-{year}"
        job.mkdir()
        _bash(_step("year", "compute")["run"], job, {**env, "YEAR": str(year)})
        for kept in (job / "years").glob(f"trends-{year}.json"):  # the artifact, merge-multiple
            shutil.copy(kept, merged / "years")
    summary = merged / "summary.md"
    _bash(_step("merge", "merge")["run"], merged, {**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert json.loads((merged / "trends.json").read_text()) == one_machine[0]
    assert "```mermaid\nxychart-beta\n" in summary.read_text()
    # The one-machine run over the workflow's years is the same.
    first = ["--first-year", workflow["env"]["FIRST_YEAR"]]
    assert (
        trends_json(
            capsys, "--config", str(config), *repos(kernel_repo, tool_repo), *first, "--out", str(tmp_path / "one")
        )
        == one_machine[0]
    )


def test_merge_refuses_mixed_or_missing_years(one_machine, config: Path, tmp_path: Path, capsys):
    _, out, _ = one_machine
    assert main(["trends", "--from", str(tmp_path), "--config", str(config)]) == 2
    assert capsys.readouterr().err.startswith(f"retrospect: error: no trends-YEAR.json file under {tmp_path}")
    mixed = tmp_path / "mixed"
    shutil.copytree(out, mixed)
    data = json.loads((mixed / "trends-2023.json").read_text())
    data["settings"]["kernel"]["total_label"] = "other"
    (mixed / "trends-2023.json").write_text(json.dumps(data))
    assert main(["trends", "--from", str(mixed), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "computed with other settings" in err


def test_the_post_shows_every_year_when_the_config_asks(
    one_machine, kernel_repo: Path, tool_repo: Path, tmp_path: Path
):
    found, _, _ = one_machine
    config = CONFIG.replace("  post: false ", "  post: true  ")
    assert config != CONFIG
    out = report_2023(tmp_path, kernel_repo, tool_repo, config)
    document = json.loads((out / "2023.json").read_text())
    assert document["trends"]["years"] == [y for y in found["years"] if y["year"] <= 2023]
    assert "2021 left out: no tag matching" in " ".join(document["warnings"])
    assert sorted(p.name for p in (out / "trends").iterdir()) == ["trends-2022.json", "trends-2023.json"]
    post = (out / "2023.md").read_text()
    rows = render_trends.aligned(load(None), document["trends"])
    assert (
        "\n    $ retrospect trends --last-year 2023\n" + "".join(f"    {line}\n" for line in rows.splitlines()) in post
    )
    assert 'x-axis ["2022", "2023"]' in post
    mail = (out / "2023.mbox").read_text()
    assert "Every Year Since the Start" in mail and rows.splitlines()[-1] in mail and "x-axis" not in mail
    (tmp_path / "off").mkdir()
    assert "Every Year Since" not in (report_2023(tmp_path / "off", kernel_repo, tool_repo) / "2023.md").read_text()


def test_a_report_and_trends_read_back_each_others_years(
    one_machine, kernel_repo: Path, tool_repo: Path, tmp_path: Path, capsys, monkeypatch
):
    """A year's fingerprint is the inputs its report records: the years a report keeps (`trends.post`) are
    read back by `retrospect trends`, and those `retrospect trends` kept by a report."""
    found, kept, _ = one_machine
    config = CONFIG.replace("  post: false ", "  post: true  ")
    (tmp_path / "report").mkdir()
    out = report_2023(tmp_path / "report", kernel_repo, tool_repo, config)
    document = json.loads((out / "2023.json").read_text())
    for year, stats in ((2023, document["stats"]), (2022, document["previous"])):
        stored = json.loads((out / "trends" / f"trends-{year}.json").read_text())
        assert stored["fingerprint"] == trends._fingerprint(year, stats["inputs"])
    monkeypatch.setattr(trends, "_compute", _never)
    args = ["--config", str(tmp_path / "report" / "retrospect.yml"), *repos(kernel_repo, tool_repo)]
    shown = trends_json(capsys, *args, "--out", str(out / "trends"), "--last-year", "2023")
    until_2023 = [y for y in found["years"] if y["year"] <= 2023]
    assert shown["years"] == until_2023
    shutil.copytree(kept, tmp_path / "again" / "out" / "trends")
    again = report_2023(tmp_path / "again", kernel_repo, tool_repo, config)
    assert json.loads((again / "2023.json").read_text())["trends"]["years"] == until_2023
