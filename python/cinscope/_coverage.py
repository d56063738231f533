"""What a source can support: which rules can be scored from it, which cannot, and why.

Every rule starts from some events (its anchors, the start of a plan) and is met by others (its
targets, the end of a plan). A source that can never hold the events that meet a rule (an
Ofsted Annex A workbook has no Child in Need reviews; the Standard Safeguarding Dataset has no
planning meetings) would show every obligation of the rule as unmet: "overdue" that says
nothing about practice. :func:`coverage` tells the two apart before anything is published, and
:func:`cinscope.score` leaves such rules out, with a :class:`CoverageWarning`, whenever it knows
the source (an :class:`cinscope.Imported` from one of the importers, or ``source_events``).

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> import cinscope as cs
>>> events = pl.DataFrame({
...     "child_id": ["A", "A", "A", "A"],
...     "event": ["referral", "assessment_start", "s47_start", "icpc"],
...     "date": [dt.date(2025, 1, 6), dt.date(2025, 1, 7), dt.date(2025, 1, 8), dt.date(2025, 1, 24)],
... })
>>> table = cs.coverage(events, "national", as_of=dt.date(2025, 3, 31))
>>> table.select("rule", "scorable", "obligations").rows()
[('NAT-ASMT-01', False, 1), ('NAT-CP-01', True, 1)]
>>> table.filter(pl.col("rule") == "NAT-ASMT-01")["reason"].item()
'nothing in these events can meet it: it holds no assessment_authorised'
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import polars as pl

from cinscope._imported import Imported

#: The events each source format can hold at all (see docs/coverage.md). Annex A's set depends
#: on the reading's options; this is its default reading.
SOURCE_EVENTS: dict[str, frozenset[str]] = {
    "census": frozenset({
        "referral", "assessment_start", "assessment_authorised", "cin_plan_start", "cin_plan_end", "s47_start",
        "icpc", "cp_plan_start", "cp_plan_end", "cp_review", "closure",
    }),
    "annex_a": frozenset({
        "referral", "assessment_start", "assessment_authorised", "s47_start", "icpc", "closure", "visit",
        "cp_plan_start", "cp_plan_end", "cp_review", "looked_after_start", "looked_after_end",
    }),
    "ssd": frozenset({
        "referral", "allocated", "closure", "assessment_start", "assessment_authorised", "cin_plan_start",
        "cin_plan_end", "s47_start", "s47_end", "icpc", "cp_plan_start", "cp_plan_end", "cp_review",
        "looked_after_start", "looked_after_end", "visit",
    }),
}

#: The columns of :func:`coverage`'s result, in order.
COVERAGE_COLUMNS = (
    "rulebook", "rule", "title", "kind", "starts_on", "met_by", "scorable", "reason", "obligations",
)


class CoverageWarning(UserWarning):
    """Rules were left out of scoring because the source cannot hold the events that meet them."""


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _source_kinds(events: pl.DataFrame, source_events: Iterable[str] | None) -> tuple[frozenset[str], bool]:
    """The event names the source can hold, and whether they were declared (rather than seen)."""
    if source_events is not None:
        return frozenset(source_events), True
    if "event" not in events.columns:
        return frozenset(), False
    seen = events.get_column("event").cast(pl.String).drop_nulls().unique().to_list()
    return frozenset(seen), False


def rule_coverage(book: object, kinds: frozenset[str], declared: bool) -> pl.DataFrame:
    """One row per rule of ``book``: whether it can be scored from a source holding ``kinds``.

    A rule is scorable when the source can hold at least one of the events that meet it and at
    least one of those that start it (or, for a rule whose missing anchor falls back on an
    earlier rule, when that rule is scorable).
    """
    from cinscope.scoring import load_rulebook

    rulebook = load_rulebook(book)  # type: ignore[arg-type]
    rules = rulebook.rules().select(
        pl.col("rule").cast(pl.String),
        pl.col("title").cast(pl.String),
        pl.col("kind").cast(pl.String),
        "starts_on",
        "met_by",
        "fallback",
    )
    where = "the source" if declared else "these events"
    can_start: dict[str, bool] = {}
    out: dict[str, list[object]] = {c: [] for c in COVERAGE_COLUMNS if c != "obligations"}
    for row in rules.iter_rows(named=True):
        starts, met = _names(row["starts_on"]), _names(row["met_by"])
        starts_ok = any(k in kinds for k in starts) or (
            row["fallback"] is not None and can_start.get(row["fallback"], False)
        )
        can_start[row["rule"]] = starts_ok
        met_ok = any(k in kinds for k in met)
        if not met_ok:
            reason = f"nothing in {where} can meet it: it holds no {' or '.join(met)}"
        elif not starts_ok:
            reason = f"nothing in {where} starts it: it holds no {' or '.join(starts)}"
        else:
            reason = None
        out["rulebook"].append(rulebook.id)
        out["rule"].append(row["rule"])
        out["title"].append(row["title"])
        out["kind"].append(row["kind"])
        out["starts_on"].append(starts)
        out["met_by"].append(met)
        out["scorable"].append(met_ok and starts_ok)
        out["reason"].append(reason)
    return pl.DataFrame(
        out,
        schema={
            "rulebook": pl.String, "rule": pl.String, "title": pl.String, "kind": pl.String,
            "starts_on": pl.List(pl.String), "met_by": pl.List(pl.String), "scorable": pl.Boolean,
            "reason": pl.String,
        },
    )


def coverage(
    events: pl.DataFrame | pl.LazyFrame | Imported,
    rulebook: object = "national",
    *,
    source_events: Iterable[str] | None = None,
    as_of: _dt.date | None = None,
) -> pl.DataFrame:
    """Which rules of ``rulebook`` can be scored from ``events``, which cannot and why.

    Parameters
    ----------
    events
        An events frame, or what an importer returned (:class:`cinscope.Imported`), whose
        ``source_events`` then say what the source can hold.
    rulebook
        A rulebook (id, path or :class:`cinscope.Rulebook`), or a list of them (one block of
        rows each).
    source_events
        The event names the source can hold at all (``cs.SOURCE_EVENTS["ssd"]``, say).
        By default: the importer's, or else the event names present in ``events`` (so a rule is
        then judged on what this extract happens to hold).
    as_of
        The extract date used to count obligations: the importer's, or else today.

    Returns
    -------
    One row per rule: ``rulebook``, ``rule``, ``title``, ``kind``, ``starts_on`` and ``met_by``
    (event names), ``scorable``, ``reason`` (why not; null when scorable) and ``obligations``:
    how many obligations scoring these events under the rule yields (for a rule that is not
    scorable, how many :func:`cinscope.score` leaves out when it knows the source).
    """
    imported = events if isinstance(events, Imported) else None
    given: pl.DataFrame | pl.LazyFrame = imported.events if imported is not None else events  # type: ignore[assignment]
    frame = given.collect() if isinstance(given, pl.LazyFrame) else given
    if source_events is None and imported is not None:
        source_events = imported.source_events
    if as_of is None and imported is not None:
        as_of = imported.as_of
    kinds, declared = _source_kinds(frame, source_events)
    books: Sequence[object] = rulebook if isinstance(rulebook, (list, tuple)) else [rulebook]
    table = pl.concat([rule_coverage(b, kinds, declared) for b in books])
    obligations = _score_all(frame, list(books), as_of)
    counts = obligations.group_by("rulebook", "rule").agg(pl.len().cast(pl.Int64).alias("obligations"))
    return (
        table.join(counts, on=["rulebook", "rule"], how="left", maintain_order="left")
        .with_columns(pl.col("obligations").fill_null(0))
        .select(COVERAGE_COLUMNS)
    )


def _score_all(frame: pl.DataFrame, books: list[object], as_of: _dt.date | None) -> pl.DataFrame:
    """(rulebook, rule) of every obligation of ``frame`` under each of ``books``."""
    from cinscope.scoring import Rulebook, load_rulebook, score

    loaded: list[str | Path | Rulebook] = [load_rulebook(b) for b in books]  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = score(frame, loaded, as_of=as_of, columns=["rulebook", "rule"])
    return scored.select(pl.col("rulebook").cast(pl.String), pl.col("rule").cast(pl.String))


def unscorable_rules(
    rulebooks: Mapping[str, object] | Sequence[object], source_events: Iterable[str]
) -> pl.DataFrame:
    """The rules of ``rulebooks`` (rulebook, rule, reason) that a source holding only
    ``source_events`` cannot judge."""
    kinds = frozenset(source_events)
    books = list(rulebooks.values()) if isinstance(rulebooks, Mapping) else list(rulebooks)
    table = pl.concat([rule_coverage(b, kinds, True) for b in books])
    return table.filter(~pl.col("scorable")).select("rulebook", "rule", "reason")


def source_matrix(rulebooks: Sequence[object] | None = None) -> pl.DataFrame:
    """For each rulebook and each source format of :data:`SOURCE_EVENTS`, every rule and
    whether that source can support it: ``rulebook``, ``source``, ``rule``, ``scorable``,
    ``reason``.

    >>> import polars as pl
    >>> import cinscope as cs
    >>> m = cs.source_matrix(["national"])
    >>> m.filter(pl.col("source") == "census").select("rule", "scorable").rows()
    [('NAT-ASMT-01', True), ('NAT-CP-01', True)]
    """
    from cinscope.scoring import builtin_rulebooks

    books = list(rulebooks) if rulebooks is not None else list(builtin_rulebooks())
    parts = []
    for source, kinds in SOURCE_EVENTS.items():
        for book in books:
            parts.append(
                rule_coverage(book, kinds, True).select(
                    "rulebook", pl.lit(source).alias("source"), "rule", "scorable", "reason"
                )
            )
    return pl.concat(parts)


def source_matrix_markdown(rulebooks: Sequence[object] | None = None) -> str:
    """The sources × rulebooks matrix of :func:`source_matrix` as the Markdown of docs/coverage.md."""
    matrix = source_matrix(rulebooks)
    sources = list(SOURCE_EVENTS)
    titles = {"census": "DfE CIN census", "annex_a": "Ofsted Annex A", "ssd": "Standard Safeguarding Dataset"}
    lines = [
        "| rulebook | rules | " + " | ".join(titles[s] for s in sources) + " |",
        "| --- | ---: | " + " | ".join("---" for _ in sources) + " |",
    ]
    for book in matrix["rulebook"].unique(maintain_order=True).to_list():
        rows = matrix.filter(pl.col("rulebook") == book)
        total = rows.filter(pl.col("source") == sources[0]).height
        cells = []
        for s in sources:
            ok = rows.filter((pl.col("source") == s) & pl.col("scorable"))["rule"].to_list()
            cells.append(f"{len(ok)}: {', '.join(ok)}" if ok else "0")
        lines.append(f"| {book} | {total} | " + " | ".join(cells) + " |")
    what = [
        "",
        "What each source can hold (the events its importer can produce):",
        "",
    ]
    for s in sources:
        what.append(f"- **{titles[s]}** (`{s}`): " + ", ".join(f"`{k}`" for k in sorted(SOURCE_EVENTS[s])))
    return "\n".join(lines + what) + "\n"


def resolve_source(
    events: pl.DataFrame | pl.LazyFrame | Imported,
    rulebook: object,
    as_of: _dt.date | None,
    source_events: Iterable[str] | None,
) -> tuple[pl.DataFrame | pl.LazyFrame, _dt.date | None, list[str]]:
    """For :func:`cinscope.score`: the events frame, the as-of date (the import's when not
    given) and the rules to leave out because the source cannot judge them, warned about."""
    frame: pl.DataFrame | pl.LazyFrame
    if isinstance(events, Imported):
        frame = events.events
        if as_of is None:
            as_of = events.as_of
        if source_events is None:
            source_events = events.source_events
    else:
        frame = events
    if source_events is None:
        return frame, as_of, []
    if isinstance(rulebook, Mapping):
        books: list[object] = list(rulebook.values())
    elif isinstance(rulebook, (list, tuple)):
        books = list(rulebook)
    else:
        books = [rulebook]
    left_out = unscorable_rules(books, source_events)
    # Warned from the caller of cs.score: this function, then score, then the user.
    if not left_out.is_empty():
        rules = "; ".join(
            f"{r}: no {why.split('holds no ', 1)[-1]}"
            for r, why in left_out.select("rule", "reason").unique(maintain_order=True).rows()
        )
        warnings.warn(
            f"{left_out['rule'].n_unique()} rule(s) not scored, as the source cannot hold the events that meet or "
            f"start them ({rules}); cs.coverage(...) gives the table.",
            CoverageWarning,
            stacklevel=3,
        )
    return frame, as_of, left_out["rule"].unique(maintain_order=True).to_list()
