"""The DfE Children in Need census: read, validate, measure, score and write.

A census file is read into a :class:`Census` (streaming and hardened: no DTDs, bounded text,
malformed XML reported with line and column)::

    import cinscope as cs

    census = cs.read_census("CIN_Census_2025.xml")
    census.tables["CINdetails"]            # the eleven DfE tables as Polars DataFrames
    checked = census.validate()            # the DfE's 109 rules for 2024/25 and 2025/26
    checked.issues                         # rule, type, child_id, table, field, row, value, message
    checked.summary                        # one row per rule: findings and children affected
    census.measures(suppress_below=5)      # the published measures, small numbers hidden
    census.write("out.xml", year=2026)     # XML for a chosen schema year

:func:`generate_census` makes realistic synthetic returns for demos and benchmarks.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import polars as pl

from cinscope import _core
from cinscope._calendar import Calendar, default_calendar
from cinscope._files import write_atomic

__all__ = [
    "Census",
    "Validation",
    "census_compliance",
    "census_from_tables",
    "census_rules",
    "generate_census",
    "read_census",
]

#: Measures that are counts (the ones small-number suppression applies to).
_RATES_AND_DAYS = ("_pct", "duration", "_wd")


@dataclass(frozen=True)
class Validation:
    """The result of :meth:`Census.validate`."""

    #: One row per finding: ``rule``, ``type`` (error/query), ``child_id``, ``table``,
    #: ``field``, ``row`` (0-based within the table), ``value``, ``message``.
    issues: pl.DataFrame
    #: One row per rule: ``rule``, ``type``, ``message``, ``fields``, ``return_level``,
    #: ``findings``, ``children``.
    summary: pl.DataFrame

    @property
    def failed(self) -> pl.DataFrame:
        """The rules that found something."""
        return self.summary.filter(pl.col("findings") > 0)


class Census:
    """A census return held in memory. Create one with :func:`read_census` or
    :func:`generate_census`."""

    def __init__(self, core: _core.Census) -> None:
        self._core = core
        self._tables: dict[str, pl.DataFrame] | None = None

    def __len__(self) -> int:
        return len(self._core)

    def __repr__(self) -> str:
        return f"Census({len(self)} children, year {self.year}, reference date {self.reference_date})"

    @property
    def year(self) -> int | None:
        """The header's collection year."""
        return self._core.year

    @property
    def reference_date(self) -> _dt.date | None:
        """The census day (31 March) from the header."""
        text = self._core.reference_date
        return _dt.date.fromisoformat(text) if text else None

    @property
    def notes(self) -> pl.DataFrame:
        """What the reader skipped (unknown elements, stray text): ``line``, ``path``, ``message``."""
        rows = self._core.notes()
        return pl.DataFrame(
            {"line": [r[0] for r in rows], "path": [r[1] for r in rows], "message": [r[2] for r in rows]},
            schema={"line": pl.UInt64, "path": pl.String, "message": pl.String},
        )

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """The eleven DfE tables and ``PreProceedings`` (2026), keyed by ``LAchildID``,
        ``CINdetailsID``, ``AssessmentID``, ``CPPID`` and ``PreProceedingsID``; date columns are
        ``pl.Date`` (null when absent or unparseable). :func:`census_from_tables` turns them,
        edited or not, back into a census."""
        if self._tables is None:
            self._tables = dict(self._core.tables())
        return dict(self._tables)

    def events(self, authority: str = "census") -> pl.DataFrame:
        """The census as a canonical events frame, ready for :func:`cinscope.score`."""
        return self._core.events(authority)

    def validate(self, rules: Sequence[str] | None = None, calendar: Calendar | None = None) -> Validation:
        """Runs the DfE validation rules (all of them, or the codes in ``rules``)."""
        cal = (calendar or default_calendar())._inner
        issues, summary = self._core.validate(cal, list(rules) if rules is not None else None)
        return Validation(issues=issues, summary=summary)

    def measures(self, *, suppress_below: int | None = None, calendar: Calendar | None = None) -> pl.DataFrame:
        """The DfE's published measures: ``measure``, ``breakdown``, ``value``.

        With ``suppress_below=k``, counts from 1 to k-1 are replaced by null and flagged in a
        ``suppressed`` column (rates, durations and quartiles are left as they are)."""
        frame = self._core.measures((calendar or default_calendar())._inner)
        if not suppress_below:
            return frame
        is_count = ~pl.any_horizontal([pl.col("measure").str.contains(k, literal=True) for k in _RATES_AND_DAYS])
        small = is_count & (pl.col("value") > 0) & (pl.col("value") < suppress_below)
        return frame.with_columns(
            value=pl.when(small).then(None).otherwise(pl.col("value")),
            suppressed=small,
        )

    def write(self, path: str | os.PathLike[str], year: int | None = None) -> None:
        """Writes the census as XML for schema ``year`` (default: the header's year).

        The file is written atomically: to a temporary file in the same folder, renamed over
        ``path`` only once complete. If writing fails (a census the year's schema cannot hold,
        a full disk), an existing file at ``path`` is left exactly as it was and nothing else is
        left behind."""
        chosen = self._year(year)
        write_atomic(path, lambda temporary: self._core.write(temporary, chosen))

    def to_xml(self, year: int | None = None) -> str:
        """The census as XML text for schema ``year``."""
        return self._core.to_xml(self._year(year))

    def same_as(self, other: Census) -> bool:
        """Whether ``other`` holds exactly the same data (used to check round trips).

        Which element carried a child's sex (``GenderCurrent`` up to 2024, ``Sex`` from 2025) is
        a matter of the schema year, not data: a 2024 return written as 2025 and read back is
        the same data."""
        return self._core.same_as(other._core)

    def _year(self, year: int | None) -> int:
        chosen = year if year is not None else self.year
        if chosen is None:
            raise _core.CensusError("the header has no Year: pass year= to choose the schema")
        return max(2017, min(2026, chosen)) if year is None else chosen


