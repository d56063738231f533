"""Measures per child, as inspectors and the DfE ask them.

Compliance per obligation (:func:`cinscope.compliance`) counts every visit or review, so a child
visited weekly weighs ten times as much as a child visited every ten weeks, and a service looks
better the more often it visits the children it already visits most. The questions asked of a
service are about children: how many children were seen as often as the procedure asks, for
how much of the time their plan was open, and how long ago each open child was last seen.

- :func:`children_compliance`: per rule (or any grouping), the children with at least one
  obligation scored, and the share of them whose every obligation was met on time.
- :func:`time_in_standard`: per child and rule of a cycle (visits, reviews), the days covered
  by the standard and the days past it, and the share of the time in standard.
- :func:`days_since_seen`: per child with an episode open at the as-of date, the last visit at
  which the child was seen and the days since.

Small-number suppression works as in :func:`cinscope.compliance`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import polars as pl

from cinscope.events import _prepare

__all__ = ["children_compliance", "days_since_seen", "time_in_standard"]

_COUNTED = ["met", "late", "overdue"]
_CYCLE_KINDS = ["recurring", "max_gap"]


def _keys(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _suppress(frame: pl.DataFrame, counts: list[str], rates: list[str], base: str, below: int | None) -> pl.DataFrame:
    if below is None:
        return frame
    if below < 1:
        raise ValueError(f"suppress_below must be at least 1, got {below}")
    return frame.with_columns(
        *[pl.when(pl.col(c) < below).then(None).otherwise(pl.col(c)).alias(c) for c in counts],
        *[pl.when(pl.col(base) < below).then(None).otherwise(pl.col(r)).alias(r) for r in rates],
    )


def children_compliance(
    obligations: pl.DataFrame,
    by: str | Sequence[str] = "rule",
    *,
    suppress_below: int | None = None,
) -> pl.DataFrame:
    """Per group, the children scored and the share whose every obligation was met on time.

    A child counts in a group when at least one of their obligations in it is met, late or
    overdue (pending and cancelled ones are left out, as in :func:`cinscope.compliance`).
    ``all_met`` children had every such obligation met; ``children_compliance`` is
    ``all_met / children``. Where the frame holds several rulebooks, group by ``rulebook`` too.

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> obligations = pl.DataFrame({
    ...     "child_id": ["A", "A", "A", "B", "B", "C"],
    ...     "rule": ["VIS"] * 6,
    ...     "status": ["met", "met", "late", "met", "pending", "met"],
    ... })
    >>> cs.children_compliance(obligations).rows()
    [('VIS', 3, 2, 0.6666666666666666)]
    """
    keys = _keys(by)
    counted = obligations.filter(pl.col("status").cast(pl.String).is_in(_COUNTED))
    per_child = counted.group_by([*keys, "child_id"]).agg(
        all_met=(pl.col("status").cast(pl.String) == "met").all()
    )
    out = (
        per_child.group_by(keys)
        .agg(children=pl.len().cast(pl.UInt32), all_met=pl.col("all_met").sum().cast(pl.UInt32))
        .with_columns(children_compliance=pl.col("all_met") / pl.col("children"))
        .sort(keys)
    )
    return _suppress(out, ["children", "all_met"], ["children_compliance"], "children", suppress_below)


def time_in_standard(obligations: pl.DataFrame, *, as_of: _dt.date | None = None) -> pl.DataFrame:
    """Per child, episode, plan and cycle rule: the days in standard and the days past it.

    Each obligation of a cycle (``recurring`` and ``max_gap`` rules: visits, reviews, network
    meetings) covers the time from its anchor (the previous occurrence) to the next occurrence,
    or to the as-of date while none has happened. The days up to its due date are in standard;
    the days after it, until the next occurrence (late) or the as-of date (overdue), are not.
    Cancelled obligations cover the time until their plan ended, which the frame does not hold:
    they are left out. ``share_in_standard = days_in_standard / (days_in_standard +
    days_past_standard)``: the share of the plan's time for which the child had been seen (or
    the plan reviewed) as often as the procedure asks.

    ``as_of`` defaults to the frame's own ``as_of`` column.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> d = dt.date
    >>> obligations = pl.DataFrame({
    ...     "child_id": ["A", "A", "A"], "episode_id": ["E"] * 3, "plan_start": [d(2025, 1, 6)] * 3,
    ...     "rule": ["VIS"] * 3, "kind": ["max_gap"] * 3,
    ...     "anchor_date": [d(2025, 1, 6), d(2025, 1, 20), d(2025, 3, 3)],
    ...     "due_date": [d(2025, 2, 3), d(2025, 2, 17), d(2025, 3, 31)],
    ...     "met_date": [d(2025, 1, 20), d(2025, 3, 3), None],
    ...     "status": ["met", "late", "pending"],
    ... })
    >>> cs.time_in_standard(obligations, as_of=d(2025, 3, 17)).select("days_in_standard", "days_past_standard").row(0)
    (56, 14)
    """
    cycles = obligations.filter(
        pl.col("kind").cast(pl.String).is_in(_CYCLE_KINDS),
        pl.col("status").cast(pl.String) != "cancelled",
    )
    if as_of is None:
        if "as_of" not in cycles.columns:
            raise ValueError("time_in_standard needs as_of= when the frame has no as_of column")
        until = pl.col("as_of")
    else:
        until = pl.lit(as_of, dtype=pl.Date)
    end = pl.coalesce(pl.col("met_date"), until)
    in_standard = (pl.min_horizontal(end, pl.col("due_date")) - pl.col("anchor_date")).dt.total_days().clip(0)
    past = (end - pl.col("due_date")).dt.total_days().clip(0)
    keys = [k for k in ("rulebook", "child_id", "episode_id", "plan_start", "rule") if k in cycles.columns]
    return (
        cycles.with_columns(days_in_standard=in_standard, days_past_standard=past)
        .group_by(keys)
        .agg(pl.col("days_in_standard").sum(), pl.col("days_past_standard").sum())
        .with_columns(
            share_in_standard=pl.col("days_in_standard")
            / (pl.col("days_in_standard") + pl.col("days_past_standard")).replace(0, None)
        )
        .sort(keys)
    )


def days_since_seen(events: pl.DataFrame | pl.LazyFrame, as_of: _dt.date) -> pl.DataFrame:
    """Per child with an episode open at ``as_of``: the last visit at which the child was seen
    (``seen`` or ``seen_alone``; a visit with no qualifier is taken as seen, the documented
    default) and the days since it. A child never seen in the open episode has nulls, and is
    listed first: those are the children to look at.

    An episode is open at ``as_of`` when its last referral on or before ``as_of`` has no
    closure between it and ``as_of``. Events after ``as_of`` are not looked at.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> d = dt.date
    >>> events = pl.DataFrame({
    ...     "child_id": ["A", "A", "A", "B", "B", "C", "C"],
    ...     "event": ["referral", "visit", "visit", "referral", "visit", "referral", "closure"],
    ...     "date": [d(2025, 1, 6), d(2025, 2, 3), d(2025, 3, 3), d(2025, 2, 3), d(2025, 2, 10), d(2025, 1, 6), d(2025, 2, 1)],
    ...     "qualifier": [None, "seen_alone", "not_seen", None, None, None, "RC1"],
    ... })
    >>> cs.days_since_seen(events, d(2025, 3, 31)).rows()
    [('A', datetime.date(2025, 1, 6), datetime.date(2025, 2, 3), 56), ('B', datetime.date(2025, 2, 3), datetime.date(2025, 2, 10), 49)]
    """
    frame = _prepare(events)
    if "qualifier" not in frame.columns:
        frame = frame.with_columns(qualifier=pl.lit(None, dtype=pl.String))
    frame = frame.with_columns(
        pl.col("child_id").cast(pl.String), pl.col("event").cast(pl.String), pl.col("qualifier").cast(pl.String)
    ).filter(pl.col("date") <= as_of)
    referrals = frame.filter(pl.col("event") == "referral").group_by("child_id").agg(opened=pl.col("date").max())
    closures = frame.filter(pl.col("event") == "closure").select("child_id", closed=pl.col("date"))
    still_closed = (
        referrals.join(closures, on="child_id")
        .filter(pl.col("closed") >= pl.col("opened"))
        .select("child_id")
        .unique()
    )
    open_children = referrals.join(still_closed, on="child_id", how="anti")
    outcome = pl.col("qualifier").str.strip_chars().str.to_lowercase().str.replace_all(r"[ \-]", "_")
    seen = (
        frame.filter(pl.col("event") == "visit")
        .filter(outcome.is_null() | (outcome == "") | outcome.is_in(["seen", "seen_alone"]))
        .select("child_id", seen=pl.col("date"))
    )
    last = (
        open_children.join(seen, on="child_id", how="left")
        .with_columns(seen=pl.when(pl.col("seen") >= pl.col("opened")).then(pl.col("seen")))
        .group_by("child_id", "opened")
        .agg(last_seen=pl.col("seen").max())
    )
    return last.with_columns(
        days_since_seen=(pl.lit(as_of, dtype=pl.Date) - pl.col("last_seen")).dt.total_days()
    ).sort(["last_seen", "child_id"], nulls_last=False)
