"""Pseudonymisation of child-level frames before they are shared.

Child ids (and other identifiers) are replaced by a keyed hash (HMAC-SHA-256), so that the same
id under the same key always gives the same pseudonym (frames stay joinable) while nobody without
the key can recompute or reverse it; dates of birth are degraded to year and month. Everything
runs locally: no key, id or date leaves the machine.

Small-number suppression of aggregates is an option of the functions that aggregate:
``compliance(..., suppress_below=)``, ``compare_rulebooks(..., suppress_below=)``,
``html_report(..., suppress_below=)`` and ``Census.measures(suppress_below=)``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import TypeVar

import polars as pl

__all__ = ["DEFAULT_DOB_COLUMNS", "DEFAULT_ID_COLUMNS", "pseudonymise"]

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