def read_census(source: str | os.PathLike[str] | bytes, *, max_text: int | None = None) -> Census:
    """Reads a census XML file (a path, or the file's bytes).

    Raises :class:`cinscope.CensusError` for malformed XML (with line and column), DTDs and
    entity declarations, over-long text (``max_text`` bytes, default 64 KiB) and files that are
    not a census. Values outside code lists are read as they are and reported by
    :meth:`Census.validate`.
    """
    if isinstance(source, (bytes, bytearray)):
        return Census(_core.read_census_bytes(bytes(source), max_text))
    return Census(_core.read_census_path(Path(source), max_text))


def census_from_tables(tables: Mapping[str, pl.DataFrame | pl.LazyFrame]) -> Census:
    """A census rebuilt from its tables, to validate or write as XML for any schema year.

    ``tables`` maps table names (as :attr:`Census.tables` names them) to frames, edited or built
    from a case-management extract. ``Header`` and ``ChildIdentifiers`` are required; the other
    tables may be left out. Children are the ``ChildIdentifiers`` rows in order, identified by
    ``LAchildID``; the other tables attach by ``LAchildID`` and their keys, in key order. Values
    are written as text (dates as ``YYYY-MM-DD``); null is an absent element.

    Raises :class:`cinscope.CensusError`, naming the table, column, row and value, for an unknown
    table, a missing column, a null or repeated ``LAchildID``, or a row whose keys match no
    parent row: no row is dropped.

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> census = cs.generate_census(50, seed=1, year=2025)
    >>> tables = census.tables
    >>> tables["CINdetails"] = tables["CINdetails"].with_columns(ReferralSource=pl.lit("1A"))
    >>> edited = cs.census_from_tables(tables)
    >>> edited.tables["CINdetails"]["ReferralSource"].unique().to_list()
    ['1A']
    >>> "<ReferralSource>1A</ReferralSource>" in edited.to_xml(2026)
    True
    """
    pairs = []
    for name, frame in tables.items():
        if isinstance(frame, pl.LazyFrame):
            frame = frame.collect()
        if not isinstance(frame, pl.DataFrame):
            raise TypeError(f"table {name!r} must be a polars DataFrame or LazyFrame, got {type(frame).__name__}")
        pairs.append((str(name), _as_text_where_needed(str(name), frame)))
    return Census(_core.census_from_tables(pairs))


