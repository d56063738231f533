"""An independent, deliberately plain reference implementation of some Child in Need timescale rules.

It is written from the published procedure texts, the rule reference (docs/rules.md), the event
vocabulary (docs/events.md) and the product's semantics decisions, without looking at the engine.
Its purpose is to be compared with the engine: where the two disagree, one of them is wrong, and
the comments below say which reading this file took and why.

Everything here is a plain loop over one child's sorted events; nothing is optimised.

Entry point: :func:`reference_obligations`.

Readings taken throughout (product decisions, see the comments at each rule for the rest):

* Working days: Monday to Friday minus the England and Wales bank holidays listed in
  ``tests/data/bank_holidays_england_wales_2000_2030.csv``. "Within N working days of X" is the
  N-th working day after X; X itself is never counted.
* Months: the same day-of-month N months later, clamped to the end of a shorter month, always
  computed from the anchor itself (never by adding one month repeatedly).
* As-of: every row dated after the as-of date is dropped before anything else happens, so the
  result is what an extract taken on the as-of date would give. An unmet obligation is overdue
  when its due date is before the as-of date, else pending. An event on the due date is met.
* A visit whose qualifier is null or empty counts as ``seen``.
* Exact duplicate rows are counted once; row order in the input does not matter.
* The optional ``episode_id`` column is not used: episodes are always derived from referral and
  closure dates (a referral opens one, a closure closes it).
* Cohorts: cohort_start on S makes the child a member from S, cohort_end on E a member up to and
  including E. Deadline rules look at the cohort on their anchor's date only; cycles (recurring
  and max-gap rules) look at it day by day: they start late when the child comes under the rule
  after the anchor, and stop when the child stops being under it (see ``_cycle``).
* ``allocated`` (the case opened to a team after the front door; the team, in a ``team`` column
  when present, is not used): only PORT-PLAN-01 looks at it, and only at the first one of an
  episode (see ``_first_allocation``).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

__all__ = [
    "RULES",
    "add_interval",
    "add_months",
    "add_working_days",
    "is_working_day",
    "reference_obligations",
]

# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------

_HOLIDAY_CSV = (
    Path(__file__).resolve().parents[2] / "data" / "bank_holidays_england_wales_2000_2030.csv"
)
CALENDAR_FIRST = dt.date(2000, 1, 1)
CALENDAR_LAST = dt.date(2030, 12, 31)


def _load_holidays(path: Path) -> frozenset[dt.date]:
    days = set()
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines):
        days.add(dt.date.fromisoformat(row["date"].strip()))
    return frozenset(days)


BANK_HOLIDAYS = _load_holidays(_HOLIDAY_CSV)


def _check_in_calendar(day: dt.date) -> None:
    if not CALENDAR_FIRST <= day <= CALENDAR_LAST:
        raise ValueError(
            f"{day} is outside the bank holiday calendar ({CALENDAR_FIRST} to {CALENDAR_LAST})"
        )


def is_working_day(day: dt.date) -> bool:
    _check_in_calendar(day)
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (`day` itself is not counted, working day or not)."""
    _check_in_calendar(day)
    current = day
    counted = 0
    while counted < n:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def add_months(day: dt.date, n: int) -> dt.date:
    """Same day-of-month n months later, clamped to the last day of a shorter month."""
    zero_based = day.month - 1 + n
    year = day.year + zero_based // 12
    month = zero_based % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_interval(day: dt.date, interval: tuple[int, str]) -> dt.date:
    n, unit = interval
    if unit == "working_days":
        return add_working_days(day, n)
    if unit == "days":
        return day + dt.timedelta(days=n)
    if unit == "weeks":
        return day + dt.timedelta(days=7 * n)
    if unit == "months":
        return add_months(day, n)
    raise ValueError(f"unknown interval unit {unit!r}")


# --------------------------------------------------------------------------------------------
# Timeline: events, episodes, plans
# --------------------------------------------------------------------------------------------

# Order of events that share a date. Only a few pairs matter: a referral comes first and a
# closure last on its day (so same-day events fall inside the episode), a plan start comes
# before anything that happens in the plan that day, meetings come before their paperwork.
_SAME_DAY_ORDER = [
    "referral",
    "allocated",
    "assessment_start",
    "assessment_authorised",
    "interim_plan",
    "cin_plan_start",
    "strategy_discussion",
    "s47_start",
    "icpc",
    "visit",
    "cin_initial_meeting",
    "cin_review",
    "network_meeting",
]
_LAST_ON_THE_DAY = ["cin_plan_end", "closure"]


def _rank(event: str) -> int:
    if event in _SAME_DAY_ORDER:
        return _SAME_DAY_ORDER.index(event)
    if event in _LAST_ON_THE_DAY:
        return 1000 + _LAST_ON_THE_DAY.index(event)
    return 500  # paperwork and everything else: after the meetings of the day


MEETINGS = ("cin_initial_meeting", "cin_review", "network_meeting")
# Paperwork that normally follows a meeting, a closure or a move (docs/events.md): when dated
# after the closure it still belongs to the episode that just closed.
FOLLOW_UP_PAPERWORK = (
    "closure_notification",
    "records_updated",
    "plan_distributed",
    "plan_authorised",
    "case_note",
    "minutes_distributed",
    "review_report_distributed",
    "move_out_notified",
    "transfer_information_sent",
)


@dataclass(frozen=True)
class Event:
    date: dt.date
    event: str
    qualifier: str | None


@dataclass
class Episode:
    start: dt.date | None  # referral date; None for a history with no referral at all
    end: dt.date | None = None  # closure date; None while open
    events: list[Event] = field(default_factory=list)

    def dates_of(self, *names: str) -> list[dt.date]:
        return [e.date for e in self.events if e.event in names]


@dataclass
class Plan:
    episode: Episode
    start: dt.date
    end: dt.date | None  # cin_plan_end, else the episode's closure, else None (still open)
    previous_end: dt.date | None  # end of the previous plan in the same episode, if any
    first_of_episode: bool


