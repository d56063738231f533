"""What every importer returns: the events it read and the findings about the rows it did not.

Every importer (Annex A, the Standard Safeguarding Dataset, a declarative mapping, the census)
gives back an :class:`Imported`: the canonical events frame, ready for :func:`cinscope.score`,
and a findings frame in which every source row that did not become an event, or that was
repaired on the way, is named with its source (sheet, file or table), row and column. Nothing
is dropped without a finding.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Iterator

import polars as pl

#: The columns of an importer's findings frame, in order.
FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "code": pl.String(),
    "action": pl.String(),
    "message": pl.String(),
}

#: What was done with a row a finding names.
FINDING_ACTIONS = ("skipped", "repaired", "kept", "not_an_event")


def empty_findings() -> pl.DataFrame:
    """An empty findings frame with the documented schema."""
    return pl.DataFrame(schema=FINDINGS_SCHEMA)


def findings_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """A findings frame from a list of dicts with the keys of :data:`FINDINGS_SCHEMA`.

    ``row`` is the row number a person sees in the source (1-based; in a spreadsheet, the
    sheet's own row number, header included), or None when the finding is about a whole
    sheet, file, table or column.
    """
    if not rows:
        return empty_findings()
    for r in rows:
        action = r.get("action")
        if action not in FINDING_ACTIONS:
            raise ValueError(f"finding action must be one of {FINDING_ACTIONS}, got {action!r}")
    return pl.DataFrame(rows, schema=FINDINGS_SCHEMA)


@dataclass(frozen=True)
class Imported:
    """Events read from a source, with the findings about what could not be read as given.

    It unpacks as ``events, findings = cs.read_...(...)``.

    Attributes
    ----------
    events
        The canonical events frame (``child_id``, ``event``, ``date``, ``episode_id``,
        ``qualifier`` and any label columns such as ``team`` and ``worker``).
    findings
        One row per source row (or sheet, column, table) not read as given: ``source``,
        ``row``, ``column``, ``code``, ``action`` (``skipped``, ``repaired``, ``kept`` or
        ``not_an_event``) and ``message``.
    source_format
        ``"annex_a"``, ``"ssd"``, ``"mapping"``, ``"census"`` or ``"events"``.
    as_of
        The extract date the source describes, when it has one (Annex A: the inspection date).
    window_start
        The first date the source covers, when it is a window (Annex A); events before it are
        history the source does not hold in full.
    counts
        Rows read per source part (sheet, file or table): the end-to-end row accounting.
    source_events
        The event names the source format can hold at all, whether or not this extract has
        any: a rule met only by events outside it cannot be judged from this source, so
        :func:`cinscope.score` leaves it out (with a :class:`cinscope.CoverageWarning`) and
        :func:`cinscope.coverage` says why. None: any event (a canonical events table).
    """

    events: pl.DataFrame
    findings: pl.DataFrame = field(default_factory=empty_findings)
    source_format: str = "events"
    as_of: _dt.date | None = None
    window_start: _dt.date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    source_events: frozenset[str] | None = None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        yield self.events
        yield self.findings

    def __repr__(self) -> str:
        return (
            f"Imported({self.source_format}: {self.events.height} events of "
            f"{self.events['child_id'].n_unique() if 'child_id' in self.events.columns else 0} children, "
            f"{self.findings.height} findings)"
        )
