"""Every Polars dtype given to every column argument of the calendar expressions, of
:func:`cinscope.score` and of :func:`cinscope.check_events` (used by ``test_dtypes.py``).

Each case either gives a result or raises an ``Exception`` whose message names the column. A
dtype the compiled module cannot read used to abort the interpreter ("panic in a function that
cannot unwind") or raise ``PanicException`` (a ``BaseException``), so the cases run in a child
process: ``python dtype_battery.py FIRST`` runs the cases from number ``FIRST`` on, printing a
line ``start N`` before each and a JSON line of its outcome after it, so that the parent knows
which case a hard abort happened in and can go on from the next.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from collections.abc import Callable
from typing import Any

import polars as pl

PROBE = "probe"
"""The name of the column under test in the calendar cases."""

D = dt.date(2025, 1, 6)


def _series(name: str, values: list[Any], dtype: Any) -> pl.Series:
    return pl.Series(name, values, dtype=dtype)


# name -> how to build a one-row column of that dtype, given its name.
DTYPES: dict[str, Callable[[str], pl.Series]] = {
    "Boolean": lambda n: _series(n, [True], pl.Boolean),
    **{
        t.__name__: (lambda t: lambda n: _series(n, [5], t))(t)
        for t in (
            pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.Int128,
            pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.UInt128,
        )
    },
    "Float16": lambda n: _series(n, [5.0], pl.Float32).cast(pl.Float16),
    "Float32": lambda n: _series(n, [5.0], pl.Float32),
    "Float64": lambda n: _series(n, [5.0], pl.Float64),
    "Decimal": lambda n: _series(n, [decimal.Decimal("5.00")], pl.Decimal(10, 2)),
    "String": lambda n: _series(n, ["referral" if n == "event" else "2025-01-06"], pl.String),
    "Binary": lambda n: _series(n, [b"2025-01-06"], pl.Binary),
    "Date": lambda n: _series(n, [D], pl.Date),
    **{
        f"Datetime[{unit}{', ' + tz if tz else ''}]": (
            lambda unit, tz: lambda n: _series(n, [dt.datetime(2025, 1, 6, 9, 30)], pl.Datetime(unit)).dt.replace_time_zone(tz)
        )(unit, tz)
        for unit in ("ms", "us", "ns")
        for tz in (None, "UTC", "Europe/London")
    },
    **{
        f"Duration[{unit}]": (lambda unit: lambda n: _series(n, [dt.timedelta(days=5)], pl.Duration(unit)))(unit)
        for unit in ("ms", "us", "ns")
    },
    "Time": lambda n: _series(n, [dt.time(9, 30)], pl.Time),
    "Categorical": lambda n: _series(n, ["referral"], pl.Categorical),
    "Enum": lambda n: _series(n, ["referral"], pl.Enum(["referral", "closure"])),
    "List": lambda n: _series(n, [[5]], pl.List(pl.Int64)),
    "Array": lambda n: _series(n, [[5, 6]], pl.Array(pl.Int64, 2)),
    "Struct": lambda n: _series(n, [{"a": 5}], pl.Struct({"a": pl.Int64})),
    "Object": lambda n: _series(n, [object()], pl.Object),
    "Null": lambda n: _series(n, [None], pl.Null),
}


def _calendar_cases() -> dict[str, tuple[str, Callable[[pl.DataFrame], pl.Expr]]]:
    """Calendar expressions with the probe column in each argument: name -> (column, expression)."""
    import cinscope as cs

    p = PROBE
    col = pl.col
    return {
        "add_working_days(date)": (p, lambda f: cs.add_working_days(p, 1)),
        "add_working_days(n)": (p, lambda f: cs.add_working_days("d", p)),
        "add(date, days)": (p, lambda f: cs.add(p, 1, "days")),
        "add(n, weeks)": (p, lambda f: cs.add("d", col(p), "weeks")),
        "add_months(date)": (p, lambda f: cs.add_months(p, 1)),
        "add_months(n)": (p, lambda f: cs.add_months("d", p)),
        "due_date(date)": (p, lambda f: cs.due_date(p, "3 months")),
        "count_working_days(start)": (p, lambda f: cs.count_working_days(p, "d")),
        "count_working_days(end)": (p, lambda f: cs.count_working_days("d", p)),
        "count_working_days(scalar start, end)": (p, lambda f: cs.count_working_days(D, p)),
        "is_working_day": (p, lambda f: cs.is_working_day(p)),
        "is_working_day(propagate)": (p, lambda f: cs.is_working_day(p, nulls="propagate")),
        "cin.add_working_days(date)": (p, lambda f: col(p).cin.add_working_days(1)),
        "cin.add_working_days(n)": (p, lambda f: col("d").cin.add_working_days(p)),
        "cin.add_months(date)": (p, lambda f: col(p).cin.add_months(1)),
        "cin.add_months(n)": (p, lambda f: col("d").cin.add_months(col(p))),
        "cin.due_date": (p, lambda f: col(p).cin.due_date("45 working days")),
        "cin.working_days_until(start)": (p, lambda f: col(p).cin.working_days_until("d")),
        "cin.working_days_until(end)": (p, lambda f: col("d").cin.working_days_until(p)),
        "cin.is_working_day": (p, lambda f: col(p).cin.is_working_day()),
    }


EVENT_COLUMNS = ("child_id", "event", "date", "qualifier", "episode_id", "authority", "team", "worker")


def cases() -> list[str]:
    """Every case's name, in the order they run."""
    calendar = list(_calendar_cases())
    out = [f"{dtype} -> {name}" for dtype in DTYPES for name in calendar]
    out += [f"{dtype} -> score({column})" for dtype in DTYPES for column in EVENT_COLUMNS]
    out += [f"{dtype} -> check_events({column})" for dtype in DTYPES for column in EVENT_COLUMNS[:5]]
    return out


def _run(case: str) -> None:
    import cinscope as cs

    dtype, call = case.split(" -> ")
    if call.startswith(("score(", "check_events(")):
        column = call[call.index("(") + 1 : -1]
        base = pl.DataFrame({"child_id": ["A"], "event": ["referral"], "date": [D]})
        frame = base.with_columns(DTYPES[dtype](column))
        if call.startswith("score("):
            rulebook: Any = {"kent": "kent"} if column == "authority" else "kent"
            cs.score_report(frame, rulebook, as_of=dt.date(2025, 6, 30))
            cs.score(frame.lazy(), rulebook, as_of=dt.date(2025, 6, 30))
        else:
            cs.check_events(frame)
        return
    _, expression = _calendar_cases()[call]
    frame = pl.DataFrame([DTYPES[dtype](PROBE), pl.Series("d", [D], pl.Date)])
    frame.select(expression(frame))
    frame.lazy().select(expression(frame)).collect()
    frame.group_by("d").agg(expression(frame).alias("out")).height  # noqa: B018


def main(first: int) -> None:
    for number, case in enumerate(cases()):
        if number < first:
            continue
        print(f"start {number}", flush=True)
        outcome: dict[str, object] = {"case": case}
        try:
            _run(case)
        except BaseException as error:  # noqa: BLE001 - PanicException is what the test looks for
            outcome.update(
                outcome="error",
                type=f"{type(error).__module__}.{type(error).__name__}",
                is_exception=isinstance(error, Exception),
                message=str(error),
            )
        else:
            outcome.update(outcome="ok")
        print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