Span = tuple[dt.date, dt.date | None]  # first and last day of membership (None: still a member)


@dataclass
class Child:
    events: list[Event]  # every row of the child up to the as-of date, sorted
    episodes: list[Episode]
    plans: list[Plan]
    cohorts: dict[str, list[Span]] = field(default_factory=dict)  # cohort -> membership spans


def _visit_kind(qualifier: str | None) -> str:
    # Semantics decision: a visit with no qualifier (null, empty or absent) counts as 'seen'.
    if qualifier is None or qualifier.strip() == "":
        return "seen"
    return qualifier.strip()


def _build_child(events: list[Event]) -> Child:
    events = sorted(set(events), key=lambda e: (e.date, _rank(e.event), e.event, e.qualifier or ""))
    has_referral = any(e.event == "referral" for e in events)

    episodes: list[Episode] = []
    current: Episode | None = None  # the open episode
    last_closed: Episode | None = None  # receives paperwork dated after its closure
    for ev in events:
        if ev.event == "referral":
            if current is None:
                current = Episode(start=ev.date)
                episodes.append(current)
                last_closed = None
            # A referral while an episode is open is not a new episode (it would be a data
            # quality finding); it is kept as an event of the open episode.
            current.events.append(ev)
            continue
        if current is None and not has_referral and not episodes:
            # A history with no referral at all: one episode from its first row.
            current = Episode(start=None)
            episodes.append(current)
        if current is not None:
            current.events.append(ev)
            if ev.event == "closure":
                current.end = ev.date
                last_closed, current = current, None
            continue
        if last_closed is not None and ev.event in FOLLOW_UP_PAPERWORK:
            last_closed.events.append(ev)
        # Anything else before the first referral or after a closure belongs to no episode.

    plans: list[Plan] = []
    for episode in episodes:
        open_start: dt.date | None = None
        previous_end: dt.date | None = None
        count = 0
        for ev in episode.events:
            if ev.event == "cin_plan_start" and open_start is None:
                if episode.end is None or ev.date <= episode.end:
                    open_start = ev.date
            elif ev.event == "cin_plan_end" and open_start is not None:
                plans.append(Plan(episode, open_start, ev.date, previous_end, count == 0))
                previous_end, open_start, count = ev.date, None, count + 1
        if open_start is not None:
            plans.append(Plan(episode, open_start, episode.end, previous_end, count == 0))
    return Child(events, episodes, plans, _cohort_spans(events))


def _cohort_spans(events: list[Event]) -> dict[str, list[Span]]:
    """Membership spans of every cohort named by a cohort_start or cohort_end row.

    Semantics decision: cohort_start on S means a member from S; cohort_end on E means a member
    up to and including E (out from E + 1). Cohort rows count wherever they fall (before the
    referral, between episodes): a cohort is about the child, not the episode.
    Judgement calls on bad data: a cohort_start while already a member changes nothing; a
    cohort_end while not a member is ignored; a cohort_end and a cohort_start on the same day
    while a member are a continuous membership (left and rejoined that day); both on the same
    day while not a member are a membership of that one day. Touching or overlapping spans are
    merged, so membership is a plain set of days.
    """
    by_cohort: dict[str, dict[dt.date, set[str]]] = {}
    for ev in events:
        if ev.event in ("cohort_start", "cohort_end") and ev.qualifier is not None:
            by_cohort.setdefault(ev.qualifier, {}).setdefault(ev.date, set()).add(ev.event)
    out: dict[str, list[Span]] = {}
    for cohort, days in by_cohort.items():
        spans: list[Span] = []
        open_since: dt.date | None = None
        for day in sorted(days):
            kinds = days[day]
            if open_since is not None:
                if "cohort_end" in kinds:
                    spans.append((open_since, day))
                    open_since = day if "cohort_start" in kinds else None
            elif "cohort_start" in kinds:
                if "cohort_end" in kinds:
                    spans.append((day, day))
                else:
                    open_since = day
        if open_since is not None:
            spans.append((open_since, None))
        merged: list[Span] = []
        for first, last in spans:
            if merged:
                m_first, m_last = merged[-1]
                if m_last is None or first <= m_last + dt.timedelta(days=1):
                    if m_last is None or last is None:
                        merged[-1] = (m_first, None)
                    else:
                        merged[-1] = (m_first, max(m_last, last))
                    continue
            merged.append((first, last))
        out[cohort] = merged
    return out


def _in_cohort(child: Child, cohort: str, day: dt.date) -> bool:
    """Whether the child is in `cohort` on `day` (a cohort_end on `day` still counts `day`)."""
    spans = child.cohorts.get(cohort, [])
    return any(first <= day and (last is None or day <= last) for first, last in spans)


@dataclass(frozen=True)
class Applies:
    """A rule's cohort condition ("applies to" in docs/rules.md): the child must be in none of
    `not_in` and, when `in_any` is not empty, in at least one of `in_any`."""

    not_in: tuple[str, ...] = ()
    in_any: tuple[str, ...] = ()


ALL_CHILDREN = Applies()


def _under(child: Child, applies: Applies, day: dt.date) -> bool:
    """Whether a rule with this cohort condition applies to the child on `day`."""
    if any(_in_cohort(child, c, day) for c in applies.not_in):
        return False
    if applies.in_any and not any(_in_cohort(child, c, day) for c in applies.in_any):
        return False
    return True


def _first_day_with(
    child: Child, applies: Applies, after: dt.date, limit: dt.date | None, value: bool
) -> dt.date | None:
    """The first day in (after, limit] (no upper bound when `limit` is None) on which
    `_under(child, applies, day)` is `value`. Membership only changes on a cohort's first day
    or on the day after its last, so only those days (and the day after `after`) need looking
    at."""
    changes: set[dt.date] = {after + dt.timedelta(days=1)}
    for cohort in applies.not_in + applies.in_any:
        for first, last in child.cohorts.get(cohort, []):
            changes.add(first)
            if last is not None:
                changes.add(last + dt.timedelta(days=1))
    for day in sorted(changes):
        if day <= after or (limit is not None and day > limit):
            continue
        if _under(child, applies, day) == value:
            return day
    return None


