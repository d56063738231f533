"""The England and Wales working-day calendar, as scalar functions and Polars expressions.

Every function here works on a plain :class:`datetime.date` (returning a date, an int or a
bool) and on a column (a column name or a :class:`polars.Expr`, returning an expression that
works in eager, lazy and ``group_by`` contexts).

Counting conventions (see CONVENTIONS.md):

* ``"exclude_anchor"`` (default): "within 5 working days of X" is due on the 5th working day
  after X; X itself is never counted.
* ``"count_anchor"``: X counts as day 1, which moves every due date one working day earlier.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, Union, overload

import polars as pl
from polars.plugins import register_plugin_function

from cinscope import _core
from cinscope._core import CalendarError

Convention = Literal["exclude_anchor", "count_anchor"]
NullPolicy = Literal["raise", "propagate"]
Unit = Literal["working_days", "days", "weeks", "months", "years"]
IntoDateColumn = Union[str, pl.Expr]

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_PLUGIN_PATH = Path(__file__).parent
_CONVENTIONS = ("exclude_anchor", "count_anchor")
_NULL_POLICIES = ("raise", "propagate")


def _to_day(value: _dt.date, what: str) -> int:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise TypeError(f"{what} must be a datetime.date, got {type(value).__name__}")
    return value.toordinal() - _EPOCH_ORDINAL


def _from_day(day: int) -> _dt.date:
    return _dt.date.fromordinal(day + _EPOCH_ORDINAL)


def _check_choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"unknown {what} {value!r}: expected one of {choices}")
    return value


class Calendar:
    """A working-day calendar: weekends, bank holidays and local closure days.

    Parameters
    ----------
    closures
        Extra days the offices are closed (e.g. between Christmas and New Year).
    holidays
        A holiday list that *replaces* the England and Wales bank holidays.
    first_year, last_year
        The range covered. Dates outside it are errors, never guesses.

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> cal = cs.Calendar(closures=[dt.date(2026, 12, 29), dt.date(2026, 12, 30), dt.date(2026, 12, 31)])
    >>> cal.add_working_days(dt.date(2026, 12, 24), 1)
    datetime.date(2027, 1, 4)
    >>> cs.Calendar().add_working_days(dt.date(2026, 12, 24), 1)
    datetime.date(2026, 12, 29)
    """

    __slots__ = ("_closures", "_first_year", "_holidays", "_inner", "_last_year")

    def __init__(
        self,
        closures: Iterable[_dt.date] = (),
        holidays: Iterable[_dt.date] | None = None,
        first_year: int = 2000,
        last_year: int = 2035,
    ) -> None:
        self._closures = sorted(_to_day(d, "a closure day") for d in closures)
        self._holidays = None if holidays is None else sorted(_to_day(d, "a holiday") for d in holidays)
        self._first_year = int(first_year)
        self._last_year = int(last_year)
        self._inner = _core._Calendar(self._first_year, self._last_year, self._holidays, self._closures)

    def __repr__(self) -> str:
        source = "England and Wales bank holidays" if self._holidays is None else f"{len(self._holidays)} listed holidays"
        return (
            f"Calendar({self._first_year}-{self._last_year}, {source}, "
            f"{len(self._closures)} closure days)"
        )

    @property
    def first_date(self) -> _dt.date:
        """The first date in range."""
        return _from_day(self._inner.first_day())

    @property
    def last_date(self) -> _dt.date:
        """The last date in range."""
        return _from_day(self._inner.last_day())

    def _kwargs(self) -> dict[str, object]:
        return {
            "first_year": self._first_year,
            "last_year": self._last_year,
            "holidays": self._holidays,
            "closures": self._closures,
        }

    def is_working_day(self, date: _dt.date) -> bool:
        """Whether ``date`` is a working day."""
        return self._inner.is_working_day(_to_day(date, "date"))

    def add_working_days(self, date: _dt.date, n: int, convention: Convention = "exclude_anchor") -> _dt.date:
        """The due date of "within ``n`` working days of ``date``"."""
        return self.add(date, n, "working_days", convention)

    def add(self, date: _dt.date, n: int, unit: Unit, convention: Convention = "exclude_anchor") -> _dt.date:
        """``date`` plus ``n`` units (working days, days, weeks, months or years)."""
        _check_choice(convention, _CONVENTIONS, "convention")
        return _from_day(self._inner.add(_to_day(date, "date"), _check_count(int(n)), unit, convention))

    def count_working_days(self, start: _dt.date, end: _dt.date, convention: Convention = "exclude_anchor") -> int:
        """Working days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        _check_choice(convention, _CONVENTIONS, "convention")
        return self._inner.count_working_days(_to_day(start, "start"), _to_day(end, "end"), convention)

    def holidays(self) -> pl.DataFrame:
        """Every holiday and closure day in range, as a frame of ``date`` and ``name``."""
        days = self._inner.closed_days()
        return pl.DataFrame(
            {"date": [_from_day(d) for d, _ in days], "name": [n for _, n in days]},
            schema={"date": pl.Date, "name": pl.String},
        )


