"""Drift: delay that accumulates. Definitions and formulas are in ``docs/drift.md``.

* :func:`long_plans`: Child in Need plans open longer than 12 and 24 months, and whether the
  step the procedure requires at that point (a panel referral, a senior review) happened.
* :func:`interval_creep`: review and visit intervals that lengthen from one cycle to the next.
* :func:`stalled`: cycles missed in a row (two or more: stalled).
* :func:`compliance_trend`: whether compliance is worsening over time, with a change test.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence

import polars as pl

from cinscope import _core
from cinscope.events import _prepare
from cinscope.scoring import compliance

_CYCLIC = ("recurring", "max_gap")


def periods(events: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Every period of every child: Child in Need plans, child protection plans, looked-after
    periods and supervision orders, with start, end (null while open), origin and episode."""
    return _core.event_periods(_prepare(events))


def _months_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole calendar months from ``start`` to ``end`` (a month is complete on the same day of
    the month, clamped: 31 January to 28 February is one month)."""
    months = (end.dt.year() - start.dt.year()) * 12 + end.dt.month() - start.dt.month()
    reached = start.dt.offset_by(months.cast(pl.String) + "mo") <= end
    return pl.when(reached).then(months).otherwise(months - 1)


def long_plans(
    events: pl.DataFrame | pl.LazyFrame,
    as_of: _dt.date,
    obligations: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Child in Need plans with their length at the as-of date (or at their end), flagged when
    over 12 and over 24 months.

    With ``obligations`` (from :func:`cinscope.score`), each plan also gets the status of the
    rulebook's 12-month step, if the rulebook has one (a ``drift`` rule that requires an event,
    such as South West's Complex Needs Panel referral): ``step_rule`` and ``step_status``.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> events = pl.DataFrame({
    ...     "child_id": ["A", "A"], "event": ["referral", "cin_plan_start"],
    ...     "date": [dt.date(2023, 1, 31), dt.date(2023, 1, 31)],
    ... })
    >>> cs.long_plans(events, dt.date(2025, 2, 28)).select("months", "over_12_months", "over_24_months").row(0)
    (25, True, True)
    """
    plans = periods(events).filter(pl.col("period") == "cin_plan", pl.col("start") <= as_of)
    end = pl.when(pl.col("end").is_null() | (pl.col("end") > as_of)).then(pl.lit(as_of)).otherwise(pl.col("end"))
    out = plans.select(
        "child_id",
        "episode_id",
        pl.col("start").alias("plan_start"),
        pl.col("end").alias("plan_end"),
        pl.col("origin"),
        open=pl.col("end").is_null() | (pl.col("end") > as_of),
        days=(end - pl.col("start")).dt.total_days(),
        months=_months_between(pl.col("start"), end),
    ).with_columns(
        over_12_months=pl.col("months") >= 12,
        over_24_months=pl.col("months") >= 24,
    )
    if obligations is not None:
        steps = obligations.filter(
            pl.col("kind") == "drift", pl.col("met_event").is_null() | (pl.col("met_event") != "cin_plan_end")
        ).filter(~pl.col("status").is_in(["pending", "cancelled"])).select(
            "child_id", "episode_id", "plan_start", step_rule=pl.col("rule"), step_status=pl.col("status")
        )
        # Drift rules that only flag a long plan (no required event) are not a step.
        flag_only = obligations.filter(pl.col("kind") == "drift", pl.col("met_event") == "cin_plan_end")
        steps = steps.join(flag_only.select("rule").unique(), left_on="step_rule", right_on="rule", how="anti")
        out = out.join(steps, on=["child_id", "episode_id", "plan_start"], how="left")
    return out.sort("child_id", "plan_start")


def _keys(obligations: pl.DataFrame) -> list[str]:
    return [k for k in ("rulebook", "child_id", "episode_id", "plan_start", "rule") if k in obligations.columns]


def interval_creep(obligations: pl.DataFrame, min_cycles: int = 3) -> pl.DataFrame:
    """Review and visit intervals, cycle by cycle, and whether they creep.

    For each cyclic obligation (reviews, visits, network meetings) that happened, the interval
    is the days from the previous occurrence (or the anchor) to this one. Per plan and rule:
    ``cycles``, ``first_interval``, ``last_interval``, ``nominal`` (the rule's interval in days,
    the median of due date minus anchor), ``slope`` (least-squares change in interval per
    cycle, days) and ``creeping`` (at least ``min_cycles`` cycles, a positive slope, and the last
    interval longer than the nominal one).

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> d = dt.date
    >>> obligations = pl.DataFrame({
    ...     "child_id": ["A"] * 3, "rule": ["R"] * 3, "kind": ["max_gap"] * 3, "sequence": [1, 2, 3],
    ...     "anchor_date": [d(2025, 1, 1), d(2025, 1, 29), d(2025, 3, 5)],
    ...     "due_date": [d(2025, 1, 29), d(2025, 2, 26), d(2025, 4, 2)],
    ...     "met_date": [d(2025, 1, 29), d(2025, 3, 5), d(2025, 4, 16)],
    ... })
    >>> cs.interval_creep(obligations).select("cycles", "first_interval", "last_interval", "slope", "creeping").row(0)
    (3, 28, 42, 7.0, True)
    """
    keys = _keys(obligations)
    cycles = obligations.filter(pl.col("kind").is_in(_CYCLIC), pl.col("met_date").is_not_null()).with_columns(
        interval=(pl.col("met_date") - pl.col("anchor_date")).dt.total_days(),
        nominal=(pl.col("due_date") - pl.col("anchor_date")).dt.total_days(),
        x=pl.col("sequence").cast(pl.Float64),
    )
    grouped = cycles.sort([*keys, "sequence"]).group_by(keys, maintain_order=True).agg(
        cycles=pl.len(),
        first_interval=pl.col("interval").first(),
        last_interval=pl.col("interval").last(),
        nominal=pl.col("nominal").median(),
        slope=pl.when(pl.col("x").var() > 0)
        .then(pl.cov(pl.col("x"), pl.col("interval").cast(pl.Float64)) / pl.col("x").var())
        .otherwise(None),
    )
    return grouped.with_columns(
        creeping=(pl.col("cycles") >= min_cycles)
        & (pl.col("slope").fill_null(0) > 0)
        & (pl.col("last_interval") > pl.col("nominal"))
    )