def _plan_open_on(plans: list[Plan], episode: Episode, day: dt.date) -> bool:
    """A plan of this episode had already started before `day` and had not ended before it."""
    return any(
        p.episode is episode and p.start < day and (p.end is None or day <= p.end) for p in plans
    )


def _plan_initial_meeting(plan: Plan) -> dt.date | None:
    """The initial meeting that anchors the plan's cycle: the first cin_initial_meeting of the
    episode after the previous plan's end, up to the plan's end. Semantics decision: a meeting
    held before the plan start but in the same episode (e.g. the day before) still anchors it."""
    found = [
        d
        for d in plan.episode.dates_of("cin_initial_meeting")
        if (plan.previous_end is None or d > plan.previous_end)
        and (plan.end is None or d <= plan.end)
    ]
    return min(found) if found else None


# --------------------------------------------------------------------------------------------
# Obligations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    rule: str
    anchor_date: dt.date | None
    due_date: dt.date
    status: str
    met_date: dt.date | None


def _settle(
    rule: str,
    anchor: dt.date | None,
    due: dt.date,
    hit: dt.date | None,
    scope_end: dt.date | None,
    as_of: dt.date,
) -> Obligation:
    """Status of one obligation. `scope_end` is the end of the plan or episode that created it
    (None when it is still open, or when its end must not cancel the obligation)."""
    if hit is not None:
        return Obligation(rule, anchor, due, "met" if hit <= due else "late", hit)
    if scope_end is not None and scope_end < due:
        return Obligation(rule, anchor, due, "cancelled", None)
    return Obligation(rule, anchor, due, "overdue" if due < as_of else "pending", None)


def _first_unused(candidates: list[dt.date], used: set[int], lower: dt.date | None) -> int | None:
    """Index of the first candidate on or after `lower` (any, when None) not yet used."""
    for i, d in enumerate(candidates):
        if i in used:
            continue
        if lower is None or d >= lower:
            return i
    return None


def _deadline(
    rule: str,
    episode: Episode,
    anchors: list[dt.date],
    targets: list[dt.date],
    interval: tuple[int, str],
    as_of: dt.date,
) -> list[Obligation]:
    """Pairing for deadline rules: each anchor (in date order) creates one obligation, met by the
    first target on or after it not already used by an earlier anchor of the same rule."""
    out = []
    used: set[int] = set()
    targets = sorted(targets)
    for anchor in sorted(anchors):
        due = add_interval(anchor, interval)
        i = _first_unused(targets, used, anchor)
        hit = None
        if i is not None:
            used.add(i)
            hit = targets[i]
        # Closed before the due date with nothing matching: cancelled.
        out.append(_settle(rule, anchor, due, hit, episode.end, as_of))
    return out


def _deadline_superseded(
    rule: str,
    episode: Episode,
    anchors: list[dt.date],
    targets: list[dt.date],
    interval: tuple[int, str],
    as_of: dt.date,
    *,
    target_before_anchor_ok: bool = False,
) -> list[Obligation]:
    """Pairing for the rules anchored on assessment_authorised that lead to a first plan or
    meeting (LLR-PLAN-01, SW-PLAN-01, KENT-MTG-01), semantics decision "supersede". The
    decision covers LLR-MTG-01 and LLR-MTG-02 too; this reference does not implement them.

    Each anchor, in date order, takes the earliest target not used by an earlier anchor of the
    rule that is on or after it (anywhere in the episode when `target_before_anchor_ok`) and
    before the next anchor: the first anchor of the rule on a later date. An anchor that finds
    none is superseded by that next anchor and not scored at all (no obligation, not even a
    cancelled one). The anchors of the last date have no next anchor and are never superseded:
    with no target they are overdue, pending, or cancelled by the episode's closure, as usual.
    Anchors on the same date do not supersede each other (each takes its own target, and an
    unpaired one is superseded only by a later date's anchor).

    Judgement call (the decision says "before the next anchor"): a target dated on the next
    anchor's own day is not before it, so it goes to the next anchor (the day's order also puts
    the assessment before the plan start).
    """
    out = []
    used: set[int] = set()
    targets = sorted(targets)
    anchors = sorted(anchors)
    for anchor in anchors:
        later = [a for a in anchors if a > anchor]
        next_anchor = min(later) if later else None
        hit_index = None
        for i, day in enumerate(targets):
            if i in used:
                continue
            if day < anchor and not target_before_anchor_ok:
                continue
            if next_anchor is not None and day >= next_anchor:
                continue
            hit_index = i
            break
        if hit_index is None and next_anchor is not None:
            continue  # superseded by next_anchor: not scored
        hit = None
        if hit_index is not None:
            used.add(hit_index)
            hit = targets[hit_index]
        due = add_interval(anchor, interval)
        # Closed before the due date with nothing matching: cancelled.
        out.append(_settle(rule, anchor, due, hit, episode.end, as_of))
    return out


