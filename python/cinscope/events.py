"""The canonical events table: its vocabulary, its schema and its data-quality findings.

An events frame has one row per event:

=============  ==========================  ===============================================
column         dtype                       meaning
=============  ==========================  ===============================================
child_id       String or integer           the child (required)
event          String (or Categorical)     an event name from :func:`event_vocabulary` (required)
date           Date                        when it happened (required)
episode_id     String or integer           the episode, when the source has one (optional)
qualifier      String (or Categorical)     e.g. the reason for closure ``RC1``..``RC9`` (optional)
=============  ==========================  ===============================================

Any other columns (``authority``, ``team``, ``worker``...) are allowed and carried through by
scoring.
"""

from __future__ import annotations

import polars as pl

from cinscope import _core
from cinscope._core import SchemaError

REQUIRED_COLUMNS = ("child_id", "event", "date")
OPTIONAL_COLUMNS = ("episode_id", "qualifier")
_ID_DTYPES = "String or integer"
_EXPECTED = {
    "child_id": _ID_DTYPES,
    "event": "String",
    "date": "Date",
    "episode_id": _ID_DTYPES,
    "qualifier": "String",
}


def event_vocabulary() -> pl.DataFrame:
    """Every event name cinscope understands, with its group, qualifier and meaning.

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> vocab = cs.event_vocabulary()
    >>> vocab.filter(pl.col("event") == "closure")["qualifier_values"].item()
    'RC1, RC2, RC3, RC4, RC5, RC6, RC7, RC8, RC9'
    """
    return _core.event_vocabulary()


def _prepare(frame: pl.DataFrame | pl.LazyFrame, extra: tuple[str, ...] = ()) -> pl.DataFrame:
    """Selects and normalises the columns cinscope reads, raising SchemaError on any problem.

    Categorical and Enum columns, and integer identifiers, are cast to String here, and any
    other dtype than those documented is refused naming the column and its dtype, so that no
    dtype the compiled module was not built for ever crosses into it. ``extra`` names optional
    label columns (authority, team, worker) that are kept when present, as strings.
    """
    if isinstance(frame, pl.LazyFrame):
        schema = frame.collect_schema()
    elif isinstance(frame, pl.DataFrame):
        schema = frame.schema
    else:
        raise TypeError(f"expected a polars DataFrame or LazyFrame, got {type(frame).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in schema]
    if missing:
        # Let the core phrase the message, with its "did you mean" hint.
        _core.check_schema(pl.DataFrame(schema={name: pl.String for name in schema}))
    selected: list[pl.Expr] = []
    for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        if name not in schema:
            continue
        dtype = schema[name]
        column = pl.col(name)
        if isinstance(dtype, (pl.Categorical, pl.Enum)):
            column = column.cast(pl.String)
        elif name == "date" and isinstance(dtype, pl.Datetime):
            raise SchemaError(
                f"column 'date' has dtype {dtype}; expected Date: convert it with "
                "pl.col('date').dt.date() (after .dt.convert_time_zone() if it has a time zone)"
            )
        elif name == "date" and dtype == pl.String:
            raise SchemaError("column 'date' has dtype String; expected Date: parse it with pl.col('date').str.to_date()")
        elif not _dtype_ok(dtype, _EXPECTED[name]):
            raise SchemaError(f"column '{name}' has dtype {dtype}; expected {_EXPECTED[name]}")
        elif dtype.is_integer():
            # Identifiers are read as text: integers of every width (Int8 to Int128, UInt8 to
            # UInt128, whatever the compiled module was built for) become their decimal digits
            # here, exactly, so that no dtype the module cannot read crosses into it.
            column = column.cast(pl.String)
        selected.append(column)
    for name in extra:
        if name not in schema:
            continue
        dtype = schema[name]
        if isinstance(dtype, (pl.Categorical, pl.Enum)) or dtype.is_integer():
            selected.append(pl.col(name).cast(pl.String))
        elif dtype in (pl.String, pl.Null):
            selected.append(pl.col(name))
        else:
            raise SchemaError(f"column '{name}' has dtype {dtype}; expected String or integer")
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    return lazy.select(selected).collect()


def _dtype_ok(dtype: pl.DataType, expected: str) -> bool:
    if dtype == pl.Null:
        return True
    if expected == "Date":
        return dtype == pl.Date
    if expected == "String":
        return dtype == pl.String
    return dtype == pl.String or dtype.is_integer()


def check_events(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The data-quality findings of an events frame, one row per finding.

    Timelines are built per child; nothing is dropped silently: every row that cannot be used
    as given (unknown event, missing date, duplicate, end before start, event after closure...)
    is named in a finding, with its code, the child, the episode, the source row(s) and a
    message saying what cinscope did with it. Row numbers count from 0 in the frame as given.

    Raises
    ------
    SchemaError
        When a required column is missing or has the wrong dtype.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> events = pl.DataFrame({
    ...     "child_id": ["A", "A", "A"],
    ...     "event": ["referral", "closure", "visit"],
    ...     "date": [dt.date(2025, 1, 6), dt.date(2025, 3, 3), dt.date(2025, 3, 10)],
    ... })
    >>> cs.check_events(events).select("code", "row", "message").rows()  # doctest: +NORMALIZE_WHITESPACE
    [('DQ016', 2, "row 2: 'visit' has no qualifier; taken as 'seen', the documented default"),
     ('DQ005', 2, "row 2: 'visit' on 2025-03-10 is after the closure on 2025-03-03; it is not scored (a case that reopened needs a new referral)")]
    """
    return _core.event_findings(_prepare(frame))


__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "SchemaError", "check_events", "event_vocabulary"]
