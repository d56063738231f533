"""Pseudonymisation of child-level frames before they are shared.

Child ids (and other identifiers) are replaced by a keyed hash (HMAC-SHA-256), so that the same
id under the same key always gives the same pseudonym (frames stay joinable) while nobody without
the key can recompute or reverse it; dates of birth are degraded to year and month. Everything
runs locally: no key, id or date leaves the machine.

Small-number suppression of aggregates is an option of the functions that aggregate:
``compliance(..., suppress_below=)``, ``compare_rulebooks(..., suppress_below=)``, the
compliance sections of ``html_report(..., suppress_below=)`` and
``Census.measures(suppress_below=)``. With ``suppress_below=k`` they hide (docs/conventions.md
says the same):

1. *Primary*: every count from 1 to k-1. A zero is shown: it describes no child, and hiding it
   would not protect it (hidden cells known to add up to zero are all zero).
2. *The breakdown of a hidden total*: when the total of a group of cells that add up to it is
   hidden, every cell of the group is hidden too, zeros included, so that a small group's split
   (all of it in one status, say) is not shown.
3. *Secondary*: in every group whose total is shown, when exactly one cell is hidden it could be
   recovered by subtraction (late = scored - met - overdue), so the next smallest shown cell of
   the group is hidden as well (the first in the table's order on a tie; the total when no other
   cell is shown). This is repeated until no group has exactly one hidden cell. Then two checks,
   after either of which the whole is repeated: hidden cells of a group that must add up to zero
   are each known to be zero (counts are never negative), so a shown cell of the group that is
   not zero, else its total, is hidden with them; and no hidden cell may be determined by the
   sums, checked by exact linear algebra (a hidden cell is determined when its unit vector lies
   in the row space of the sums restricted to the hidden cells, as can happen where groups share
   cells, in a table with margins); if one is, the smallest shown cell of one of its groups that
   is not zero is hidden too.
4. *Derived values*: a rate or percentage computed from a hidden count is hidden (compliance =
   met / scored when met or scored is; a percentage times its shown denominator would give the
   count back), and quartiles are hidden with the number of values they summarise.

Which cells are hidden is all that is shown (one ``suppressed`` flag, never why), so a hidden
cell does not say whether it is small. This protects each table on its own: two tables of the
same obligations by different groupings, published together, can still be differenced.
:func:`hidden_cells` applies the method to any table of groups.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TypeVar

import polars as pl

__all__ = ["DEFAULT_DOB_COLUMNS", "DEFAULT_ID_COLUMNS", "Group", "hidden_cells", "pseudonymise"]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

DEFAULT_ID_COLUMNS: tuple[str, ...] = ("child_id", "episode_id", "LAchildID", "UPN", "FormerUPN")
"""Identifier columns pseudonymised when present and ``ids`` is not given: the events frame's
ids and the census child table's."""

DEFAULT_DOB_COLUMNS: tuple[str, ...] = ("date_of_birth", "PersonBirthDate", "ExpectedPersonBirthDate")
"""Date-of-birth columns degraded to year and month when present and ``dates_of_birth`` is not
given."""

_MIN_KEY_BYTES = 16


def _key_bytes(key: str | bytes) -> bytes:
    if isinstance(key, str):
        raw = key.encode("utf-8")
    elif isinstance(key, (bytes, bytearray)):
        raw = bytes(key)
    else:
        raise TypeError(f"key must be str or bytes, got {type(key).__name__}")
    if len(raw) < _MIN_KEY_BYTES:
        raise ValueError(
            f"key must be at least {_MIN_KEY_BYTES} bytes long (got {len(raw)}); use a long random secret, "
            "e.g. secrets.token_hex(32), and keep it apart from the data"
        )
    return raw


def _pseudonyms(values: pl.Series, key: bytes, length: int) -> pl.Series:
    """Each distinct value hashed once, then mapped back onto the series."""
    text = values.cast(pl.String)
    distinct = text.drop_nulls().unique()
    mapping = {
        v: hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for v in distinct.to_list()
    }
    return text.replace_strict(mapping, default=None, return_dtype=pl.String)


