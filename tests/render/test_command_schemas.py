"""Every command's --format json: one shape whatever the options, a schema_version, and a JSON Schema shipped
in the package (reporter/render/schemas/COMMAND.schema.json) that the output passes."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from command_json import schema, validated

from reporter.cli import build_parser, main
from reporter.render.data import COMMAND_SCHEMA_VERSION


def _json_commands() -> set[str]:
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name
        for name, parser in sub.choices.items()
        if any(action.dest == "format" and "json" in (action.choices or ()) for action in parser._actions)
    }


def test_each_json_command_ships_its_schema() -> None:
    shipped = {
        p.name.removesuffix(".schema.json") for p in resources.files("reporter.render").joinpath("schemas").iterdir()
    }
    assert shipped == _json_commands() - {"report"}  # the report's document has its own, report/schema.json
    for command in shipped:
        document = schema(command)
        jsonschema.Draft202012Validator.check_schema(document)
        assert document["$id"] == f"https://retrospect.invalid/{command}.schema.json"
        assert document["properties"]["schema_version"] == {"const": COMMAND_SCHEMA_VERSION}
        assert document["properties"]["command"] == {"const": command}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "--format", "json", "--quiet"]) == 0
    return capsys.readouterr().out


def test_table_has_one_shape_however_many_kinds(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One kind printed the table itself, several a list of them."""
    one = validated("table", _json(capsys, "table", "lines", str(kernel_repo), "--year", "2023"))
    three = validated(
        "table", _json(capsys, "table", "community", "commits", "lines", str(kernel_repo), "--year", "2023")
    )
    assert one.keys() == three.keys() == {"schema_version", "command", "tables"}
    assert [t["kind"] for t in one["tables"]] == ["lines"]
    assert [t["kind"] for t in three["tables"]] == ["community", "commits", "lines"]
    assert three["tables"][2] == one["tables"][0]
    each = ["table", "--maintainers-at", "each", "commits", "lines", str(kernel_repo), "--year", "2023"]
    assert validated("table", _json(capsys, *each))["tables"][0]["sources"]  # one per row, as the schema says


@pytest.mark.parametrize(
    "args",
    [
        ["authors", "--range", "v1.1-rc1..v1.4-rc2"],
        ["authors", "--range", "v1.1-rc1..v1.4-rc2", "--sortby", "lines", "--new-since", "v1.1-rc1"],
        ["authors", "--range", "v1.1-rc1..v1.4-rc2", "--subsystem", "DATA ACCESS MONITOR"],
        ["credits", "--range", "v1.1-rc1..v1.4-rc2"],
        ["credits", "--range", "v1.1-rc1..v1.4-rc2", "--subsystem", "MEMORY MANAGEMENT"],
        ["employers", "--range", "v1.1-rc1..v1.4-rc2", "--sortby", "lines"],
        ["subsystems", "--year", "2023"],
    ],
    ids=lambda args: " ".join(args[:1] + args[3:]),
)
def test_the_git_commands_json_passes_its_schema(
    kernel_repo: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    validated(args[0], _json(capsys, args[0], str(kernel_repo), *args[1:]))