_DEFAULT: Calendar | None = None


def default_calendar() -> Calendar:
    """The England and Wales calendar for 2000-2035 with no local closures."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Calendar()
    return _DEFAULT


def bank_holidays(year: int) -> pl.DataFrame:
    """The England and Wales bank holidays of ``year`` (substitute and one-off days included).

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> cs.bank_holidays(2022).filter(pl.col("date").dt.month() >= 6)["name"].to_list()[:3]
    ['Spring bank holiday', 'Platinum Jubilee bank holiday', 'Summer bank holiday']
    """
    days = _core.bank_holidays(int(year))
    return pl.DataFrame(
        {"date": [_from_day(d) for d, _ in days], "name": [n for _, n in days]},
        schema={"date": pl.Date, "name": pl.String},
    )


def _column(value: IntoDateColumn) -> pl.Expr:
    if isinstance(value, str):
        return pl.col(value)
    if isinstance(value, pl.Expr):
        return value
    raise TypeError(f"expected a column name or a polars expression, got {type(value).__name__}")


def _check_count(n: int) -> int:
    """``n`` if a count can hold it (Int64), else a ValueError saying so."""
    if not -(2**63) <= n < 2**63:
        raise ValueError(f"n = {n} is too large for a count (an Int64: from -2**63 to 2**63 - 1)")
    return n


def _count_expr(n: int | str | pl.Expr) -> pl.Expr:
    if isinstance(n, bool):
        raise TypeError("n must be an integer, a column name or an expression, not a bool")
    if isinstance(n, int):
        return pl.lit(_check_count(n), dtype=pl.Int64)
    return _column(n)


def _plugin(name: str, args: list[pl.Expr], kwargs: dict[str, object]) -> pl.Expr:
    return register_plugin_function(
        plugin_path=_PLUGIN_PATH,
        function_name=name,
        args=args,
        kwargs=kwargs,
        is_elementwise=True,
    )


def _resolve(calendar: Calendar | None) -> Calendar:
    return default_calendar() if calendar is None else calendar


@overload
def add(
    date: _dt.date, n: int, unit: Unit, *, calendar: Calendar | None = ..., convention: Convention = ...,
    nulls: NullPolicy = ...,
) -> _dt.date: ...
@overload
def add(
    date: IntoDateColumn, n: int | str | pl.Expr, unit: Unit, *, calendar: Calendar | None = ...,
    convention: Convention = ..., nulls: NullPolicy = ...,
) -> pl.Expr: ...
def add(
    date: _dt.date | IntoDateColumn,
    n: int | str | pl.Expr,
    unit: Unit,
    *,
    calendar: Calendar | None = None,
    convention: Convention = "exclude_anchor",
    nulls: NullPolicy = "raise",
) -> _dt.date | pl.Expr:
    """``date`` plus ``n`` units: working days, days, weeks, months or years.

    Months and years keep the day of the month, clamped to the end of a shorter month
    (31 January + 1 month = 28 or 29 February). Working days follow ``convention``.

    Parameters
    ----------
    date
        A date, or a Date column (name or expression).
    n
        How many units: an integer, or an integer column (name or expression).
    unit
        ``"working_days"``, ``"days"``, ``"weeks"``, ``"months"`` or ``"years"``.
    calendar
        The calendar; the England and Wales calendar 2000-2035 by default.
    convention
        ``"exclude_anchor"`` (default) or ``"count_anchor"``.
    nulls
        ``"raise"`` (default): a null date or count is an error naming the column and row;
        ``"propagate"``: it gives null.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> cs.add(dt.date(2025, 1, 31), 1, "months")
    datetime.date(2025, 2, 28)
    >>> df = pl.DataFrame({"referral": [dt.date(2026, 11, 23)]})
    >>> df.select(cs.add("referral", 45, "working_days"))["referral"].item()
    datetime.date(2027, 1, 28)
    """
    return _add(date, n, unit, calendar, convention, nulls)


def _add(
    date: _dt.date | IntoDateColumn,
    n: int | str | pl.Expr,
    unit: str,
    calendar: Calendar | None,
    convention: str,
    nulls: str,
) -> _dt.date | pl.Expr:
    cal = _resolve(calendar)
    _check_choice(convention, _CONVENTIONS, "convention")
    _check_choice(nulls, _NULL_POLICIES, "null policy")
    _check_choice(unit, ("working_days", "days", "weeks", "months", "years"), "unit")
    if isinstance(date, _dt.date):
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("with a scalar date, n must be an integer")
        _check_count(n)
        return cal.add(date, n, unit, convention)  # type: ignore[arg-type]
    kwargs: dict[str, object] = {"calendar": cal._kwargs(), "unit": unit, "convention": convention, "nulls": nulls}
    return _plugin("cinscope_add_interval", [_column(date), _count_expr(n)], kwargs)


@overload
def add_working_days(
    date: _dt.date, n: int, *, calendar: Calendar | None = ..., convention: Convention = ...,
    nulls: NullPolicy = ...,
) -> _dt.date: ...
@overload
def add_working_days(
    date: IntoDateColumn, n: int | str | pl.Expr, *, calendar: Calendar | None = ...,
    convention: Convention = ..., nulls: NullPolicy = ...,
) -> pl.Expr: ...
def add_working_days(
    date: _dt.date | IntoDateColumn,
    n: int | str | pl.Expr,
    *,
    calendar: Calendar | None = None,
    convention: Convention = "exclude_anchor",
    nulls: NullPolicy = "raise",
) -> _dt.date | pl.Expr:
    """The due date of "within ``n`` working days of ``date``" (see :func:`add`).

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> cs.add_working_days(dt.date(2026, 12, 24), 1)  # Christmas, then the Boxing Day substitute
    datetime.date(2026, 12, 29)
    >>> cs.add_working_days(dt.date(2026, 12, 24), 2, convention="count_anchor")
    datetime.date(2026, 12, 29)
    """
    return _add(date, n, "working_days", calendar, convention, nulls)


@overload
def add_months(date: _dt.date, n: int, *, calendar: Calendar | None = ..., nulls: NullPolicy = ...) -> _dt.date: ...
@overload
def add_months(
    date: IntoDateColumn, n: int | str | pl.Expr, *, calendar: Calendar | None = ..., nulls: NullPolicy = ...
) -> pl.Expr: ...
def add_months(
    date: _dt.date | IntoDateColumn,
    n: int | str | pl.Expr,
    *,
    calendar: Calendar | None = None,
    nulls: NullPolicy = "raise",
) -> _dt.date | pl.Expr:
    """``date`` plus ``n`` calendar months, clamped to the end of a shorter month.

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> cs.add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    return _add(date, n, "months", calendar, "exclude_anchor", nulls)