def _cycle(
    rule: str,
    child: Child,
    plan: Plan,
    applies: Applies,
    anchor: dt.date | None,
    fallback: dt.date,
    targets: list[dt.date],
    first: tuple[int, str],
    then: tuple[int, str],
    as_of: dt.date,
) -> list[Obligation]:
    """A recurring / max-gap cycle within one plan, for a rule with cohort condition `applies`.

    The first occurrence is due `first` after the anchor (or after `fallback`, the date the
    missing anchor step was itself due, when the anchor step never happened: anchor_date is then
    null); each next one is due `then` after the previous actual occurrence. Only targets inside
    the plan count. The cycle stops at the first obligation with no occurrence: that one is
    overdue or pending, or cancelled when the plan ended before it fell due.

    Cohort membership is looked at day by day (semantics decision, "cohort membership over time"):

    * Joining late. When the rule does not apply to the child on the cycle's anchor (the anchor,
      or the fallback), the cycle starts on the first day up to the plan's end or the as-of date
      on which it does (a cohort's first day, or the day after its last day); that day is the
      anchor of the first occurrence, which is due `first` after it (judgement call: `first`,
      not `then`, as this is still the cycle's first occurrence; the two differ only for
      PORT-REV-01), and only targets from that day on count for it. No such day: no obligations.
    * Leaving. Once running, on the first day L on which the rule stops applying, the cycle stops:
      only occurrences held before L count, and the occurrence then outstanding is settled as if
      the plan had ended on L - 1 (cancelled if L - 1 is before its due date, otherwise overdue
      or pending as usual). The cycle does not start again in that plan if the rule applies
      again later (the spec says the cycle "then stops").
    * Judgement call (the spec does not say): an occurrence only ever counts on a day the rule
      applies to the child. This matters only for a fallback anchor, where occurrences before
      the anchor count: one held while the child was still in an excluded cohort does not.
    """
    start = anchor if anchor is not None else fallback
    shown_anchor = anchor
    # The first occurrence may fall on the anchor's own day (e.g. a visit on the plan start);
    # later ones must be after the previous occurrence. With a fallback anchor, any occurrence
    # in the plan counts towards the first.
    lower_inclusive = max(anchor, plan.start) if anchor is not None else plan.start
    if not _under(child, applies, start):
        limit = as_of if plan.end is None else min(plan.end, as_of)
        joined = _first_day_with(child, applies, start, limit, True)
        if joined is None:
            return []
        start = shown_anchor = joined
        lower_inclusive = max(joined, plan.start)
    scope_end = plan.end
    left = _first_day_with(child, applies, start, None, False)
    if left is not None:
        stopped = left - dt.timedelta(days=1)
        scope_end = stopped if scope_end is None else min(scope_end, stopped)
    in_plan = sorted(
        {
            d
            for d in targets
            if d >= plan.start
            and (plan.end is None or d <= plan.end)
            and (left is None or d < left)
            and _under(child, applies, d)
        }
    )
    out = []
    base = start
    interval = first
    strict_after: dt.date | None = None
    while True:
        due = add_interval(base, interval)
        hit = None
        for d in in_plan:
            if d < lower_inclusive:
                continue
            if strict_after is not None and d <= strict_after:
                continue
            hit = d
            break
        out.append(_settle(rule, shown_anchor, due, hit, scope_end, as_of))
        if hit is None:
            return out
        base = shown_anchor = strict_after = hit
        interval = then


# --------------------------------------------------------------------------------------------
# Rules. Each takes one child and the as-of date and returns its obligations.
# --------------------------------------------------------------------------------------------

WD = "working_days"

# Cohort conditions ("applies to" in docs/rules.md).
KENT_NOT_DISABLED = Applies(not_in=("disabled_children",))  # KENT-VIS-01, KENT-REV-01
PORT_THREE_MONTHLY = Applies(not_in=("private_fostering", "disability_support_only"))  # PORT-REV-01
BH_MAIN_PATHWAY = Applies(not_in=("direct_payments",))  # BH-MTG-01, BH-MTG-02, BH-MTG-03


def _nat_asmt_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Working Together to Safeguard Children 2023, chapter 3 (assessments: timescales): "should be
    # no longer than 45 working days from the point of referral". Anchor: the referral; target:
    # assessment_authorised. Applies to episodes with an assessment_start (docs/rules.md); an
    # episode without a referral has no anchor and is not scored.
    out = []
    for ep in child.episodes:
        if ep.start is None or not ep.dates_of("assessment_start"):
            continue
        out += _deadline(
            "NAT-ASMT-01", ep, [ep.start], ep.dates_of("assessment_authorised"), (45, WD), as_of
        )
    return out


def _nat_cp_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Working Together 2023, chapter 3 (initial child protection conferences): "within 15 working
    # days of the strategy discussion, or the strategy discussion at which section 47 enquiries
    # were initiated if more than one has been held". Semantics decision: each icpc is paired with
    # the latest s47_start on or before it not already paired; enquiries that led to no
    # conference are not scored, so every obligation here is met or late.
    out = []
    for ep in child.episodes:
        starts = sorted(ep.dates_of("s47_start"))
        paired: set[int] = set()
        for icpc in sorted(ep.dates_of("icpc")):
            chosen = None
            for i, d in enumerate(starts):
                if d <= icpc and i not in paired:
                    chosen = i  # keep the latest
            if chosen is None:
                continue
            paired.add(chosen)
            anchor = starts[chosen]
            out.append(_settle("NAT-CP-01", anchor, add_working_days(anchor, 15), icpc, None, as_of))
    return out


def _plan_anchors(child: Child, ep: Episode) -> list[dt.date]:
    """assessment_authorised dates that can lead to a new plan: semantics decision, a
    re-assessment while a CIN plan is already open creates no new plan or first-meeting
    obligation (LLR-PLAN-01, KENT-MTG-01, SW-PLAN-01)."""
    return [
        d for d in ep.dates_of("assessment_authorised") if not _plan_open_on(child.plans, ep, d)
    ]


def _plan_starts(child: Child, ep: Episode) -> list[dt.date]:
    """Starts of the plans of `_build_child` in this episode: a cin_plan_start while a plan is
    already open, or after the closure, starts no plan and so meets nothing here."""
    return [p.start for p in child.plans if p.episode is ep]


