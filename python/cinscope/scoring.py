"""Scoring events frames against rulebooks, and the summaries analysts ask for.

:func:`score` turns an events frame into one row per obligation: what was due under which rule,
when, whether it happened on time, and how late. The summaries (:func:`compliance`,
:func:`worklist`, :func:`upcoming`) and the comparisons (:func:`compare_rulebooks`,
:func:`compare_conventions`) are Polars expressions over that frame and work on DataFrames and
LazyFrames alike.
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar, Union

import polars as pl

from cinscope import _core
from cinscope._calendar import Calendar, Convention, _check_choice, _to_day, default_calendar
from cinscope._core import CalendarError, DataError, RulebookError
from cinscope._coverage import resolve_source
from cinscope._imported import Imported
from cinscope.events import _prepare

# The vocabularies of the obligations frame's Enum columns, in their categories' order.
STATUSES: tuple[str, ...] = tuple(_core.STATUSES)
SEVERITIES: tuple[str, ...] = tuple(_core.SEVERITIES)
"""Rule severities, most binding first."""
KINDS: tuple[str, ...] = tuple(_core.KINDS)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


class Rulebook:
    """A compiled rulebook: a built-in one, or your own TOML file (which may extend a built-in).

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> kent = cs.Rulebook.builtin("kent")
    >>> kent
    Rulebook('kent': 21 rules, Child in Need Plans and Meetings Policy)
    >>> kent.rules().filter(pl.col("rule") == "KENT-VIS-01").select("severity", "kind").row(0)
    ('should', 'max_gap')
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: _core._Rulebook) -> None:
        self._inner = inner

    @classmethod
    def builtin(cls, name: str) -> Rulebook:
        """A built-in rulebook by id (see :func:`builtin_rulebooks`)."""
        return cls(_core._Rulebook.builtin(name))

    @classmethod
    def from_file(cls, path: str | Path, *, allow_outside: bool = False) -> Rulebook:
        """A rulebook file; its ``extends`` may name a built-in or a file in the same folder.

        The file must be a regular file (not a FIFO or a device) of at most 10 MiB. An
        ``extends`` that resolves outside the rulebook's folder (``"../x"``, an absolute path, a
        link leading out of it) is an error unless ``allow_outside`` is true. A rulebook's id may
        not be that of a built-in one, and an ``extends`` chain may hold at most 32 rulebooks.
        """
        _check_rulebook_file(Path(path))
        return cls(_core._Rulebook.from_file(str(path), bool(allow_outside)))

    @classmethod
    def from_toml(cls, text: str, name: str = "<string>") -> Rulebook:
        """A rulebook from TOML text; ``name`` is used in error messages."""
        return cls(_core._Rulebook.from_toml(text, name))

    @property
    def id(self) -> str:
        """The rulebook's id."""
        return self._inner.id()

    @property
    def name(self) -> str:
        """Its display name."""
        return self._inner.name()

    @property
    def authority(self) -> str:
        """The authority whose procedure it encodes."""
        return self._inner.authority()

    @property
    def document(self) -> str:
        """The procedure document."""
        return self._inner.document()

    @property
    def extends(self) -> str | None:
        """The rulebook it extends, if any."""
        return self._inner.extends()

    def rules(self) -> pl.DataFrame:
        """One row per rule: code, title, severity, kind, scope, what it requires, citation,
        the reading taken (``note``), the parameters it needs that are unset, the rule whose due
        date starts its clock when its own anchor never happened (``fallback``, see
        docs/semantics.md) and how a deadline pairs anchors with targets (``pairing``).

        ``rule`` and ``title`` are Categorical and ``severity`` and ``kind`` Enums, as in the
        frame :func:`score` returns, so the two join on ``rule``.
        """
        return self._inner.rules().with_columns(
            pl.col("rule", "title").cast(pl.Categorical),
            pl.col("severity").cast(pl.Enum(SEVERITIES)),
            pl.col("kind").cast(pl.Enum(KINDS)),
        )

    def parameters(self) -> pl.DataFrame:
        """Declared parameters: durations the procedure defers to local information."""
        rows = self._inner.parameters()
        return pl.DataFrame(
            {"parameter": [r[0] for r in rows], "description": [r[1] for r in rows], "value": [r[2] for r in rows]},
            schema={"parameter": pl.String, "description": pl.String, "value": pl.String},
        )

    def reference(self) -> str:
        """The rule reference of this rulebook, as Markdown."""
        return self._inner.reference()

    def __repr__(self) -> str:
        return self._inner.__repr__()


RulebookLike = Union[str, Path, Rulebook]

Rulebooks = Union[RulebookLike, Mapping[str, RulebookLike], list[RulebookLike], tuple[RulebookLike, ...]]
"""What :func:`score` takes: one rulebook, a mapping from authorities to rulebooks, or a list of
rulebooks under each of which every child is scored."""


def builtin_rulebooks() -> list[str]:
    """Ids of the built-in rulebooks: ``national`` and the five authorities."""
    return list(_core.builtin_rulebooks())


