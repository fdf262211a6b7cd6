"""JSON: plain data for scripts, with percentages as numbers (null where the denominator is zero)."""

from __future__ import annotations

import dataclasses
import json

from reporter.model import AuthorRanking, Ratio, Table


def table(result: Table) -> dict:
    rows = []
    for row in result.rows:
        cells = result.cells(row)
        rows.append(
            {
                name: (round(cell.percent, 4) if cell.percent is not None else None)
                if isinstance(cell, Ratio)
                else cell
                for name, cell in zip(result.header, cells)
            }
        )
    return {"kind": result.kind, "header": result.header, "rows": rows, "resolved": result.resolved}


def authors(ranking: AuthorRanking) -> dict:
    return dataclasses.asdict(ranking)


def dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