def _plan_from_assessment_rule(
    rule: str, child: Child, interval: tuple[int, str], as_of: dt.date
) -> list[Obligation]:
    """LLR-PLAN-01 and SW-PLAN-01: assessment_authorised (not while an earlier plan is open) to
    the plan start, paired with supersede (see `_deadline_superseded`): an assessment with no plan
    before the next assessment is superseded by it and not scored, so several assessments before
    one plan give one obligation, that of the last of them. The rule applies to episodes that
    hold a plan by the as-of date ("episode has cin_plan_start"), so the last assessment of such
    an episode with no plan after it (one completed after the plan ended) is overdue, pending or
    cancelled. A plan with no assessment of its own since the previous one took a plan (after
    child protection, a transfer in) meets nothing and creates nothing."""
    out = []
    for ep in child.episodes:
        starts = _plan_starts(child, ep)
        if not starts:
            continue
        out += _deadline_superseded(rule, ep, _plan_anchors(child, ep), starts, interval, as_of)
    return out


def _llr_plan_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # LLR, Child in Need Plans and Reviews, "Child in Need plans": "The initial plan must be
    # agreed within 10 working days of completion of the assessment". Applies to episodes that
    # have a cin_plan_start (docs/rules.md). Semantics decision: supersede pairing (see
    # _plan_from_assessment_rule).
    return _plan_from_assessment_rule("LLR-PLAN-01", child, (10, WD), as_of)


def _sw_plan_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # South West, 3.1 Child in Need Plans and Reviews, section 1: "A Child in need Plan will be
    # completed within 7 days of the completion/review of the assessment." Read as 7 calendar
    # days (docs/rules.md). Judgement call, from the semantics decision: "completion/review" might
    # suggest a reviewed assessment also needs a (revised) plan within 7 days; a re-assessment
    # during an open plan creates no obligation here. Semantics decision: supersede pairing (see
    # _plan_from_assessment_rule).
    return _plan_from_assessment_rule("SW-PLAN-01", child, (7, "days"), as_of)


def _kent_mtg_01_episode(child: Child, ep: Episode, as_of: dt.date) -> list[Obligation]:
    if not _plan_starts(child, ep):
        return []
    return _deadline_superseded(
        "KENT-MTG-01",
        ep,
        _plan_anchors(child, ep),
        ep.dates_of("cin_initial_meeting"),
        (10, WD),
        as_of,
        target_before_anchor_ok=True,
    )


def _kent_mtg_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Kent, Child in Need Plans and Meetings Policy, section 5 (Initial Child in Need meeting):
    # "The Child in Need Meeting should take place within 10 working days of completing a Child
    # and Family Assessment ... On some occasions, this may be before the completion of the Child
    # and Family Assessment." Semantics decision: a meeting held before the assessment completed
    # (but within the episode) meets the rule, so the target is the first unused initial meeting
    # anywhere in the episode before the next assessment; an assessment with none before the
    # next one is superseded by it and not scored (see _deadline_superseded). Applies to
    # episodes that have a cin_plan_start.
    out = []
    for ep in child.episodes:
        out += _kent_mtg_01_episode(child, ep, as_of)
    return out


def _paperwork_for(ep: Episode, meeting: dt.date, paperwork: str) -> list[int]:
    """Indices (into ep.events) of the paperwork rows that belong to a meeting held on `meeting`.
    Semantics decision: paperwork belongs to the latest meeting (initial, review or network) on
    or before it, so a row dated after a later meeting is never credited to an earlier one."""
    meetings = ep.dates_of(*MEETINGS)
    out = []
    for i, ev in enumerate(ep.events):
        if ev.event != paperwork or ev.date < meeting:
            continue
        if any(meeting < m <= ev.date for m in meetings):
            continue
        out.append(i)
    return out


def _paperwork_rule(
    rule: str,
    child: Child,
    anchors_from: tuple[str, ...],
    paperwork: str,
    interval: tuple[int, str],
    as_of: dt.date,
    applies: Applies = ALL_CHILDREN,
) -> list[Obligation]:
    # Each meeting creates one obligation, met by the first paperwork row that belongs to it and
    # is not yet credited: each row is credited to at most one meeting obligation of the rule
    # (meetings on the same day compete for it; the first in the day's order wins).
    # Judgement call: the episode's closure does not cancel paperwork obligations, because
    # paperwork is expected to follow the last meeting even after closure (docs/events.md exempts
    # it from the "event after closure" finding), so scope_end is None here.
    # A deadline looks at the cohort on its anchor's date only (semantics decision): a meeting on
    # a day the rule does not apply to the child creates no obligation. Its paperwork still
    # belongs to it (never to an earlier meeting), and meetings that compete for a row are on
    # the same day, so they are all in or all out.
    out = []
    for ep in child.episodes:
        used: set[int] = set()
        for meeting in [e for e in ep.events if e.event in anchors_from]:
            if not _under(child, applies, meeting.date):
                continue
            hit = None
            for i in _paperwork_for(ep, meeting.date, paperwork):  # in date order
                if i not in used:
                    used.add(i)
                    hit = ep.events[i].date
                    break
            due = add_interval(meeting.date, interval)
            out.append(_settle(rule, meeting.date, due, hit, None, as_of))
    return out


def _kent_mtg_04(child: Child, as_of: dt.date) -> list[Obligation]:
    # Kent policy, section 5 (Initial Child in Need meeting): "A case note should be put on the
    # child's file by the minute taker, noting who chaired the meeting and the date of the next
    # meeting - within 1 working day."
    return _paperwork_rule(
        "KENT-MTG-04", child, ("cin_initial_meeting",), "case_note", (1, WD), as_of
    )


def _bh_mtg_03(child: Child, as_of: dt.date) -> list[Obligation]:
    # Brighton and Hove, 1.4.3 Children in Need Plans and Network Meetings, section 6: "The minutes
    # should be distributed to all parties involved ..., within ten working days." Anchored on
    # every initial, network or review meeting (docs/rules.md). Semantics decision: section 8
    # ("Procedure for Children in Need subject to Direct Payments and held in ICDDS
    # (non-safeguarding pathway)") stands apart from sections 1 to 7, so a meeting held while the
    # child is in cohort direct_payments creates no obligation.
    return _paperwork_rule(
        "BH-MTG-03", child, MEETINGS, "minutes_distributed", (10, WD), as_of, BH_MAIN_PATHWAY
    )