def _as_text_where_needed(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the columns of dtypes the compiled module may not be built for (Decimal,
    Int128, UInt128, Float16...) cast to text here, as they would be there; nested and object
    columns, which are no census value, are a :class:`cinscope.CensusError` naming them."""
    casts = []
    for column, dtype in frame.schema.items():
        if isinstance(dtype, (pl.List, pl.Array, pl.Struct)) or dtype == pl.Object:
            raise _core.CensusError(
                f"table {table}, column '{column}' has dtype {dtype}; a census value is text, a number or a date"
            )
        if isinstance(dtype, pl.Decimal) or dtype in (pl.Int8, pl.Int16, pl.Int128, pl.UInt128, pl.Float16):
            casts.append(pl.col(column).cast(pl.String))
    return frame.with_columns(casts) if casts else frame


def generate_census(children: int = 1_000, *, seed: int = 2026, year: int = 2025, error_rate: float = 0.02) -> Census:
    """A realistic synthetic census return (deterministic for a seed); ``error_rate`` of the
    children carry one deliberate mistake for validation to find.

    >>> c = generate_census(200, year=2025)
    >>> len(c), c.reference_date
    (200, datetime.date(2025, 3, 31))
    """
    for name, value, top in (("children", children, None), ("seed", seed, 2**64), ("year", year, None)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (top is not None and value >= top):
            limit = " below 2**64" if top is not None else ""
            raise ValueError(f"{name} must be a whole number of at least 0{limit}, got {value!r}")
    if isinstance(error_rate, bool) or not isinstance(error_rate, (int, float)):
        raise TypeError(f"error_rate must be a number, got {type(error_rate).__name__}")
    return Census(_core.generate_census(children, seed, year, float(error_rate)))


def census_rules() -> pl.DataFrame:
    """Every DfE validation rule cinscope runs: ``rule``, ``type``, ``message``, ``fields``,
    ``return_level``."""
    return _core.census_rules().select("rule", "type", "message", "fields", "return_level")


#: Events a census can supply; rules whose obligations need anything else are not census-derivable.
CENSUS_EVENTS = frozenset(
    {"referral", "assessment_start", "assessment_authorised", "icpc", "cin_plan_start", "cin_plan_end", "cp_plan_start", "cp_plan_end", "closure"}
)


def census_compliance(census: Census, rulebooks: Sequence[str] | None = None, *, authority: str = "census") -> pl.DataFrame:
    """Scores a census under each rulebook's census-derivable rules (those whose due item is
    an event the census records, such as assessment completion or a plan's end), at the
    census reference date. One row per rulebook and rule: ``rulebook``, ``rule``, ``title``,
    ``met``, ``late``, ``overdue``, ``pending``, ``compliance``.
    """
    import re

    from cinscope.events import event_vocabulary
    from cinscope.scoring import builtin_rulebooks, load_rulebook, score

    vocabulary = set(event_vocabulary()["event"].to_list())
    names = list(rulebooks) if rulebooks is not None else builtin_rulebooks()
    events = census.events(authority).drop("authority")
    as_of = census.reference_date or _dt.date.today()
    frames = []
    for name in names:
        rules = load_rulebook(name).rules()
        derivable = [
            code
            for code, requires in zip(rules["rule"].to_list(), rules["requires"].to_list())
            if (mentioned := set(re.findall(r"[a-z_]+", requires or "")) & vocabulary) and mentioned <= CENSUS_EVENTS
        ]
        obligations = score(events, name, as_of=as_of).filter(pl.col("rule").is_in(derivable))
        frames.append(
            obligations.group_by("rule", "title")
            .agg(
                met=(pl.col("status") == "met").sum(),
                late=(pl.col("status") == "late").sum(),
                overdue=(pl.col("status") == "overdue").sum(),
                pending=(pl.col("status") == "pending").sum(),
            )
            .with_columns(rulebook=pl.lit(name))
        )
    columns = ["rulebook", "rule", "title", "met", "late", "overdue", "pending"]
    result = pl.concat([f.select(columns) for f in frames]) if frames else pl.DataFrame(schema={c: pl.String for c in columns})
    decided = pl.col("met") + pl.col("late") + pl.col("overdue")
    return result.with_columns(compliance=pl.when(decided > 0).then(pl.col("met") / decided)).sort("rulebook", "rule")