def pseudonymise(
    frame: Frame,
    key: str | bytes,
    *,
    ids: Sequence[str] | None = None,
    dates_of_birth: Sequence[str] | None = None,
    length: int = 16,
) -> Frame:
    """Replaces identifiers by keyed hashes and degrades dates of birth to year and month.

    Parameters
    ----------
    frame
        A DataFrame or LazyFrame (a LazyFrame stays lazy).
    key
        The secret key, at least 16 bytes. The same key gives the same pseudonyms in every frame
        and every run, so pseudonymised frames can still be joined; keep it apart from the data.
    ids
        Columns to pseudonymise (any dtype; values are hashed as text). Default: those of
        :data:`DEFAULT_ID_COLUMNS` that the frame has.
    dates_of_birth
        Date (or datetime) columns to degrade: each becomes the text ``"YYYY-MM"``. Default:
        those of :data:`DEFAULT_DOB_COLUMNS` that the frame has.
    length
        Hex characters kept of each HMAC-SHA-256 digest (16 to 64; 16 is 64 bits, ample for
        millions of children).

    Nulls stay null. A column named in ``ids`` or ``dates_of_birth`` that the frame lacks is an
    error, as is a date-of-birth column that is not a date.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> df = pl.DataFrame({"child_id": ["A1", "B2", "A1", None],
    ...                    "date_of_birth": [dt.date(2014, 7, 3), dt.date(2019, 1, 30), dt.date(2014, 7, 3), None]})
    >>> out = cs.pseudonymise(df, key="a secret of at least sixteen bytes")
    >>> out["date_of_birth"].to_list()
    ['2014-07', '2019-01', '2014-07', None]
    >>> ids = out["child_id"].to_list()
    >>> ids[0] == ids[2] != ids[1], len(ids[0]), ids[3]
    (True, 16, None)
    """
    raw = _key_bytes(key)
    if isinstance(length, bool) or not isinstance(length, int) or not 16 <= length <= 64:
        raise ValueError(f"length must be a whole number from 16 to 64, got {length!r}")
    schema = frame.collect_schema()
    names = schema.names()

    def chosen(given: Sequence[str] | None, default: tuple[str, ...], what: str) -> list[str]:
        if given is None:
            return [c for c in default if c in names]
        if isinstance(given, str):
            given = [given]
        missing = [c for c in given if c not in names]
        if missing:
            raise KeyError(f"{what}: the frame has no column {', '.join(map(repr, missing))} (it has: {', '.join(names)})")
        return list(given)

    id_columns = chosen(ids, DEFAULT_ID_COLUMNS, "ids")
    dob_columns = chosen(dates_of_birth, DEFAULT_DOB_COLUMNS, "dates_of_birth")
    for column in dob_columns:
        if not (schema[column] == pl.Date or isinstance(schema[column], pl.Datetime)):
            raise TypeError(f"dates_of_birth: column {column!r} has dtype {schema[column]}; expected Date or Datetime")
    exprs = [
        pl.col(c).map_batches(lambda s: _pseudonyms(s, raw, length), return_dtype=pl.String) for c in id_columns
    ]
    exprs += [pl.col(c).dt.strftime("%Y-%m") for c in dob_columns]
    return frame.with_columns(exprs) if exprs else frame


# --- small-number suppression ---------------------------------------------------------------

Group = tuple[int, Sequence[int]]
"""A group of cells that add up to a total: the total's index and the indices of its parts."""


