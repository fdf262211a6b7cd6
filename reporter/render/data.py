"""JSON: plain data for scripts, with percentages as numbers (null where the denominator is zero).

Tables and rankings also read back (`*_from`), so that a report can take last year's figures from last
year's JSON instead of walking history again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reporter.kernel.people import Identity, Person
from reporter.kernel.releases import Release
from reporter.kernel.series import Patch, Series
from reporter.model import (
    AuthorCount,
    AuthorRanking,
    CreditCount,
    CreditRanking,
    PathSource,
    Ratio,
    SectionStats,
    Table,
    TableRow,
)
from reporter.render.escape import shown
from reporter.render.text import FULL_HISTORY_NOTE

if TYPE_CHECKING:
    from reporter.report.data import Extras, Involvement, SeriesYear, YearStats


def _plain(cell: object) -> object:
    if isinstance(cell, Ratio):
        return None if cell.percent is None else round(cell.percent, 4)
    return cell


def table(result: Table, resolved: bool = True) -> dict[str, Any]:
    """A table's rows by column name (the counts are the `labels` columns); with `resolved`, the commit
    each ref resolved to (a report states those once for all its tables)."""
    data = {
        "kind": result.kind,
        "labels": result.labels,
        "header": result.header,
        "layout": result.layout,
        "rows": [
            {name: _plain(cell) for name, cell in zip(result.header, result.cells(row), strict=True)}
            for row in result.rows
        ],
        "maintainers_at": result.maintainers_at,
        "sources": sources(result.sources),
    }
    return data | ({"resolved": result.resolved} if resolved else {})


def table_from(data: dict[str, Any]) -> Table:
    layout = [c if isinstance(c, int) else (c[0], tuple(c[1])) for c in data["layout"]]
    labels = list(data["labels"])
    rows = [TableRow(row["range"], [int(row[label]) for label in labels]) for row in data["rows"]]
    found = [PathSource(**s) for s in data.get("sources", [])]
    resolved = dict(data.get("resolved", {}))
    return Table(
        data["kind"], labels, list(data["header"]), layout, rows, resolved, found, data.get("maintainers_at", "end")
    )


def authors(ranking: AuthorRanking) -> dict[str, Any]:
    return dataclasses.asdict(ranking)


def employers(ranking: AuthorRanking, domains: Sequence[tuple[str, int]]) -> dict[str, Any]:
    return {
        "sortby": ranking.sortby,
        "employers": [{"employer": a.identity, "commits": a.commits, "lines": a.lines} for a in ranking.authors],
        "total_employers": ranking.total_authors,
        "total_commits": ranking.total_commits,
        "total_lines": ranking.total_lines,
        "unmapped_domains": [{"domain": d, "commits": n} for d, n in domains],
    }


def credits(rankings: Sequence[CreditRanking]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(r) for r in rankings]


def sources(found: Sequence[PathSource]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(s) for s in found]


def authors_from(data: dict[str, Any]) -> AuthorRanking:
    return AuthorRanking(
        data["sortby"],
        [AuthorCount(**a) for a in data["authors"]],
        data["total_authors"],
        data["total_commits"],
        data["total_lines"],
        data.get("new_since"),
        data.get("merge_rule"),
        bool(data.get("persons", False)),
    )


def persons(found: list[Person]) -> list[dict[str, Any]]:
    """Each person as the identities folded into it, most used first: who was folded into whom."""
    return [{"identities": [dataclasses.asdict(i) for i in p.identities]} for p in found]


def persons_from(data: list[dict[str, Any]]) -> list[Person]:
    return [Person(tuple(Identity(**i) for i in p["identities"])) for p in data]


def _ratio(ratio: Ratio | None) -> dict[str, Any] | None:
    return None if ratio is None else {"part": ratio.part, "whole": ratio.whole, "percent": ratio.percent}


def _ratio_from(data: dict[str, Any] | None) -> Ratio | None:
    return None if data is None else Ratio(int(data["part"]), int(data["whole"]))


def involvement(year: Involvement) -> dict[str, Any]:
    return {
        "employers": authors(year.employers),
        "unmapped": [{"domain": d, "commits": n} for d, n in year.unmapped],
        "maintainer_employer": year.maintainer_employer,
        "outside": _ratio(year.outside),
        "credits": credits(year.credits),
        "reviewed": _ratio(year.reviewed),
        "newcomers": authors(year.newcomers) if year.newcomers else None,
    }


def involvement_from(data: dict[str, Any]) -> Involvement:
    from reporter.report.data import Involvement

    return Involvement(
        authors_from(data["employers"]),
        [(u["domain"], int(u["commits"])) for u in data["unmapped"]],
        data["maintainer_employer"],
        _ratio_from(data["outside"]),
        [
            CreditRanking(
                c["key"], c["noun"], [CreditCount(**x) for x in c["credits"]], *_totals(c), bool(c.get("persons"))
            )
            for c in data["credits"]
        ],
        _ratio_from(data["reviewed"]) or Ratio(0, 0),
        authors_from(data["newcomers"]) if data["newcomers"] else None,
    )


def _totals(data: dict[str, Any]) -> tuple[int, int, int]:
    return int(data["total_people"]), int(data["total_credits"]), int(data["total_commits"])


def series(found: Series) -> dict[str, Any]:
    """A series with what its patches add up to, for a script."""
    return dataclasses.asdict(found) | {
        "tags": [{"tag": tag, "patches": count} for tag, count in found.tags],
        "subsystem_patches": found.subsystem_patches,
        "lines": found.lines,
        "authors": found.authors,
        "split": found.split,
    }


def series_from(data: dict[str, Any]) -> Series:
    fields = {f.name for f in dataclasses.fields(Series)}
    values = {k: v for k, v in data.items() if k in fields}
    values["patches"] = [Patch(**p) for p in data["patches"]]
    values["tags"] = [(t["tag"], int(t["patches"])) for t in data["tags"]]
    return Series(**values)


def series_year(found: SeriesYear) -> dict[str, Any]:
    return {
        "release": found.release,
        "release_date": found.release_date,
        "delivered": [series(s) for s in found.delivered],
        "year": [series(s) for s in found.year],
        "next_refs": found.next_refs,
        "next": [series(s) for s in found.next],
    }


def series_year_from(data: dict[str, Any]) -> SeriesYear:
    from reporter.report.data import SeriesYear

    return SeriesYear(
        data["release"],
        data["release_date"],
        [series_from(s) for s in data["delivered"]],
        [series_from(s) for s in data["year"]],
        list(data["next_refs"]),
        [series_from(s) for s in data["next"]],
    )


def year_stats(stats: YearStats) -> dict[str, Any]:
    kernel = stats.kernel
    return {
        "year": stats.year,
        "inputs": stats.inputs,
        "kernel": None
        if kernel is None
        else {
            "refs": kernel.refs,
            "resolved": kernel.resolved,
            "dates": kernel.dates,
            "maintainers": kernel.maintainers,
            "authors": authors(kernel.authors),
            "tables": {kind: table(t, resolved=False) for kind, t in kernel.tables.items()},
            "people": persons(kernel.people),
            "involvement": involvement(kernel.involvement) if kernel.involvement else None,
            "lists": kernel.lists,
            "series": series_year(kernel.series) if kernel.series else None,
        },
        "tools": [
            {**dataclasses.asdict(t), "authors": authors(t.authors), "people": persons(t.people)} for t in stats.tools
        ],
    }


def year_stats_from(data: dict[str, Any]) -> YearStats:
    from reporter.report.data import KernelYear, ToolYear, YearStats

    k = data["kernel"]
    kernel = None
    if k is not None:
        kernel = KernelYear(
            list(k["refs"]),
            dict(k["resolved"]),
            {ref: int(moment) for ref, moment in k["dates"].items()},
            authors_from(k["authors"]),
            {kind: table_from(t) for kind, t in k["tables"].items()},
            persons_from(k["people"]),
            list(k["maintainers"]),
            involvement_from(k["involvement"]) if k["involvement"] else None,
            list(k["lists"]),
            series_year_from(k["series"]) if k.get("series") else None,
        )
    tools = [
        ToolYear(
            t["name"],
            t["since"],
            t["until"],
            t["head"],
            t["merges"],
            authors_from(t["authors"]),
            persons_from(t["people"]),
            [Release(**r) for r in t["releases"]],
            t["notes"],
        )
        for t in data["tools"]
    ]
    return YearStats(int(data["year"]), kernel, tools, dict(data.get("inputs", {})))


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def extras(found: Extras) -> dict[str, Any]:
    return {"github": _jsonable(found.github), "packaging": _jsonable(found.packaging)}


# The version of the commands' --format json documents (their JSON Schemas: render/schemas/COMMAND.schema.json).
# Raise it when a field is renamed, removed or changes meaning; a new field does not change it.
COMMAND_SCHEMA_VERSION = 1


def document(command: str, body: dict[str, Any]) -> dict[str, Any]:
    """A command's --format json output: one object whatever the options, naming its schema and version."""
    return {"schema_version": COMMAND_SCHEMA_VERSION, "command": command} | body


def dumps(value: object) -> str:
    """JSON text that is valid UTF-8 whatever bytes git gave (see escape.shown)."""
    return shown(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def sections(
    span: str, read_at: tuple[str, str], ranked: list[SectionStats], shown: list[SectionStats], total: int
) -> dict[str, Any]:
    return {
        "range": span,
        "maintainers": {"ref": read_at[0], "commit": read_at[1]},
        "semantics": FULL_HISTORY_NOTE,
        "sections_total": total,
        "sections_with_commits": len(ranked),
        "sections": [
            {
                "rank": rank,
                "section": s.section,
                "commits": s.commits,
                "lines": s.lines,
                "authors": s.authors,
                "non_maintainer_portion": _plain(s.non_maintainer),
            }
            for rank, s in enumerate(shown, 1)
        ],
    }
