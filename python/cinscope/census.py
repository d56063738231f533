"""The DfE Children in Need census: read, validate, measure, score and write.

A census file is read into a :class:`Census` (streaming and hardened: no DTDs, bounded text,
malformed XML reported with line and column)::

    import cinscope as cs

    census = cs.read_census("CIN_Census_2025.xml")
    census.tables["CINdetails"]            # the eleven DfE tables as Polars DataFrames
    checked = census.validate()            # the DfE's 109 rules for 2024/25 and 2025/26, and the schema
    checked.issues                         # rule, type, child_id, table, field, row, value, message
    checked.summary                        # one row per rule: findings and children affected
    census.measures(suppress_below=5)      # the published measures, small numbers hidden
    census.write("out.xml", year=2026)     # XML for a chosen schema year, checked against its XSD
    census.schema_problems(2017)           # what the 2017 schema would reject

:func:`generate_census` makes realistic synthetic returns for demos and benchmarks.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence

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

#: Breakdowns of a distribution that are days, not counts.
_QUARTILES = ("lower quartile", "median", "upper quartile")
#: The measures' sums: each total (measure, breakdown) and the measure whose rows, quartiles
#: aside, add up to it. Small-number suppression protects each group (see cinscope.privacy).
_MEASURE_SUMS = (
    (("referrals", "all"), "referrals_by_source"),
    (("assessments_completed", "all"), "assessment_duration_wd"),
    (("icpcs", "all"), "s47_to_icpc_wd"),
    (("children_in_need_at_31_march", "all"), "children_in_need_by_primary_need"),
    (("episodes_ended", "all"), "episode_duration_days"),
    (("episodes_ended", "all"), "episodes_ended_by_reason"),
    (("cin_plans", "ended"), "cin_plan_duration_days"),
    (("cp_plans", "ended"), "cp_plan_duration_days"),
)
#: The percentages and the counts each is computed from: hidden when one of those is.
_MEASURE_RATES = {
    "rereferral_rate_pct": (("rereferrals_12_months", "all"), ("referrals", "all")),
    "assessments_within_45_wd_pct": (("assessments_completed", "all"),)
    + tuple(("assessment_duration_wd", band) for band in ("same day", "1-10", "11-20", "21-30", "31-40", "41-45")),
}


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
        """Runs the DfE validation rules and the schema checks (all of them, or the codes in
        ``rules``). The schema checks read the return's year from its header (``Year``, else
        the ``ReferenceDate``'s year) and check every value against that year's XSD: a date
        written ``31/03/2025`` is an ``XSD-TYPE`` finding, as is a code the year does not list."""
        cal = (calendar or default_calendar())._inner
        issues, summary = self._core.validate(cal, list(rules) if rules is not None else None)
        return Validation(issues=issues, summary=summary)

    def measures(self, *, suppress_below: int | None = None, calendar: Calendar | None = None) -> pl.DataFrame:
        """The DfE's published measures: ``measure``, ``breakdown``, ``value``.

        With ``suppress_below=k``, values are replaced by null and flagged in a ``suppressed``
        column by the method of :mod:`cinscope.privacy`: counts from 1 to k-1 (zeros are
        shown); the breakdown of a hidden total; secondary suppression within each group of
        counts that add up to a shown total (referrals by source to referrals, the duration
        bands of assessments, conferences, episodes and plans to their counts, children in need
        by primary need to children in need at 31 March, episodes ended by reason to episodes
        ended), so that no hidden count is the total less the others; the percentages computed
        from a hidden count (the re-referral rate, assessments within 45 working days); and a
        distribution's quartiles when its count is hidden."""
        frame = self._core.measures((calendar or default_calendar())._inner)
        if not suppress_below:
            return frame
        return _suppress_measures(frame, suppress_below)

    def write(
        self,
        path: str | os.PathLike[str],
        year: int | None = None,
        *,
        invalid: Literal["refuse", "keep"] = "refuse",
    ) -> pl.DataFrame:
        """Writes the census as XML for schema ``year`` (default: the header's year).

        A written file passes the year's schema (the DfE's XSD). On the way out the writer
        translates what the DfE's guidance maps between years, and nothing else: the child's sex
        (``GenderCurrent`` 1, 2, 0, 9 become ``Sex`` M, F, U, U from 2025; before 2025 M and F
        become 1 and 2, and U becomes 0 for an unborn child) and yes/no flags (``true``/``false``
        become 1/0). Values are written without surrounding spaces, a blank value as an absent
        element. Anything else the year's schema would reject (a date not written
        ``YYYY-MM-DD``, a code not in that year's list, a missing required element, an element
        the year does not have, such as CIN plan dates before 2022) is, with
        ``invalid="refuse"``, a :class:`cinscope.CensusError` naming each element and value and
        the years whose schemas take it, and nothing is written; with ``invalid="keep"`` it is
        written as it is and returned. A character XML cannot hold is refused either way.

        The file is written atomically: to a temporary file in the same folder, renamed over
        ``path`` only once complete. If writing fails (a census the year's schema cannot hold,
        a full disk), an existing file at ``path`` is left exactly as it was and nothing else is
        left behind.

        Returns the problems written as they are (the columns of :meth:`schema_problems`):
        empty unless ``invalid="keep"``."""
        chosen = self._year(year)
        keep = _keep(invalid)
        result: list[pl.DataFrame] = []
        write_atomic(path, lambda temporary: result.append(self._core.write(temporary, chosen, keep)))
        return result[0]

    def to_xml(self, year: int | None = None, *, invalid: Literal["refuse", "keep"] = "refuse") -> str:
        """The census as XML text for schema ``year``, as :meth:`write` writes it."""
        return self._core.to_xml(self._year(year), _keep(invalid))

    def schema_problems(self, year: int | None = None) -> pl.DataFrame:
        """What the schema of ``year`` (default: the header's year) would reject in this
        census as :meth:`write` would write it: one row per problem, ``problem`` (``type``,
        ``missing``, ``not_in_year`` or ``unwritable``), ``child_id``, ``table``, ``row``,
        ``field``, ``element`` (as the year names it), ``value`` (as held), ``written`` (after
        the writer's translations) and ``message`` (what is wrong, and which years' schemas take
        it). Empty when the census can be written for ``year``."""
        return self._core.schema_problems(self._year(year))

    def same_as(self, other: Census) -> bool:
        """Whether ``other`` holds exactly the same data (used to check round trips).

        What only a schema year's way of writing it changes is not data: which element carried
        a child's sex (``GenderCurrent`` up to 2024, ``Sex`` from 2025), a sex written 1/2 or
        M/F, a flag written ``true``/``false`` or 1/0. So a 2024 return written as 2025 and read
        back is the same data. ``GenderCurrent`` 0 and 9 and ``Sex`` U stay different: writing
        0 or 9 as U loses which it was."""
        return self._core.same_as(other._core)

    def _year(self, year: int | None) -> int:
        chosen = year if year is not None else self.year
        if chosen is None:
            raise _core.CensusError("the header has no Year: pass year= to choose the schema")
        return max(2017, min(2026, chosen)) if year is None else chosen