@overload
def due_date(
    date: _dt.date, interval: str, *, calendar: Calendar | None = ..., convention: Convention = ...,
    nulls: NullPolicy = ...,
) -> _dt.date: ...
@overload
def due_date(
    date: IntoDateColumn, interval: str, *, calendar: Calendar | None = ..., convention: Convention = ...,
    nulls: NullPolicy = ...,
) -> pl.Expr: ...
def due_date(
    date: _dt.date | IntoDateColumn,
    interval: str,
    *,
    calendar: Calendar | None = None,
    convention: Convention = "exclude_anchor",
    nulls: NullPolicy = "raise",
) -> _dt.date | pl.Expr:
    """The due date of an interval written as a procedure states it.

    ``interval`` reads "45 working days", "45wd", "10 days", "6 weeks", "6w", "3 months",
    "3mo", "1 year" or "1y".

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> cs.due_date(dt.date(2026, 11, 23), "45 working days")
    datetime.date(2027, 1, 28)
    >>> cs.due_date(dt.date(2026, 11, 23), "6 weeks")
    datetime.date(2027, 1, 4)
    """
    count, unit = _core.parse_interval(interval)
    return _add(date, count, unit, calendar, convention, nulls)


@overload
def count_working_days(
    start: _dt.date, end: _dt.date, *, calendar: Calendar | None = ..., convention: Convention = ...,
    nulls: NullPolicy = ...,
) -> int: ...
@overload
def count_working_days(
    start: IntoDateColumn, end: IntoDateColumn, *, calendar: Calendar | None = ...,
    convention: Convention = ..., nulls: NullPolicy = ...,
) -> pl.Expr: ...
def count_working_days(
    start: _dt.date | IntoDateColumn,
    end: _dt.date | IntoDateColumn,
    *,
    calendar: Calendar | None = None,
    convention: Convention = "exclude_anchor",
    nulls: NullPolicy = "raise",
) -> int | pl.Expr:
    """Working days from ``start`` to ``end``: with ``"exclude_anchor"``, those in (start, end].

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> cs.count_working_days(dt.date(2026, 12, 24), dt.date(2027, 1, 4))  # 29, 30, 31 Dec, 4 Jan
    4
    >>> cs.count_working_days(dt.date(2026, 12, 24), dt.date(2027, 1, 4), convention="count_anchor")
    5
    """
    cal = _resolve(calendar)
    _check_choice(convention, _CONVENTIONS, "convention")
    _check_choice(nulls, _NULL_POLICIES, "null policy")
    if isinstance(start, _dt.date) and isinstance(end, _dt.date):
        return cal.count_working_days(start, end, convention)
    start_expr = pl.lit(start, dtype=pl.Date) if isinstance(start, _dt.date) else _column(start)
    end_expr = pl.lit(end, dtype=pl.Date) if isinstance(end, _dt.date) else _column(end)
    kwargs: dict[str, object] = {"calendar": cal._kwargs(), "convention": convention, "nulls": nulls}
    return _plugin("cinscope_count_working_days", [start_expr, end_expr], kwargs)


