"""Annex A workbooks for the tests, written from the Annex A reference (docs/annex-a.md), not from
the importer.

An :class:`Annex` holds the rows of each list as plain values; the writers lay them out the ways
authorities deliver them:

- headers: the template's texts (``"template"``), the spellings seen in real files
  (``"variant"``: "Age", "Date of Referral", other case, doubled, trailing and non-breaking
  spaces, curly quotes, a stray bracket) or the Standard Safeguarding Dataset script's CamelCase
  names (``"camel"``);
- dates: real Excel dates (``"real"``), ``dd/mm/yyyy`` text (``"text"``), ``dd/mm/yyyy
  00:00:00`` text (``"text_time"``) or all of these in turn down each column (``"mixed"``);
- coded values with the template's letter prefixes ("a) Male", "q) 6: Police") or bare ("M", "6");
- child ids as text or as Excel numbers;
- sheet names that say which list is which, or that mislead (the importer must go by headers).

:func:`standard_annex` is a small authority with known counts (see :data:`STANDARD_COUNTS`),
and :func:`expected_events` maps an Annex to the events the reference says it gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

D = dt.date

#: The inspection the standard annex was extracted for, and its six-month window.
INSPECTION = D(2024, 10, 14)
WINDOW_START = D(2024, 4, 14)


@dataclass(frozen=True)
class Code:
    """A coded value as the template writes it ("a) Male") and bare ("M")."""

    prefixed: str
    bare: str


YES, NO, UNKNOWN = Code("a) Yes", "Yes"), Code("b) No", "No"), Code("c) Unknown", "Unknown")
MALE, FEMALE = Code("a) Male", "M"), Code("b) Female", "F")
WBRI, BAFR = Code("a) WBRI", "WBRI"), Code("o) BAFR", "BAFR")

# --------------------------------------------------------------------------------------------
# The columns of each list: (our key, template header, variant spelling, CamelCase name).
# Template texts and CamelCase names as in the reference; variants as its section on workbook
# conventions describes (case, spacing, "Age", "Date of Referral", curly quotes, stray bracket).

NBSP = "\u00a0"
_COMMON = [
    ("child_id", "Child Unique ID", "CHILD UNIQUE ID", "ChildUniqueID"),
    ("gender", "Gender", "gender", "Gender"),
    ("ethnicity", "Ethnicity", "Ethnicity ", "Ethnicity"),
    ("dob", "Date of Birth", "Date  of  Birth", "DateOfBirth"),
    ("age", "Age of Child (Years)", "Age", "Age"),
]
_DISABILITY = ("disability", "Does the Child have a Disability", "Does the child have a disability ", "HasDisability")
_TEAM_WORKER = [
    ("team", "Allocated Team", f"Allocated{NBSP}Team", "AllocatedTeam"),
    ("worker", "Allocated Worker", "allocated worker", "AllocatedWorker"),
]
COLUMNS: dict[int, list[tuple[str, str, str, str]]] = {
    1: [*_COMMON,
        ("contact_date", "Date of Contact", "Date of contact ", "DateOfContact"),
        ("contact_source", "Contact Source", "contact source", "ContactSource")],
    2: [*_COMMON,
        ("eh_start", "Assessment start date", "Assessment Start Date", "AssessmentStartDate"),
        ("eh_end", "Assessment completion date", "Assessment Completion Date ", "AssessmentCompletionDate"),
        ("eh_org", "Organisation completing assessment", "Organisation Completing Assessment",
         "OrganisationCompletingAssessment")],
    3: [*_COMMON,
        ("referral_date", "Date of referral", "Date of Referral", "ReferralDate"),
        ("source", "Referral Source", "Referral  Source", "ReferralSource"),
        ("nfa", "Referral NFA?", "Referral NFA? ", "ReferralNFA"),
        ("referrals_12m", "Number of Referrals in Last 12 Months", "Number of referrals in last 12 months",
         "ReferralsLast12Months"),
        *_TEAM_WORKER],
    4: [*_COMMON, _DISABILITY,
        ("start", "Continuous Assessment Start Date", "Continuous Assessment Start Date ", "ContinuousAssessmentStart"),
        ("seen", "Child Seen During Continuous Assessment", "Child seen during continuous assessment",
         "ContinuousAssessmentChildSeen"),
        ("authorised", "Continuous Assessment Date of Authorisation", "Continuous assessment date of authorisation",
         "ContinuousAssessmentAuthDate"),
        ("support", "Was the child assessed as requiring LA children's social care support?",
         "Was the child assessed as requiring LA children\u2019s social care support?", "CSCSupportRequired"),
        *_TEAM_WORKER],
    5: [*_COMMON, _DISABILITY,
        ("strategy", "Strategy discussion initiating Section 47 Enquiry Start Date",
         "Strategy Discussion initiating Section 47 Enquiry Start Date ", "StratDiscussionDate"),
        ("unnecessary", "Was an Initial Child Protection Conference deemed unnecessary?",
         "Was an initial child protection conference deemed unnecessary?", "InitialCPConfUnnecessary"),
        ("icpc", "Date of Initial Child Protection Conference", "Date of initial child protection conference ",
         "InitialCPConfDate"),
        ("plan_result", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
         "Did the initial child protection conference result in a child protection plan", "CPConfResultInCPPlan"),
        ("s47_12m", "Number of Section 47 Enquiries in the last 12 months",
         "Number of Section 47 Enquiries in the Last 12 Months", "NumberS47s12m"),
        ("icpc_12m", "Number of ICPCs in the last 12 months", "Number of ICPCs in the Last 12 Months", "NumberICPCs12m"),
        *_TEAM_WORKER],
    6: [*_COMMON, _DISABILITY,
        ("cin_start", "CIN Start Date", "CIN start date ", "CINStartDate"),
        ("need", "Primary Need Code", "Primary need code", "PrimaryNeedCode"),
        ("last_seen", "Date Child Was Last Seen", "Date child was last seen ", "DateChildLastSeen"),
        ("closure", "CIN Closure Date", "CIN Closure  Date", "CINClosureDate"),
        ("reason", "Reason for Closure", "Reason For Closure", "ReasonForClosure"),
        ("status", "Case Status", "Case status", "CaseStatus"),
        *_TEAM_WORKER],
    7: [*_COMMON, _DISABILITY,
        ("plan_start", "Child Protection Plan Start Date", "Child protection plan start date ",
         "ChildProtectionPlanStartDate"),
        ("initial_category", "Initial Category of Abuse", "Initial category of abuse", "InitialCategoryOfAbuse"),
        ("latest_category", "Latest Category of Abuse", "Latest category of abuse", "LatestCategoryOfAbuse"),
        ("visit", "Date of the Last Statutory Visit", "Date of the last statutory visit ", "DateOfLastStatutoryVisit"),
        ("seen_alone", "Was the Child Seen Alone?", "Was the child seen alone?", "ChildSeenAlone"),
        ("review", "Date of latest review conference", "Date of Latest Review Conference ", "DateOfLatestReviewConf"),
        ("plan_end", "Child Protection Plan End Date", "Child protection plan end date", "ChildProtectionPlanEndDate"),
        ("epo", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
         "Subject to Emergency Protection Order or protected under police powers in last six months (Y/N)",
         "ProtectionLastSixMonths"),
        ("previous_plans", "Number of Previous Child Protection Plans", "Number of previous child protection plans",
         "NumberOfPreviousChildProtectionPlans"),
        *_TEAM_WORKER],
    8: [*_COMMON,
        ("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
         "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))", "UASC"),
        _DISABILITY,
        ("la_start", "Date Started to be Looked After", "Date started to be looked after ", "LoookedAfterStartDate"),
        ("category_of_need", "Child's Category of Need", "Child\u2019s Category of Need", "ChildCategoryOfNeed"),
        ("second_period",
         "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
         "Is this a second or subsequent period of being a looked after child within the last 12 months (Y/N)",
         "SubsequentLACEpisodeLast12Months"),
        ("legal_start", "Start date of current legal status", "Start Date of Current Legal Status",
         "MostRecentLegalStatusStart"),
        ("legal_status", "Child's Legal Status", "Child\u2019s legal status", "LegalStatus"),
        ("stat_review", "Date of Latest Statutory Review", "Date of latest statutory review", "LatestStatutoryReviewDate"),
        ("sw_visit", "Date of Last Social Work Visit", "Date of last social work visit ", "LastSocialWorkVisitDate"),
        ("permanence", "What is the permanence plan for this child?", "What is the permanence plan for this child? ",
         "PermanencePlan"),
        ("iro", "Date of Last IRO Visit / Contact to the Child", "Date of last IRO visit / contact to the child",
         "LastIROVisitDate"),
        ("health", "Date of Last Health Assessment", "Date of last health assessment", "LastHealthAssessmentDate"),
        ("dental", "Date of Last Dental Check", "Date of last dental check", "LastDentalCheckDate"),
        ("placements", "Number of Placements in the Last 12 months", "Number of placements in the last 12 months",
         "PlacementsLast12Months"),
        ("ceased", "Date Ceased to be Looked After", "Date ceased to be looked after ", "CeasedLookedAfterDate"),
        ("ceased_reason", "Reason Ceased to be Looked After", "Reason ceased to be looked after",
         "ReasonCeasedLookedAfter"),
        ("placement_start", "Start Date of Most Recent Placement", "Start date of most recent placement",
         "MostRecentPlacementStartDate"),
        ("placement_type", "Placement Type", "Placement type", "PlacementType"),
        ("provider", "Placement Provider", "Placement provider", "PlacementProvider"),
        ("postcode", "Placement postcode", "Placement Postcode", "PlacementPostcode"),
        ("urn", "URN of Placement", "URN of placement", "PlacementURN"),
        ("location", "Placement Location", "Placement location", "PlacementLocation"),
        ("placement_la", "LA of Placement", "LA of placement", "PlacementLA"),
        ("missing", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
         "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
         "EpisodesChildMissingFromPlacement"),
        ("absent", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
         "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
         "EpisodesChildAbsentFromPlacement"),
        ("ri_offered", "Was the child offered a Return Interview after their last missing episode (Y/N)?",
         "Was the child offered a return interview after their last missing episode (Y/N)?",
         "ChildOfferedReturnInterviewAfterLastMFH"),
        ("ri_accepted", "Did the child accept a Return Interview after their last missing episode (Y/N)?",
         "Did the child accept a return interview after their last missing episode (Y/N)?",
         "ChildAcceptedReturnInterviewAfterLastMFH"),
        *_TEAM_WORKER],
    9: [*_COMMON,
        ("uasc_leaver", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
         "Unaccompanied asylum seeking child (UASC), or formerly UASC if 18 or over (Y/N)",
         "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"),
        _DISABILITY, *_TEAM_WORKER,
        ("pa", "Allocated Personal Advisor", "Allocated personal advisor", "Allocated Personal Advisor"),
        ("eligibility", "Eligibility Category", "Eligibility category", "Eligibility Category"),
        ("pathway", "Latest Pathway Plan Review Date", "Latest pathway plan review date", "Latest Pathway Plan Review Date"),
        ("in_touch", "LA in Touch", "LA in touch", "LA in Touch"),
        ("latest_contact", "Latest Date of Contact", "Latest date of contact", "Latest Date of Contact"),
        ("accommodation", "Type of Accommodation", "Type of accommodation", "Type of Accommodation"),
        ("suitability", "Suitability of Accommodation", "Suitability of accommodation", "Suitability of Accommodation"),
        ("activity", "Activity Status", "Activity status", "Activity Status")],
}
#: Our keys of the dated columns of each list (written as dates).
DATE_KEYS = {"dob", "contact_date", "eh_start", "eh_end", "referral_date", "start", "authorised", "strategy", "icpc",
             "cin_start", "last_seen", "closure", "plan_start", "visit", "review", "plan_end", "la_start",
             "legal_start", "stat_review", "sw_visit", "iro", "health", "dental", "ceased", "placement_start",
             "pathway", "latest_contact"}

SHEET_NAMES = {1: "List 1", 2: "List 2", 3: "List 3", 4: "List 4", 5: "List 5", 6: "List 6", 7: "List 7",
               8: "List 8", 9: "List 9"}
#: Names that say nothing, or the wrong thing: the importer must identify lists by headers.
MISLEADING_NAMES = {1: "Sheet9", 2: "EH", 3: "List 6", 4: "Data (2)", 5: "List 3", 6: "CIN", 7: "Sheet1",
                    8: "Sheet2", 9: "Leavers"}


Row = dict[str, object]


@dataclass
class Annex:
    """The rows of an Annex A return, list by list (values as dates, Codes, text or numbers)."""

    lists: dict[int, list[Row]] = field(default_factory=dict)

    def rows(self, number: int) -> list[Row]:
        return self.lists.get(number, [])


def _person(child: str, gender: Code = MALE, ethnicity: Code = WBRI, dob: D = D(2015, 6, 1), age: int = 9) -> Row:
    return {"child_id": child, "gender": gender, "ethnicity": ethnicity, "dob": dob, "age": age}


def standard_annex() -> Annex:
    """A small authority inspected on 14 October 2024 (window from 14 April 2024).

    Children (ids 1001-1010 are numeric, A0003/A0004/A0009 alphanumeric):

    - 1001: referred 02/05/2024 by the police; assessed 03/05 to 20/06; enquiry from the strategy
      discussion of 02/05, ICPC 28/05 -> CP plan from 28/05, reviewed 20/08, last visit 01/10
      (seen alone). On List 6 with the same start and the same last visit.
    - 1002: referred 19/08/2024; assessment from 19/08 still open; enquiry 20/08, ICPC 11/09 ->
      CP plan from 11/09, last visit 08/10 (not alone). On List 6 likewise.
    - A0003: referred 03/06/2024, no further action: List 3 only.
    - A0004: referred 22/04/2024 (and the same row twice); assessed 23/04 to 10/06; List 6
      episode from 22/04, last seen 25/07, closed 31/07 (RC7).
    - 1005: history before the window: CIN episode from 11/03/2024 (not on List 3), assessed
      12/03 to 30/04, enquiry 25/03, ICPC 16/04 -> CP plan 16/04 to 30/09, reviewed 09/07, last
      visit 23/09 (seen alone: unknown).
    - 1006: referred 30/09/2024; assessment and enquiry from 30/09, both open (no ICPC yet).
    - 1007: looked after from 01/11/2023 (List 8), last social work visit 20/09/2024, ceased
      27/09/2024 (E4A, returned home as planned); CIN episode from 02/10/2023 on List 6.
    - 1008: looked after from 14/06/2024, last visit 10/10/2024 (List 8 only).
    - A0009: referred 01/07/2024 and again 02/09/2024; assessed 02/07 to 28/08; List 6 episode
      from 02/09 (its latest), last seen 18/09, closed 20/09 (RC8).
    - 1010: contacts and early help only (Lists 1 and 2); 1011: a care leaver (List 9).

    The List 5 row of 1002 is also given twice.
    """
    t1, w1 = "Front Door", "Sam Patel"
    t2, w2 = "Locality North", "Zoë O\u2019Neil"
    lists: dict[int, list[Row]] = {}
    lists[1] = [
        {**_person("1010"), "contact_date": D(2024, 5, 7), "contact_source": Code("e) 2A: Schools", "2A")},
        {**_person("1010"), "contact_date": D(2024, 8, 13), "contact_source": Code("q) 6: Police", "6")},
        {**_person("1001"), "contact_date": D(2024, 5, 1), "contact_source": Code("q) 6: Police", "6")},
    ]
    lists[2] = [
        {**_person("1010"), "eh_start": D(2024, 6, 3), "eh_end": D(2024, 7, 15), "eh_org": "Family Hub"},
        {**_person("A0003"), "eh_start": D(2024, 6, 10), "eh_end": None, "eh_org": "School"},
    ]
    a4 = {**_person("A0004", FEMALE, BAFR, D(2012, 1, 9), 12), "referral_date": D(2024, 4, 22),
          "source": Code("a) 1A: Individual", "1A"), "nfa": NO, "referrals_12m": 0, "team": t1, "worker": w1}
    lists[3] = [
        {**_person("1001"), "referral_date": D(2024, 5, 2), "source": Code("q) 6: Police", "6"), "nfa": NO,
         "referrals_12m": 0, "team": t1, "worker": w1},
        {**_person("1002"), "referral_date": D(2024, 8, 19), "source": Code("e) 2A: Schools", "2A"), "nfa": NO,
         "referrals_12m": 1, "team": t1, "worker": w1},
        {**_person("A0003"), "referral_date": D(2024, 6, 3), "source": Code("g) 3A: Health services", "3A"),
         "nfa": YES, "referrals_12m": 0, "team": t1, "worker": w1},
        a4,
        dict(a4),  # the same referral twice
        {**_person("1006"), "referral_date": D(2024, 9, 30), "source": Code("q) 6: Police", "6"), "nfa": NO,
         "referrals_12m": 0, "team": t1, "worker": w1},
        {**_person("A0009"), "referral_date": D(2024, 7, 1), "source": Code("p1) 5D: LA services", "5D"),
         "nfa": NO, "referrals_12m": 0, "team": t1, "worker": w1},
        {**_person("A0009"), "referral_date": D(2024, 9, 2), "source": Code("s) 8: Other", "8"), "nfa": NO,
         "referrals_12m": 1, "team": t1, "worker": w1},
    ]
    lists[4] = [
        {**_person("1001"), "disability": NO, "start": D(2024, 5, 3), "seen": YES, "authorised": D(2024, 6, 20),
         "support": YES, "team": t2, "worker": w2},
        {**_person("1002"), "disability": NO, "start": D(2024, 8, 19), "seen": YES, "authorised": None,
         "support": None, "team": t2, "worker": w2},
        {**_person("A0004", FEMALE, BAFR, D(2012, 1, 9), 12), "disability": YES, "start": D(2024, 4, 23),
         "seen": YES, "authorised": D(2024, 6, 10), "support": YES, "team": t2, "worker": w2},
        {**_person("1005"), "disability": NO, "start": D(2024, 3, 12), "seen": YES, "authorised": D(2024, 4, 30),
         "support": YES, "team": t2, "worker": w2},
        {**_person("1006"), "disability": NO, "start": D(2024, 9, 30), "seen": NO, "authorised": None,
         "support": None, "team": t2, "worker": w2},
        {**_person("A0009"), "disability": NO, "start": D(2024, 7, 2), "seen": YES, "authorised": D(2024, 8, 28),
         "support": YES, "team": t2, "worker": w2},
    ]
    e2 = {**_person("1002"), "disability": NO, "strategy": D(2024, 8, 20), "unnecessary": NO,
          "icpc": D(2024, 9, 11), "plan_result": YES, "s47_12m": 0, "icpc_12m": 0, "team": t2, "worker": w2}
    lists[5] = [
        {**_person("1001"), "disability": NO, "strategy": D(2024, 5, 2), "unnecessary": NO, "icpc": D(2024, 5, 28),
         "plan_result": YES, "s47_12m": 0, "icpc_12m": 0, "team": t2, "worker": w2},
        e2,
        dict(e2),  # the same enquiry twice
        {**_person("1005"), "disability": NO, "strategy": D(2024, 3, 25), "unnecessary": NO, "icpc": D(2024, 4, 16),
         "plan_result": YES, "s47_12m": 0, "icpc_12m": 0, "team": t2, "worker": w2},
        {**_person("1006"), "disability": NO, "strategy": D(2024, 9, 30), "unnecessary": None, "icpc": None,
         "plan_result": None, "s47_12m": 0, "icpc_12m": 0, "team": t2, "worker": w2},
    ]
    need = Code("N1 - Abuse or neglect", "N1")
    lists[6] = [
        {**_person("1001"), "disability": NO, "cin_start": D(2024, 5, 2), "need": need, "last_seen": D(2024, 10, 1),
         "closure": None, "reason": None, "status": Code("b) Child Protection plan", "Child Protection plan"),
         "team": t2, "worker": w2},
        {**_person("1002"), "disability": NO, "cin_start": D(2024, 8, 19), "need": need, "last_seen": D(2024, 10, 8),
         "closure": None, "reason": None, "status": Code("b) Child Protection plan", "Child Protection plan"),
         "team": t2, "worker": w2},
        {**_person("A0004", FEMALE, BAFR, D(2012, 1, 9), 12), "disability": YES, "cin_start": D(2024, 4, 22),
         "need": Code("N5 - Family dysfunction", "N5"), "last_seen": D(2024, 7, 25), "closure": D(2024, 7, 31),
         "reason": Code("RC7 - Services ceased for any other reason, including child no longer in need", "RC7"),
         "status": Code("e) Closed episode", "Closed episode"), "team": t2, "worker": w2},
        {**_person("1005"), "disability": NO, "cin_start": D(2024, 3, 11), "need": need, "last_seen": D(2024, 9, 23),
         "closure": None, "reason": None, "status": Code("c) Child in need plan", "Child in need plan"),
         "team": t2, "worker": w2},
        {**_person("1007"), "disability": NO, "cin_start": D(2023, 10, 2), "need": need, "last_seen": D(2024, 9, 20),
         "closure": None, "reason": None, "status": Code("c) Child in need plan", "Child in need plan"),
         "team": t2, "worker": w2},
        {**_person("A0009"), "disability": NO, "cin_start": D(2024, 9, 2), "need": Code("N4 - Family in acute stress",
         "N4"), "last_seen": D(2024, 9, 18), "closure": D(2024, 9, 20),
         "reason": Code("RC8 - Case closed after assessment, no further action", "RC8"),
         "status": Code("e) Closed episode", "Closed episode"), "team": t2, "worker": w2},
    ]
    neglect = Code("a) Neglect", "NEG")
    lists[7] = [
        {**_person("1001"), "disability": NO, "plan_start": D(2024, 5, 28), "initial_category": neglect,
         "latest_category": neglect, "visit": D(2024, 10, 1), "seen_alone": YES, "review": D(2024, 8, 20),
         "plan_end": None, "epo": NO, "previous_plans": 0, "team": t2, "worker": w2},
        {**_person("1002"), "disability": NO, "plan_start": D(2024, 9, 11), "initial_category": neglect,
         "latest_category": neglect, "visit": D(2024, 10, 8), "seen_alone": NO, "review": None, "plan_end": None,
         "epo": NO, "previous_plans": 1, "team": t2, "worker": w2},
        {**_person("1005"), "disability": NO, "plan_start": D(2024, 4, 16), "initial_category": neglect,
         "latest_category": Code("d) Emotional abuse", "EMO"), "visit": D(2024, 9, 23), "seen_alone": UNKNOWN,
         "review": D(2024, 7, 9), "plan_end": D(2024, 9, 30), "epo": NO, "previous_plans": 0, "team": t2,
         "worker": w2},
    ]
    lac = {"uasc": NO, "disability": NO, "category_of_need": need, "second_period": NO,
           "legal_status": Code("C2: FCO", "C2"), "stat_review": D(2024, 8, 1), "permanence": None,
           "iro": D(2024, 8, 1), "health": D(2024, 2, 1), "dental": D(2024, 3, 1), "placements": 1,
           "placement_type": Code("U4: Foster placement with other foster carer", "U4"),
           "provider": Code("b) PR1: Own provision", "PR1"), "postcode": "AB1 2CD", "urn": None,
           "location": Code("a) In", "In"), "placement_la": None, "missing": 0, "absent": 0, "ri_offered": None,
           "ri_accepted": None, "team": "Children in Care", "worker": "Alex Moore"}
    lists[8] = [
        {**_person("1007"), **lac, "la_start": D(2023, 11, 1), "legal_start": D(2023, 11, 1),
         "sw_visit": D(2024, 9, 20), "ceased": D(2024, 9, 27),
         "ceased_reason": Code("e) E4A: Returned home to live with parents or relatives - part of planning", "E4A"),
         "placement_start": D(2023, 11, 1)},
        {**_person("1008"), **lac, "la_start": D(2024, 6, 14), "legal_start": D(2024, 6, 14),
         "sw_visit": D(2024, 10, 10), "ceased": None, "ceased_reason": None, "placement_start": D(2024, 6, 14)},
    ]
    lists[9] = [
        {**_person("1011", dob=D(2005, 3, 3), age=19), "uasc_leaver": NO, "disability": NO, "team": "Leaving Care",
         "worker": "Jo Bloggs", "pa": "Kim Lee", "eligibility": Code("b) Former relevant child", "Former relevant"),
         "pathway": D(2024, 7, 1), "in_touch": YES, "latest_contact": D(2024, 9, 30),
         "accommodation": Code("U: Independent living", "U"), "suitability": Code("a) Suitable", "Suitable"),
         "activity": Code("F3: Full time in training or employment", "F3")},
    ]
    return Annex(lists)


#: What the standard annex holds, counted from the reference's rules by hand (see
#: :func:`standard_annex`): rows as given, and the things they describe once the duplicate rows
#: (List 3: child + date + source; List 5: child + strategy discussion date) are removed.
STANDARD_COUNTS = {
    "rows": {"List 1": 3, "List 2": 2, "List 3": 8, "List 4": 6, "List 5": 5, "List 6": 6, "List 7": 3,
             "List 8": 2, "List 9": 1},
    "children": 9,  # on Lists 3-8: 1001, 1002, A0003, A0004, 1005, 1006, 1007, 1008, A0009
    "referrals": 7,  # List 3 rows less the repeated A0004 row
    "assessments": 6,
    "enquiries": 4,  # List 5 rows less the repeated 1002 row
    "conferences": 3,  # enquiries with an ICPC date: 1001, 1002, 1005
    "plans": 3,
}


def _dedup(rows: Iterable[Row], key: Sequence[str]) -> list[Row]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for row in rows:
        k = tuple(_bare(row.get(name)) for name in key)
        if k in seen:
            continue
        seen.add(k)
        out.append(row)
    return out


def _bare(value: object) -> object:
    return value.bare if isinstance(value, Code) else value


def expected_events(annex: Annex, list6_start_as: str = "referral", strategy_discussion: bool = False
                    ) -> set[tuple[str, str, D, str | None]]:
    """The events the reference maps an annex to, as (child, event, date, qualifier).

    List 3 referral; List 4 assessment_start, assessment_authorised; List 5 s47_start (+
    strategy_discussion), icpc; List 6 CIN start (referral or cin_plan_start), visit[seen],
    closure[RCn]; List 7 cp_plan_start, visit (seen_alone when "Yes", else seen), cp_review,
    cp_plan_end; List 8 looked_after_start, visit[seen], looked_after_end (E4A planned return
    home, E4B unplanned, other codes other). The same event read from two lists is one event (a
    visit seen alone on any list is seen alone).
    """
    events: dict[tuple[str, str, D], str | None] = {}

    def add(child: object, event: str, day: object, qualifier: str | None = None) -> None:
        if not isinstance(day, D):
            return
        key = (str(child), event, day)
        if key in events and event == "visit" and events[key] == "seen_alone":
            return
        events[key] = qualifier

    for r in _dedup(annex.rows(3), ("child_id", "referral_date", "source")):
        add(r["child_id"], "referral", r["referral_date"])
    for r in _dedup(annex.rows(4), ("child_id", "start")):
        add(r["child_id"], "assessment_start", r["start"])
        add(r["child_id"], "assessment_authorised", r["authorised"])
    for r in _dedup(annex.rows(5), ("child_id", "strategy")):
        add(r["child_id"], "s47_start", r["strategy"])
        if strategy_discussion:
            add(r["child_id"], "strategy_discussion", r["strategy"])
        add(r["child_id"], "icpc", r["icpc"])
    for r in _dedup(annex.rows(6), ("child_id", "cin_start")):
        add(r["child_id"], list6_start_as, r["cin_start"])
        add(r["child_id"], "visit", r["last_seen"], "seen")
        add(r["child_id"], "closure", r["closure"], str(_bare(r["reason"])))
    for r in _dedup(annex.rows(7), ("child_id", "plan_start")):
        add(r["child_id"], "cp_plan_start", r["plan_start"])
        add(r["child_id"], "visit", r["visit"], "seen_alone" if r["seen_alone"] == YES else "seen")
        add(r["child_id"], "cp_review", r["review"])
        add(r["child_id"], "cp_plan_end", r["plan_end"])
    for r in _dedup(annex.rows(8), ("child_id", "la_start")):
        add(r["child_id"], "looked_after_start", r["la_start"])
        add(r["child_id"], "visit", r["sw_visit"], "seen")
        reason = _bare(r["ceased_reason"])
        qualifier = {"E4A": "return_home_planned", "E4B": "return_home_unplanned"}.get(str(reason), "other")
        add(r["child_id"], "looked_after_end", r["ceased"], qualifier)
    return {(c, e, d, q) for (c, e, d), q in events.items()}


# --------------------------------------------------------------------------------------------
# Writers


@dataclass(frozen=True)
class Layout:
    """How a workbook is laid out (see the module docstring)."""

    headers: str = "template"  # template | variant | camel
    dates: str = "real"  # real | text | text_time | mixed
    codes: str = "prefixed"  # prefixed | bare
    ids: str = "text"  # text | number (numeric ids as Excel numbers)
    sheet_names: str = "list"  # list | misleading
    date_format: str = "dd/mm/yyyy"  # the display format of real dates (not to be relied on)
    cover: bool = True  # a cover sheet and a notes sheet
    hidden: tuple[int, ...] = ()  # lists written to hidden sheets
    formula_age: bool = False  # "Age" as a formula with its result saved
    lists: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9)


def header_text(number: int, key: str, headers: str) -> str:
    for k, template, variant, camel in COLUMNS[number]:
        if k == key:
            return {"template": template, "variant": variant, "camel": camel}[headers]
    raise KeyError((number, key))


def _text_date(day: D, style: str) -> str:
    text = f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return text + " 00:00:00" if style == "text_time" else text


def _date_style(layout: Layout, index: int) -> str:
    if layout.dates == "mixed":
        return ("real", "text", "text_time")[index % 3]
    return layout.dates


def cell_value(value: object, key: str, layout: Layout, index: int) -> object:
    """A value as the layout writes it: a date (real) or its text, a Code's spelling, an id."""
    if isinstance(value, Code):
        return value.prefixed if layout.codes == "prefixed" else value.bare
    if isinstance(value, D):
        style = _date_style(layout, index)
        return value if style == "real" else _text_date(value, style)
    if key == "child_id" and layout.ids == "number" and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def write_xlsx(path: Path, annex: Annex, layout: Layout = Layout()) -> Path:
    """Writes an annex as an .xlsx workbook, one sheet per list, headers in row 1."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": layout.date_format})
    if layout.cover:
        cover = workbook.add_worksheet("Cover")
        cover.write(0, 0, "Annex A child-level data")
        cover.write(1, 0, "Local authority: Anytown")
        cover.write(2, 0, "Inspection date")
        cover.write_datetime(2, 1, dt.datetime(2024, 10, 14), date_format)
    names = MISLEADING_NAMES if layout.sheet_names == "misleading" else SHEET_NAMES
    for number in layout.lists:
        sheet = workbook.add_worksheet(names[number])
        if number in layout.hidden:
            sheet.hide()
        columns = COLUMNS[number]
        for c, column in enumerate(columns):
            sheet.write_string(0, c, header_text(number, column[0], layout.headers))
        for r, row in enumerate(annex.rows(number), start=1):
            for c, (key, *_names) in enumerate(columns):
                value = cell_value(row.get(key), key, layout, r)
                if key == "age" and layout.formula_age and isinstance(value, int):
                    sheet.write_formula(r, c, f"={value}+0", None, value)
                elif value is None:
                    continue
                elif isinstance(value, D):
                    sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    if layout.cover:
        notes = workbook.add_worksheet("Notes")
        notes.write(0, 0, "Notes")
        notes.write(1, 0, "List 3 holds every referral in the six months before the inspection.")
    workbook.close()
    return path


def write_csv_folder(folder: Path, annex: Annex, layout: Layout = Layout(dates="text"), *,
                     encoding: str = "utf-8", names: dict[int, str] | None = None) -> Path:
    """Writes an annex as a folder of CSV files, one per list (dates as text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in layout.lists:
        columns = COLUMNS[number]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([header_text(number, c[0], layout.headers) for c in columns])
        for r, row in enumerate(annex.rows(number), start=1):
            out = []
            for key, *_names in columns:
                value = cell_value(row.get(key), key, layout, r)
                if isinstance(value, D):
                    value = _text_date(value, "text")
                out.append("" if value is None else str(value))
            writer.writerow(out)
        name = (names or {}).get(number, f"list_{number}.csv")
        (folder / name).write_bytes(buffer.getvalue().encode(encoding))
    return folder


def write_ods(path: Path, annex: Annex, layout: Layout = Layout(), *, hidden: tuple[int, ...] = ()) -> Path:
    """Writes an annex as an OpenDocument spreadsheet (odfpy); real dates are date cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden_style = Style(name="hiddentable", family="table")
    hidden_style.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden_style)

    def cell(value: object) -> TableCell:
        if value is None:
            return TableCell()
        if isinstance(value, D):
            c = TableCell(valuetype="date", datevalue=value.isoformat())
            c.addElement(P(text=_text_date(value, "text")))
            return c
        if isinstance(value, (int, float)):
            c = TableCell(valuetype="float", value=value)
            c.addElement(P(text=str(value)))
            return c
        c = TableCell(valuetype="string")
        c.addElement(P(text=str(value)))
        return c

    for number in layout.lists:
        kwargs = {"stylename": hidden_style} if number in hidden else {}
        table = Table(name=SHEET_NAMES[number], **kwargs)
        columns = COLUMNS[number]
        header = TableRow()
        for key, *_names in columns:
            header.addElement(cell(header_text(number, key, layout.headers)))
        table.addElement(header)
        for r, row in enumerate(annex.rows(number), start=1):
            line = TableRow()
            for key, *_names in columns:
                line.addElement(cell(cell_value(row.get(key), key, layout, r)))
            table.addElement(line)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_sheets(path: Path, sheets: dict[str, list[list[object]]], *, merge: str | None = None,
                 merge_sheet: str | None = None, formulas: dict[tuple[str, int, int], tuple[str, object]] | None = None,
                 hidden: Sequence[str] = ()) -> Path:
    """A small workbook from rows of cells (row 0: headers), for the bad-input cases.

    ``merge`` merges a range (e.g. ``"A1:B1"``) of ``merge_sheet``; ``formulas`` puts formulas
    (with a saved result, or ``""`` for none) at (sheet, row, column).
    """
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        if name in hidden:
            sheet.hide()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                formula = (formulas or {}).get((name, r, c))
                if formula is not None:
                    sheet.write_formula(r, c, formula[0], None, formula[1])
                elif value is None:
                    continue
                elif isinstance(value, D):
                    sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        if merge is not None and name == merge_sheet:
            top, left = xl_cell_to_rowcol(merge.split(":")[0])
            first = rows[top][left] if top < len(rows) and left < len(rows[top]) else None
            sheet.merge_range(merge, "" if first is None else str(first))
    workbook.close()
    return path


def sheet_xml(path: Path, index: int = 1) -> str:
    """The XML of a workbook's sheet (for checking what a written file holds)."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()