def stalled(obligations: pl.DataFrame) -> pl.DataFrame:
    """Cycles missed in a row, per plan and rule.

    A cyclic obligation overdue at the as-of date has missed ``1 + floor((as_of - due) /
    interval)`` cycles, where ``interval`` is its due date minus its anchor (the rule's interval);
    a late one missed ``floor(days_late / interval)`` whole cycles before it happened. A plan is
    ``stalled`` on a rule when it missed two or more cycles in a row.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> d = dt.date
    >>> obligations = pl.DataFrame({
    ...     "child_id": ["A"], "rule": ["R"], "kind": ["recurring"], "status": ["overdue"],
    ...     "anchor_date": [d(2025, 1, 1)], "due_date": [d(2025, 1, 29)], "days_late": [60],
    ...     "as_of": [d(2025, 3, 30)],
    ... })
    >>> cs.stalled(obligations).select("missed_in_a_row", "stalled").row(0)
    (3, True)
    """
    keys = _keys(obligations)
    interval = (pl.col("due_date") - pl.col("anchor_date")).dt.total_days()
    missed = (
        pl.when(pl.col("status") == "overdue")
        .then(1 + pl.col("days_late") // interval)
        .when(pl.col("status") == "late")
        .then(pl.col("days_late") // interval)
        .otherwise(0)
    )
    cyclic = obligations.filter(pl.col("kind").is_in(_CYCLIC)).with_columns(missed=missed.fill_null(0))
    return (
        cyclic.group_by(keys, maintain_order=True)
        .agg(missed_in_a_row=pl.col("missed").max(), cycles_missed=pl.col("missed").sum())
        .with_columns(stalled=pl.col("missed_in_a_row") >= 2)
        .sort(keys)
    )


def _normal_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def compliance_trend(
    obligations: pl.DataFrame,
    by: str | Sequence[str] | None = None,
    period: str = "month",
) -> pl.DataFrame:
    """Compliance over time and whether it changed.

    Obligations are grouped by the period of their due date. The periods are split into an
    earlier and a later half; ``change`` is the later half's compliance minus the earlier
    half's, tested with a two-proportion z-test (``z``, two-sided ``p_value``).
    ``slope_per_period`` is the least-squares slope of the periods' compliance, weighted by
    their scored obligations. ``trend`` is ``"worsening"`` or ``"improving"`` when
    ``p_value < 0.05``, else ``"no clear change"``.
    """
    keys: list[str] = [] if by is None else ([by] if isinstance(by, str) else list(by))
    table = compliance(obligations.with_columns(_all=pl.lit("all")), by=[*keys, "_all"], period=period)
    table = table.filter(pl.col("scored") > 0).sort([*keys, "period"])
    rows = []
    groups = table.partition_by(keys, as_dict=True, maintain_order=True) if keys else {(): table}
    for key, group in groups.items():
        n = group.height
        half = n // 2
        early, late = group.head(half), group.tail(n - half)
        e_met, e_n = int(early["met"].sum()), int(early["scored"].sum())
        l_met, l_n = int(late["met"].sum()), int(late["scored"].sum())
        e_rate = e_met / e_n if e_n else None
        l_rate = l_met / l_n if l_n else None
        z = p = None
        if e_n and l_n:
            pooled = (e_met + l_met) / (e_n + l_n)
            se = math.sqrt(pooled * (1 - pooled) * (1 / e_n + 1 / l_n))
            if se > 0 and e_rate is not None and l_rate is not None:
                z = (l_rate - e_rate) / se
                p = _normal_p(z)
        x = list(range(n))
        w = [float(v) for v in group["scored"]]
        y = [float(v) for v in group["compliance"]]
        sw = sum(w)
        slope = None
        if n >= 2 and sw > 0:
            mx = sum(wi * xi for wi, xi in zip(w, x)) / sw
            my = sum(wi * yi for wi, yi in zip(w, y)) / sw
            sxx = sum(wi * (xi - mx) ** 2 for wi, xi in zip(w, x))
            if sxx > 0:
                slope = sum(wi * (xi - mx) * (yi - my) for wi, xi, yi in zip(w, x, y)) / sxx
        change = None if e_rate is None or l_rate is None else l_rate - e_rate
        trend = "no clear change"
        if p is not None and p < 0.05 and change is not None:
            trend = "worsening" if change < 0 else "improving"
        values = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        rows.append({
            **values, "periods": n, "earlier_compliance": e_rate, "later_compliance": l_rate,
            "change": change, "z": z, "p_value": p, "slope_per_period": slope, "trend": trend,
        })
    schema = {k: table.schema[k] for k in keys} | {
        "periods": pl.Int64, "earlier_compliance": pl.Float64, "later_compliance": pl.Float64,
        "change": pl.Float64, "z": pl.Float64, "p_value": pl.Float64, "slope_per_period": pl.Float64,
        "trend": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


__all__ = ["compliance_trend", "interval_creep", "long_plans", "periods", "stalled"]