def _kent_vis_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Kent policy, section 5 (Initial Child in Need meeting): "Agree on the frequency that the
    # social worker will visit the child & family, this should be no less than every 4 weeks."
    # max_gap, first counted from the plan start; visits seen or seen alone (null = seen).
    # Not for cohort disabled_children (section 6 has its own cadence), day by day (see _cycle).
    out = []
    for plan in child.plans:
        visits = [
            e.date
            for e in plan.episode.events
            if e.event == "visit" and _visit_kind(e.qualifier) in ("seen", "seen_alone")
        ]
        out += _cycle(
            "KENT-VIS-01",
            child,
            plan,
            KENT_NOT_DISABLED,
            plan.start,
            plan.start,
            visits,
            (4, "weeks"),
            (4, "weeks"),
            as_of,
        )
    return out


def _kent_initial_meeting_due(child: Child, plan: Plan, as_of: dt.date) -> dt.date:
    """When the plan's initial meeting was due under KENT-MTG-01: the due date of the KENT-MTG-01
    obligation whose assessment completed last on or before the plan start (after any previous
    plan of the episode). An assessment superseded by a later one has no KENT-MTG-01 obligation
    and so is never the one (see kent_rev_fallback_not_from_superseded_assessment). Judgement
    call: with no such obligation (a plan after child protection or a transfer in, or a plan
    whose assessment was superseded by one after the plan ended), the cycle runs from the plan
    start.

    The semantics ("the due date of the fallback rule's unmet obligation whose clock started last
    on or before the plan's start"): this is only used when the plan has no initial meeting, so
    the obligation is unmet in all but one corner, not settled by the spec and not looked for
    here: an obligation that KENT-MTG-01 counts as met by a meeting outside the plan's window
    (an earlier plan's meeting). Assessments before the previous plan's end are not looked at."""
    found = [
        ob
        for ob in _kent_mtg_01_episode(child, plan.episode, as_of)
        if ob.anchor_date is not None
        and ob.anchor_date <= plan.start
        and (plan.previous_end is None or ob.anchor_date > plan.previous_end)
    ]
    if not found:
        return plan.start
    return max(found, key=lambda ob: ob.anchor_date or plan.start).due_date


def _kent_rev_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Kent policy, section 5 (Child in Need review meetings): "The Review Child in Need meeting
    # should be held a minimum of every 12 weeks." docs/rules.md anchors the first review 12
    # weeks after the initial meeting. Semantics decision: with no initial meeting, the cycle
    # runs from the date the initial meeting was due under KENT-MTG-01. Not for cohort
    # disabled_children (section 6: KENT-DCS-01), day by day (see _cycle).
    out = []
    for plan in child.plans:
        anchor = _plan_initial_meeting(plan)
        fallback = _kent_initial_meeting_due(child, plan, as_of)
        reviews = plan.episode.dates_of("cin_review")
        out += _cycle(
            "KENT-REV-01",
            child,
            plan,
            KENT_NOT_DISABLED,
            anchor,
            fallback,
            reviews,
            (12, "weeks"),
            (12, "weeks"),
            as_of,
        )
    return out


def _first_allocation(ep: Episode) -> dt.date | None:
    """The date of the episode's first `allocated` event, the day the case was opened to a team
    after the front door (docs/events.md, decision PORT-PLAN-01: "the case is opened (allocated)
    to a team after the front door, e.g. a locality team after the MASH").

    Decision: the FIRST `allocated` event of the episode, "on or after its referral, before its
    closure"; later ones (the case moved between teams) start nothing. An episode's events are
    already the ones from its referral up to its closure (see `_build_child`: an `allocated` row
    before the first referral, or after a closure and before the next referral, belongs to no
    episode; one on the closure day comes before the closure in the day's order, so it is in the
    episode). Rows after the as-of date were dropped before anything was built.
    Judgement call: an episode with no referral (a history with no referral at all) has no
    "on or after its referral", so no allocation counts for it."""
    if ep.start is None:
        return None
    days = ep.dates_of("allocated")
    return min(days) if days else None


def _port_plan_01_due(child: Child, ep: Episode) -> dt.date | None:
    """The due date of the episode's PORT-PLAN-01 obligation (first allocation + 25 working days),
    or None when the rule did not arise for the episode (no CIN plan start, or no allocation)."""
    allocated = _first_allocation(ep)
    if allocated is None or not _plan_starts(child, ep):
        return None
    return add_working_days(allocated, 25)


def _port_plan_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Portsmouth, CIN Procedures (revised November 2015), 2.1 Interim Plan: "An interim plan will
    # be developed within 25 working days of opening to the Locality Teams, in some cases this
    # will be in advance of completion of the SAF (45 day assessments for more complex cases)."
    # Decision (PORT-PLAN-01, replacing the count from the referral): "PORT-PLAN-01 counts 25
    # working days from the FIRST `allocated` event of the episode (on or after its referral,
    # before its closure). Later `allocated` events in the same episode (the case moved between
    # teams) start nothing." and "An episode with no `allocated` event gets no PORT-PLAN-01
    # obligation at all (when the team opened the case cannot be known)". Everything else is as
    # before: only for episodes that go on to a CIN plan (by the as-of date), target interim_plan,
    # usual deadline pairing (`_deadline`: the first interim plan ON OR AFTER the allocation; an
    # interim plan dated before the allocation, e.g. drafted while the MASH held the case, does
    # not meet it: the product's deadlines only count a target before the anchor where a rule
    # says so, as KENT-MTG-01 does), cancelled when the episode closes before the due date with
    # no interim plan, overdue or pending by the as-of date.
    out = []
    for ep in child.episodes:
        allocated = _first_allocation(ep)
        if allocated is None or not _plan_starts(child, ep):
            continue
        out += _deadline(
            "PORT-PLAN-01", ep, [allocated], ep.dates_of("interim_plan"), (25, WD), as_of
        )
    return out


