"""Deterministic generator of messy case histories shaped like real extracts.

Independent of the project's own synthetic generator. Each child gets a referral, usually an
assessment, often a CIN plan with visits, meetings, reviews and their paperwork, sometimes a
section 47 enquiry, and the kinds of mess real extracts have:

* visits with a null or empty ("absent") qualifier, and not_seen visits;
* plans with no initial meeting, or with the initial meeting dated the day before the plan start;
* re-assessments during an open plan, and several assessments completed before one plan;
* several s47_start before one icpc, and enquiries with no conference;
* two meetings on one day;
* paperwork (case_note, minutes_distributed, ...) dated after a later meeting;
* events after the closure, a second episode after a closure;
* events late in 2025, after any as-of date a test is likely to use, and plans still open;
* children who join or leave a cohort (disabled_children, disability_support_only,
  private_fostering, direct_payments, now and then short_breaks or complex_needs) in the middle
  of a plan, some of them on the plan start or the initial meeting day itself;
* `allocated` rows (the case opened to a Locality Team after the MASH, which Portsmouth's
  PORT-PLAN-01 counts from): usually one a few working days after the referral, sometimes on the
  referral day, sometimes after a longer hold at the front door (after the interim plan, now and
  then), sometimes none at all, and sometimes a second one later in the episode (a move between
  teams), always before the episode's closure;
* unsorted rows and exact duplicate rows.

Cohort rows are drawn from a second random stream, so adding them left every other row as it
was (the extra assessments before a plan come from a third, and the allocations from a fourth,
for the same reason); they never put a cohort_start and a cohort_end of one cohort on the same
day (a reading the reference has to choose and the semantics do not settle).

All dates fall between 2022-01-01 and 2025-12-31.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

__all__ = ["messy_cohort"]

FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)

_SCHEMA = {"child_id": pl.String, "event": pl.String, "date": pl.Date, "qualifier": pl.String}


def _visit_qualifier(rng: random.Random) -> str | None:
    choices: list[str | None] = ["seen", "seen_alone", "not_seen", None, ""]
    return rng.choices(choices, weights=[40, 25, 10, 15, 10])[0]


Row = tuple[str, dt.date, str | None]

# Cohorts whose membership changes during a plan (weights): the four the reference's rules look
# at, and two they do not (which must change nothing).
_MID_PLAN_COHORTS = {
    "disabled_children": 25,
    "disability_support_only": 20,
    "private_fostering": 20,
    "direct_payments": 25,
    "short_breaks": 5,
    "complex_needs": 5,
}


def _cohort_changes(
    crng: random.Random,
    plan_start: dt.date,
    horizon: dt.date,
    anchor_days: list[dt.date],
    cohort_rows: list[Row],
) -> None:
    """Sometimes put a cohort change in the middle of the plan [plan_start, horizon]."""
    if crng.random() >= 0.5:
        return
    cohort = crng.choices(list(_MID_PLAN_COHORTS), weights=list(_MID_PLAN_COHORTS.values()))[0]
    length = max((horizon - plan_start).days, 2)

    def days(lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=crng.randint(lo, hi))

    shape = crng.random()
    if shape < 0.4:
        # Joins during the plan; sometimes leaves again, during the plan or after it.
        start = plan_start + days(1, length - 1)
        cohort_rows.append(("cohort_start", start, cohort))
        if crng.random() < 0.45:
            cohort_rows.append(("cohort_end", start + days(1, 300), cohort))
    elif shape < 0.8:
        # A member since before the plan (or from its first day); leaves during the plan.
        start = plan_start - days(0, 400)
        end = plan_start + days(1, length - 1)
        cohort_rows.append(("cohort_start", max(start, FIRST_DAY), cohort))
        cohort_rows.append(("cohort_end", end, cohort))
    else:
        # On an anchor's own day: joins on it, or leaves on it (still a member that day).
        day = crng.choice(anchor_days)
        if crng.random() < 0.5:
            cohort_rows.append(("cohort_start", day, cohort))
            if crng.random() < 0.4:
                cohort_rows.append(("cohort_end", day + days(20, 200), cohort))
        else:
            cohort_rows.append(("cohort_start", max(day - days(1, 300), FIRST_DAY), cohort))
            cohort_rows.append(("cohort_end", day, cohort))


def _episode(
    rng: random.Random,
    referral: dt.date,
    rows: list[Row],
    crng: random.Random,
    cohort_rows: list[Row],
    arng: random.Random,
    extra_rows: list[Row],
) -> dt.date | None:
    """Append one episode's rows (its cohort changes, drawn from `crng`, to `cohort_rows`; the
    earlier assessments before its plan, drawn from `arng`, to `extra_rows`); return its closure
    date (None if still open)."""

    def add(event: str, day: dt.date, qualifier: str | None = None) -> None:
        rows.append((event, day, qualifier))

    def days(lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=rng.randint(lo, hi))

    add("referral", referral)

    # Section 47 enquiries: sometimes several before one conference, sometimes no conference.
    if rng.random() < 0.2:
        s47 = referral + days(0, 10)
        add("strategy_discussion", s47)
        add("s47_start", s47)
        for _ in range(rng.choice([0, 0, 1, 2])):
            s47 = s47 + days(1, 10)
            add("s47_start", s47)
        if rng.random() < 0.7:
            add("icpc", s47 + days(5, 35))

    assessed = rng.random() < 0.9
    authorised: dt.date | None = None
    if assessed:
        add("assessment_start", referral + days(0, 5))
        if rng.random() < 0.92:
            authorised = referral + days(15, 90)
            add("assessment_authorised", authorised)

    if rng.random() < 0.6:
        add("interim_plan", referral + days(5, 45))

    gets_plan = authorised is not None and rng.random() < 0.75
    if not gets_plan:
        if rng.random() < 0.75:
            closure = referral + days(20, 150)
            add("closure", closure, rng.choice(["RC1", "RC8", "RC9"]))
            return closure
        return None

    assert authorised is not None
    # Sometimes one or two assessments completed earlier, before the one the plan follows.
    for _ in range(arng.choices([0, 1, 2], weights=[80, 15, 5])[0]):
        earlier = referral + dt.timedelta(days=arng.randint(1, (authorised - referral).days - 1))
        extra_rows.append(("assessment_authorised", earlier, None))
    plan_start = authorised + days(0, 21)
    add("cin_plan_start", plan_start, rng.choice(["assessment", "assessment", None]))
    length = rng.randint(40, 800)
    plan_end: dt.date | None = plan_start + dt.timedelta(days=length)
    if rng.random() < 0.3:
        plan_end = None  # still open whatever the as-of date
    horizon = plan_end if plan_end is not None else LAST_DAY

    # Initial meeting: missing, the day before the plan start, or some days after it.
    shape = rng.random()
    meetings: list[tuple[str, dt.date]] = []
    if shape < 0.15:
        initial = None
    elif shape < 0.3:
        initial = plan_start - dt.timedelta(days=1)
    else:
        initial = plan_start + days(2, 35)
    if initial is not None:
        meetings.append(("cin_initial_meeting", initial))
    _cohort_changes(
        crng,
        plan_start,
        horizon,
        [plan_start] + ([initial] if initial is not None else []),
        cohort_rows,
    )

    # Reviews and network meetings, at irregular intervals; sometimes two on one day.
    day = initial if initial is not None else plan_start
    while True:
        day = day + days(30, 130)
        if day > horizon:
            break
        kind = rng.choice(["cin_review", "cin_review", "network_meeting"])
        meetings.append((kind, day))
        if rng.random() < 0.1:
            other = "network_meeting" if kind == "cin_review" else "cin_review"
            meetings.append((other, day))
    for kind, when in meetings:
        add(kind, when)

    # Paperwork after each meeting; sometimes dated after the next meeting.
    meeting_days = sorted({when for _, when in meetings})
    for kind, when in meetings:
        later = [m for m in meeting_days if m > when]
        for paper, p_keep, lo, hi in [
            ("case_note", 0.8, 0, 4),
            ("minutes_distributed", 0.7, 1, 20),
            ("plan_authorised", 0.5, 0, 10),
            ("plan_distributed", 0.4, 0, 10),
            ("review_report_distributed", 0.4 if kind == "cin_review" else 0.0, 0, 8),
        ]:
            if rng.random() >= p_keep:
                continue
            if later and rng.random() < 0.12:
                add(paper, later[0] + days(1, 6))
            else:
                add(paper, when + days(lo, hi))

    # Visits, some late, some not seen, some with no qualifier.
    day = plan_start
    while True:
        day = day + days(7, 45)
        if day > horizon:
            break
        add("visit", day, _visit_qualifier(rng))
        if rng.random() < 0.05:
            add("visit", day, _visit_qualifier(rng))  # a second visit the same day

    # A re-assessment during the open plan.
    if rng.random() < 0.15:
        again = plan_start + days(20, 200)
        if again < horizon:
            add("assessment_start", again)
            add("assessment_authorised", again + days(10, 40))

    if plan_end is None:
        return None
    closed: dt.date | None = None
    if rng.random() < 0.8:
        add("cin_plan_end", plan_end, rng.choice(["goals met", "step down", None]))
        closed = plan_end + days(0, 30)
        add("closure", closed, rng.choice(["RC1", "RC2", "RC8"]))
    elif rng.random() < 0.5:
        # Closed without a plan end: the closure ends the plan.
        closed = plan_end
        add("closure", closed, "RC8")
    if closed is not None and rng.random() < 0.3:
        # Rows after the closure: late paperwork and visits that should not have happened.
        add("case_note", closed + days(1, 10))
        add("visit", closed + days(1, 30), _visit_qualifier(rng))
        add("cin_review", closed + days(5, 40))
    return closed


def _after_working_days(day: dt.date, n: int) -> dt.date:
    """`n` weekdays after `day` (bank holidays are not skipped: this only shapes the data)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _allocations(
    lrng: random.Random, referral: dt.date, closed: dt.date | None, alloc_rows: list[Row]
) -> None:
    """Append the `allocated` rows of the episode opened by `referral` (closed on `closed`, None
    while open) to `alloc_rows`: none (about 15%), on the referral day (15%), a few working days
    after it (55%) or after a longer hold at the front door (15%); then, for one episode in five,
    a second allocation later, before the closure."""
    shape = lrng.random()
    if shape < 0.15:
        return
    if shape < 0.30:
        first = referral
    elif shape < 0.85:
        first = _after_working_days(referral, lrng.randint(1, 6))
    else:
        first = _after_working_days(referral, lrng.randint(8, 30))
    if closed is not None and first >= closed:
        return  # no allocation before an early closure
    alloc_rows.append(("allocated", first, None))
    if lrng.random() < 0.2:
        second = first + dt.timedelta(days=lrng.randint(5, 250))
        if closed is None or second < closed:
            alloc_rows.append(("allocated", second, None))