_MAX_RULEBOOK_BYTES = 10 * 1024 * 1024
"""The largest rulebook file read (the compiled loader has the same limit)."""


def _check_rulebook_file(path: Path) -> None:
    """Refuses, before anything opens it, a rulebook path that is not a regular file (opening a
    FIFO blocks until something writes to it; ``/dev/zero`` never ends) or is over 10 MiB."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise RulebookError(f"{path}: cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise RulebookError(f"{path}: is a directory, not a regular file: a rulebook must be a .toml file")
    if not stat.S_ISREG(info.st_mode):
        if stat.S_ISFIFO(info.st_mode):
            kind = "a FIFO"
        elif stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            kind = "a device"
        else:
            kind = "not a regular file"
        raise RulebookError(f"{path}: is {kind}, not a regular file: a rulebook must be a .toml file")
    if info.st_size > _MAX_RULEBOOK_BYTES:
        raise RulebookError(
            f"{path}: is {info.st_size} bytes long; a rulebook file may be at most {_MAX_RULEBOOK_BYTES} bytes (10 MiB)"
        )


def load_rulebook(rulebook: RulebookLike, *, allow_outside: bool = False) -> Rulebook:
    """A :class:`Rulebook` from a built-in id, a path to a TOML file, or a Rulebook.

    ``allow_outside`` lets a file's ``extends`` name a rulebook outside its folder (see
    :meth:`Rulebook.from_file`).
    """
    if isinstance(rulebook, Rulebook):
        return rulebook
    if isinstance(rulebook, Path) or (isinstance(rulebook, str) and rulebook.endswith(".toml")):
        return Rulebook.from_file(rulebook, allow_outside=allow_outside)
    if isinstance(rulebook, str):
        return Rulebook.builtin(rulebook)
    raise TypeError(f"expected a rulebook id, a path or a Rulebook, got {type(rulebook).__name__}")


class Scored(NamedTuple):
    """The result of :func:`score_report`."""

    obligations: pl.DataFrame
    """One row per obligation."""
    findings: pl.DataFrame
    """Data-quality findings, including rows that could not be scored."""


OBLIGATION_COLUMNS: tuple[str, ...] = tuple(_core.OBLIGATION_COLUMNS)
"""The columns of the obligations frame, in order; ``authority``, ``team`` and ``worker`` only
when the events frame has them."""


_CoreScores = tuple[pl.DataFrame, list[tuple[str, list[str], bool]], pl.DataFrame, pl.DataFrame, list[str]]
"""What the core's ``score`` hands over: see :func:`_labelled`, and the findings third."""


def _scored(parts: _CoreScores) -> Scored:
    """The obligations, labelled, and the findings from what the core hands over."""
    codes, labels, findings, constants, order = parts
    return Scored(_labelled(codes, labels, constants, order), findings)


class UnsetParameterWarning(UserWarning):
    """A rule needs a local parameter that the rulebook leaves unset, so it is scored only in
    part (a review cycle whose first interval is local: the reviews after the first) or not at
    all. Set the parameter in a rulebook that extends the built-in one (``set.NAME = "..."``)."""


def _warn_unset(pairs: Sequence[tuple[str | None, _core._Rulebook]]) -> None:
    """Warns once per call for the rules that unset parameters leave unscored, in whole or in part."""
    for _, book in pairs:
        unset = book.rules().filter(pl.col("unset_parameters").is_not_null())
        if unset.height:
            pairs_ = unset.select("rule", "unset_parameters").rows()
            rules = "; ".join(f"{rule} needs ${names}" for rule, names in pairs_)
            example = str(pairs_[0][1]).split(",")[0]
            warnings.warn(
                f"rulebook '{book.id()}': {rules}, which is not set: what depends on it is not scored "
                f"(set it in a rulebook that extends '{book.id()}': set.{example} = \"...\")",
                UnsetParameterWarning,
                stacklevel=4,
            )


