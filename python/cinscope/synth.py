"""Synthetic case histories with ground truth.

No real child's data ships with cinscope. :func:`synth` generates realistic, seeded case
histories in the canonical events schema under each authority's rulebook, together with the
**truth**: every obligation the simulated service met late or left overdue. Scoring the events
finds exactly those breaches (``tests/python/test_synth.py`` checks it), so the data serves
examples, benchmarks and tests alike. The model and its sources are in ``docs/synthetic.md``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import polars as pl

from cinscope import _core
from cinscope._calendar import Calendar, Convention, _check_choice, _to_day, default_calendar
from cinscope.scoring import RulebookLike, load_rulebook

__all__ = ["AUTHORITY_CHILDREN", "Synthetic", "default_cohort", "synth", "synth_defaults"]

AUTHORITY_CHILDREN: dict[str, int] = {
    "national": 400_000,
    "leicester-leicestershire-rutland": 7_600,
    "portsmouth": 1_700,
    "kent": 10_500,
    "south-west": 36_000,
    "brighton-and-hove": 2_000,
}
"""Children in need at 31 March, roughly, for each built-in rulebook's area: the national
figure (DfE, Characteristics of children in need 2023-24: about 400,000) shared out by the
area's share of England's population under 18 (ONS mid-2022 estimates; the South West
procedures cover the whole region). :func:`default_cohort` scales these down."""

_PREFIX = {
    "national": "NAT",
    "leicester-leicestershire-rutland": "LLR",
    "portsmouth": "PORT",
    "kent": "KENT",
    "south-west": "SW",
    "brighton-and-hove": "BH",
}


class Synthetic(NamedTuple):
    """A synthetic cohort: its events and the ground truth of its breaches."""

    events: pl.DataFrame
    """Canonical events: ``child_id``, ``episode_id``, ``event``, ``date``, ``qualifier``,
    ``authority`` (the rulebook id), ``team``, ``worker``."""
    truth: pl.DataFrame
    """One row per obligation met late or overdue at ``as_of``, for the rules the generator
    models (:func:`synth_rules`): ``child_id``, ``episode_id``, ``authority``, ``rulebook``,
    ``rule``, ``anchor_date``, ``due_date``, ``status``, ``met_date``."""


def _share(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def synth(
    authorities: RulebookLike | Sequence[RulebookLike] = "kent",
    children: int | Mapping[str, int] = 1000,
    *,
    seed: int = 2026,
    as_of: _dt.date = _dt.date(2026, 3, 31),
    years: int = 3,
    on_time: float = 0.86,
    late_days: float = 12.0,
    undone: float = 0.15,
    drift: float = 0.12,
    lapsing_workers: float = 0.05,
    teams: int = 8,
    workers_per_team: int = 6,
    convention: Convention = "exclude_anchor",
    calendar: Calendar | None = None,
) -> Synthetic:
    """Generates a synthetic cohort under one or several rulebooks.

    Each authority's children follow its own rulebook: its meetings, reviews, visits and
    paperwork happen when its procedure asks, ``on_time`` of the time on time, otherwise late
    by about ``late_days`` calendar days or (a share ``undone`` of those) not at all;
    ``drift`` of plans run past twelve months; ``lapsing_workers`` of workers let visits lapse.
    Referrals fall in the ``years`` years before ``as_of``; no event is dated after it, and
    every event falls on a working day. The same arguments always give the same frames.

    ``children`` is a count per authority, or a mapping from authority to count.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> import cinscope as cs
    >>> data = cs.synth("portsmouth", children=200, seed=1)
    >>> data.events.columns
    ['child_id', 'episode_id', 'event', 'date', 'qualifier', 'authority', 'team', 'worker']
    >>> obligations = cs.score(data.events, "portsmouth", as_of=dt.date(2026, 3, 31))
    >>> modelled = cs.synth_rules("portsmouth")
    >>> breaches = obligations.filter(pl.col("status").is_in(["late", "overdue"]), pl.col("rule").is_in(modelled))
    >>> breaches.height == data.truth.height > 0
    True
    """
    if isinstance(authorities, (str, bytes)) or not isinstance(authorities, Sequence):
        books = [load_rulebook(authorities)]  # type: ignore[arg-type]
    else:
        books = [load_rulebook(a) for a in authorities]
    if not books:
        raise ValueError("give at least one authority (rulebook)")
    _check_choice(convention, ("exclude_anchor", "count_anchor"), "convention")
    cal = calendar if calendar is not None else default_calendar()
    day = _to_day(as_of, "as_of")
    parts: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    for index, book in enumerate(books):
        if isinstance(children, Mapping):
            if book.id not in children:
                raise ValueError(f"children gives no count for authority '{book.id}'; it has {sorted(children)}")
            count = children[book.id]
        else:
            count = children
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"children must be a non-negative whole number, got {count!r}")
        for name, value in (("seed", seed), ("years", years), ("teams", teams), ("workers_per_team", workers_per_team)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")
        try:
            events, truth = _core.synth(
                book._inner,
                count,
                (seed + index * 1_000_003) % 2**64,
                0,
                day,
                years,
                teams,
                workers_per_team,
                _share("on_time", on_time),
                _share("late_days", late_days),
                _share("undone", undone),
                _share("drift", drift),
                _share("lapsing_workers", lapsing_workers),
                convention,
                cal._inner,
                book.id,
                _PREFIX.get(book.id, book.id.upper()),
            )
        except OverflowError as error:
            raise ValueError(f"an option is out of range: {error}") from None
        parts.append((events, truth))
    return Synthetic(pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts]))


def synth_rules(rulebook: RulebookLike) -> list[str]:
    """The codes of the rules whose breaches the generator's ground truth records.

    The generator models each procedure as written, on clean histories. It does not model the
    readings cinscope makes for messy ones (a cycle counted from when a missing step was due,
    paperwork that belongs to a later meeting, a meeting held before the assessment, a
    conference paired with the last of several enquiries, a twelve-month review held near the
    twelve-month day, a plan's deadline met only while the plan is open, a first review left to
    an unset local parameter): breaches of those rules are not in ``truth``. They are tested
    against an independent implementation instead (``tests/python/test_independent_engine.py``).

    Examples
    --------
    >>> import cinscope as cs
    >>> "KENT-VIS-01" in cs.synth_rules("kent"), "KENT-REV-01" in cs.synth_rules("kent")
    (True, False)
    """
    return _core.synth_rules(load_rulebook(rulebook)._inner)


def synth_defaults() -> dict[str, object]:
    """The defaults of :func:`synth` and :func:`default_cohort` (seed, as-of date, scale)."""
    return {"seed": 2026, "as_of": _dt.date(2026, 3, 31), "scale": 0.1}


def default_cohort(scale: float = 0.1, *, seed: int = 2026) -> Synthetic:
    """The bundled default data: one deterministic synthetic cohort per authority.

    One cohort for each of the five authorities' rulebooks, sized as ``scale`` times the
    area's children in need (:data:`AUTHORITY_CHILDREN`), as at 31 March 2026. The main job
    (``python -m cinscope``) and the notebooks use it.

    >>> import cinscope as cs
    >>> data = cs.default_cohort(scale=0.01)
    >>> data.events["authority"].unique().sort().to_list()
    ['brighton-and-hove', 'kent', 'leicester-leicestershire-rutland', 'portsmouth', 'south-west']
    """
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 10:
        raise ValueError(f"scale must be a number in (0, 10], got {scale!r}")
    ids = [a for a in AUTHORITY_CHILDREN if a != "national"]
    sizes = {a: max(1, round(AUTHORITY_CHILDREN[a] * scale)) for a in ids}
    return synth(ids, sizes, seed=seed)