def _port_mtg_01_fallback(child: Child, ep: Episode) -> dt.date | None:
    """The date PORT-MTG-01's clock runs from in an episode with no interim plan at all, or None
    when the rule creates no such obligation (the episode has no CIN plan start).

    docs/semantics.md: "The cycle still runs: from the date the missing step was due under its
    own rule (the rule's `fallback`), or, when that rule did not arise, from the plan's start."
    (the fallback: "the date the named earlier rule's unmet obligation was due, or else the start
    of the plan"). So: the due date of the episode's PORT-PLAN-01 obligation (first allocation +
    25 working days; with no interim plan in the episode it is unmet: overdue, pending or
    cancelled), or, when PORT-PLAN-01 did not arise because the episode has no allocation, the
    start of the plan. Judgement call: PORT-MTG-01 is episode-scoped, so "the plan" is the
    episode's first CIN plan (the earliest cin_plan_start that starts a plan)."""
    starts = _plan_starts(child, ep)
    if not starts:
        return None
    plan_01_due = _port_plan_01_due(child, ep)
    return plan_01_due if plan_01_due is not None else min(starts)


def _port_mtg_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Portsmouth, 2.2 Initial multi-agency planning meetings: "An initial multi-agency planning
    # meeting will be convened within 5 weeks of this interim plan (in total a 45 day
    # intervention)". Each interim plan creates one obligation (all children, with or without a
    # CIN plan or an allocation). Semantics decision: when the episode goes on to a CIN plan and
    # has no interim plan at all, the meeting is still due, 5 weeks after the fallback date (see
    # `_port_mtg_01_fallback`: when the interim plan was due under PORT-PLAN-01, i.e. first
    # allocation + 25 working days, or, with no allocation, the plan's start), anchor_date null
    # (assumed); met by the first initial meeting anywhere in the episode.
    out = []
    for ep in child.episodes:
        interims = ep.dates_of("interim_plan")
        meetings = sorted(ep.dates_of("cin_initial_meeting"))
        if interims:
            out += _deadline("PORT-MTG-01", ep, interims, meetings, (5, "weeks"), as_of)
            continue
        clock = _port_mtg_01_fallback(child, ep)
        if clock is None:
            continue
        due = add_interval(clock, (5, "weeks"))
        hit = meetings[0] if meetings else None
        out.append(_settle("PORT-MTG-01", None, due, hit, ep.end, as_of))
    return out


def _port_initial_meeting_due(child: Child, plan: Plan) -> dt.date:
    """When the plan's initial meeting was due under PORT-MTG-01 (PORT-REV-01's fallback: "the
    date PORT-MTG-01 was due, or else from the plan's start"): 5 weeks after the plan's interim
    plan, or, with no interim plan, 5 weeks after PORT-MTG-01's own fallback date (the date the
    interim plan was due under PORT-PLAN-01, first allocation + 25 working days; with no
    allocation, the plan's start). Judgement call: a later plan of the episode with no interim
    plan of its own runs from the plan start."""
    interims = [
        d
        for d in plan.episode.dates_of("interim_plan")
        if (plan.previous_end is None or d > plan.previous_end)
        and (plan.end is None or d <= plan.end)
    ]
    if interims:
        return add_interval(min(interims), (5, "weeks"))
    if plan.first_of_episode:
        plan_01_due = _port_plan_01_due(child, plan.episode)
        clock = plan_01_due if plan_01_due is not None else plan.start
        return add_interval(clock, (5, "weeks"))
    return plan.start


def _port_rev_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Portsmouth, 3. Review of Child in Need Plans: "The Plan will be reviewed within 12 weeks of
    # the initial multi-agency planning meeting, subsequent reviews will be held every three
    # months; however there may be some circumstances where it is appropriate to review the
    # package of support at six monthly intervals, such as Private Fostering and for children who
    # have complex needs arising from their disability/health needs and where there are no
    # additional needs." Semantics decision: the exception is the narrow one named there (and in
    # 2.4: "where the need is met through the provision of long term practical support and there
    # are no other additional needs/concerns"), modelled as cohort disability_support_only; so
    # PORT-REV-01 is for children in neither private_fostering nor disability_support_only, and a
    # child merely in disabled_children keeps the three-monthly reviews. Day by day (_cycle).
    out = []
    for plan in child.plans:
        anchor = _plan_initial_meeting(plan)
        fallback = _port_initial_meeting_due(child, plan)
        reviews = plan.episode.dates_of("cin_review")
        out += _cycle(
            "PORT-REV-01",
            child,
            plan,
            PORT_THREE_MONTHLY,
            anchor,
            fallback,
            reviews,
            (12, "weeks"),
            (3, "months"),
            as_of,
        )
    return out


def _port_rev_04(child: Child, as_of: dt.date) -> list[Obligation]:
    # Portsmouth, 3. Review of Child in Need Plans: "The Child/Young Person must be seen and spoken
    # to alone by the allocated worker prior to the review". docs/rules.md: a seen-alone visit
    # counts if it falls after the previous review (or the plan's start) and on or before the
    # review. Only a visit qualified seen_alone counts (a null qualifier is 'seen', not alone).
    # Judgement calls: the obligation's anchor and due date are both the review's date; the window
    # is [plan start, review] for the first review of a plan and (previous review, review] after;
    # met_date is the latest seen-alone visit in the window. A review with no such visit cannot
    # become met later, so it is overdue (pending only if the review is on the as-of date).
    out = []
    for plan in child.plans:
        reviews = sorted(
            d
            for d in plan.episode.dates_of("cin_review")
            if d >= plan.start and (plan.end is None or d <= plan.end)
        )
        alone = [
            e.date
            for e in plan.episode.events
            if e.event == "visit" and _visit_kind(e.qualifier) == "seen_alone"
        ]
        previous: dt.date | None = None
        for review in reviews:
            window = [
                d
                for d in alone
                if d <= review and (d > previous if previous is not None else d >= plan.start)
            ]
            hit = max(window) if window else None
            out.append(_settle("PORT-REV-04", review, review, hit, None, as_of))
            previous = review
    return out