def messy_cohort(n_children: int, seed: int) -> pl.DataFrame:
    """`n_children` messy histories (child_id, event, date, qualifier), deterministic in `seed`."""
    rng = random.Random(seed)
    crng = random.Random(f"cohorts-{seed}")  # cohort changes: a stream of their own
    arng = random.Random(f"assessments-{seed}")  # earlier assessments: another one
    lrng = random.Random(f"allocations-{seed}")  # allocations to a team: a fourth
    rows: list[tuple[str, str, dt.date, str | None]] = []
    span = (dt.date(2025, 6, 30) - FIRST_DAY).days
    for i in range(n_children):
        child_id = f"M{seed}-{i:05d}"
        child_rows: list[Row] = []
        cohort_rows: list[Row] = []
        extra_rows: list[Row] = []
        alloc_rows: list[Row] = []
        if rng.random() < 0.05:
            cohort = rng.choice(["disabled_children", "direct_payments", "private_fostering"])
            start = FIRST_DAY + dt.timedelta(days=rng.randint(0, 400))
            child_rows.append(("cohort_start", start, cohort))
        referral = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
        closed = _episode(rng, referral, child_rows, crng, cohort_rows, arng, extra_rows)
        _allocations(lrng, referral, closed, alloc_rows)
        if closed is not None and rng.random() < 0.15:
            second = closed + dt.timedelta(days=rng.randint(20, 300))
            if second <= LAST_DAY:
                closed_again = _episode(
                    rng, second, child_rows, crng, cohort_rows, arng, extra_rows
                )
                _allocations(lrng, second, closed_again, alloc_rows)
        for event, day, qualifier in child_rows:
            if FIRST_DAY <= day <= LAST_DAY:
                rows.append((child_id, event, day, qualifier))
                if rng.random() < 0.03:
                    rows.append((child_id, event, day, qualifier))  # exact duplicate row
        starts = {(q, day) for e, day, q in child_rows + cohort_rows if e == "cohort_start"}
        for event, day, qualifier in cohort_rows:
            while event == "cohort_end" and (qualifier, day) in starts:
                day += dt.timedelta(days=1)  # never a start and an end of one cohort on one day
            if FIRST_DAY <= day <= LAST_DAY:
                rows.append((child_id, event, day, qualifier))
                if crng.random() < 0.03:
                    rows.append((child_id, event, day, qualifier))  # exact duplicate row
        for event, day, qualifier in extra_rows:
            if FIRST_DAY <= day <= LAST_DAY:
                rows.append((child_id, event, day, qualifier))
                if arng.random() < 0.03:
                    rows.append((child_id, event, day, qualifier))  # exact duplicate row
        for event, day, qualifier in alloc_rows:
            if FIRST_DAY <= day <= LAST_DAY:
                rows.append((child_id, event, day, qualifier))
                if lrng.random() < 0.03:
                    rows.append((child_id, event, day, qualifier))  # exact duplicate row
    rng.shuffle(rows)
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")