@overload
def is_working_day(date: _dt.date, *, calendar: Calendar | None = ..., nulls: NullPolicy = ...) -> bool: ...
@overload
def is_working_day(date: IntoDateColumn, *, calendar: Calendar | None = ..., nulls: NullPolicy = ...) -> pl.Expr: ...
def is_working_day(
    date: _dt.date | IntoDateColumn, *, calendar: Calendar | None = None, nulls: NullPolicy = "raise"
) -> bool | pl.Expr:
    """Whether a date is a working day.

    Examples
    --------
    >>> import datetime as dt
    >>> import cinscope as cs
    >>> cs.is_working_day(dt.date(2023, 5, 8))  # the coronation bank holiday
    False
    """
    cal = _resolve(calendar)
    _check_choice(nulls, _NULL_POLICIES, "null policy")
    if isinstance(date, _dt.date):
        return cal.is_working_day(date)
    kwargs: dict[str, object] = {"calendar": cal._kwargs(), "nulls": nulls}
    return _plugin("cinscope_is_working_day", [_column(date)], kwargs)


@pl.api.register_expr_namespace("cin")
class CinExpr:
    """Calendar arithmetic as an expression namespace: ``pl.col("referral").cin.add_working_days(45)``.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope  # registers the namespace
    >>> pl.select(pl.lit(dt.date(2026, 12, 24)).cin.add_working_days(1)).item()
    datetime.date(2026, 12, 29)
    """

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def add_working_days(
        self, n: int | str | pl.Expr, *, calendar: Calendar | None = None,
        convention: Convention = "exclude_anchor", nulls: NullPolicy = "raise",
    ) -> pl.Expr:
        """See :func:`cinscope.add_working_days`."""
        return add(self._expr, n, "working_days", calendar=calendar, convention=convention, nulls=nulls)

    def add_months(self, n: int | str | pl.Expr, *, calendar: Calendar | None = None, nulls: NullPolicy = "raise") -> pl.Expr:
        """See :func:`cinscope.add_months`."""
        return add(self._expr, n, "months", calendar=calendar, nulls=nulls)

    def due_date(
        self, interval: str, *, calendar: Calendar | None = None,
        convention: Convention = "exclude_anchor", nulls: NullPolicy = "raise",
    ) -> pl.Expr:
        """See :func:`cinscope.due_date`."""
        return due_date(self._expr, interval, calendar=calendar, convention=convention, nulls=nulls)

    def working_days_until(
        self, end: IntoDateColumn, *, calendar: Calendar | None = None,
        convention: Convention = "exclude_anchor", nulls: NullPolicy = "raise",
    ) -> pl.Expr:
        """See :func:`cinscope.count_working_days` (this expression is the start)."""
        return count_working_days(self._expr, end, calendar=calendar, convention=convention, nulls=nulls)

    def is_working_day(self, *, calendar: Calendar | None = None, nulls: NullPolicy = "raise") -> pl.Expr:
        """See :func:`cinscope.is_working_day`."""
        return is_working_day(self._expr, calendar=calendar, nulls=nulls)


__all__ = [
    "Calendar",
    "CalendarError",
    "CinExpr",
    "add",
    "add_months",
    "add_working_days",
    "bank_holidays",
    "count_working_days",
    "default_calendar",
    "due_date",
    "is_working_day",
]
