"""The documentation's generated pages (docs/hooks.py) say what the code says: change the code, the page follows."""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import reporter.cli
from reporter.errors import UserError
from reporter.report import config

ROOT = Path(__file__).resolve().parents[2]


def _load_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _load_hooks()


def _option(parser: argparse.ArgumentParser, command: str, option: str) -> argparse.Action:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    return next(a for a in sub._actions if option in a.option_strings)


def _help_changed(monkeypatch: pytest.MonkeyPatch, command: str, option: str, text: str) -> str:
    """Makes build_parser give `option` of `command` the help `text`; returns the help it had."""
    build = reporter.cli.build_parser
    old = _option(build(), command, option).help or ""

    def changed() -> reporter.cli.options.Parser:
        parser = build()
        _option(parser, command, option).help = text
        return parser

    monkeypatch.setattr(reporter.cli, "build_parser", changed)
    return old


def test_the_command_line_page_follows_an_options_help(monkeypatch: pytest.MonkeyPatch) -> None:
    old = _help_changed(monkeypatch, "ranges", "--cutoff", "ignore tags dated after this quokka day")
    ranges = hooks.cli_page().split("## `retrospect ranges`")[1].split("\n## ")[0]
    assert "ignore tags dated after this quokka day" in ranges
    assert hooks.cell(old) not in ranges


def test_the_command_line_page_has_every_command_and_option() -> None:
    page = hooks.cli_page()
    for name, _, sub in hooks._commands(reporter.cli.build_parser()):
        assert f"## `retrospect {name}`" in page
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in page, (name, option)


def test_the_configuration_reference_is_what_the_validator_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    text = config.DEFAULT_YAML + "colour: red\n"
    with pytest.raises(UserError, match="colour: unknown key"):
        config.parse(text, "cfg.yaml")
    assert "`colour`" not in hooks.configuration()
    # One description serves both: a key described is a key accepted, and documented.
    monkeypatch.setattr(config, "KEYS", (*config.KEYS, config.Key("colour", str, "the quokka's colour", "grey")))
    config.parse(text, "cfg.yaml")
    page = hooks.configuration()
    assert "| `colour` | string | grey | the quokka's colour |" in page


def test_every_key_has_a_type_a_default_and_a_valid_example() -> None:
    for key in config.described():
        assert key.kind and key.default_text and key.doc, key.path
        if key.kind in ("mapping", "list of mappings"):
            continue
        assert key.example, f"{key.path} has no example"
        name, value = next(iter(yaml.safe_load(key.example).items()))
        assert name == key.path.rpartition(".")[2]
        kinds = {"string": str, "boolean": bool, "integer": int, "list": list, "date": object, "mapping": dict}
        expected = tuple(kinds[word] for word in key.kind.split() if word in kinds)
        assert isinstance(value, expected), (key.path, value)


def _copy_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *paths: str) -> Path:
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    monkeypatch.setattr(hooks, "ROOT", tmp_path)
    return tmp_path


def test_the_actions_inputs_and_outputs_come_from_action_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs, outputs = hooks.action_inputs(), hooks.action_outputs()
    for name, spec in action["inputs"].items():
        assert f"| `{name}` | " + (f"`{spec['default']}`" if spec["default"] else "(empty)") in inputs
    assert all(f"| `{name}` |" in outputs for name in action["outputs"])
    root = _copy_root(tmp_path, monkeypatch, "action.yml")
    changed = (root / "action.yml").read_text().replace("default: .retrospect-cache", "default: .quokka-cache")
    (root / "action.yml").write_text(changed)
    assert "| `cache_dir` | `.quokka-cache` |" in hooks.action_inputs()


def test_the_json_page_has_every_field_of_the_schema() -> None:
    schema = json.loads((ROOT / "reporter/report/schema.json").read_text())
    page = hooks.json_schema()

    def names(node: object) -> set[str]:
        found: set[str] = set()
        if isinstance(node, dict):
            found |= set(node.get("properties", {}))
            for child in node.values():
                found |= names(child)
        elif isinstance(node, list):
            for child in node:
                found |= names(child)
        return found

    for name in names(schema):
        assert f"{name}`" in page, name
    assert all(f"### {name}" in page for name in schema["$defs"])


def test_the_performance_table_is_the_committed_benchmark_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = json.loads((ROOT / "docs/benchmark.json").read_text())
    table = hooks.benchmark()
    for label, target in result["targets"].items():
        if target["value"] is not None:
            assert f"{target['value']:.3f} (at most {target['at_most']}): {target['verdict']}" in table, label
    root = _copy_root(tmp_path, monkeypatch, "docs/benchmark.json")
    result["measures"]["a"]["median"] = 1234.5
    (root / "docs/benchmark.json").write_text(json.dumps(result))
    assert "1234.50 s" in hooks.benchmark()


def test_an_unknown_part_or_a_file_outside_the_repository_fails_the_page() -> None:
    with pytest.raises(ValueError, match="no generator"):
        hooks.render("<!-- generated: quokka -->")
    with pytest.raises(ValueError, match="not a file of the repository"):
        hooks.render("<!-- include: ../../etc/passwd -->")
    assert hooks.render("<!-- include: .github/examples/news-site.yml -->").startswith("```yaml\n")


@pytest.mark.slow
def test_the_built_site_shows_an_options_changed_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole build, strict as .ci/run builds it, in this process so that the changed parser is the one it reads."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _help_changed(monkeypatch, "authors", "--sortby", "rank by quokkas")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    page = (tmp_path / "site" / "cli" / "index.html").read_text()
    assert "rank by quokkas" in page


def test_the_readme_is_short_and_names_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for name, _, _ in hooks._commands(reporter.cli.build_parser()):
        assert f"| `{name}` |" in readme, name


def test_the_readmes_test_command_is_what_ci_runs() -> None:
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci/run").read_text()
    for step in (
        "pip install --require-hashes -r requirements-test.lock",
        "pip install --no-deps --no-build-isolation -e .",
        "python -m pytest -q -n auto",
        "mkdocs build --strict",
    ):
        assert step in readme, step
        assert step.replace("pip install ", "pip install -q --disable-pip-version-check ") in ci or step in ci, step