def _keep(invalid: str) -> bool:
    if invalid not in ("refuse", "keep"):
        raise ValueError(f"invalid must be 'refuse' or 'keep', not {invalid!r}")
    return invalid == "keep"


def _suppress_measures(frame: pl.DataFrame, below: int) -> pl.DataFrame:
    """The measures with small-number suppression (see :meth:`Census.measures`)."""
    from cinscope.privacy import hidden_cells

    keys = list(zip(frame["measure"].to_list(), frame["breakdown"].to_list()))
    values: list[float | None] = frame["value"].to_list()
    at = {key: i for i, key in enumerate(keys)}
    counts = [not (m.endswith("_pct") or b in _QUARTILES) for m, b in keys]
    groups: list[tuple[int, list[int]]] = []
    total_of: dict[str, int] = {}
    for total, measure in _MEASURE_SUMS:
        parts = [i for i, (m, b) in enumerate(keys) if m == measure and b not in _QUARTILES]
        if total in at and parts:
            groups.append((at[total], parts))
            total_of[measure] = at[total]
    hidden = hidden_cells(values, below, groups, counts=counts)
    for i, (m, b) in enumerate(keys):
        if b in _QUARTILES and m in total_of:
            hidden[i] = hidden[total_of[m]]
        elif m in _MEASURE_RATES:
            hidden[i] = any(hidden[at[key]] for key in _MEASURE_RATES[m] if key in at)
    flags = pl.Series("suppressed", hidden, dtype=pl.Boolean)
    return frame.with_columns(value=pl.when(flags).then(None).otherwise(pl.col("value")), suppressed=flags)


def read_census(source: str | os.PathLike[str] | bytes, *, max_text: int | None = None) -> Census:
    """Reads a census XML file (a path, or the file's bytes).

    Raises :class:`cinscope.CensusError` for malformed XML (with line and column), DTDs and
    entity declarations, over-long text (``max_text`` bytes, default 64 KiB), files that are
    not a census, and files holding two returns (a second root element, a second
    ``<Children>`` or ``<Header>``). Values outside code lists are read as they are and
    reported by :meth:`Census.validate`. Nothing is skipped silently: :attr:`Census.notes`
    lists unknown elements, stray text, a second occurrence of an element the census holds
    once (the first is kept), and elements the return's schema year does not have.
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
    table, a missing column, a column that is not one of the table's (its census elements and
    keys, which the message lists), a null or repeated ``LAchildID``, or a row whose keys match
    no parent row: no row is dropped, and no column name reaches the XML unchecked.

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
    """Every DfE validation rule cinscope runs, then the three schema checks (``XSD-TYPE``,
    ``XSD-REQUIRED``, ``XSD-ELEMENT``: every value, required element and element against the
    XSD of the return's own year): ``rule``, ``type``, ``message``, ``fields``,
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
