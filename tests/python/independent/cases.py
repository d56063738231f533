"""Hand-built cases: one child each, with the expected obligations worked out by hand.

Every expected date is computed in the comment next to it, from the procedure wording and the
product's semantics decisions, with a printed calendar and the England and Wales bank holidays
(2023: 2 Jan, 7 and 10 Apr, 1, 8 and 29 May, 28 Aug, 25 and 26 Dec; 2024: 1 Jan, 29 Mar, 1 Apr,
6 and 27 May, 26 Aug, 25 and 26 Dec). "N WD" = N working days; the anchor day is never counted.

`Row` is (rule, due_date, status, met_date) with an optional anchor_date: when given, it is
checked too (None meaning "must be null"); when left as UNCHECKED it is not.

Each case lists the rules it scores; the expected rows are the complete output for those rules.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

UNCHECKED = "unchecked"


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


class Row(NamedTuple):
    rule: str
    due_date: dt.date
    status: str
    met_date: dt.date | None
    anchor_date: dt.date | None | str = UNCHECKED


class Case(NamedTuple):
    name: str
    as_of: dt.date
    rules: tuple[str, ...]
    events: tuple[tuple[str, str, str | None], ...]  # (event, ISO date, qualifier)
    expected: tuple[Row, ...]


CASES: list[Case] = [
    # ---------------------------------------------------------------- KENT-VIS-01 (visits)
    Case(
        # Repro. Kent policy s5: "no less than every 4 weeks"; first from the plan start; a visit
        # with a null qualifier counts as seen.
        "kent_vis_null_qualifier_chain",
        d("2024-03-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-01-15", None),
        ),
        (
            # 2024-01-08 + 4 weeks = 2024-02-05; visit 2024-01-15 (null = seen) -> met
            Row("KENT-VIS-01", d("2024-02-05"), "met", d("2024-01-15"), d("2024-01-08")),
            # next from the actual visit: 2024-01-15 + 28 days = 2024-02-12; no visit;
            # 2024-02-12 < as_of 2024-03-01 -> overdue; the cycle stops here
            Row("KENT-VIS-01", d("2024-02-12"), "overdue", None, d("2024-01-15")),
        ),
    ),
    Case(
        # not_seen does not count, an empty qualifier is seen; the plan ends before the next is due.
        "kent_vis_not_seen_empty_and_cancelled",
        d("2024-06-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-01-20", "not_seen"),
            ("visit", "2024-02-01", ""),
            ("cin_plan_end", "2024-02-20", "goals met"),
        ),
        (
            # 2024-01-08 + 28 = 2024-02-05; 2024-01-20 is not_seen; 2024-02-01 ("" = seen) -> met
            Row("KENT-VIS-01", d("2024-02-05"), "met", d("2024-02-01")),
            # 2024-02-01 + 28 = 2024-02-29 (leap year); plan ended 2024-02-20 < due -> cancelled
            Row("KENT-VIS-01", d("2024-02-29"), "cancelled", None, d("2024-02-01")),
        ),
    ),
    Case(
        # A late visit restarts the clock from its actual date.
        "kent_vis_late_restarts_clock",
        d("2024-03-20"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-02-12", "seen"),
            ("visit", "2024-03-04", "seen_alone"),
        ),
        (
            # 2024-01-08 + 28 = 2024-02-05; first visit 2024-02-12 > due -> late
            Row("KENT-VIS-01", d("2024-02-05"), "late", d("2024-02-12")),
            # 2024-02-12 + 28 = 2024-03-11; visit 2024-03-04 -> met
            Row("KENT-VIS-01", d("2024-03-11"), "met", d("2024-03-04"), d("2024-02-12")),
            # 2024-03-04 + 28 = 2024-04-01 >= as_of 2024-03-20 -> pending
            Row("KENT-VIS-01", d("2024-04-01"), "pending", None, d("2024-03-04")),
        ),
    ),
    Case(
        # Duplicate rows count once, and a second visit on the same day as the previous one
        # cannot be the next visit: same result as the repro above.
        "kent_vis_duplicates_and_same_day_visits",
        d("2024-03-01"),
        ("KENT-VIS-01",),
        (
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-01-15", "seen"),
            ("referral", "2024-01-08", None),
            ("visit", "2024-01-15", "seen_alone"),
            ("visit", "2024-01-15", "seen"),
            ("referral", "2024-01-08", None),
        ),
        (
            # 2024-01-08 + 28 = 2024-02-05, met 2024-01-15
            Row("KENT-VIS-01", d("2024-02-05"), "met", d("2024-01-15")),
            # 2024-01-15 + 28 = 2024-02-12; the other 2024-01-15 visits are not "after" it
            Row("KENT-VIS-01", d("2024-02-12"), "overdue", None, d("2024-01-15")),
        ),
    ),
    Case(
        # A visit after the as-of date is ignored entirely.
        "kent_vis_event_after_as_of_ignored",
        d("2024-03-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-03-05", "seen"),
        ),
        # 2024-01-08 + 28 = 2024-02-05 < 2024-03-01 -> overdue (the 2024-03-05 visit is unseen)
        (Row("KENT-VIS-01", d("2024-02-05"), "overdue", None, d("2024-01-08")),),
    ),
    Case(
        # Due on the as-of date and not yet met: pending (overdue only when due < as_of).
        "kent_vis_due_on_as_of_is_pending",
        d("2024-02-05"),
        ("KENT-VIS-01",),
        (("referral", "2024-01-08", None), ("cin_plan_start", "2024-01-08", None)),
        # 2024-01-08 + 28 = 2024-02-05 = as_of -> pending
        (Row("KENT-VIS-01", d("2024-02-05"), "pending", None),),
    ),
    Case(
        # "applies to: not cohort disabled_children": a child in that cohort gets no Kent visit or
        # 12-weekly review obligations.
        "kent_disabled_children_cohort_excluded",
        d("2024-06-01"),
        ("KENT-VIS-01", "KENT-REV-01"),
        (
            ("cohort_start", "2024-01-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
        ),
        (),
    ),
    # ---------------------------------------------------------------- NAT-CP-01
    Case(
        # Repro: two s47_start, one icpc; the icpc pairs with the latest s47_start before it.
        "nat_cp_two_s47_one_icpc",
        d("2024-04-30"),
        ("NAT-CP-01",),
        (
            ("s47_start", "2024-03-01", None),
            ("s47_start", "2024-03-08", None),
            ("icpc", "2024-03-20", None),
        ),
        (
            # 2024-03-08 (Fri) + 15 WD: 11-15 (5), 18-22 (10), 25-28 (14), 29 Mar Good Friday and
            # 1 Apr Easter Monday skipped, 2 Apr (15) -> 2024-04-02; icpc 2024-03-20 -> met
            Row("NAT-CP-01", d("2024-04-02"), "met", d("2024-03-20"), d("2024-03-08")),
        ),
    ),
    Case(
        # Two conferences; an enquiry with no conference is not scored.
        "nat_cp_pairs_each_icpc_once",
        d("2024-09-01"),
        ("NAT-CP-01",),
        (
            ("referral", "2024-01-05", None),
            ("s47_start", "2024-01-10", None),
            ("icpc", "2024-02-05", None),
            ("s47_start", "2024-06-03", None),
            ("s47_start", "2024-06-05", None),
            ("icpc", "2024-07-01", None),
            ("s47_start", "2024-08-01", None),
        ),
        (
            # 2024-01-10 (Wed) + 15 WD: 11,12 (2), 15-19 (7), 22-26 (12), 29,30,31 (15)
            # -> 2024-01-31; icpc 2024-02-05 -> late
            Row("NAT-CP-01", d("2024-01-31"), "late", d("2024-02-05"), d("2024-01-10")),
            # 2024-06-05 (Wed) + 15 WD: 6,7 (2), 10-14 (7), 17-21 (12), 24,25,26 (15)
            # -> 2024-06-26; icpc 2024-07-01 -> late
            Row("NAT-CP-01", d("2024-06-26"), "late", d("2024-07-01"), d("2024-06-05")),
        ),
    ),
    # ---------------------------------------------------------------- NAT-ASMT-01
    Case(
        "nat_asmt_met",
        d("2024-04-01"),
        ("NAT-ASMT-01",),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("assessment_authorised", "2024-03-01", None),
        ),
        (
            # 2024-01-08 (Mon) + 45 WD: 9-12 (4), then full weeks from 15 Jan: 9, 14, 19, 24,
            # 29, 34, 39 (w/c 26 Feb), 44 (w/c 4 Mar), 11 Mar (45) -> 2024-03-11; 2024-03-01 met
            Row("NAT-ASMT-01", d("2024-03-11"), "met", d("2024-03-01"), d("2024-01-08")),
        ),
    ),
    Case(
        "nat_asmt_late_over_easter",
        d("2024-06-01"),
        ("NAT-ASMT-01",),
        (
            ("referral", "2024-02-19", None),
            ("assessment_start", "2024-02-20", None),
            ("assessment_authorised", "2024-05-01", None),
        ),
        (
            # 2024-02-19 (Mon) + 45 WD: 20-23 (4), w/c 26 Feb (9), 4 Mar (14), 11 Mar (19),
            # 18 Mar (24), 25-28 Mar (28; 29 Mar and 1 Apr are holidays), 2-5 Apr (32),
            # w/c 8 Apr (37), 15 Apr (42), 22, 23, 24 Apr (45) -> 2024-04-24; 2024-05-01 late
            Row("NAT-ASMT-01", d("2024-04-24"), "late", d("2024-05-01")),
        ),
    ),
    Case(
        "nat_asmt_overdue",
        d("2024-04-01"),
        ("NAT-ASMT-01",),
        (("referral", "2024-01-08", None), ("assessment_start", "2024-01-10", None)),
        # due 2024-03-11 (as above) < 2024-04-01, no authorisation -> overdue
        (Row("NAT-ASMT-01", d("2024-03-11"), "overdue", None),),
    ),
    Case(
        # Closed before the due date with nothing matching: cancelled. The authorisation after
        # the closure is outside the episode and does not count.
        "nat_asmt_cancelled_by_closure",
        d("2024-04-01"),
        ("NAT-ASMT-01",),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("closure", "2024-02-01", "RC8"),
            ("assessment_authorised", "2024-02-10", None),
        ),
        # due 2024-03-11; episode closed 2024-02-01 < due -> cancelled
        (Row("NAT-ASMT-01", d("2024-03-11"), "cancelled", None),),
    ),
    Case(
        # No assessment: not scored (docs/rules.md "Episodes with no assessment ... not scored").
        "nat_asmt_no_assessment_not_scored",
        d("2024-04-01"),
        ("NAT-ASMT-01",),
        (("referral", "2024-01-08", None), ("closure", "2024-01-10", "RC8")),
        (),
    ),
    Case(
        # Two episodes: the first one's authorisation cannot serve the second referral; the
        # visit after the first closure belongs to no episode.
        "nat_asmt_two_episodes",
        d("2024-09-01"),
        ("NAT-ASMT-01",),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("assessment_authorised", "2024-02-01", None),
            ("closure", "2024-02-05", "RC8"),
            ("visit", "2024-02-10", "seen"),
            ("referral", "2024-06-03", None),
            ("assessment_start", "2024-06-04", None),
        ),
        (
            # 2024-01-08 + 45 WD = 2024-03-11 (see nat_asmt_met); 2024-02-01 -> met
            Row("NAT-ASMT-01", d("2024-03-11"), "met", d("2024-02-01"), d("2024-01-08")),
            # 2024-06-03 (Mon) + 45 WD: 4-7 Jun (4), w/c 10 Jun (9), 17 (14), 24 (19), 1 Jul
            # (24), 8 (29), 15 (34), 22 (39), 29 Jul-2 Aug (44), 5 Aug (45) -> 2024-08-05 overdue
            Row("NAT-ASMT-01", d("2024-08-05"), "overdue", None, d("2024-06-03")),
        ),
    ),
    # ---------------------------------------------------------------- LLR / SW / KENT first steps
    Case(
        # Re-assessment during an open plan creates no new plan or first-meeting obligation.
        "reassessment_during_open_plan",
        d("2024-07-01"),
        ("NAT-ASMT-01", "LLR-PLAN-01", "SW-PLAN-01", "KENT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-20", "assessment"),
            ("cin_initial_meeting", "2024-02-22", None),
            ("assessment_start", "2024-05-01", None),
            ("assessment_authorised", "2024-05-20", None),
        ),
        (
            # referral 2024-01-08 + 45 WD = 2024-03-11; first authorisation 2024-02-12 -> met
            Row("NAT-ASMT-01", d("2024-03-11"), "met", d("2024-02-12")),
            # 2024-02-12 (Mon) + 10 WD: 13-16 (4), 19-23 (9), 26 (10) -> 2024-02-26; plan
            # 2024-02-20 -> met
            Row("LLR-PLAN-01", d("2024-02-26"), "met", d("2024-02-20"), d("2024-02-12")),
            # 2024-02-12 + 7 days = 2024-02-19; plan 2024-02-20 -> late
            Row("SW-PLAN-01", d("2024-02-19"), "late", d("2024-02-20"), d("2024-02-12")),
            # 2024-02-12 + 10 WD = 2024-02-26; meeting 2024-02-22 -> met
            Row("KENT-MTG-01", d("2024-02-26"), "met", d("2024-02-22"), d("2024-02-12")),
        ),
    ),
    Case(
        "plan_agreed_over_christmas",
        d("2024-03-01"),
        ("LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2023-11-01", None),
            ("assessment_authorised", "2023-12-18", None),
            ("cin_plan_start", "2024-01-03", None),
        ),
        (
            # 2023-12-18 (Mon) + 10 WD: 19-22 (4), 25/26 Dec holidays, 27-29 (7), 1 Jan holiday,
            # 2 Jan (8), 3 Jan (9), 4 Jan (10) -> 2024-01-04; plan 2024-01-03 -> met
            Row("LLR-PLAN-01", d("2024-01-04"), "met", d("2024-01-03")),
            # 2023-12-18 + 7 calendar days = 2023-12-25; plan 2024-01-03 -> late
            Row("SW-PLAN-01", d("2023-12-25"), "late", d("2024-01-03")),
        ),
    ),
    Case(
        "plan_on_the_due_date_is_met",
        d("2024-04-01"),
        ("LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2024-02-01", None),
            ("assessment_authorised", "2024-03-04", None),
            ("cin_plan_start", "2024-03-11", None),
        ),
        (
            # 2024-03-04 (Mon) + 10 WD: 5-8 (4), 11-15 (9), 18 (10) -> 2024-03-18; met
            Row("LLR-PLAN-01", d("2024-03-18"), "met", d("2024-03-11")),
            # 2024-03-04 + 7 days = 2024-03-11 = plan start -> met (on the due date)
            Row("SW-PLAN-01", d("2024-03-11"), "met", d("2024-03-11")),
        ),
    ),
    # Supersede (semantics decision) for LLR-PLAN-01, SW-PLAN-01 and KENT-MTG-01, all anchored on
    # assessment_authorised (not completed while an earlier CIN plan was open): each assessment
    # takes the earliest unused target on or after it (KENT-MTG-01: anywhere in the episode)
    # and before the next assessment of the rule on a later date. One that finds none is
    # superseded by that next assessment and not scored at all; the last one (the last date) is
    # never superseded and is overdue, pending or cancelled with no target. Each rule pairs on
    # its own targets. Other rules keep their pairing.
    Case(
        # Two assessments, then the plan and the meeting: the plan and the meeting both fall
        # after the second assessment, so the first is superseded under all three rules.
        "llr_sw_plan_credited_to_latest_assessment",
        d("2024-04-01"),
        ("LLR-PLAN-01", "SW-PLAN-01", "KENT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("assessment_authorised", "2024-02-01", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-16", None),
            ("cin_initial_meeting", "2024-02-22", None),
        ),
        (
            # 2024-02-01: no plan in [2024-02-01, 2024-02-12) -> superseded, nothing.
            # 2024-02-12 (Mon) + 10 WD: 13-16 (4), 19-23 (9), 26 (10) -> 2024-02-26; plan
            # 2024-02-16 -> met
            Row("LLR-PLAN-01", d("2024-02-26"), "met", d("2024-02-16"), d("2024-02-12")),
            # 2024-02-12 + 7 days = 2024-02-19; plan 2024-02-16 -> met
            Row("SW-PLAN-01", d("2024-02-19"), "met", d("2024-02-16"), d("2024-02-12")),
            # KENT-MTG-01: 2024-02-01: no initial meeting before 2024-02-12 -> superseded,
            # nothing (was: 2024-02-01 (Thu) + 10 WD = 2024-02-15, met late by 2024-02-22, and
            # 2024-02-12 overdue). 2024-02-12 + 10 WD = 2024-02-26; meeting 2024-02-22 -> met
            Row("KENT-MTG-01", d("2024-02-26"), "met", d("2024-02-22"), d("2024-02-12")),
        ),
    ),
    Case(
        # Judgement call: a target dated on the next assessment's own day is not "before" it, so
        # it goes to the next assessment and the earlier one is superseded.
        "supersede_target_on_next_assessment_day_goes_to_it",
        d("2024-04-01"),
        ("LLR-PLAN-01", "SW-PLAN-01", "KENT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-02-01", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-12", None),
            ("cin_initial_meeting", "2024-02-12", None),
        ),
        (
            # 2024-02-01: window [2024-02-01, 2024-02-12) is empty -> superseded, nothing.
            # 2024-02-12 + 10 WD = 2024-02-26 (see above); plan 2024-02-12 -> met
            Row("LLR-PLAN-01", d("2024-02-26"), "met", d("2024-02-12"), d("2024-02-12")),
            # 2024-02-12 + 7 days = 2024-02-19; met on the anchor's day
            Row("SW-PLAN-01", d("2024-02-19"), "met", d("2024-02-12"), d("2024-02-12")),
            # 2024-02-12 + 10 WD = 2024-02-26; meeting 2024-02-12 -> met
            Row("KENT-MTG-01", d("2024-02-26"), "met", d("2024-02-12"), d("2024-02-12")),
        ),
    ),
    Case(
        # Each rule pairs on its own targets: the meeting between the two assessments meets the
        # first assessment's KENT-MTG-01 obligation, so that one is not superseded, and the
        # second, the last, finds no unused meeting; the plan after the second assessment
        # supersedes the first for LLR-PLAN-01.
        "kent_mtg_01_meeting_between_assessments_meets_the_first",
        d("2024-04-01"),
        ("KENT-MTG-01", "LLR-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-02-01", None),
            ("cin_initial_meeting", "2024-02-08", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
        ),
        (
            # 2024-02-01 (Thu) + 10 WD: 2 Feb (1), 5-9 (6), 12-15 (10) -> 2024-02-15; meeting
            # 2024-02-08 (before 2024-02-12) -> met
            Row("KENT-MTG-01", d("2024-02-15"), "met", d("2024-02-08"), d("2024-02-01")),
            # 2024-02-12 + 10 WD = 2024-02-26; the only meeting is taken; last assessment, not
            # superseded -> overdue (2024-02-26 < 2024-04-01)
            Row("KENT-MTG-01", d("2024-02-26"), "overdue", None, d("2024-02-12")),
            # LLR-PLAN-01: 2024-02-01 has no plan before 2024-02-12 -> superseded, nothing;
            # 2024-02-12 + 10 WD = 2024-02-26; plan 2024-02-14 -> met
            Row("LLR-PLAN-01", d("2024-02-26"), "met", d("2024-02-14"), d("2024-02-12")),
        ),
    ),
    Case(
        # A superseded assessment is not cancelled by the closure: it has no obligation. The
        # last one, with no meeting, is cancelled by the closure as usual.
        "supersede_last_assessment_cancelled_by_closure",
        d("2024-04-01"),
        ("KENT-MTG-01", "LLR-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-02-01", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
            ("closure", "2024-02-20", "RC8"),
        ),
        (
            # 2024-02-01: no meeting before 2024-02-12 -> superseded, nothing (not cancelled).
            # 2024-02-12 + 10 WD = 2024-02-26; no meeting; closed 2024-02-20 < due -> cancelled
            Row("KENT-MTG-01", d("2024-02-26"), "cancelled", None, d("2024-02-12")),
            # 2024-02-01 superseded; 2024-02-12 + 10 WD = 2024-02-26; plan 2024-02-14 -> met
            Row("LLR-PLAN-01", d("2024-02-26"), "met", d("2024-02-14"), d("2024-02-12")),
        ),
    ),
    Case(
        # An assessment completed after the only plan ended, with no plan after it: it is the
        # last assessment, so it is not superseded, and the episode holds a plan, so the rule
        # applies: overdue. (Under the "latest" pairing it was not scored.)
        "llr_sw_last_assessment_after_plan_ended_overdue",
        d("2024-06-03"),
        ("LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-01-22", None),
            ("cin_plan_start", "2024-01-24", None),
            ("cin_plan_end", "2024-03-01", "goals met"),
            ("assessment_authorised", "2024-04-02", None),
        ),
        (
            # 2024-01-22 (Mon) + 10 WD: 23-26 (4), 29 Jan-2 Feb (9), 5 Feb (10) -> 2024-02-05;
            # plan 2024-01-24 (before 2024-04-02) -> met
            Row("LLR-PLAN-01", d("2024-02-05"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-04-02 (Tue) + 10 WD: 3-5 Apr (3), 8-12 (8), 15, 16 (10) -> 2024-04-16; no
            # plan; 2024-04-16 < 2024-06-03 -> overdue
            Row("LLR-PLAN-01", d("2024-04-16"), "overdue", None, d("2024-04-02")),
            # 2024-01-22 + 7 days = 2024-01-29; met
            Row("SW-PLAN-01", d("2024-01-29"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-04-02 + 7 days = 2024-04-09 < 2024-06-03 -> overdue
            Row("SW-PLAN-01", d("2024-04-09"), "overdue", None, d("2024-04-02")),
        ),
    ),
    Case(
        # The same history scored ten days after the last assessment.
        "llr_sw_last_assessment_after_plan_ended_pending",
        d("2024-04-12"),
        ("LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-01-22", None),
            ("cin_plan_start", "2024-01-24", None),
            ("cin_plan_end", "2024-03-01", "goals met"),
            ("assessment_authorised", "2024-04-02", None),
        ),
        (
            # as above: 2024-01-22 -> due 2024-02-05, plan 2024-01-24 met
            Row("LLR-PLAN-01", d("2024-02-05"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-04-02 + 10 WD = 2024-04-16 >= 2024-04-12 -> pending
            Row("LLR-PLAN-01", d("2024-04-16"), "pending", None, d("2024-04-02")),
            # 2024-01-22 + 7 days = 2024-01-29; met
            Row("SW-PLAN-01", d("2024-01-29"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-04-02 + 7 days = 2024-04-09 < 2024-04-12 -> overdue
            Row("SW-PLAN-01", d("2024-04-09"), "overdue", None, d("2024-04-02")),
        ),
    ),
    Case(
        # A re-assessment during the first plan is no anchor (and bounds nothing); of the two
        # assessments between the plans, the first is superseded by the second, which the
        # second plan meets, over Easter.
        "llr_sw_second_plan_takes_latest_assessment_after_first_plan",
        d("2024-06-03"),
        ("LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-01-22", None),
            ("cin_plan_start", "2024-01-24", None),
            ("assessment_authorised", "2024-02-15", None),
            ("cin_plan_end", "2024-03-01", "step down"),
            ("assessment_authorised", "2024-03-11", None),
            ("assessment_authorised", "2024-03-18", None),
            ("cin_plan_start", "2024-03-27", None),
        ),
        (
            # anchors 2024-01-22, 2024-03-11, 2024-03-18 (2024-02-15 was during the first plan).
            # 2024-01-22: plan 2024-01-24 before 2024-03-11; + 10 WD = 2024-02-05 (see
            # llr_sw_last_assessment_after_plan_ended_overdue); met
            Row("LLR-PLAN-01", d("2024-02-05"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-03-11: no plan in [2024-03-11, 2024-03-18) -> superseded, nothing.
            # 2024-03-18 (Mon) + 10 WD: 19-22 (4), 25-28 (8), 29 Mar Good Friday, 1 Apr Easter
            # Monday, 2 Apr (9), 3 Apr (10) -> 2024-04-03; plan 2024-03-27 -> met
            Row("LLR-PLAN-01", d("2024-04-03"), "met", d("2024-03-27"), d("2024-03-18")),
            # 2024-01-22 + 7 days = 2024-01-29; plan 2024-01-24 -> met
            Row("SW-PLAN-01", d("2024-01-29"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-03-18 + 7 days = 2024-03-25; plan 2024-03-27 -> late
            Row("SW-PLAN-01", d("2024-03-25"), "late", d("2024-03-27"), d("2024-03-18")),
        ),
    ),
    Case(
        # An assessment superseded before the first plan is gone: a later plan with no
        # assessment of its own does not take it (under the "latest" pairing the April plan
        # took 2024-01-15, late). The later plans create nothing.
        "llr_sw_superseded_assessment_not_taken_by_later_plan",
        d("2024-07-01"),
        ("LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-01-15", None),
            ("assessment_authorised", "2024-01-22", None),
            ("cin_plan_start", "2024-01-24", None),
            ("cin_plan_end", "2024-03-01", "step down"),
            ("cin_plan_start", "2024-04-10", None),
            ("cin_plan_end", "2024-05-01", "step down"),
            ("cin_plan_start", "2024-06-03", None),
        ),
        (
            # 2024-01-15: no plan in [2024-01-15, 2024-01-22) -> superseded, nothing (was:
            # + 10 WD = 2024-01-29, late by the 2024-04-10 plan).
            # 2024-01-22 (the last): earliest plan on or after it, 2024-01-24; + 10 WD =
            # 2024-02-05; met. The 2024-04-10 and 2024-06-03 plans are not targets of any
            # assessment: nothing.
            Row("LLR-PLAN-01", d("2024-02-05"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-01-22 + 7 days = 2024-01-29; met
            Row("SW-PLAN-01", d("2024-01-29"), "met", d("2024-01-24"), d("2024-01-22")),
        ),
    ),
    Case(
        # Kent s5: the meeting "may be before the completion of the Child and Family
        # Assessment"; that earlier meeting also anchors the 12-weekly review cycle.
        "kent_meeting_before_assessment",
        d("2024-04-01"),
        ("KENT-MTG-01", "KENT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("cin_initial_meeting", "2024-02-01", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
        ),
        (
            # 2024-02-12 + 10 WD = 2024-02-26; meeting 2024-02-01 (before the anchor) -> met
            Row("KENT-MTG-01", d("2024-02-26"), "met", d("2024-02-01"), d("2024-02-12")),
            # anchor 2024-02-01 (Thu) + 12 weeks: 8, 15, 22, 29 Feb, 7, 14, 21, 28 Mar, 4, 11,
            # 18, 25 Apr -> 2024-04-25 >= as_of -> pending
            Row("KENT-REV-01", d("2024-04-25"), "pending", None, d("2024-02-01")),
        ),
    ),
    Case(
        "kent_mtg_01_pending",
        d("2024-02-20"),
        ("KENT-MTG-01",),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
        ),
        # 2024-02-12 + 10 WD = 2024-02-26 >= 2024-02-20 -> pending
        (Row("KENT-MTG-01", d("2024-02-26"), "pending", None),),
    ),
    Case(
        # No initial meeting: KENT-MTG-01 overdue and the review cycle runs from the date the
        # meeting was due under KENT-MTG-01, with a null anchor.
        "kent_rev_fallback_from_missing_initial_meeting",
        d("2024-09-01"),
        ("KENT-MTG-01", "KENT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
            ("cin_review", "2024-05-01", None),
        ),
        (
            # 2024-02-12 + 10 WD = 2024-02-26; no meeting -> overdue
            Row("KENT-MTG-01", d("2024-02-26"), "overdue", None),
            # fallback 2024-02-26 (Mon) + 12 weeks: 4, 11, 18, 25 Mar, 1, 8, 15, 22, 29 Apr, 6,
            # 13, 20 May -> 2024-05-20; review 2024-05-01 -> met
            Row("KENT-REV-01", d("2024-05-20"), "met", d("2024-05-01"), None),
            # 2024-05-01 (Wed) + 12 weeks: 8, 15, 22, 29 May, 5, 12, 19, 26 Jun, 3, 10, 17, 24
            # Jul -> 2024-07-24 < as_of -> overdue
            Row("KENT-REV-01", d("2024-07-24"), "overdue", None, d("2024-05-01")),
        ),
    ),
    Case(
        # Two assessments before the plan and no initial meeting: the first is superseded (no
        # meeting before the second), so only the second has a KENT-MTG-01 obligation, unmet;
        # KENT-REV-01 runs from its due date. (Before supersede both were unmet and the
        # fallback took the later one: the same dates.)
        "kent_rev_fallback_not_from_superseded_assessment",
        d("2024-09-01"),
        ("KENT-MTG-01", "KENT-REV-01", "LLR-PLAN-01", "SW-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("assessment_authorised", "2024-02-01", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
            ("cin_review", "2024-05-15", None),
        ),
        (
            # 2024-02-01: no meeting before 2024-02-12 -> superseded, nothing (was: + 10 WD =
            # 2024-02-15, overdue).
            # 2024-02-12 + 10 WD = 2024-02-26; no meeting; the last -> overdue
            Row("KENT-MTG-01", d("2024-02-26"), "overdue", None, d("2024-02-12")),
            # fallback 2024-02-26 (the obligation of 2024-02-12) + 12 weeks = 2024-05-20
            # (26 Feb + 3 = 29 Feb, + 31 = 31 Mar, + 30 = 30 Apr, + 20 = 20 May: 84 days);
            # review 2024-05-15 -> met, anchor null. (From 2024-02-01 it would be 2024-02-15
            # + 84 days = 2024-05-09, and the review late.)
            Row("KENT-REV-01", d("2024-05-20"), "met", d("2024-05-15"), None),
            # 2024-05-15 + 84 days: 31 May (16), 30 Jun (46), 31 Jul (77), 7 Aug (84) ->
            # 2024-08-07 < as_of -> overdue
            Row("KENT-REV-01", d("2024-08-07"), "overdue", None, d("2024-05-15")),
            # 2024-02-01 superseded (no plan before 2024-02-12); 2024-02-12 + 10 WD =
            # 2024-02-26; plan 2024-02-14 -> met
            Row("LLR-PLAN-01", d("2024-02-26"), "met", d("2024-02-14"), d("2024-02-12")),
            # 2024-02-12 + 7 days = 2024-02-19; met
            Row("SW-PLAN-01", d("2024-02-19"), "met", d("2024-02-14"), d("2024-02-12")),
        ),
    ),
    Case(
        # The first plan has no initial meeting and its assessment is superseded by one after
        # the plan ended (no meeting came before it): KENT-MTG-01 has no obligation on or before
        # the first plan's start, so its review cycle runs from the plan start (null anchor)
        # rather than from 2024-01-22's due date.
        "kent_rev_fallback_plan_start_when_plan_assessment_superseded",
        d("2024-07-01"),
        ("KENT-MTG-01", "KENT-REV-01", "LLR-PLAN-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-01-22", None),
            ("cin_plan_start", "2024-01-24", None),
            ("cin_plan_end", "2024-03-01", "step down"),
            ("assessment_authorised", "2024-03-11", None),
            ("cin_initial_meeting", "2024-03-13", None),
            ("cin_plan_start", "2024-03-27", None),
        ),
        (
            # 2024-01-22: no meeting before 2024-03-11 -> superseded, nothing.
            # 2024-03-11 (Mon) + 10 WD: 12-15 (4), 18-22 (9), 25 (10) -> 2024-03-25; meeting
            # 2024-03-13 -> met
            Row("KENT-MTG-01", d("2024-03-25"), "met", d("2024-03-13"), d("2024-03-11")),
            # plan 1 (2024-01-24 to 2024-03-01): no initial meeting in it; fallback: the plan
            # start 2024-01-24 (Wed) + 84 days: 31 Jan (7), 29 Feb (36), 31 Mar (67), 17 Apr
            # (84) -> 2024-04-17; plan ended 2024-03-01 < due -> cancelled, anchor null. (From
            # 2024-01-22 + 10 WD = 2024-02-05 it would have been 2024-04-29.)
            Row("KENT-REV-01", d("2024-04-17"), "cancelled", None, None),
            # plan 2 (from 2024-03-27): initial meeting 2024-03-13 (after plan 1 ended) anchors
            # it; + 84 days: 31 Mar (18), 30 Apr (48), 31 May (79), 5 Jun (84) -> 2024-06-05;
            # no review -> overdue (< 2024-07-01)
            Row("KENT-REV-01", d("2024-06-05"), "overdue", None, d("2024-03-13")),
            # LLR-PLAN-01: 2024-01-22 -> plan 2024-01-24 (before 2024-03-11); + 10 WD =
            # 2024-02-05; met
            Row("LLR-PLAN-01", d("2024-02-05"), "met", d("2024-01-24"), d("2024-01-22")),
            # 2024-03-11 + 10 WD = 2024-03-25; plan 2024-03-27 -> late
            Row("LLR-PLAN-01", d("2024-03-25"), "late", d("2024-03-27"), d("2024-03-11")),
        ),
    ),
    # ---------------------------------------------------------------- KENT-MTG-04 (case note)
    Case(
        "kent_case_note_next_working_day",
        d("2024-03-01"),
        ("KENT-MTG-04",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-10", None),
            ("cin_initial_meeting", "2024-01-26", None),
            ("case_note", "2024-01-29", None),
        ),
        # 2024-01-26 (Fri) + 1 WD = Mon 2024-01-29; case note that day -> met
        (Row("KENT-MTG-04", d("2024-01-29"), "met", d("2024-01-29"), d("2024-01-26")),),
    ),
    Case(
        # Paperwork after the closure still counts; due date over Easter.
        "kent_case_note_after_closure_over_easter",
        d("2024-05-01"),
        ("KENT-MTG-04",),
        (
            ("referral", "2024-03-01", None),
            ("cin_plan_start", "2024-03-05", None),
            ("cin_initial_meeting", "2024-03-28", None),
            ("closure", "2024-03-28", "RC2"),
            ("case_note", "2024-04-02", None),
        ),
        # 2024-03-28 (Thu) + 1 WD: 29 Mar Good Friday, 1 Apr Easter Monday -> Tue 2024-04-02; met
        (Row("KENT-MTG-04", d("2024-04-02"), "met", d("2024-04-02")),),
    ),
    Case(
        # A case note dated the day of a later review belongs to that review, not to the
        # initial meeting the day before.
        "kent_case_note_belongs_to_later_meeting",
        d("2024-03-01"),
        ("KENT-MTG-04",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-10", None),
            ("cin_initial_meeting", "2024-01-15", None),
            ("cin_review", "2024-01-16", None),
            ("case_note", "2024-01-16", None),
        ),
        # 2024-01-15 (Mon) + 1 WD = 2024-01-16; the only case note belongs to the review ->
        # overdue
        (Row("KENT-MTG-04", d("2024-01-16"), "overdue", None),),
    ),
    # ---------------------------------------------------------------- Portsmouth
    # PORT-PLAN-01 counts from the first `allocated` event of the episode (the case opened to a
    # Locality Team after the MASH), not from the referral: decision on 2.1 "within 25 working
    # days of opening to the Locality Teams". No allocation: no PORT-PLAN-01 obligation, and
    # PORT-MTG-01's missing interim plan then falls back on the plan's start (semantics: "or,
    # when that rule did not arise, from the plan's start").
    Case(
        # Repro: a cin_plan_start after the as-of date does not make PORT-PLAN-01 apply (the
        # allocation is there and before the as-of date; PORT-MTG-01 has no plan to fall back on).
        "port_plan_start_after_as_of",
        d("2024-02-15"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-15", None),
            ("cin_plan_start", "2024-03-01", None),
        ),
        (),
    ),
    Case(
        "port_full_path",
        d("2024-10-01"),
        ("PORT-PLAN-01", "PORT-MTG-01", "PORT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-10", None),
            ("interim_plan", "2024-02-01", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_initial_meeting", "2024-02-29", None),
            ("cin_review", "2024-05-16", None),
            ("cin_review", "2024-08-20", None),
        ),
        (
            # allocated 2024-01-10 (Wed) + 25 WD: 11, 12 (2), 15-19 (7), 22-26 (12), 29 Jan-2 Feb
            # (17), 5-9 Feb (22), 12, 13, 14 (25) -> 2024-02-14; interim 2024-02-01 -> met
            Row("PORT-PLAN-01", d("2024-02-14"), "met", d("2024-02-01"), d("2024-01-10")),
            # 2024-02-01 + 5 weeks = 2024-03-07; meeting 2024-02-29 -> met
            Row("PORT-MTG-01", d("2024-03-07"), "met", d("2024-02-29"), d("2024-02-01")),
            # 2024-02-29 (Thu) + 12 weeks: 7, 14, 21, 28 Mar, 4, 11, 18, 25 Apr, 2, 9, 16, 23 May
            # -> 2024-05-23; review 2024-05-16 -> met
            Row("PORT-REV-01", d("2024-05-23"), "met", d("2024-05-16"), d("2024-02-29")),
            # 2024-05-16 + 3 months = 2024-08-16; review 2024-08-20 -> late
            Row("PORT-REV-01", d("2024-08-16"), "late", d("2024-08-20"), d("2024-05-16")),
            # 2024-08-20 + 3 months = 2024-11-20 >= as_of -> pending
            Row("PORT-REV-01", d("2024-11-20"), "pending", None, d("2024-08-20")),
        ),
    ),
    Case(
        # No interim plan and no initial meeting: each missing step is reported, and each later
        # step runs from the date the missing one was due. Allocated on the referral day.
        "port_missing_interim_and_initial_meeting",
        d("2024-10-01"),
        ("PORT-PLAN-01", "PORT-MTG-01", "PORT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-08", None),
            ("cin_plan_start", "2024-03-01", None),
            ("cin_review", "2024-06-20", None),
        ),
        (
            # allocated 2024-01-08 (Mon) + 25 WD: 9-12 (4), 15-19 (9), 22-26 (14), 29 Jan-2 Feb
            # (19), 5-9 Feb (24), 12 Feb (25) -> 2024-02-12; no interim plan -> overdue
            Row("PORT-PLAN-01", d("2024-02-12"), "overdue", None, d("2024-01-08")),
            # fallback 2024-02-12 + 5 weeks = 2024-03-18; no meeting -> overdue, anchor null
            Row("PORT-MTG-01", d("2024-03-18"), "overdue", None, None),
            # fallback 2024-03-18 (Mon) + 12 weeks: 25 Mar, 1, 8, 15, 22, 29 Apr, 6, 13, 20, 27
            # May, 3, 10 Jun -> 2024-06-10; review 2024-06-20 -> late, anchor null
            Row("PORT-REV-01", d("2024-06-10"), "late", d("2024-06-20"), None),
            # 2024-06-20 + 3 months = 2024-09-20 < as_of -> overdue
            Row("PORT-REV-01", d("2024-09-20"), "overdue", None, d("2024-06-20")),
        ),
    ),
    Case(
        # The initial meeting the day before the plan start still anchors the review cycle.
        "port_initial_meeting_day_before_plan",
        d("2024-06-01"),
        ("PORT-MTG-01", "PORT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-01-25", None),
            ("cin_initial_meeting", "2024-02-19", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_review", "2024-05-10", None),
        ),
        (
            # 2024-01-25 + 35 days: +6 = 31 Jan, +29 = 29 Feb -> 2024-02-29; meeting 02-19 met
            Row("PORT-MTG-01", d("2024-02-29"), "met", d("2024-02-19")),
            # 2024-02-19 (Mon) + 12 weeks: 26 Feb, 4, 11, 18, 25 Mar, 1, 8, 15, 22, 29 Apr, 6, 13
            # May -> 2024-05-13; review 2024-05-10 -> met
            Row("PORT-REV-01", d("2024-05-13"), "met", d("2024-05-10"), d("2024-02-19")),
            # 2024-05-10 + 3 months = 2024-08-10 -> pending
            Row("PORT-REV-01", d("2024-08-10"), "pending", None, d("2024-05-10")),
        ),
    ),
    Case(
        # Plan ends before the next review is due: cancelled. A review on its due date is met.
        "port_rev_cancelled_when_plan_ends",
        d("2024-09-01"),
        ("PORT-REV-01",),
        (
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-01-20", None),
            ("cin_plan_start", "2024-01-31", None),
            ("cin_initial_meeting", "2024-02-01", None),
            ("cin_review", "2024-04-25", None),
            ("cin_plan_end", "2024-06-30", "goals met"),
            ("closure", "2024-07-05", "RC2"),
        ),
        (
            # 2024-02-01 + 12 weeks = 2024-04-25 (see kent_meeting_before_assessment); review
            # on that day -> met
            Row("PORT-REV-01", d("2024-04-25"), "met", d("2024-04-25")),
            # 2024-04-25 + 3 months = 2024-07-25; plan ended 2024-06-30 < due -> cancelled
            Row("PORT-REV-01", d("2024-07-25"), "cancelled", None, d("2024-04-25")),
        ),
    ),
    Case(
        # An interim plan with no CIN plan: PORT-PLAN-01 does not apply, allocation or not;
        # PORT-MTG-01 (all children) is cancelled by the closure.
        "port_mtg_cancelled_by_closure",
        d("2024-04-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-09", None),
            ("interim_plan", "2024-01-15", None),
            ("closure", "2024-02-01", "RC8"),
        ),
        # 2024-01-15 + 35 days = 2024-02-19; closed 2024-02-01 < due -> cancelled
        (Row("PORT-MTG-01", d("2024-02-19"), "cancelled", None, d("2024-01-15")),),
    ),
    Case(
        # The MASH holds the case for 10 working days before it opens to a Locality Team: the
        # interim plan is late counted from the referral but on time from the allocation.
        "port_plan_mash_holds_case",
        d("2024-06-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("assessment_start", "2024-01-09", None),
            ("allocated", "2024-01-22", None),
            ("interim_plan", "2024-02-20", None),
            ("cin_plan_start", "2024-03-01", None),
            ("cin_initial_meeting", "2024-03-20", None),
        ),
        (
            # referral 2024-01-08 (Mon) to allocation: 9-12 (4), 15-19 (9), 22 (10) -> 10 WD.
            # From the referral the interim plan was due 2024-02-12 (port_missing_interim_...),
            # so 2024-02-20 would be late. From the allocation 2024-01-22 (Mon) + 25 WD: 23-26
            # (4), 29 Jan-2 Feb (9), 5-9 Feb (14), 12-16 (19), 19-23 (24), 26 Feb (25)
            # -> 2024-02-26; interim 2024-02-20 -> met
            Row("PORT-PLAN-01", d("2024-02-26"), "met", d("2024-02-20"), d("2024-01-22")),
            # 2024-02-20 (Tue) + 35 days: +9 = 29 Feb, +26 = 26 Mar -> 2024-03-26; meeting
            # 2024-03-20 -> met
            Row("PORT-MTG-01", d("2024-03-26"), "met", d("2024-03-20"), d("2024-02-20")),
        ),
    ),
    Case(
        # Two allocations in one episode (moved from one Locality Team to another): only the
        # first starts the clock; the interim plan is late from it, though it would be on time
        # from the second.
        "port_plan_two_allocations_first_counts",
        d("2024-06-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-10", None),
            ("allocated", "2024-02-05", None),
            ("interim_plan", "2024-02-20", None),
            ("cin_plan_start", "2024-03-01", None),
            ("cin_initial_meeting", "2024-04-02", None),
        ),
        (
            # first allocation 2024-01-10 + 25 WD = 2024-02-14 (see port_full_path); interim
            # 2024-02-20 -> late. (From the second, 2024-02-05 (Mon) + 25 WD = 2024-03-11, it
            # would be met: the second allocation starts nothing.)
            Row("PORT-PLAN-01", d("2024-02-14"), "late", d("2024-02-20"), d("2024-01-10")),
            # 2024-02-20 + 35 days = 2024-03-26 (see port_plan_mash_holds_case); meeting
            # 2024-04-02 -> late
            Row("PORT-MTG-01", d("2024-03-26"), "late", d("2024-04-02"), d("2024-02-20")),
        ),
    ),
    Case(
        # Two allocations and no interim plan: one PORT-PLAN-01 obligation, from the first;
        # PORT-MTG-01 runs from the date the interim plan was due under it (not from the
        # referral's 25th working day, 2024-02-12, as before the decision).
        "port_mtg_fallback_from_first_allocation",
        d("2024-07-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-17", None),
            ("cin_plan_start", "2024-03-04", None),
            ("allocated", "2024-03-11", None),
            ("cin_initial_meeting", "2024-04-02", None),
        ),
        (
            # 2024-01-17 (Wed) + 25 WD: 18, 19 (2), 22-26 (7), 29 Jan-2 Feb (12), 5-9 Feb (17),
            # 12-16 (22), 19, 20, 21 (25) -> 2024-02-21; no interim plan -> overdue
            Row("PORT-PLAN-01", d("2024-02-21"), "overdue", None, d("2024-01-17")),
            # fallback 2024-02-21 (Wed) + 35 days: +8 = 29 Feb, +27 = 27 Mar -> 2024-03-27;
            # meeting 2024-04-02 -> late, anchor assumed (null)
            Row("PORT-MTG-01", d("2024-03-27"), "late", d("2024-04-02"), None),
        ),
    ),
    Case(
        # No allocation: no PORT-PLAN-01 obligation (when the team opened the case cannot be
        # known). With no interim plan either, PORT-MTG-01's fallback rule did not arise, so its
        # clock runs from the plan's start (semantics: "or, when that rule did not arise, from
        # the plan's start"), and PORT-REV-01 runs from the date PORT-MTG-01 was due.
        "port_no_allocation_no_interim",
        d("2024-10-01"),
        ("PORT-PLAN-01", "PORT-MTG-01", "PORT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-02-15", None),
            ("cin_review", "2024-06-20", None),
        ),
        (
            # PORT-PLAN-01: no allocation -> no row.
            # plan start 2024-02-15 (Thu) + 35 days: +14 = 29 Feb, +21 = 21 Mar -> 2024-03-21;
            # no meeting -> overdue, anchor assumed (null)
            Row("PORT-MTG-01", d("2024-03-21"), "overdue", None, None),
            # fallback 2024-03-21 (Thu) + 12 weeks: 28 Mar, 4, 11, 18, 25 Apr, 2, 9, 16, 23, 30
            # May, 6, 13 Jun -> 2024-06-13; review 2024-06-20 -> late, anchor null
            Row("PORT-REV-01", d("2024-06-13"), "late", d("2024-06-20"), None),
            # 2024-06-20 + 3 months = 2024-09-20 < as_of -> overdue
            Row("PORT-REV-01", d("2024-09-20"), "overdue", None, d("2024-06-20")),
        ),
    ),
    Case(
        # No allocation but an interim plan: no PORT-PLAN-01 obligation; PORT-MTG-01 runs from
        # the interim plan as usual.
        "port_no_allocation_with_interim",
        d("2024-06-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-01-30", None),
            ("cin_plan_start", "2024-02-15", None),
            ("cin_initial_meeting", "2024-03-01", None),
        ),
        # 2024-01-30 (Tue) + 35 days: +1 = 31 Jan, +29 = 29 Feb (30), +5 = 5 Mar -> 2024-03-05;
        # meeting 2024-03-01 -> met
        (Row("PORT-MTG-01", d("2024-03-05"), "met", d("2024-03-01"), d("2024-01-30")),),
    ),
    Case(
        # The only allocation is after the as-of date: dropped like every later row, so at this
        # date the episode has no allocation: no PORT-PLAN-01, and PORT-MTG-01 runs from the
        # plan's start.
        "port_allocation_after_as_of",
        d("2024-03-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-02-05", None),
            ("allocated", "2024-03-04", None),
        ),
        # plan start 2024-02-05 (Mon) + 35 days: +24 = 29 Feb, +11 = 11 Mar -> 2024-03-11
        # >= as_of 2024-03-01 -> pending, anchor assumed (null)
        (Row("PORT-MTG-01", d("2024-03-11"), "pending", None, None),),
    ),
    Case(
        # The same history scored after the allocation: PORT-PLAN-01 now arises (from the
        # allocation, although the plan started first) and PORT-MTG-01 falls back on its due
        # date instead of the plan's start.
        "port_allocation_after_as_of_scored_later",
        d("2024-06-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-02-05", None),
            ("allocated", "2024-03-04", None),
        ),
        (
            # 2024-03-04 (Mon) + 25 WD: 5-8 (4), 11-15 (9), 18-22 (14), 25-28 (18), 29 Mar Good
            # Friday and 1 Apr Easter Monday skipped, 2-5 Apr (22), 8, 9, 10 (25) -> 2024-04-10;
            # no interim plan -> overdue
            Row("PORT-PLAN-01", d("2024-04-10"), "overdue", None, d("2024-03-04")),
            # fallback 2024-04-10 (Wed) + 35 days: +20 = 30 Apr, +15 = 15 May -> 2024-05-15;
            # no meeting -> overdue, anchor assumed (null)
            Row("PORT-MTG-01", d("2024-05-15"), "overdue", None, None),
        ),
    ),
    Case(
        # Judgement call (the usual deadline pairing, unchanged by the decision): an interim
        # plan dated before the allocation (drafted while the MASH held the case) does not meet
        # PORT-PLAN-01, whose clock starts at the allocation; it still anchors PORT-MTG-01.
        "port_interim_before_allocation",
        d("2024-04-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-01-12", None),
            ("allocated", "2024-01-15", None),
            ("cin_plan_start", "2024-02-01", None),
            ("cin_initial_meeting", "2024-02-14", None),
        ),
        (
            # 2024-01-15 (Mon) + 25 WD: 16-19 (4), 22-26 (9), 29 Jan-2 Feb (14), 5-9 Feb (19),
            # 12-16 (24), 19 Feb (25) -> 2024-02-19; no interim plan on or after the allocation
            # -> overdue
            Row("PORT-PLAN-01", d("2024-02-19"), "overdue", None, d("2024-01-15")),
            # 2024-01-12 (Fri) + 35 days: +19 = 31 Jan, +16 = 16 Feb -> 2024-02-16; meeting
            # 2024-02-14 -> met
            Row("PORT-MTG-01", d("2024-02-16"), "met", d("2024-02-14"), d("2024-01-12")),
        ),
    ),
    Case(
        # An allocation belongs to its own episode: the first episode's allocation, and one
        # recorded after its closure (belongs to no episode: "before its closure"), do not serve
        # the second episode, which has none of its own.
        "port_allocation_of_earlier_episode_does_not_count",
        d("2024-06-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-10", None),
            ("closure", "2024-02-01", "RC8"),
            ("allocated", "2024-02-12", None),
            ("referral", "2024-03-04", None),
            ("cin_plan_start", "2024-04-02", None),
        ),
        # first episode: no plan -> neither rule; second: no allocation -> no PORT-PLAN-01;
        # PORT-MTG-01 from its plan start 2024-04-02 (Tue) + 35 days: +28 = 30 Apr, +7 = 7 May
        # -> 2024-05-07; no meeting -> overdue, anchor assumed (null)
        (Row("PORT-MTG-01", d("2024-05-07"), "overdue", None, None),),
    ),
    Case(
        # The episode closes before the interim plan is due: both deadlines are cancelled.
        "port_plan_cancelled_by_closure",
        d("2024-06-01"),
        ("PORT-PLAN-01", "PORT-MTG-01"),
        (
            ("referral", "2024-01-08", None),
            ("allocated", "2024-01-08", None),
            ("cin_plan_start", "2024-01-22", None),
            ("closure", "2024-02-01", "RC8"),
        ),
        (
            # 2024-01-08 + 25 WD = 2024-02-12 (see port_missing_interim_...); closed 2024-02-01
            # < due -> cancelled
            Row("PORT-PLAN-01", d("2024-02-12"), "cancelled", None, d("2024-01-08")),
            # fallback 2024-02-12 (Mon) + 35 days: +17 = 29 Feb, +18 = 18 Mar -> 2024-03-18;
            # closed before -> cancelled, anchor assumed (null)
            Row("PORT-MTG-01", d("2024-03-18"), "cancelled", None, None),
        ),
    ),
    Case(
        # Repro: a review after the as-of date creates no PORT-REV-04 obligation.
        "port_rev_04_review_after_as_of",
        d("2024-05-15"),
        ("PORT-REV-04",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-02-01", None),
            ("visit", "2024-03-01", "seen_alone"),
            ("cin_review", "2024-03-11", None),
            ("visit", "2024-05-01", "seen"),
            ("cin_review", "2024-06-03", None),
        ),
        # review 2024-03-11: seen alone 2024-03-01 in [plan start 2024-02-01, 2024-03-11] -> met;
        # the 2024-06-03 review is after the as-of date: no row
        (Row("PORT-REV-04", d("2024-03-11"), "met", d("2024-03-01"), d("2024-03-11")),),
    ),
    Case(
        # Only seen_alone counts (a null qualifier is 'seen'); each review looks back to the
        # previous one.
        "port_rev_04_windows",
        d("2024-06-01"),
        ("PORT-REV-04",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-15", None),
            ("visit", "2024-01-15", "seen_alone"),
            ("visit", "2024-03-04", "seen_alone"),
            ("cin_review", "2024-03-04", None),
            ("visit", "2024-04-02", None),
            ("cin_review", "2024-05-07", None),
            ("visit", "2024-05-20", "seen_alone"),
            ("cin_review", "2024-05-20", None),
        ),
        (
            # window [2024-01-15, 2024-03-04]: latest seen-alone visit 2024-03-04 -> met
            Row("PORT-REV-04", d("2024-03-04"), "met", d("2024-03-04")),
            # window (2024-03-04, 2024-05-07]: only the null (= seen) visit -> overdue
            Row("PORT-REV-04", d("2024-05-07"), "overdue", None),
            # window (2024-05-07, 2024-05-20]: seen alone 2024-05-20 -> met
            Row("PORT-REV-04", d("2024-05-20"), "met", d("2024-05-20")),
        ),
    ),
    # ---------------------------------------------------------------- Brighton and Hove
    Case(
        # Repro: a plan with no initial meeting for 16 months. BH-MTG-01 is overdue and the
        # network meeting cycle runs from the date the initial meeting was due.
        "bh_no_initial_meeting_16_months",
        d("2024-05-16"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (("referral", "2023-01-09", None), ("cin_plan_start", "2023-01-16", None)),
        (
            # 2023-01-16 (Mon) + 15 WD: 17-20 (4), 23-27 (9), 30 Jan-3 Feb (14), 6 Feb (15)
            # -> 2023-02-06; no meeting -> overdue
            Row("BH-MTG-01", d("2023-02-06"), "overdue", None, d("2023-01-16")),
            # fallback 2023-02-06 + 3 months = 2023-05-06; nothing -> overdue, anchor null. The
            # cycle restarts only from an actual meeting, so there is one open obligation.
            Row("BH-MTG-02", d("2023-05-06"), "overdue", None, None),
        ),
    ),
    Case(
        # The same with network meetings but still no initial meeting.
        "bh_no_initial_meeting_with_network_meetings",
        d("2024-05-16"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (
            ("referral", "2023-01-09", None),
            ("cin_plan_start", "2023-01-16", None),
            ("network_meeting", "2023-04-20", None),
            ("network_meeting", "2023-08-01", None),
        ),
        (
            Row("BH-MTG-01", d("2023-02-06"), "overdue", None),
            # fallback 2023-02-06 + 3 months = 2023-05-06; meeting 2023-04-20 -> met
            Row("BH-MTG-02", d("2023-05-06"), "met", d("2023-04-20"), None),
            # 2023-04-20 + 3 months = 2023-07-20; meeting 2023-08-01 -> late
            Row("BH-MTG-02", d("2023-07-20"), "late", d("2023-08-01"), d("2023-04-20")),
            # 2023-08-01 + 3 months = 2023-11-01 < as_of -> overdue
            Row("BH-MTG-02", d("2023-11-01"), "overdue", None, d("2023-08-01")),
            # 2023-04-20 (Thu) + 10 WD: 21 (1), 24-28 (6), 1 May holiday, 2-5 May (10)
            # -> 2023-05-05; no minutes -> overdue
            Row("BH-MTG-03", d("2023-05-05"), "overdue", None, d("2023-04-20")),
            # 2023-08-01 (Tue) + 10 WD: 2-4 (3), 7-11 (8), 14, 15 (10) -> 2023-08-15; overdue
            Row("BH-MTG-03", d("2023-08-15"), "overdue", None, d("2023-08-01")),
        ),
    ),
    Case(
        # Initial meeting the day before the plan start: it anchors BH-MTG-02 (semantics
        # decision) but, being outside the plan, does not meet the plan-scoped BH-MTG-01 (a
        # literal reading of the semantics decision; flagged in the report).
        "bh_initial_meeting_day_before_plan",
        d("2024-05-01"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (
            ("referral", "2024-01-08", None),
            ("cin_initial_meeting", "2024-01-22", None),
            ("cin_plan_start", "2024-01-23", None),
            ("minutes_distributed", "2024-01-30", None),
            ("network_meeting", "2024-04-15", None),
        ),
        (
            # 2024-01-23 (Tue) + 15 WD: 24-26 (3), 29 Jan-2 Feb (8), 5-9 Feb (13), 12, 13 (15)
            # -> 2024-02-13; no initial meeting inside the plan -> overdue
            Row("BH-MTG-01", d("2024-02-13"), "overdue", None, d("2024-01-23")),
            # 2024-01-22 + 3 months = 2024-04-22; network meeting 2024-04-15 -> met
            Row("BH-MTG-02", d("2024-04-22"), "met", d("2024-04-15"), d("2024-01-22")),
            # 2024-04-15 + 3 months = 2024-07-15 -> pending
            Row("BH-MTG-02", d("2024-07-15"), "pending", None, d("2024-04-15")),
            # 2024-01-22 (Mon) + 10 WD: 23-26 (4), 29 Jan-2 Feb (9), 5 Feb (10) -> 2024-02-05;
            # minutes 2024-01-30 -> met
            Row("BH-MTG-03", d("2024-02-05"), "met", d("2024-01-30"), d("2024-01-22")),
            # 2024-04-15 (Mon) + 10 WD: 16-19 (4), 22-26 (9), 29 (10) -> 2024-04-29 < as_of
            # -> overdue
            Row("BH-MTG-03", d("2024-04-29"), "overdue", None, d("2024-04-15")),
        ),
    ),
    Case(
        # Month-end clamping: 30 Nov + 3 months = 29 Feb (leap year), 31 May + 3 months = 31 Aug.
        "bh_month_end_clamping",
        d("2024-09-15"),
        ("BH-MTG-01", "BH-MTG-02"),
        (
            ("referral", "2023-10-02", None),
            ("cin_plan_start", "2023-11-01", None),
            ("cin_initial_meeting", "2023-11-30", None),
            ("network_meeting", "2024-02-29", None),
            ("network_meeting", "2024-05-31", None),
        ),
        (
            # 2023-11-01 (Wed) + 15 WD: 2, 3 (2), 6-10 (7), 13-17 (12), 20, 21, 22 (15)
            # -> 2023-11-22; meeting 2023-11-30 -> late
            Row("BH-MTG-01", d("2023-11-22"), "late", d("2023-11-30")),
            # 2023-11-30 + 3 months = 2024-02-30 -> clamped to 2024-02-29; met on the due date
            Row("BH-MTG-02", d("2024-02-29"), "met", d("2024-02-29")),
            # 2024-02-29 + 3 months = 2024-05-29; meeting 2024-05-31 -> late
            Row("BH-MTG-02", d("2024-05-29"), "late", d("2024-05-31")),
            # 2024-05-31 + 3 months = 2024-08-31 < as_of 2024-09-15 -> overdue
            Row("BH-MTG-02", d("2024-08-31"), "overdue", None, d("2024-05-31")),
        ),
    ),
    Case(
        # Minutes dated after a later meeting belong to that later meeting.
        "bh_minutes_after_later_meeting",
        d("2024-03-01"),
        ("BH-MTG-03",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-10", None),
            ("cin_initial_meeting", "2024-01-15", None),
            ("network_meeting", "2024-01-25", None),
            ("minutes_distributed", "2024-01-26", None),
        ),
        (
            # 2024-01-15 (Mon) + 10 WD: 16-19 (4), 22-26 (9), 29 (10) -> 2024-01-29; the only
            # minutes (2024-01-26) belong to the 2024-01-25 meeting -> overdue
            Row("BH-MTG-03", d("2024-01-29"), "overdue", None, d("2024-01-15")),
            # 2024-01-25 (Thu) + 10 WD: 26 (1), 29 Jan-2 Feb (6), 5-8 Feb (10) -> 2024-02-08;
            # minutes 2024-01-26 -> met
            Row("BH-MTG-03", d("2024-02-08"), "met", d("2024-01-26"), d("2024-01-25")),
        ),
    ),
    Case(
        # Two meetings on one day, two sets of minutes: each row is credited once.
        "bh_same_day_meetings_share_no_minutes",
        d("2024-03-01"),
        ("BH-MTG-03",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-10", None),
            ("cin_initial_meeting", "2024-01-15", None),
            ("network_meeting", "2024-01-15", None),
            ("minutes_distributed", "2024-01-19", None),
            ("minutes_distributed", "2024-02-05", None),
        ),
        (
            # both anchored 2024-01-15, due 2024-01-29 (see above); the first takes 2024-01-19
            # (met), the second the next row, 2024-02-05 (late)
            Row("BH-MTG-03", d("2024-01-29"), "met", d("2024-01-19"), d("2024-01-15")),
            Row("BH-MTG-03", d("2024-01-29"), "late", d("2024-02-05"), d("2024-01-15")),
        ),
    ),
    # ---------------------------------------------------------------- PORT-REV-04 met_date
    Case(
        # met_date is the LATEST seen-alone visit in the window, not the first.
        "port_rev_04_latest_seen_alone_visit_is_met_date",
        d("2024-04-01"),
        ("PORT-REV-04",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-15", None),
            ("visit", "2024-02-01", "seen_alone"),
            ("visit", "2024-02-20", "seen_alone"),
            ("visit", "2024-03-01", "seen"),
            ("cin_review", "2024-03-05", None),
        ),
        # window [plan start 2024-01-15, review 2024-03-05]: seen alone 2024-02-01 and
        # 2024-02-20 (2024-03-01 is only 'seen') -> met, met_date the latest, 2024-02-20
        (Row("PORT-REV-04", d("2024-03-05"), "met", d("2024-02-20"), d("2024-03-05")),),
    ),
    # ================================================================ cohorts over time
    # Membership: cohort_start on S = member from S; cohort_end on E = member up to and including
    # E. Cycles (KENT-VIS-01, KENT-REV-01, PORT-REV-01, BH-MTG-02) look at it day by day:
    # (a) not under the rule at the cycle's anchor -> the cycle starts on the first day (up to
    #     the plan end / as-of) the child comes under it, and that day is the first anchor;
    # (b) the child stops being under it on day L -> only occurrences before L count, the
    #     outstanding one is settled as if the plan ended on L - 1, and the cycle stops.
    # Deadlines (BH-MTG-01, BH-MTG-03) look at the cohort on their anchor's date only.
    # ---------------------------------------------------------------- Kent, disabled_children
    Case(
        # Joins disabled_children mid-plan: the outstanding visit and review are cancelled
        # (L - 1 before their due dates), and a visit after joining does not count.
        "kent_joins_disabled_children_mid_plan",
        d("2024-06-01"),
        ("KENT-VIS-01", "KENT-REV-01"),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-01-29", "seen"),
            ("cohort_start", "2024-02-15", "disabled_children"),
            ("visit", "2024-02-20", "seen"),
        ),
        (
            # 2024-01-08 + 28 days = 2024-02-05; visit 2024-01-29 -> met
            Row("KENT-VIS-01", d("2024-02-05"), "met", d("2024-01-29"), d("2024-01-08")),
            # 2024-01-29 + 28 = 2024-02-26; L = 2024-02-15, L - 1 = 2024-02-14 < 2024-02-26
            # -> cancelled (the 2024-02-20 visit is on/after L: does not count); cycle stops
            Row("KENT-VIS-01", d("2024-02-26"), "cancelled", None, d("2024-01-29")),
            # no initial meeting, no assessment: fallback = plan start 2024-01-08 (under the
            # rule that day); + 12 weeks = 84 days: +23 = 31 Jan, +29 = 29 Feb (52), +31 = 31 Mar
            # (83), +1 = 2024-04-01; L - 1 = 2024-02-14 < due -> cancelled, anchor null
            Row("KENT-REV-01", d("2024-04-01"), "cancelled", None, None),
        ),
    ),
    Case(
        # Joins the day after the due date: L - 1 = due date, not before it -> overdue as usual.
        # A visit on the joining day itself (day L) does not count.
        "kent_vis_join_day_after_due_is_overdue",
        d("2024-06-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("cohort_start", "2024-02-06", "disabled_children"),
            ("visit", "2024-02-06", "seen"),
        ),
        # 2024-01-08 + 28 = 2024-02-05; L - 1 = 2024-02-05, not < due; 2024-02-05 < as_of
        # -> overdue
        (Row("KENT-VIS-01", d("2024-02-05"), "overdue", None, d("2024-01-08")),),
    ),
    Case(
        # Joins on the due date: L - 1 = the day before the due date -> cancelled.
        "kent_vis_join_on_due_date_is_cancelled",
        d("2024-06-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("cohort_start", "2024-02-05", "disabled_children"),
        ),
        # 2024-01-08 + 28 = 2024-02-05; L - 1 = 2024-02-04 < 2024-02-05 -> cancelled
        (Row("KENT-VIS-01", d("2024-02-05"), "cancelled", None, d("2024-01-08")),),
    ),
    Case(
        # A visit on L - 1 (the last day under the rule) still counts.
        "kent_vis_visit_day_before_join_counts",
        d("2024-06-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-02-04", "seen_alone"),
            ("cohort_start", "2024-02-05", "disabled_children"),
        ),
        (
            # 2024-01-08 + 28 = 2024-02-05; visit 2024-02-04 (< L = 2024-02-05) -> met
            Row("KENT-VIS-01", d("2024-02-05"), "met", d("2024-02-04"), d("2024-01-08")),
            # 2024-02-04 + 28 = 2024-03-03; L - 1 = 2024-02-04 < due -> cancelled
            Row("KENT-VIS-01", d("2024-03-03"), "cancelled", None, d("2024-02-04")),
        ),
    ),
    Case(
        # In disabled_children at the plan start; leaves mid-plan (cohort_end 2024-03-14 =
        # member through that day). Both cycles start on 2024-03-15; visits and reviews held
        # while in the cohort, including on 2024-03-14, do not count.
        "kent_leaves_disabled_children_mid_plan",
        d("2024-06-01"),
        ("KENT-VIS-01", "KENT-REV-01"),
        (
            ("cohort_start", "2023-06-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-10", None),
            ("visit", "2024-01-20", "seen"),
            ("cin_initial_meeting", "2024-01-24", None),
            ("cin_review", "2024-03-01", None),
            ("cohort_end", "2024-03-14", "disabled_children"),
            ("visit", "2024-03-14", "seen"),
            ("visit", "2024-04-05", "seen"),
        ),
        (
            # anchor = plan start 2024-01-10, in the cohort -> first day under the rule is
            # 2024-03-15; + 28 = 2024-04-12 (+16 = 31 Mar, +12 = 12 Apr); visit 2024-04-05 -> met
            Row("KENT-VIS-01", d("2024-04-12"), "met", d("2024-04-05"), d("2024-03-15")),
            # 2024-04-05 + 28 = 2024-05-03 < as_of, no visit -> overdue
            Row("KENT-VIS-01", d("2024-05-03"), "overdue", None, d("2024-04-05")),
            # anchor = initial meeting 2024-01-24, in the cohort -> starts 2024-03-15;
            # + 84 days: +16 = 31 Mar, +30 = 30 Apr (46), +31 = 31 May (77), +7 = 2024-06-07
            # >= as_of -> pending; the 2024-03-01 review (in the cohort) does not count
            Row("KENT-REV-01", d("2024-06-07"), "pending", None, d("2024-03-15")),
        ),
    ),
    Case(
        # Leaves the cohort on the plan's last day: the first day under the rule (the day after)
        # is after the plan's end, so no cycle at all.
        "kent_cohort_end_on_plan_end_gives_nothing",
        d("2024-06-01"),
        ("KENT-VIS-01", "KENT-REV-01"),
        (
            ("cohort_start", "2023-01-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("cin_initial_meeting", "2024-01-15", None),
            ("visit", "2024-02-01", "seen"),
            ("cin_review", "2024-04-20", None),
            ("cin_plan_end", "2024-04-30", "goals met"),
            ("cohort_end", "2024-04-30", "disabled_children"),
        ),
        # first day under the rule 2024-05-01 > plan end 2024-04-30 -> no obligations
        (),
    ),
    Case(
        # Leaves the cohort on the as-of date: the first day under the rule (as_of + 1) is past
        # the as-of date -> no cycle.
        "kent_vis_cohort_end_on_as_of_gives_nothing",
        d("2024-03-01"),
        ("KENT-VIS-01",),
        (
            ("cohort_start", "2023-01-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("cohort_end", "2024-03-01", "disabled_children"),
        ),
        # first day under the rule 2024-03-02 > as_of 2024-03-01 -> nothing
        (),
    ),
    Case(
        # The same one day later: the cycle starts on the as-of date.
        "kent_vis_cohort_end_day_before_as_of",
        d("2024-03-02"),
        ("KENT-VIS-01",),
        (
            ("cohort_start", "2023-01-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("cohort_end", "2024-03-01", "disabled_children"),
        ),
        # starts 2024-03-02; + 28 = 2024-03-30 >= as_of -> pending, anchor 2024-03-02
        (Row("KENT-VIS-01", d("2024-03-30"), "pending", None, d("2024-03-02")),),
    ),
    Case(
        # Joins and later leaves the cohort: the cycle stops on joining and does not start again
        # in the same plan ("the cycle then stops").
        "kent_vis_stops_and_does_not_restart",
        d("2024-05-01"),
        ("KENT-VIS-01",),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-08", None),
            ("visit", "2024-01-22", "seen"),
            ("cohort_start", "2024-02-01", "disabled_children"),
            ("cohort_end", "2024-02-29", "disabled_children"),
            ("visit", "2024-03-05", "seen"),
            ("visit", "2024-03-20", "seen"),
        ),
        (
            # 2024-01-08 + 28 = 2024-02-05; visit 2024-01-22 -> met
            Row("KENT-VIS-01", d("2024-02-05"), "met", d("2024-01-22"), d("2024-01-08")),
            # 2024-01-22 + 28 = 2024-02-19; L - 1 = 2024-01-31 < due -> cancelled; stop (the
            # March visits, after the child left the cohort again, start nothing)
            Row("KENT-VIS-01", d("2024-02-19"), "cancelled", None, d("2024-01-22")),
        ),
    ),
    Case(
        # Judgement call (not settled by the spec): in disabled_children at the plan start, leaves
        # two days later; no initial meeting. KENT-REV-01's fallback (the date KENT-MTG-01 was
        # due) is after the child left, so the cycle runs from it with a null anchor, as usual;
        # but the review held while the child was still in the cohort does not count for it.
        "kent_rev_review_while_excluded_before_fallback_does_not_count",
        d("2024-09-01"),
        ("KENT-VIS-01", "KENT-REV-01"),
        (
            ("cohort_start", "2023-06-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("assessment_authorised", "2024-02-12", None),
            ("cin_plan_start", "2024-02-14", None),
            ("visit", "2024-02-15", "seen"),
            ("cin_review", "2024-02-15", None),
            ("cohort_end", "2024-02-16", "disabled_children"),
        ),
        (
            # plan start 2024-02-14 in the cohort -> starts 2024-02-17 (day after the end);
            # + 28 = 2024-03-16 (Feb 2024 has 29 days: +12 = 29 Feb, +16 = 16 Mar); the
            # 2024-02-15 visit is before the start -> overdue
            Row("KENT-VIS-01", d("2024-03-16"), "overdue", None, d("2024-02-17")),
            # fallback 2024-02-12 + 10 WD = 2024-02-26 (see kent_rev_fallback_...), not in the
            # cohort -> runs from it, anchor null; + 12 weeks = 2024-05-20 (same); the 2024-02-15
            # review was held in the cohort -> does not count -> overdue
            Row("KENT-REV-01", d("2024-05-20"), "overdue", None, None),
        ),
    ),
    # ---------------------------------------------------------------- Portsmouth PORT-REV-01
    Case(
        # A child merely in disabled_children keeps the three-monthly reviews (Portsmouth 3's
        # exception is the narrow disability_support_only one). Same dates as port_full_path.
        "port_rev_disabled_children_keeps_three_monthly",
        d("2024-10-01"),
        ("PORT-REV-01",),
        (
            ("cohort_start", "2023-09-01", "disabled_children"),
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-02-01", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_initial_meeting", "2024-02-29", None),
            ("cin_review", "2024-05-16", None),
        ),
        (
            # 2024-02-29 + 12 weeks = 2024-05-23 (see port_full_path); review 2024-05-16 -> met
            Row("PORT-REV-01", d("2024-05-23"), "met", d("2024-05-16"), d("2024-02-29")),
            # 2024-05-16 + 3 months = 2024-08-16 < as_of, no review -> overdue
            Row("PORT-REV-01", d("2024-08-16"), "overdue", None, d("2024-05-16")),
        ),
    ),
    Case(
        # disability_support_only for the whole plan: PORT-REV-02's six-monthly reviews apply
        # instead, so no PORT-REV-01 obligation.
        "port_rev_disability_support_only_not_scored",
        d("2024-10-01"),
        ("PORT-REV-01",),
        (
            ("cohort_start", "2023-09-01", "disability_support_only"),
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-02-01", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_initial_meeting", "2024-02-29", None),
            ("cin_review", "2024-05-16", None),
        ),
        (),
    ),
    Case(
        # In private fostering at the initial meeting, leaves it on 2024-04-30: the cycle starts
        # 2024-05-01 with the first (12-week) interval; the review held while in the cohort does
        # not count.
        "port_rev_leaves_private_fostering_mid_plan",
        d("2024-12-01"),
        ("PORT-REV-01",),
        (
            ("cohort_start", "2023-11-01", "private_fostering"),
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-02-01", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_initial_meeting", "2024-02-29", None),
            ("cin_review", "2024-04-10", None),
            ("cohort_end", "2024-04-30", "private_fostering"),
            ("cin_review", "2024-07-15", None),
        ),
        (
            # anchor 2024-02-29 in private_fostering -> starts 2024-05-01 (day after the end);
            # + 84 days: +30 = 31 May, +30 = 30 Jun (60), +24 = 2024-07-24; review 07-15 -> met
            Row("PORT-REV-01", d("2024-07-24"), "met", d("2024-07-15"), d("2024-05-01")),
            # 2024-07-15 + 3 months = 2024-10-15 < as_of -> overdue
            Row("PORT-REV-01", d("2024-10-15"), "overdue", None, d("2024-07-15")),
        ),
    ),
    Case(
        # Joins disability_support_only after the first review: the next review is cancelled
        # (L - 1 before its due date); the review after joining does not count.
        "port_rev_joins_disability_support_only_mid_plan",
        d("2024-10-01"),
        ("PORT-REV-01",),
        (
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-02-01", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_initial_meeting", "2024-02-29", None),
            ("cin_review", "2024-05-16", None),
            ("cohort_start", "2024-06-10", "disability_support_only"),
            ("cin_review", "2024-08-12", None),
        ),
        (
            Row("PORT-REV-01", d("2024-05-23"), "met", d("2024-05-16"), d("2024-02-29")),
            # 2024-05-16 + 3 months = 2024-08-16; L = 2024-06-10, L - 1 = 2024-06-09 < due
            # -> cancelled (the 2024-08-12 review is after L)
            Row("PORT-REV-01", d("2024-08-16"), "cancelled", None, d("2024-05-16")),
        ),
    ),
    Case(
        # Joins private fostering after the first review was already overdue: L - 1 is on or
        # after the due date, so it stays overdue.
        "port_rev_joins_private_fostering_after_missed_review",
        d("2024-10-01"),
        ("PORT-REV-01",),
        (
            ("referral", "2024-01-08", None),
            ("interim_plan", "2024-02-01", None),
            ("cin_plan_start", "2024-02-20", None),
            ("cin_initial_meeting", "2024-02-29", None),
            ("cohort_start", "2024-06-03", "private_fostering"),
        ),
        # 2024-02-29 + 12 weeks = 2024-05-23; L - 1 = 2024-06-02 >= due; 05-23 < as_of -> overdue
        (Row("PORT-REV-01", d("2024-05-23"), "overdue", None, d("2024-02-29")),),
    ),
    # ---------------------------------------------------------------- Brighton and Hove, section 8
    Case(
        # Direct-payments pathway for the whole plan: none of BH-MTG-01/02/03 applies.
        "bh_direct_payments_pathway_not_scored",
        d("2024-09-01"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (
            ("cohort_start", "2023-06-01", "direct_payments"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-15", None),
            ("cin_initial_meeting", "2024-01-22", None),
            ("network_meeting", "2024-05-01", None),
        ),
        (),
    ),
    Case(
        # Joins direct payments mid-plan: the network meeting cycle stops (outstanding meeting
        # cancelled), a meeting held on the pathway creates no minutes obligation, and the
        # deadlines anchored before joining are scored as usual.
        "bh_direct_payments_joined_mid_plan",
        d("2024-09-01"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-15", None),
            ("cin_initial_meeting", "2024-01-22", None),
            ("minutes_distributed", "2024-01-26", None),
            ("network_meeting", "2024-04-10", None),
            ("cohort_start", "2024-05-20", "direct_payments"),
            ("network_meeting", "2024-06-03", None),
            ("minutes_distributed", "2024-06-05", None),
        ),
        (
            # 2024-01-15 (Mon) + 15 WD: 16-19 (4), 22-26 (9), 29 Jan-2 Feb (14), 5 Feb (15)
            # -> 2024-02-05; meeting 2024-01-22 -> met
            Row("BH-MTG-01", d("2024-02-05"), "met", d("2024-01-22"), d("2024-01-15")),
            # 2024-01-22 + 3 months = 2024-04-22; network meeting 2024-04-10 -> met
            Row("BH-MTG-02", d("2024-04-22"), "met", d("2024-04-10"), d("2024-01-22")),
            # 2024-04-10 + 3 months = 2024-07-10; L = 2024-05-20, L - 1 = 2024-05-19 < due
            # -> cancelled (the 2024-06-03 meeting is after L)
            Row("BH-MTG-02", d("2024-07-10"), "cancelled", None, d("2024-04-10")),
            # 2024-01-22 (Mon) + 10 WD: 23-26 (4), 29 Jan-2 Feb (9), 5 Feb (10) -> 2024-02-05;
            # minutes 2024-01-26 -> met
            Row("BH-MTG-03", d("2024-02-05"), "met", d("2024-01-26"), d("2024-01-22")),
            # 2024-04-10 (Wed) + 10 WD: 11, 12 (2), 15-19 (7), 22, 23, 24 (10) -> 2024-04-24;
            # the only later minutes (2024-06-05) belong to the 2024-06-03 meeting -> overdue
            Row("BH-MTG-03", d("2024-04-24"), "overdue", None, d("2024-04-10")),
            # the 2024-06-03 meeting is on the pathway (joined 2024-05-20): no obligation
        ),
    ),
    Case(
        # On the pathway at the plan start, leaves it four days later, no initial meeting.
        # BH-MTG-01 did not arise (the plan start is on the pathway), so BH-MTG-02's fallback is
        # the plan start itself (semantics: "when that rule did not arise, from the plan's
        # start"); the child is not under BH-MTG-02 then, so the cycle starts the day after the
        # cohort ended. A meeting on the cohort_end day is still on the pathway.
        "bh_direct_payments_left_after_plan_start",
        d("2024-09-01"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (
            ("cohort_start", "2023-06-01", "direct_payments"),
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-15", None),
            ("cohort_end", "2024-01-19", "direct_payments"),
            ("network_meeting", "2024-01-19", None),
            ("network_meeting", "2024-04-22", None),
            ("minutes_distributed", "2024-04-30", None),
        ),
        (
            # BH-MTG-01: plan start 2024-01-15 on the pathway -> no obligation
            # BH-MTG-02: starts 2024-01-20 (Sat, the day after the cohort_end); + 3 months =
            # 2024-04-20; the 2024-01-19 meeting is before the start; 2024-04-22 -> late
            Row("BH-MTG-02", d("2024-04-20"), "late", d("2024-04-22"), d("2024-01-20")),
            # 2024-04-22 + 3 months = 2024-07-22 < as_of -> overdue
            Row("BH-MTG-02", d("2024-07-22"), "overdue", None, d("2024-04-22")),
            # BH-MTG-03: 2024-01-19 meeting on the pathway (member through the cohort_end day)
            # -> none; 2024-04-22 (Mon) + 10 WD: 23-26 (4), 29 Apr-3 May (9), 6 May bank
            # holiday, 7 May (10) -> 2024-05-07; minutes 2024-04-30 -> met
            Row("BH-MTG-03", d("2024-05-07"), "met", d("2024-04-30"), d("2024-04-22")),
        ),
    ),
    Case(
        # Joins the pathway after the plan start, before BH-MTG-01 falls due, with no initial
        # meeting: BH-MTG-01 looks at the plan start only, so it is still scored (overdue).
        # BH-MTG-02's fallback (the date BH-MTG-01 was due) is on the pathway and the child never
        # leaves it: no cycle.
        "bh_mtg_01_looks_at_plan_start_only",
        d("2024-06-01"),
        ("BH-MTG-01", "BH-MTG-02", "BH-MTG-03"),
        (
            ("referral", "2024-01-08", None),
            ("cin_plan_start", "2024-01-15", None),
            ("cohort_start", "2024-01-25", "direct_payments"),
        ),
        # 2024-01-15 + 15 WD = 2024-02-05 (see bh_direct_payments_joined_mid_plan) < as_of
        # -> overdue
        (Row("BH-MTG-01", d("2024-02-05"), "overdue", None, d("2024-01-15")),),
    ),
]
