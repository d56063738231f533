"""The engine against an independent implementation that does not share its assumptions.

`tests/python/independent/` holds a second, deliberately plain implementation of fifteen rules,
written from the procedure texts, the rule reference and the semantics decisions without reading
the engine, with hand-built cases whose expected values were worked out by hand, and a generator
of messy histories shaped like real extracts (null qualifiers, missing initial meetings, meetings
the day before the plan, re-assessments, several enquiries per conference, same-day meetings,
paperwork after later meetings, events after closure and after the as-of date, duplicates).

Here the engine must give, through the public Python API, exactly the hand-computed rows of every
case, and exactly the reference's obligations on every child of the messy cohort.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cinscope as cs
from independent.cases import CASES, UNCHECKED, Case
from independent.messy import messy_cohort
from independent.reference import RULES, reference_obligations

BOOK_OF_PREFIX = {
    "NAT": "national",
    "LLR": "leicester-leicestershire-rutland",
    "KENT": "kent",
    "PORT": "portsmouth",
    "BH": "brighton-and-hove",
    "SW": "south-west",
}

COMPARED = ["child_id", "rule", "due_date", "status", "met_date"]


def book_of(rule: str) -> str:
    return BOOK_OF_PREFIX[rule.split("-")[0]]


def case_frame(case: Case) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "child_id": ["C"] * len(case.events),
            "event": [e for e, _, _ in case.events],
            "date": [dt.date.fromisoformat(day) for _, day, _ in case.events],
            "qualifier": [q for _, _, q in case.events],
        },
        schema={"child_id": pl.String, "event": pl.String, "date": pl.Date, "qualifier": pl.String},
    )


def engine_rows(events: pl.DataFrame, rules: list[str], as_of: dt.date) -> pl.DataFrame:
    """The engine's obligations of `rules`, each scored under the rulebook that defines it."""
    parts = []
    for book in sorted({book_of(r) for r in rules}):
        mine = [r for r in rules if book_of(r) == book]
        scored = cs.score(events, book, as_of=as_of)
        parts.append(
            scored.filter(pl.col("rule").cast(pl.String).is_in(mine)).select(
                pl.col("child_id").cast(pl.String),
                pl.col("rule").cast(pl.String),
                "anchor_date",
                "anchor_assumed",
                "due_date",
                pl.col("status").cast(pl.String),
                "met_date",
            )
        )
    return pl.concat(parts).sort(COMPARED, nulls_last=False)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hand_built_case(case: Case) -> None:
    got = engine_rows(case_frame(case), list(case.rules), case.as_of)
    got_rows = sorted(
        (r["rule"], r["due_date"], r["status"], r["met_date"]) for r in got.iter_rows(named=True)
    )
    want_rows = sorted((row.rule, row.due_date, row.status, row.met_date) for row in case.expected)
    assert got_rows == want_rows, f"{case.name}\nengine:   {got_rows}\nexpected: {want_rows}"
    # Where the case pins the anchor, a null anchor is an assumed one in the engine.
    for row in case.expected:
        if isinstance(row.anchor_date, str) and row.anchor_date == UNCHECKED:
            continue
        match = got.filter(
            (pl.col("rule") == row.rule) & (pl.col("due_date") == row.due_date) & (pl.col("status") == row.status)
        )
        if row.anchor_date is None:
            assert match["anchor_assumed"].all(), f"{case.name}: {row.rule} due {row.due_date} should be assumed"
        else:
            assert (~match["anchor_assumed"]).all() and (match["anchor_date"] == row.anchor_date).all(), (
                f"{case.name}: {row.rule} due {row.due_date} anchored {match['anchor_date'].to_list()}"
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", [dt.date(2023, 9, 30), dt.date(2024, 12, 31)])
def test_messy_cohort_agrees_with_the_reference(seed: int, as_of: dt.date) -> None:
    events = messy_cohort(300, seed)
    rules = sorted(RULES)
    want = reference_obligations(events, rules, as_of).select(COMPARED).sort(COMPARED, nulls_last=False)
    got = engine_rows(events, rules, as_of).select(COMPARED)
    assert want.height > 1000, "the messy cohort should give many obligations"
    only_engine = got.join(want, on=COMPARED, how="anti", nulls_equal=True)
    only_reference = want.join(got, on=COMPARED, how="anti", nulls_equal=True)
    assert got.height == want.height and only_engine.is_empty() and only_reference.is_empty(), (
        f"{got.height} engine rows, {want.height} reference rows\n"
        f"engine only:\n{only_engine.head(15)}\nreference only:\n{only_reference.head(15)}"
    )