def _bh_mtg_01(child: Child, as_of: dt.date) -> list[Obligation]:
    # Brighton and Hove, 1.4.3, section 5: "the Initial Child in Need Network Meeting should be
    # arranged no later than fifteen working days after the establishment of a Child in Need
    # Plan." Plan-scoped (docs/rules.md), so, per the semantics decision that plan-scoped rules are
    # met only by events inside their plan, an initial meeting dated before the plan start does
    # NOT meet this rule, although it does anchor BH-MTG-02 (see the report: this looks wrong
    # against "no later than").
    # Semantics decision: not for the direct-payments pathway (section 8 stands apart from
    # sections 1 to 7); as a deadline it looks at the cohort on the plan's start date only.
    out = []
    for plan in child.plans:
        if not _under(child, BH_MAIN_PATHWAY, plan.start):
            continue
        due = add_working_days(plan.start, 15)
        meetings = sorted(
            d
            for d in plan.episode.dates_of("cin_initial_meeting")
            if d >= plan.start and (plan.end is None or d <= plan.end)
        )
        hit = meetings[0] if meetings else None
        out.append(_settle("BH-MTG-01", plan.start, due, hit, plan.end, as_of))
    return out


def _bh_mtg_02(child: Child, as_of: dt.date) -> list[Obligation]:
    # Brighton and Hove, 1.4.3, sections 1 and 5: "Child in Need Network Meetings should be held
    # once every 3 months ... This should be, at a minimum of once every 3 months." First due 3
    # months after the initial meeting; a network meeting or a review counts. Semantics decision:
    # with no initial meeting, the cycle runs from the date it was due under BH-MTG-01 (plan start
    # + 15 working days). Not for the direct payments pathway (section 8 has its own cadence),
    # day by day (see _cycle). Semantics decision ("when that rule did not arise, from the
    # plan's start"): when BH-MTG-01 did not arise for the plan (the child was on the
    # direct-payments pathway on the plan start), the fallback is the plan start itself.
    out = []
    for plan in child.plans:
        anchor = _plan_initial_meeting(plan)
        if _under(child, BH_MAIN_PATHWAY, plan.start):
            fallback = add_working_days(plan.start, 15)
        else:
            fallback = plan.start
        targets = plan.episode.dates_of("network_meeting", "cin_review")
        out += _cycle(
            "BH-MTG-02",
            child,
            plan,
            BH_MAIN_PATHWAY,
            anchor,
            fallback,
            targets,
            (3, "months"),
            (3, "months"),
            as_of,
        )
    return out


RULES = {
    "NAT-ASMT-01": _nat_asmt_01,
    "NAT-CP-01": _nat_cp_01,
    "LLR-PLAN-01": _llr_plan_01,
    "KENT-MTG-01": _kent_mtg_01,
    "KENT-MTG-04": _kent_mtg_04,
    "KENT-VIS-01": _kent_vis_01,
    "KENT-REV-01": _kent_rev_01,
    "PORT-PLAN-01": _port_plan_01,
    "PORT-MTG-01": _port_mtg_01,
    "PORT-REV-01": _port_rev_01,
    "PORT-REV-04": _port_rev_04,
    "BH-MTG-01": _bh_mtg_01,
    "BH-MTG-02": _bh_mtg_02,
    "BH-MTG-03": _bh_mtg_03,
    "SW-PLAN-01": _sw_plan_01,
}

# --------------------------------------------------------------------------------------------
# Frame interface
# --------------------------------------------------------------------------------------------

OUTPUT_SCHEMA = {
    "child_id": pl.String,
    "rule": pl.String,
    "anchor_date": pl.Date,
    "due_date": pl.Date,
    "status": pl.String,
    "met_date": pl.Date,
}


def _rows_by_child(events: pl.DataFrame, as_of: dt.date) -> dict[str, list[Event]]:
    has_qualifier = "qualifier" in events.columns
    by_child: dict[str, list[Event]] = {}
    for row in events.iter_rows(named=True):
        child_id, name, day = row["child_id"], row["event"], row["date"]
        if child_id is None or name is None or day is None:
            continue
        if isinstance(day, dt.datetime):
            day = day.date()
        # Semantics decision: an extract taken on the as-of date would not contain later rows.
        if day > as_of:
            continue
        qualifier = row["qualifier"] if has_qualifier else None
        by_child.setdefault(str(child_id), []).append(
            Event(day, str(name), None if qualifier is None else str(qualifier))
        )
    return by_child


def reference_obligations(
    events: pl.DataFrame, rules: list[str], as_of: dt.date
) -> pl.DataFrame:
    """Score `events` (child_id, event, date, [qualifier], [episode_id]) under `rules` at `as_of`.

    Returns one row per obligation: child_id, rule, anchor_date (null when the anchor step is
    missing and the obligation runs from the date that step was due), due_date, status (met,
    late, overdue, pending or cancelled) and met_date.
    """
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"rules not implemented by the reference: {unknown}")
    records = []
    for child_id, rows in sorted(_rows_by_child(events, as_of).items()):
        child = _build_child(rows)
        for rule in rules:
            for ob in RULES[rule](child, as_of):
                records.append(
                    {
                        "child_id": child_id,
                        "rule": ob.rule,
                        "anchor_date": ob.anchor_date,
                        "due_date": ob.due_date,
                        "status": ob.status,
                        "met_date": ob.met_date,
                    }
                )
    frame = pl.DataFrame(records, schema=OUTPUT_SCHEMA, orient="row") if records else pl.DataFrame(
        schema=OUTPUT_SCHEMA
    )
    return frame.sort(["child_id", "rule", "due_date", "anchor_date"], nulls_last=False)