def _score_codes(
    events: pl.DataFrame | pl.LazyFrame,
    rulebook: Rulebooks,
    as_of: _dt.date | None,
    convention: Convention,
    calendar: Calendar | None,
    errors: str,
    columns: Sequence[str] | None = None,
) -> _CoreScores:
    """What the core hands over (see :func:`_labelled`) and the findings, scoring under one
    rulebook, one per authority (a mapping), or each of a list of rulebooks in turn (every child
    under every one, the ``rulebook`` column telling them apart: each child's timeline is then
    built once for all of them)."""
    _check_choice(convention, ("exclude_anchor", "count_anchor"), "convention")
    pairs: list[tuple[str | None, _core._Rulebook]]
    each = False
    if isinstance(rulebook, (list, tuple)):
        if not rulebook:
            raise ValueError("the list of rulebooks is empty")
        each = True
        loaded = [load_rulebook(book) for book in rulebook]
        ids = [book.id for book in loaded]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(
                f"rulebook(s) {', '.join(repr(i) for i in twice)} listed more than once: the rulebook column "
                "could not tell their obligations apart"
            )
        pairs = [(None, book._inner) for book in loaded]
    elif isinstance(rulebook, Mapping):
        if not rulebook:
            raise ValueError("the mapping of authorities to rulebooks is empty")
        pairs = [(str(key), load_rulebook(book)._inner) for key, book in rulebook.items()]
    else:
        pairs = [(None, load_rulebook(rulebook)._inner)]
    _warn_unset(pairs)
    frame = _prepare(events, extra=("authority", "team", "worker"))
    when = as_of if as_of is not None else _dt.date.today()
    day = _to_day(when, "as_of")
    cal = calendar if calendar is not None else default_calendar()
    if not cal.first_date <= when <= cal.last_date:
        raise CalendarError(
            f"as_of {when} is outside the calendar's range {cal.first_date} to {cal.last_date}: "
            "lateness in working days cannot be counted to it"
        )
    # The binding checks the names (ValueError naming the one at fault); a lone name is a list of one.
    wanted = None if columns is None else [columns] if isinstance(columns, str) else list(columns)
    codes, labels, findings, constants, order = _core.score(
        frame, pairs, day, convention, cal._inner, errors, wanted, each
    )
    if errors == "report":
        given = {str(key) for key in rulebook} if isinstance(rulebook, Mapping) else None
        several = _authority_findings(frame, when, given, findings.schema)
        if several.height:
            findings = pl.concat([findings, several])
    if errors == "raise":
        # The row checks passed, so what was not scored is an obligation whose due date cannot
        # be computed (a date outside the calendar): say so rather than return a short frame.
        unscored = findings.filter(pl.col("code") == "DQ000")
        if unscored.height:
            lines = [f"child {c!r}: {m}" for c, m in unscored.head(5).select("child_id", "message").iter_rows()]
            more = f"\n... and {unscored.height - 5} more" if unscored.height > 5 else ""
            raise DataError(
                f"{unscored.height} obligation(s) could not be scored:\n" + "\n".join(lines) + more
                + '\n(pass errors="report" to score the other rows and get these as findings)'
            )
    return codes, labels, findings, constants, order


AUTHORITY_FINDING = "DQ017"
"""The code of the finding that a child's rows name more than one authority (see :func:`score`)."""
_AUTHORITY_TITLE = "rows name more than one authority"


def _authority_findings(
    frame: pl.DataFrame, as_of: _dt.date, given: set[str] | None, schema: pl.Schema
) -> pl.DataFrame:
    """One ``DQ017`` finding per child whose rows name more than one authority: the authorities
    and their rows, and which one chose the child's rulebook and why. The choice is the core's
    (``scoring_authority`` in ``score.rs``), repeated here to name it: the authority of the
    child's latest referral dated on or before ``as_of``, else of its latest event on or before
    it, the first name in alphabetical (byte) order between rows of one date, else the first
    name of all. ``given`` holds the authorities that have a rulebook when rulebooks are given
    per authority, and is None when the rulebook does not depend on the authority."""
    empty = pl.DataFrame(schema=schema)
    if "authority" not in frame.columns or frame["authority"].drop_nulls().n_unique() < 2:
        return empty
    rows = (
        frame.select("child_id", "event", "date", "authority")
        .with_row_index("row")
        .filter(pl.col("child_id").is_not_null() & pl.col("authority").is_not_null())
    )
    several = rows.group_by("child_id").agg(pl.col("authority").n_unique().alias("n")).filter(pl.col("n") > 1)
    if several.height == 0:
        return empty
    rows = rows.join(several.select("child_id"), on="child_id", how="semi")
    per_authority = (
        rows.group_by("child_id", "authority")
        .agg(pl.col("row").sort())
        .sort("child_id", "authority")
        .group_by("child_id", maintain_order=True)
        .agg("authority", "row")
    )
    chosen = {
        child: (authority, row, day, referral)
        for child, authority, row, day, referral in (
            rows.filter(pl.col("date").is_not_null() & (pl.col("date") <= as_of))
            .with_columns(referral=(pl.col("event") == "referral").fill_null(False))
            .sort(["referral", "date", "authority", "row"], descending=[True, True, False, False], nulls_last=True)
            .group_by("child_id", maintain_order=True)
            .first()
            .select("child_id", "authority", "row", "date", "referral")
            .iter_rows()
        )
    }
    out: dict[str, list[object]] = {name: [] for name in schema.names()}
    for child, authorities, row_lists in per_authority.iter_rows():
        def listed(rows_: list[int]) -> str:
            shown = ", ".join(str(r) for r in rows_[:5])
            more = f" and {len(rows_) - 5} more" if len(rows_) > 5 else ""
            return f"row{'s' if len(rows_) > 1 else ''} {shown}{more}"

        named = [f"'{a}' ({listed(r)})" for a, r in zip(authorities, row_lists)]
        names = ", ".join(named[:-1]) + " and " + named[-1]
        if child in chosen:
            authority, row, day, referral = chosen[child]
            what = "referral" if referral else "event (it has no referral by then)"
            why = f"the authority of its latest {what} on or before the as-of date, row {row} on {day}"
        else:
            authority = authorities[0]
            why = "the first in alphabetical order (no row with a date on or before the as-of date names an authority)"
        if given is None:
            decision = (
                f"the rulebook does not depend on the authority here; each obligation carries the authority of "
                f"the row that anchors it (rulebooks given per authority would score it under '{authority}', {why})"
            )
        elif authority in given:
            decision = f"it is scored under the rulebook given for '{authority}', {why}"
        else:
            decision = f"its authority is '{authority}', {why}, which has no rulebook: it is not scored (DQ000)"
        all_rows = sorted(r for rows_ in row_lists for r in rows_)
        out["code"].append(AUTHORITY_FINDING)
        out["title"].append(_AUTHORITY_TITLE)
        out["child_id"].append(child)
        out["episode_id"].append(None)
        out["row"].append(all_rows[0])
        out["rows"].append(",".join(map(str, all_rows)))
        out["message"].append(
            f"child '{child}': its rows name {len(authorities)} authorities, {names}; {decision}. Where child "
            "ids are unique only within an authority, these may be different children: make the ids unique "
            "(e.g. prefix the authority)"
        )
    return pl.DataFrame(out, schema=schema).sort("row")