def hidden_cells(
    values: Sequence[float | None],
    below: int,
    groups: Sequence[Group] = (),
    *,
    counts: Sequence[bool] | None = None,
) -> list[bool]:
    """Which cells of a table small-number suppression hides, by the method of this module's
    documentation: primary (counts 1 to ``below - 1``), the breakdown of a hidden total, then
    secondary until no hidden cell can be worked out from the shown cells, by exact linear
    algebra or by the sums of non-negative counts. Derived values (rates, quartiles) are the
    caller's: hide them when a count they are computed from is hidden.

    Parameters
    ----------
    values
        The cells' values; None is a cell with no value (never hidden by itself).
    below
        Counts from 1 to ``below - 1`` are hidden (at least 1; 1 hides nothing by itself).
    groups
        Each group of cells that add up to a total: ``(total, parts)``, as indices into
        ``values``. A cell may be a total or a part of several groups (a table with margins).
    counts
        Which cells are counts (all by default); only counts are hidden for being small, but any
        cell of a group may be hidden to protect another.

    The secondary cell chosen for a group with one hidden cell is its smallest shown part (the
    first on a tie; the total when no part is shown). Where the hidden parts of a group with a
    shown total add up to zero, each is known to be zero: the group's smallest shown part that
    is not zero, else its total, is hidden. A cell the sums still determine (possible when
    groups share cells) is protected by hiding the smallest shown part that is not zero of one
    of its groups.

    Examples
    --------
    >>> from cinscope.privacy import hidden_cells
    >>> # scored = met + late + overdue, 20 = 17 + 3 + 0, hiding counts below 5. The 3 alone
    >>> # would be 20 - 17 - 0, so the smallest other cell, the 0, is hidden with it: the two
    >>> # hidden cells then add up to 3, which either could hold.
    >>> hidden_cells([20, 17, 3, 0], 5, [(0, [1, 2, 3])])
    [False, False, True, True]
    >>> # A small total hides its whole breakdown.
    >>> hidden_cells([3, 3, 0, 0], 5, [(0, [1, 2, 3])])
    [True, True, True, True]
    >>> # Two sums share cell 3 (a table with margins): 10 = 2 + 8 + 0 and 0 = 0 + 0. Hiding
    >>> # the 2 hides the 0 beside it, the smallest; that 0 is alone in the second sum, which
    >>> # hides the other 0; but hidden cells that add up to 0 are each 0, and the first sum
    >>> # would give the 2 back: the second sum's total is hidden too.
    >>> hidden_cells([10, 2, 8, 0, 0, 0], 5, [(0, [1, 2, 3]), (5, [3, 4])])
    [False, True, False, True, True, True]
    """
    if isinstance(below, bool) or not isinstance(below, int) or below < 1:
        raise ValueError(f"suppress_below must be a whole number of at least 1, got {below!r}")
    n = len(values)
    is_count = list(counts) if counts is not None else [True] * n
    if len(is_count) != n:
        raise ValueError(f"counts has {len(is_count)} entries for {n} values")
    for total, parts in groups:
        if not all(0 <= i < n for i in (total, *parts)) or total in parts or len(set(parts)) != len(parts):
            raise ValueError(f"group ({total}, {list(parts)}) does not name distinct cells of a table of {n}")
    hidden = [bool(c) and v is not None and 1 <= v < below for v, c in zip(values, is_count)]
    number = [0.0 if v is None else float(v) for v in values]

    def smallest(i: int) -> tuple[float, int]:
        return (number[i], i)

    def smallest_not_zero(i: int) -> tuple[bool, float, int]:
        return (number[i] == 0, number[i], i)

    def hide_one_of(candidate_groups: Sequence[Group], key: Callable[[int], tuple[object, ...]]) -> bool:
        """Hides the first shown part of these groups by ``key``, else a shown total; False if none."""
        shown = [p for _, parts in candidate_groups for p in parts if not hidden[p]]
        if shown:
            hidden[min(shown, key=key)] = True
            return True
        totals = [t for t, _ in candidate_groups if not hidden[t]]
        if totals:
            hidden[min(totals, key=key)] = True
            return True
        return False

    while True:
        changed = True
        while changed:
            changed = False
            for total, parts in groups:
                if hidden[total]:
                    for p in parts:
                        if not hidden[p]:
                            hidden[p] = changed = True
                elif sum(hidden[p] for p in parts) == 1:
                    changed = hide_one_of([(total, parts)], smallest) or changed
        pinned = _pinned(hidden, number, groups)
        if pinned is not None:
            # Hidden parts known to add up to zero: only a part that is not zero, or the total,
            # can make their sum unknown.
            total, parts = pinned
            not_zero = [p for p in parts if not hidden[p] and number[p] != 0]
            hidden[min(not_zero, key=smallest) if not_zero else total] = True
            continue
        determined = _determined(hidden, groups)
        if not determined:
            return hidden
        if not hide_one_of([g for g in groups if determined[0] == g[0] or determined[0] in g[1]], smallest_not_zero):
            return hidden  # cannot happen: a cell whose groups are all hidden is not determined


def _pinned(hidden: Sequence[bool], number: Sequence[float], groups: Sequence[Group]) -> Group | None:
    """A group whose total is shown and whose hidden parts must add up to zero (counts are not
    negative, so each of them is zero), or None."""
    for total, parts in groups:
        if not hidden[total] and any(hidden[p] for p in parts):
            if sum(number[p] for p in parts if hidden[p]) == 0:
                return (total, parts)
    return None


def _determined(hidden: Sequence[bool], groups: Sequence[Group]) -> list[int]:
    """The hidden cells whose values the groups' sums determine from the shown cells: those
    whose unit vector is a row of the reduced row echelon form of the sums restricted to the
    hidden cells (exact arithmetic)."""
    unknown = sorted({i for t, ps in groups for i in (t, *ps) if hidden[i]})
    column = {cell: j for j, cell in enumerate(unknown)}
    rows: list[list[Fraction]] = []
    for total, parts in groups:
        row = [Fraction(0)] * len(unknown)
        if hidden[total]:
            row[column[total]] += 1
        for p in parts:
            if hidden[p]:
                row[column[p]] -= 1
        if any(row):
            rows.append(row)
    r = 0
    pivots: list[int] = []
    for j in range(len(unknown)):
        if r == len(rows):
            break
        pivot = next((i for i in range(r, len(rows)) if rows[i][j] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][j]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][j] != 0:
                factor = rows[i][j]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r])]
        pivots.append(j)
        r += 1
    return [unknown[j] for k, j in enumerate(pivots) if sum(1 for x in rows[k] if x != 0) == 1]
