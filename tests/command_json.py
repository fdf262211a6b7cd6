"""The commands' --format json output, checked against the JSON Schema the package ships for it."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema

from reporter.render.data import COMMAND_SCHEMA_VERSION


def schema(command: str) -> dict[str, Any]:
    text = resources.files("reporter.render").joinpath("schemas", f"{command}.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def validator(command: str) -> jsonschema.Draft202012Validator:
    """A validator of `command`'s schema, which is itself valid and names the version the code writes:
    made once, as checking the schema took most of a validation's time."""
    shipped = schema(command)
    jsonschema.Draft202012Validator.check_schema(shipped)
    assert shipped["properties"]["schema_version"] == {"const": COMMAND_SCHEMA_VERSION}
    return jsonschema.Draft202012Validator(shipped)


def validated(command: str, out: str) -> dict[str, Any]:
    """`out` read as JSON, valid for `command`'s schema."""
    data: dict[str, Any] = json.loads(out)
    validator(command).validate(data)
    assert (data["schema_version"], data["command"]) == (COMMAND_SCHEMA_VERSION, command)
    return data


def output(command: str, out: str) -> dict[str, Any]:
    """The document, validated; for `table` of one kind, that table."""
    data = validated(command, out)
    if command != "table":
        return data
    [table] = data["tables"]
    return table  # type: ignore[no-any-return]