def _labelled(
    codes: pl.DataFrame,
    labels: list[tuple[str, list[str], bool]],
    constants: pl.DataFrame,
    order: list[str],
) -> pl.DataFrame:
    """The obligations frame from what the core hands over, in one pass of Polars.

    * Each label column given as integer codes (name, label of each code, whether an Enum)
      becomes its Enum or Categorical column by a gather from its labels, all in parallel.
      Polars' own hand-over of such a column re-encodes it row by row on one thread, several
      times slower at national scale. (A rule's title may be listed once per rule: as a
      Categorical that is still one category.)
    * Each column of ``constants`` (one row) holds one value for every row: it is added as a
      literal, which Polars keeps as that one value rather than one per row.
    * The columns are put in ``order``.
    """
    typed = {name: (categories, pl.Enum(categories) if is_enum else pl.Categorical) for name, categories, is_enum in labels}
    columns = [
        pl.lit(pl.Series(name, typed[name][0], dtype=typed[name][1])).gather(pl.col(name)).alias(name)
        for name in typed
        if name in codes.columns
    ]
    for name, value in constants.row(0, named=True).items() if constants.width else ():
        if name in typed:
            categories, dtype = typed[name]
            columns.append(pl.lit(None if value is None else categories[value], dtype=dtype).alias(name))
        else:
            columns.append(pl.lit(value, dtype=constants.schema[name]).alias(name))
    return codes.lazy().with_columns(columns).select(order).collect()


def score(
    events: pl.DataFrame | pl.LazyFrame | Imported,
    rulebook: Rulebooks = "national",
    *,
    as_of: _dt.date | None = None,
    convention: Convention = "exclude_anchor",
    calendar: Calendar | None = None,
    columns: Sequence[str] | None = None,
    source_events: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Scores an events frame: one row per obligation.

    Parameters
    ----------
    events
        The canonical events frame (see :mod:`cinscope.events`), or what an importer returned
        (:class:`cinscope.Imported`: its as-of date is then the default, and the rules its
        source cannot judge are left out, see ``source_events``). ``team`` and ``worker``
        columns, when present, are carried into each obligation from its anchor event's row.
    rulebook
        A built-in id (``"kent"``), a path to a TOML rulebook, a :class:`Rulebook`, or a mapping
        from values of the frame's ``authority`` column to rulebooks, so that a frame holding
        several authorities is scored each under its own. A child is scored under one rulebook,
        its authority's: the authority of its latest referral dated on or before ``as_of``; for
        a child with no referral by then (one who entered the extract mid-episode), the
        authority of its latest event on or before it; between rows of the same date, the name
        first in alphabetical order. Rows with no authority, no date or a date after ``as_of``
        do not choose (with none left, the first name in alphabetical order). The latest
        referral is taken because the authority that last accepted the child is the one
        responsible for the open episode, the overdue worklist and the visits still to come,
        which are what scoring is used for; unlike the first row, it does not depend on the
        order of the rows, and unlike a majority of rows, it does not let a long closed history
        elsewhere outweigh the current case. A child whose rows name several authorities is a
        data-quality finding (``DQ017`` in :func:`score_report`'s findings) naming the
        authorities, their rows and the choice: where child ids are only unique within an
        authority, these are two children, and the ids should be made unique (e.g. prefixed
        with the authority). A list of rulebooks (each once)
        scores every child under each of them, whatever its authority: one frame, the
        ``rulebook`` column telling them apart (children in order, then rulebook, rule and due
        date). Each child's timeline is built once for all of them, which is quicker than one
        call each.
    as_of
        The extract date: what has not happened by then is overdue or pending. Today by default.
    convention
        ``"exclude_anchor"`` (default) or ``"count_anchor"``: see :mod:`cinscope._calendar`.
    calendar
        The working-day calendar; England and Wales 2000-2035 by default.
    columns
        Only these columns of the obligations frame, in this order (all of
        :data:`OBLIGATION_COLUMNS` by default). Columns not asked for are never built, which at
        national scale saves much of the time and memory; ``ValueError`` names an unknown one.
    source_events
        The event names the source can hold at all (``cs.SOURCE_EVENTS["annex_a"]``, say; an
        import's own by default). Rules that no event of the source can meet or start are left
        out, with a :class:`cinscope.CoverageWarning` naming them, rather than shown as
        overdue for events the source could never hold (see :func:`cinscope.coverage`). None
        (a plain frame): every rule is scored.

    Returns
    -------
    One row per obligation. Labels are compact: ``status``, ``severity``, ``kind``,
    ``anchor_event``, ``met_event`` and ``convention`` are Enums of their vocabularies
    (:data:`STATUSES`, :data:`SEVERITIES`, :data:`KINDS`, :func:`event_vocabulary`), and
    ``rulebook``, ``rule`` and ``title`` are Categorical; frames from separate calls stack with
    ``pl.concat``, and labels compare with plain strings (``pl.col("status") == "late"``). Cast
    to ``pl.String`` to use string functions or to join with a String column.

    Raises
    ------
    SchemaError
        A required column is missing or has the wrong dtype.
    DataError
        Rows cannot be scored: unknown event names (with the closest known names), null child
        ids, events or dates, or authorities with no rulebook. Use :func:`score_report` to score
        the other rows and get these as findings instead.
    RulebookError
        The rulebook is unknown or invalid.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> events = pl.DataFrame({
    ...     "child_id": ["A", "A", "A"],
    ...     "event": ["referral", "assessment_start", "assessment_authorised"],
    ...     "date": [dt.date(2025, 1, 6), dt.date(2025, 1, 7), dt.date(2025, 3, 12)],
    ... })
    >>> cs.score(events, "national", as_of=dt.date(2025, 6, 30)).select("rule", "due_date", "status", "working_days_late").row(0)
    ('NAT-ASMT-01', datetime.date(2025, 3, 10), 'late', 2)
    >>> both = cs.score(events, ["national", "leicester-leicestershire-rutland"], as_of=dt.date(2025, 6, 30))
    >>> both.select("rulebook", "rule", "due_date", "status").rows()
    [('national', 'NAT-ASMT-01', datetime.date(2025, 3, 10), 'late'), ('leicester-leicestershire-rutland', 'NAT-ASMT-01', datetime.date(2025, 3, 10), 'late'), ('leicester-leicestershire-rutland', 'LLR-ASMT-01', datetime.date(2025, 3, 3), 'late')]
    """
    frame, as_of, left_out = resolve_source(events, rulebook, as_of, source_events)
    wanted = _with_rule(columns, left_out)
    obligations = _scored(_score_codes(frame, rulebook, as_of, convention, calendar, "raise", wanted)).obligations
    return _leave_out(obligations, left_out, columns)


def _with_rule(columns: Sequence[str] | None, left_out: list[str]) -> Sequence[str] | None:
    """The columns to build: those asked for, with ``rule`` when rules are to be left out."""
    if not left_out or columns is None or "rule" in columns:
        return columns
    return [*columns, "rule"]


def _leave_out(obligations: pl.DataFrame, left_out: list[str], columns: Sequence[str] | None) -> pl.DataFrame:
    """The obligations without those of the rules left out (and without ``rule`` if only
    added to tell them apart)."""
    if not left_out:
        return obligations
    kept = obligations.filter(~pl.col("rule").cast(pl.String).is_in(left_out))
    return kept.drop("rule") if columns is not None and "rule" not in columns else kept


def score_report(
    events: pl.DataFrame | pl.LazyFrame | Imported,
    rulebook: Rulebooks = "national",
    *,
    as_of: _dt.date | None = None,
    convention: Convention = "exclude_anchor",
    calendar: Calendar | None = None,
    columns: Sequence[str] | None = None,
    source_events: Iterable[str] | None = None,
) -> Scored:
    """Like :func:`score`, but rows that cannot be scored are reported, not raised.

    Returns the obligations and a findings frame (code, title, child, episode, row(s), message)
    that lists every row not scored and every data-quality problem in the timelines, and every
    child whose rows name more than one authority (``DQ017``, see :func:`score`).
    """
    frame, as_of, left_out = resolve_source(events, rulebook, as_of, source_events)
    wanted = _with_rule(columns, left_out)
    scored = _scored(_score_codes(frame, rulebook, as_of, convention, calendar, "report", wanted))
    return Scored(_leave_out(scored.obligations, left_out, columns), scored.findings)


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def _status_counts() -> list[pl.Expr]:
    counts = [(pl.col("status") == s).sum().alias(s) for s in STATUSES]
    return counts


def compliance(
    obligations: Frame,
    by: str | Sequence[str] = "rule",
    *,
    period: str | None = None,
    suppress_below: int | None = None,
) -> Frame:
    """Compliance by any grouping: counts of each status and ``compliance = met / (met + late +
    overdue)``. Pending and cancelled obligations are counted but never in the rate.

    Parameters
    ----------
    by
        Column(s) to group by, e.g. ``"team"``, ``["rulebook", "rule"]``.
    period
        ``"month"`` or ``"quarter"``: also group by the period of the due date (column
        ``period``, the first day of the period).
    suppress_below
        Small-number suppression: a count from 1 to ``suppress_below - 1`` is replaced by null;
        so is the breakdown (met, late, overdue) of a hidden ``scored``; where ``scored`` is
        shown and one of met, late and overdue is hidden, the next smallest of them is hidden
        too (secondary suppression: otherwise ``late = scored - met - overdue`` would give it
        back); and ``compliance`` is hidden when ``met`` or ``scored`` is. Zeros are shown. The
        method is that of :mod:`cinscope.privacy`; no hidden count can be worked out from what a
        table shows.

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> obligations = pl.DataFrame({"rule": ["R1", "R1", "R1", "R2"], "status": ["met", "late", "pending", "overdue"]})
    >>> cs.compliance(obligations).select("rule", "scored", "compliance").rows()
    [('R1', 2, 0.5), ('R2', 1, 0.0)]
    """
    keys: list[str] = [by] if isinstance(by, str) else list(by)
    frame = obligations
    if period is not None:
        _check_choice(period, ("month", "quarter"), "period")
        every = "1mo" if period == "month" else "1q"
        frame = frame.with_columns(period=pl.col("due_date").dt.truncate(every))
        keys = [*keys, "period"]
    return _rates(frame.group_by(keys).agg(_status_counts()), keys, suppress_below)


def _rates(counts: Frame, keys: list[str], suppress_below: int | None) -> Frame:
    """Compliance from the status counts of each group (see :func:`compliance`)."""
    out = (
        counts.with_columns(scored=pl.col("met") + pl.col("late") + pl.col("overdue"))
        .with_columns(
            compliance=pl.when(pl.col("scored") > 0).then(pl.col("met") / pl.col("scored")).otherwise(None)
        )
        .sort(keys)
    )
    if suppress_below is not None:
        if isinstance(suppress_below, bool) or not isinstance(suppress_below, int) or suppress_below < 1:
            raise ValueError(f"suppress_below must be a whole number of at least 1, got {suppress_below!r}")
        hidden = _hidden_in_rows(suppress_below)
        out = out.with_columns(
            pl.when(hidden[c]).then(None).otherwise(pl.col(c)).alias(c) for c in [*STATUSES, "scored", "compliance"]
        )
    return out


def _hidden_in_rows(below: int) -> dict[str, pl.Expr]:
    """Which cells of a compliance row small-number suppression hides, as expressions: the method
    of :mod:`cinscope.privacy` (:func:`cinscope.privacy.hidden_cells`) for the one group of a row,
    ``scored = met + late + overdue``, and the rate derived from it.

    * Primary: a count from 1 to ``below - 1`` (zeros are shown).
    * A hidden ``scored`` hides ``met``, ``late`` and ``overdue``, zeros included.
    * Secondary: when ``scored`` is shown and exactly one of the three is hidden, the smaller of
      the other two is hidden as well (the first of met, late, overdue on a tie), so that no
      subtraction gives it back. Two hidden cells of one sum are then never determined.
    * ``compliance = met / scored`` is hidden when ``met`` or ``scored`` is: times a shown
      ``scored`` it would give ``met`` back, and over a shown ``met`` ``scored``.
    * ``pending`` and ``cancelled`` add up to nothing shown: they are hidden when small.
    """
    def small(c: str) -> pl.Expr:
        return (pl.col(c) >= 1) & (pl.col(c) < below)

    parts = ["met", "late", "overdue"]
    total = small("scored")
    first = {p: total | small(p) for p in parts}
    alone = ~total & (pl.sum_horizontal(first[p].cast(pl.Int8) for p in parts) == 1)

    def smallest_shown(p: str) -> pl.Expr:
        # p is shown and smaller than every other shown part (ties go to the earlier part).
        condition = ~first[p]
        for q in parts:
            if q != p:
                beats = pl.col(p) < pl.col(q) if parts.index(q) < parts.index(p) else pl.col(p) <= pl.col(q)
                condition = condition & (first[q] | beats)
        return condition

    hidden = {p: first[p] | (alone & smallest_shown(p)) for p in parts}
    hidden["scored"] = total
    hidden["compliance"] = hidden["met"] | total
    for c in STATUSES:
        hidden.setdefault(c, small(c))
    return hidden


def worklist(obligations: Frame) -> Frame:
    """The overdue worklist at the as-of date: overdue obligations of episodes still open (no
    ``episode_end``), most urgent first: ``must`` before ``should`` before ``good_practice``,
    then the longest overdue first. Missed obligations of closed episodes stay in the
    obligations frame (and in :func:`compliance`) but need no action.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> obligations = pl.DataFrame({
    ...     "child_id": ["A", "B", "C"], "rule": ["R1", "R2", "R3"], "title": ["t", "t", "t"],
    ...     "severity": ["should", "must", "must"], "status": ["overdue", "overdue", "met"],
    ...     "due_date": [dt.date(2025, 1, 1)] * 3, "days_late": [30, 5, None],
    ...     "working_days_late": [20, 3, None], "episode_end": [None, None, None],
    ... })
    >>> cs.worklist(obligations)["child_id"].to_list()
    ['B', 'A']
    """
    return (
        obligations.filter(pl.col("status") == "overdue", pl.col("episode_end").is_null())
        .with_columns(_rank=pl.col("severity").replace_strict(_SEVERITY_RANK, default=3, return_dtype=pl.Int8))
        .sort(["_rank", "days_late", "child_id"], descending=[False, True, False])
        .drop("_rank")
    )


def upcoming(obligations: Frame, days: int = 14, *, as_of: _dt.date | None = None) -> Frame:
    """Pending obligations due within ``days`` calendar days of the as-of date, soonest first.

    The as-of date is the one the obligations were scored at (their ``as_of`` column) unless
    given.
    """
    start = pl.lit(as_of, dtype=pl.Date) if as_of is not None else pl.col("as_of")
    return (
        obligations.filter(
            (pl.col("status") == "pending") & (pl.col("due_date") <= start + pl.duration(days=days))
        ).sort(["due_date", "child_id"])
    )


def compare_rulebooks(
    events: pl.DataFrame | pl.LazyFrame,
    rulebooks: Sequence[RulebookLike] | None = None,
    *,
    as_of: _dt.date | None = None,
    convention: Convention = "exclude_anchor",
    calendar: Calendar | None = None,
    by: str | Sequence[str] = ("rulebook", "rule", "title", "kind"),
    suppress_below: int | None = None,
) -> pl.DataFrame:
    """Scores one cohort under several rulebooks (all built-in ones by default), each rulebook
    applied to every child whatever their authority, and returns compliance side by side.

    The table equals :func:`compliance` over the rulebooks' obligations stacked, but the events
    are read, grouped by child and made into timelines once for all the rulebooks, and only the
    ``by`` columns and the status are built, so that a national cohort under six rulebooks is
    quick and fits in memory.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> events = pl.DataFrame({
    ...     "child_id": ["A", "A", "A"],
    ...     "event": ["referral", "assessment_start", "assessment_authorised"],
    ...     "date": [dt.date(2025, 1, 6), dt.date(2025, 1, 7), dt.date(2025, 3, 7)],
    ... })
    >>> table = cs.compare_rulebooks(events, ["national", "leicester-leicestershire-rutland"], as_of=dt.date(2025, 6, 30))
    >>> table.select("rulebook", "rule", "compliance").rows()
    [('leicester-leicestershire-rutland', 'LLR-ASMT-01', 0.0), ('leicester-leicestershire-rutland', 'NAT-ASMT-01', 1.0), ('national', 'NAT-ASMT-01', 1.0)]
    """
    books: list[RulebookLike] = [load_rulebook(b) for b in (rulebooks if rulebooks is not None else builtin_rulebooks())]
    keys = [by] if isinstance(by, str) else list(by)
    columns = _columns_for(keys, "compare_rulebooks")
    # One call scores every child under each rulebook, building only the columns the table
    # groups by and the status: 1M children under the six built-in rulebooks have 58 million
    # obligations.
    scores = _score_codes(events, books, as_of, convention, calendar, "raise", columns)
    return _compliance_of_codes(scores, keys, suppress_below)


def _compliance_of_codes(scores: _CoreScores, keys: list[str], suppress_below: int | None) -> pl.DataFrame:
    """:func:`compliance` of what the core hands over, by obligation columns ``keys``: the rows
    are counted as codes, and only the counts are labelled."""
    codes, labels, _, constants, _ = scores
    if codes.height == 0:
        empty = pl.DataFrame(schema={**{k: pl.String for k in keys}, **{s: pl.UInt32 for s in STATUSES}})
        return _rates(empty, keys, suppress_below)
    labelled = _labelled(_count_codes(codes, keys, labels), labels, constants, [*keys, *STATUSES])
    # Labels may share a group that codes keep apart (two rules of one title): add their counts.
    summed = labelled.group_by(keys).agg(pl.col(s).sum() for s in STATUSES)
    return _rates(summed, keys, suppress_below)


def _count_codes(codes: pl.DataFrame, keys: list[str], labels: list[tuple[str, list[str], bool]]) -> pl.DataFrame:
    """The count of each status (a column per status, by its label) in each group of the keys
    that ``codes`` holds, the keys still as codes.

    When every key is a label code, as in the comparison tables, the codes of a row are first
    made into one number (each code a digit in a base of its number of labels) and the rows are
    counted by that number: Polars then hashes one integer column rather than encoding several
    columns row by row, which at national scale took longer than the scoring and several GiB.
    """
    categories = {name: values for name, values, _ in labels}
    sizes = {name: len(values) for name, values in categories.items()}
    statuses = categories["status"]
    varying = [k for k in keys if k in codes.columns]
    digits = list(dict.fromkeys([*varying, "status"]))
    place = {}
    span = 1
    for name in digits:
        place[name] = span
        span *= max(sizes.get(name, 0), 1)
    counts = [pl.col("_n").filter(pl.col("status") == code).sum().alias(name) for code, name in enumerate(statuses)]
    if any(name not in sizes or codes[name].null_count() for name in digits) or span >= 2**63:
        rows = codes.with_columns(_n=pl.lit(1, dtype=pl.UInt32))
    else:
        number = pl.sum_horizontal(pl.col(name).cast(pl.UInt64) * place[name] for name in digits)
        tally = codes.lazy().group_by(number.alias("_number")).agg(_n=pl.len()).collect()
        rows = tally.select(
            "_n",
            *[((pl.col("_number") // place[name]) % sizes[name]).cast(codes.schema[name]).alias(name) for name in digits],
        )
    return rows.group_by(varying).agg(counts) if varying else rows.select(counts)


def _columns_for(keys: Sequence[str], caller: str) -> list[str]:
    """The obligation columns a compliance table by ``keys`` needs: the keys and the status.
    A key that is no obligation column is named in a ``ColumnNotFoundError``, as
    :func:`compliance` would name it."""
    unknown = [k for k in keys if k not in OBLIGATION_COLUMNS]
    if unknown:
        raise pl.exceptions.ColumnNotFoundError(
            f"{caller}: by {unknown} is not a column of the obligations frame; see cinscope.OBLIGATION_COLUMNS"
        )
    return list(dict.fromkeys([*keys, "status"]))


def compare_conventions(
    events: pl.DataFrame | pl.LazyFrame,
    rulebook: RulebookLike = "national",
    *,
    as_of: _dt.date | None = None,
    calendar: Calendar | None = None,
    by: str | Sequence[str] = "rule",
) -> pl.DataFrame:
    """Compliance under both working-day counting conventions side by side, and how much
    counting the anchor day as day 1 moves it (``change = count_anchor - exclude_anchor``)."""
    keys = [by] if isinstance(by, str) else list(by)
    columns = _columns_for(keys, "compare_conventions")
    prepared = _prepare(events, extra=("authority", "team", "worker"))
    results = []
    conventions: tuple[Convention, Convention] = ("exclude_anchor", "count_anchor")
    for convention in conventions:
        scores = _score_codes(prepared, rulebook, as_of, convention, calendar, "raise", columns)
        table = _compliance_of_codes(scores, keys, None).select(
            *keys, pl.col("scored").alias(f"scored_{convention}"), pl.col("compliance").alias(convention)
        )
        results.append(table)
    joined = results[0].join(results[1], on=keys, how="full", coalesce=True)
    return joined.with_columns(change=pl.col("count_anchor") - pl.col("exclude_anchor")).sort(keys)


def timescale_matrix(rulebooks: Sequence[RulebookLike] | None = None, *, wide: bool = False) -> pl.DataFrame:
    """The timescales of several rulebooks (all built-in ones by default) side by side.

    In long form (the default) one row per timed part of a rule: ``obligation`` (what is
    measured, so that like rules of different rulebooks share it), ``rulebook``, ``rule``,
    ``part`` (``within``, ``first``, ``then``, ``every``, ``gap``, ``after``, ``at least`` or
    ``window``), ``duration`` as the procedure states it, and its rough length in
    ``working_days`` (five in seven calendar days) and ``calendar_days`` (a month being
    365.25/12 days); both are null for a parameter the rulebook leaves unset. With
    ``wide=True``, one row per obligation and one column per rulebook, each cell the
    durations and rule codes (the table of ``docs/timescales.md``).

    Examples
    --------
    >>> import polars as pl
    >>> import cinscope as cs
    >>> m = cs.timescale_matrix(["national", "leicester-leicestershire-rutland"])
    >>> m.filter(pl.col("obligation") == "assessment_authorised after referral").select("rulebook", "rule", "working_days").rows()
    [('national', 'NAT-ASMT-01', 45.0), ('leicester-leicestershire-rutland', 'NAT-ASMT-01', 45.0), ('leicester-leicestershire-rutland', 'LLR-ASMT-01', 40.0)]
    """
    books = [load_rulebook(b) for b in (rulebooks if rulebooks is not None else builtin_rulebooks())]
    schema = {
        "obligation": pl.String,
        "rulebook": pl.String,
        "rule": pl.String,
        "part": pl.String,
        "duration": pl.String,
        "working_days": pl.Float64,
        "calendar_days": pl.Float64,
    }
    long = pl.DataFrame(_core.timescale_entries([b._inner for b in books]), schema=schema, orient="row")
    if not wide:
        return long
    cells = (
        long.group_by("obligation", "rulebook", "rule", maintain_order=True)
        .agg(pl.col("duration").str.join(" / "))
        .group_by("obligation", "rulebook", maintain_order=True)
        .agg(pl.format("{} {}", "duration", "rule").str.join("; ").alias("cell"))
    )
    table = cells.pivot("rulebook", index="obligation", values="cell").sort("obligation")
    order = [b.id for b in books if b.id in table.columns]
    return table.select("obligation", *order)


__all__ = [
    "STATUSES",
    "DataError",
    "Rulebook",
    "RulebookError",
    "Scored",
    "builtin_rulebooks",
    "compare_conventions",
    "compare_rulebooks",
    "compliance",
    "load_rulebook",
    "score",
    "score_report",
    "timescale_matrix",
    "upcoming",
    "worklist",
]
