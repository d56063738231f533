"""Reading Ofsted's ILACS Annex A child-level lists as cinscope events.

Before an inspection of local authority children's services (ILACS) Ofsted asks the authority
for child-level lists ("Annex A"): one sheet per list, each a snapshot of the months before the
inspection. :func:`read_annex_a` reads such a workbook (``.xlsx``, ``.xlsm`` or ``.ods``) or a
folder of per-list CSV files, finds each list by its column headers (never by the sheet name),
and turns the dated columns of Lists 3 to 8 into canonical events that :func:`cinscope.score`
reads. Everything it does not turn into an event is named in a finding. ``docs/annex-a.md``
describes the lists, the header variants it accepts, the date rules and what Annex A can and
cannot be scored for.

Example::

    import datetime as dt
    import cinscope as cs

    imported = cs.read_annex_a("annex_a.xlsx", inspection_date=dt.date(2024, 10, 14))
    events, findings = imported
    obligations = cs.score(events, "national", as_of=imported.as_of)
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import importlib.util
import io
import os
import re
import unicodedata
import zipfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import polars as pl

from cinscope._core import CinscopeError, DataError, SchemaError
from cinscope._imported import Imported, findings_frame

__all__ = ["EVENT_COLUMNS", "LIST_TITLES", "SCORABLE_RULES", "default_window_start", "read_annex_a"]

#: The lists of the Annex A template, by number.
LIST_TITLES: dict[int, str] = {
    1: "Contacts",
    2: "Early help",
    3: "Referrals",
    4: "Assessments",
    5: "Section 47 enquiries and initial child protection conferences",
    6: "Children in need",
    7: "Child protection",
    8: "Children in care",
    9: "Care leavers",
    10: "Adoption",
    11: "Adopters",
}

#: The built-in rules that Annex A can score: the ICPC within 15 working days of the strategy
#: discussion (every List 5 row with a conference) and the assessment within 45 (national) or 40
#: (Leicester, Leicestershire and Rutland) working days of the referral, for assessments whose
#: referral is on List 3 or is a List 6 episode start. Every other rule needs events Annex A does
#: not hold (meetings, reviews, plans, the series of visits): scored on Annex A events, those
#: rules' obligations come out overdue or pending for want of the events, not of the work.
#: Filter the obligations to these rules: ``obligations.filter(pl.col("rule").is_in(SCORABLE_RULES))``.
SCORABLE_RULES: tuple[str, ...] = ("NAT-CP-01", "NAT-ASMT-01", "LLR-ASMT-01")

#: The columns of the events frame :func:`read_annex_a` returns, in order.
EVENT_COLUMNS: dict[str, pl.DataType] = {
    "child_id": pl.String(),
    "event": pl.String(),
    "date": pl.Date(),
    "episode_id": pl.String(),
    "qualifier": pl.String(),
    "team": pl.String(),
    "worker": pl.String(),
    "source": pl.String(),
    "source_row": pl.Int64(),
    "source_column": pl.String(),
}

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
_HEADER_SEARCH_ROWS = 10


# --------------------------------------------------------------------------------------------
# Headers


def _key(text: str) -> str:
    """A header reduced for comparison: Unicode-normalised, case-folded, letters and digits only.

    "Child Unique ID", "child  unique id ", "ChildUniqueID" and "Child_Unique_ID" all give
    ``childuniqueid``; curly and straight quotes, stray brackets and trailing spaces vanish.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[^0-9a-z]", "", folded)


def _tidy(text: str) -> str:
    """Text as a person reads it: non-breaking and repeated spaces collapsed, ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class _Field:
    """A column of a list: its template header, the other spellings accepted, and an optional
    pattern (a regular expression matched in full against the reduced header)."""

    name: str
    header: str
    aliases: tuple[str, ...] = ()
    pattern: str | None = None

    def matches(self, key: str) -> bool:
        if not key:
            return False
        if key == _key(self.header) or any(key == _key(a) for a in self.aliases):
            return True
        return self.pattern is not None and re.fullmatch(self.pattern, key) is not None

    def accepted(self) -> str:
        names = [self.header, *self.aliases]
        return ", ".join(f"'{n}'" for n in names)


def _f(name: str, header: str, *aliases: str, pattern: str | None = None) -> _Field:
    return _Field(name, header, tuple(aliases), pattern)


_CHILD_ID = _f(
    "child_id", "Child Unique ID", "ChildUniqueID", "Child ID", "Unique Child ID", "LAchildID",
    "Child Unique Identifier", pattern=r"(la)?child(unique)?(id|identifier)",
)
_TEAM = _f("team", "Allocated Team", "AllocatedTeam")
_WORKER = _f("worker", "Allocated Worker", "AllocatedWorker")
_COMMON: tuple[_Field, ...] = (
    _CHILD_ID,
    _f("gender", "Gender", "Sex"),
    _f("ethnicity", "Ethnicity"),
    _f("date_of_birth", "Date of Birth", "DateOfBirth", "DOB", pattern=r"dateofbirth.*"),
    _f("age", "Age of Child (Years)", "Age", "AgeOfChild"),
    _f("disability", "Does the Child have a Disability", "HasDisability", "Disability"),
    _TEAM,
    _WORKER,
)


@dataclass(frozen=True)
class _ListSpec:
    number: int
    signature: tuple[_Field, ...]
    required: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return LIST_TITLES[self.number]

    @property
    def label(self) -> str:
        return f"List {self.number}"

    @property
    def fields(self) -> tuple[_Field, ...]:
        return (*_COMMON, *self.signature)

    def field(self, name: str) -> _Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


_LISTS: tuple[_ListSpec, ...] = (
    _ListSpec(1, (
        _f("contact_date", "Date of Contact", "DateOfContact", "Contact Date"),
        _f("contact_source", "Contact Source", "ContactSource"),
    )),
    _ListSpec(2, (
        _f("eh_start", "Assessment start date", "AssessmentStartDate"),
        _f("eh_completion", "Assessment completion date", "AssessmentCompletionDate"),
        _f("eh_organisation", "Organisation completing assessment", "OrganisationCompletingAssessment"),
    )),
    _ListSpec(3, (
        _f("referral_date", "Date of referral", "ReferralDate", "Referral Date", pattern=r".*dateof.*referral"),
        _f("referral_source", "Referral Source", "ReferralSource"),
        _f("referral_nfa", "Referral NFA?", "ReferralNFA"),
        _f("referrals_12m", "Number of Referrals in Last 12 Months", "ReferralsLast12Months"),
    ), required=("child_id", "referral_date")),
    _ListSpec(4, (
        _f("assessment_start", "Continuous Assessment Start Date", "ContinuousAssessmentStart",
           "ContinuousAssessmentStartDate", "Assessment Start Date"),
        _f("assessment_child_seen", "Child Seen During Continuous Assessment", "ContinuousAssessmentChildSeen"),
        _f("assessment_authorised", "Continuous Assessment Date of Authorisation", "ContinuousAssessmentAuthDate",
           "ContinuousAssessmentAuthorisationDate", "Assessment Authorisation Date"),
        _f("assessment_support", "Was the child assessed as requiring LA children's social care support?",
           "CSCSupportRequired", pattern=r".*wasthechildassessed.*socialcaresupport.*"),
    ), required=("child_id", "assessment_start")),
    _ListSpec(5, (
        _f("strategy_date", "Strategy discussion initiating Section 47 Enquiry Start Date", "StratDiscussionDate",
           "StrategyDiscussionDate", "Section 47 Enquiry Start Date", "S47StartDate"),
        _f("icpc_unnecessary", "Was an Initial Child Protection Conference deemed unnecessary?",
           "InitialCPConfUnnecessary"),
        _f("icpc_date", "Date of Initial Child Protection Conference", "InitialCPConfDate", "ICPC Date"),
        _f("icpc_plan", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
           "CPConfResultInCPPlan"),
        _f("s47_12m", "Number of Section 47 Enquiries in the last 12 months", "NumberS47s12m"),
        _f("icpc_12m", "Number of ICPCs in the last 12 months", "NumberICPCs12m"),
    ), required=("child_id", "strategy_date")),
    _ListSpec(6, (
        _f("cin_start", "CIN Start Date", "CINStartDate"),
        _f("primary_need", "Primary Need Code", "PrimaryNeedCode", "Primary Need"),
        _f("last_seen", "Date Child Was Last Seen", "DateChildLastSeen"),
        _f("cin_closure", "CIN Closure Date", "CINClosureDate"),
        _f("closure_reason", "Reason for Closure", "ReasonForClosure"),
        _f("case_status", "Case Status", "CaseStatus"),
    ), required=("child_id", "cin_start")),
    _ListSpec(7, (
        _f("cp_start", "Child Protection Plan Start Date", "ChildProtectionPlanStartDate", "CP Plan Start Date"),
        _f("initial_category", "Initial Category of Abuse", "InitialCategoryOfAbuse"),
        _f("latest_category", "Latest Category of Abuse", "LatestCategoryOfAbuse"),
        _f("cp_visit", "Date of the Last Statutory Visit", "DateOfLastStatutoryVisit", "Date of Last Statutory Visit"),
        _f("seen_alone", "Was the Child Seen Alone?", "ChildSeenAlone"),
        _f("cp_review", "Date of latest review conference", "DateOfLatestReviewConf", "Date of Latest Review Conference"),
        _f("cp_end", "Child Protection Plan End Date", "ChildProtectionPlanEndDate", "CP Plan End Date"),
        _f("protection_6m",
           "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
           "ProtectionLastSixMonths", pattern=r".*subjecttoemergencyprotectionorder.*"),
        _f("previous_plans", "Number of Previous Child Protection Plans", "NumberOfPreviousChildProtectionPlans",
           "Sum of Number of Previous Child Protection Plans"),
    ), required=("child_id", "cp_start")),
    _ListSpec(8, (
        _f("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "UASC",
           pattern=r".*unaccompaniedasylumseekingchild.*last12months.*"),
        _f("la_start", "Date Started to be Looked After", "LoookedAfterStartDate", "LookedAfterStartDate"),
        _f("category_of_need", "Child's Category of Need", "ChildCategoryOfNeed"),
        _f("subsequent_period",
           "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
           "SubsequentLACEpisodeLast12Months", pattern=r".*secondorsubsequent.*lookedafterchild.*"),
        _f("legal_status_start", "Start date of current legal status", "MostRecentLegalStatusStart"),
        _f("legal_status", "Child's Legal Status", "LegalStatus"),
        _f("statutory_review", "Date of Latest Statutory Review", "LatestStatutoryReviewDate"),
        _f("la_visit", "Date of Last Social Work Visit", "LastSocialWorkVisitDate"),
        _f("permanence_plan", "What is the permanence plan for this child?", "PermanencePlan"),
        _f("iro_visit", "Date of Last IRO Visit / Contact to the Child", "LastIROVisitDate"),
        _f("health_assessment", "Date of Last Health Assessment", "LastHealthAssessmentDate"),
        _f("dental_check", "Date of Last Dental Check", "LastDentalCheckDate"),
        _f("placements_12m", "Number of Placements in the Last 12 months", "PlacementsLast12Months"),
        _f("la_end", "Date Ceased to be Looked After", "CeasedLookedAfterDate"),
        _f("la_end_reason", "Reason Ceased to be Looked After", "ReasonCeasedLookedAfter"),
        _f("placement_start", "Start Date of Most Recent Placement", "MostRecentPlacementStartDate"),
        _f("placement_type", "Placement Type", "PlacementType"),
        _f("placement_provider", "Placement Provider", "PlacementProvider"),
        _f("placement_postcode", "Placement postcode", "PlacementPostcode"),
        _f("placement_urn", "URN of Placement", "PlacementURN"),
        _f("placement_location", "Placement Location", "PlacementLocation"),
        _f("placement_la", "LA of Placement", "PlacementLA"),
        _f("missing_12m", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
           "EpisodesChildMissingFromPlacement"),
        _f("absent_12m", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
           "EpisodesChildAbsentFromPlacement"),
        _f("return_offered", "Was the child offered a Return Interview after their last missing episode (Y/N)?",
           "ChildOfferedReturnInterviewAfterLastMFH"),
        _f("return_accepted", "Did the child accept a Return Interview after their last missing episode (Y/N)?",
           "ChildAcceptedReturnInterviewAfterLastMFH"),
    ), required=("child_id", "la_start")),
    _ListSpec(9, (
        _f("uasc_leaver", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
           pattern=r".*formerlyuasc.*"),
        _f("personal_advisor", "Allocated Personal Advisor", "AllocatedPersonalAdvisor"),
        _f("eligibility", "Eligibility Category", "EligibilityCategory"),
        _f("pathway_review", "Latest Pathway Plan Review Date", "LatestPathwayPlanReviewDate"),
        _f("in_touch", "LA in Touch", "LAInTouch"),
        _f("latest_contact", "Latest Date of Contact", "LatestDateOfContact"),
        _f("accommodation", "Type of Accommodation", "TypeOfAccommodation"),
        _f("suitability", "Suitability of Accommodation", "SuitabilityOfAccommodation"),
        _f("activity", "Activity Status", "ActivityStatus"),
    )),
    _ListSpec(10, (
        _f("entered_care", "Date the Child Entered Care", "DateChildEnteredCare"),
        _f("adoption_decision", "Date of Decision that Child Should be Placed for Adoption"),
        _f("placement_order", "Date of Placement Order", "DateOfPlacementOrder"),
        _f("matching", "Date of Matching Child and Prospective Adopters"),
        _f("placed_for_adoption", "Date Placed for Adoption", "DatePlacedForAdoption"),
        _f("no_longer_decision", "Date of Decision that Child Should No Longer be Placed for Adoption"),
        _f("no_longer_reason", "Reason Why Child No Longer Placed for Adoption"),
        _f("ffa", "Date the child was placed for fostering in FFA or concurrent planning placement"),
    )),
    _ListSpec(11, (
        _f("adopter_id", "Individual adopter identifier", "IndividualAdopterIdentifier"),
        _f("adopter_ffa", "Is the (prospective) adopter fostering for adoption?"),
        _f("enquiry_received", "Date enquiry received", "DateEnquiryReceived"),
        _f("stage1_start", "Date Stage 1 started"),
        _f("stage1_end", "Date Stage 1 ended"),
        _f("stage2_start", "Date Stage 2 started"),
        _f("stage2_end", "Date Stage 2 ended"),
        _f("application_submitted", "Date application submitted"),
        _f("application_approved", "Date application approved"),
        _f("adopter_matched", "Date adopter matched with child(ren)"),
        _f("children_placed", "Date child/children placed with adopter(s)"),
        _f("number_placed", "No. of children placed"),
        _f("left_process", "Date of leaving adoption process"),
        _f("left_reason", "Reason for leaving adoption process"),
    )),
)
_LIST_BY_NUMBER = {spec.number: spec for spec in _LISTS}
#: Headers common to several lists, known but not identifying any one of them.
_SHARED = (_f("family_id", "Family identifier"), _f("adoption_order", "Date of Adoption Order", "DateOfAdoptionOrder"))

#: The lists that carry events, and for each the columns read: anchor first, then the other
#: dated columns, then the coded columns that give a qualifier or a de-duplication key.
_DATE_FIELDS: dict[int, tuple[str, ...]] = {
    3: ("referral_date",),
    4: ("assessment_start", "assessment_authorised"),
    5: ("strategy_date", "icpc_date"),
    6: ("cin_start", "last_seen", "cin_closure"),
    7: ("cp_start", "cp_visit", "cp_review", "cp_end"),
    8: ("la_start", "la_visit", "la_end"),
}
_CODE_FIELDS: dict[int, tuple[str, ...]] = {
    3: ("referral_source",),
    4: (),
    5: (),
    6: ("closure_reason",),
    7: ("seen_alone",),
    8: ("la_end_reason",),
}
#: The lists whose rows start before the window are history the workbook does not hold in full.
_CENSORED_LISTS = (4, 5, 6, 7)


# --------------------------------------------------------------------------------------------
# Cell values

_EXCEL_ERROR = re.compile(r"#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NULL!|NUM!|SPILL!|CALC!|GETTING_DATA|N/A N/A)")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_DMY_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})" + _TIME)
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
#: Excel serial numbers read as dates: 1 January 1950 to 31 December 2099 (a bare year such as
#: 2024 is not a date).
_SERIAL_RANGE = (18264, 73051)


def _clean(value: str | None) -> str | None:
    """A cell's text, tidied; blank and SQL-export ``NULL`` become None."""
    if value is None:
        return None
    text = _tidy(value)
    if not text or text.upper() == "NULL":
        return None
    return text


def _is_error(text: str) -> bool:
    return _EXCEL_ERROR.fullmatch(text) is not None


def _col_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _parse_ref(ref: str) -> tuple[int, int]:
    """``"C12"`` -> (12, 2): the 1-based row and the 0-based column."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref)
    if match is None:
        raise ValueError(ref)
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return int(match.group(2)), col - 1


def _strip_prefix(text: str) -> str:
    """"a) Yes" -> "Yes", "p1) 5D: LA services" -> "5D: LA services"."""
    return re.sub(r"^[A-Za-z]{1,2}\d?\)\s*", "", text)


def _yes_no(text: str) -> str | None:
    """"a) Yes", "Yes", "Y" -> "yes"; the same for "no" and "unknown"; None when unrecognised."""
    key = _key(_strip_prefix(text))
    if key in ("yes", "y", "true", "1"):
        return "yes"
    if key in ("no", "n", "false", "0"):
        return "no"
    if key in ("unknown", "u", "notknown"):
        return "unknown"
    return None


_CLOSURE_LABELS = {
    "adopted": "RC1",
    "died": "RC2",
    "childarrangementsorder": "RC3",
    "specialguardianshiporder": "RC4",
    "transferredtoservicesofanotherlocalauthority": "RC5",
    "transferredtoadultsocialcareservices": "RC6",
    "servicesceasedforanyotherreasonincludingchildnolongerinneed": "RC7",
    "caseclosedafterassessmentnofurtheraction": "RC8",
    "caseclosedafterassessmentreferredtoearlyhelp": "RC9",
}


def _closure_reason(text: str) -> str | None:
    """The DfE reason for closure code RC1-RC9 of a "Reason for Closure" cell."""
    match = re.search(r"\bRC\s*0?([1-9])\b", text.upper())
    if match:
        return f"RC{match.group(1)}"
    return _CLOSURE_LABELS.get(_key(_strip_prefix(text)))


def _ceased_reason(text: str) -> str | None:
    """The ``looked_after_end`` qualifier of a "Reason Ceased to be Looked After" cell."""
    match = re.search(r"\bE\s*(\d{1,2}[A-Z]?)\b", _strip_prefix(text).upper())
    if match:
        code = match.group(1)
        return {"4A": "return_home_planned", "4B": "return_home_unplanned"}.get(code, "other")
    key = _key(_strip_prefix(text))
    if "returnedhome" in key:
        if "notpartofplanning" in key or "unplanned" in key:
            return "return_home_unplanned"
        if "partofplanning" in key or "planned" in key:
            return "return_home_planned"
    return None


def _source_code(text: str) -> str:
    """The census code of a referral source ("q) 6: Police" -> "6"), or the text reduced."""
    match = re.match(r"(1[A-D]|2[AB]|3[A-F]|5[A-D]|10|[4-9])\b", _strip_prefix(text).upper())
    return match.group(1) if match else _key(text)


def _child_id(text: str) -> tuple[str, bool]:
    """The child id as text: ``1234.0`` (an id stored as an Excel number) -> ``1234``.

    Returns the id and whether it was repaired.
    """
    match = re.fullmatch(r"(\d+)\.0+", text)
    if match:
        return match.group(1), True
    match = re.fullmatch(r"(\d)\.(\d+)[eE]\+?(\d+)", text)
    if match and len(match.group(2)) <= int(match.group(3)):
        digits = match.group(1) + match.group(2)
        return digits + "0" * (int(match.group(3)) - len(match.group(2))), True
    return text, False


# --------------------------------------------------------------------------------------------
# Findings


@dataclass
class _Findings:
    rows: list[dict[str, object]] = field(default_factory=list)

    def add(self, source: str, row: int | None, column: str | None, code: str, action: str, message: str) -> None:
        self.rows.append(
            {"source": source, "row": row, "column": column, "code": code, "action": action, "message": message}
        )


# --------------------------------------------------------------------------------------------
# Reading sheets


@dataclass
class _Sheet:
    """One sheet (or CSV file) as text cells, with what the workbook says about its cells."""

    source: str
    name: str
    cells: list[list[str | None]]
    first_row: int = 1  # the sheet row number of cells[0]
    first_col: int = 0  # the sheet column index of cells[r][0]
    hidden: bool = False
    spreadsheet: bool = True
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows 1-based, columns 0-based
    formulas: int = 0
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def where(self, row: int, col: int) -> str:
        if self.spreadsheet:
            return f"cell {_col_letter(col)}{row}"
        return f"line {row}, field {col + 1}"

    def cell(self, row: int, col: int) -> str | None:
        r = row - self.first_row
        c = col - self.first_col
        if 0 <= r < len(self.cells) and 0 <= c < len(self.cells[r]):
            return self.cells[r][c]
        return None

    def set_cell(self, row: int, col: int, value: str | None) -> None:
        r = row - self.first_row
        c = col - self.first_col
        if r < 0 or c < 0:
            return
        while len(self.cells) <= r:
            self.cells.append([])
        line = self.cells[r]
        while len(line) <= c:
            line.append(None)
        line[c] = value


@dataclass
class _SheetMeta:
    hidden: bool = False
    first_row: int | None = None
    first_col: int | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: int = 0
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def saw(self, row: int, col: int) -> None:
        self.first_row = row if self.first_row is None else min(self.first_row, row)
        self.first_col = col if self.first_col is None else min(self.first_col, col)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _inspect_xlsx(path: Path) -> dict[str, _SheetMeta]:
    """What calamine does not report: merged ranges, formulas with and without a saved result,
    error values and where the used range starts, read from the workbook's XML."""
    metas: dict[str, _SheetMeta] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        rels_name = "xl/_rels/workbook.xml.rels"
        targets: dict[str, str] = {}
        if rels_name in names:
            for rel in ET.fromstring(archive.read(rels_name)):
                rid, target = rel.get("Id"), rel.get("Target")
                if rid and target:
                    targets[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        for sheet in workbook.iter():
            if _local(sheet.tag) != "sheet":
                continue
            name = sheet.get("name") or ""
            meta = _SheetMeta(hidden=(sheet.get("state") or "visible") != "visible")
            metas[name] = meta
            target = targets.get(_attr(sheet, "id") or "")
            if target is None or target not in names:
                continue
            data = archive.read(target)
            if not _scan_xlsx_cells(data, meta):
                with archive.open(target) as stream:
                    _scan_xlsx_sheet(stream, meta)
    return metas


_XLSX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(\s[^>]*?)?(/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)", re.S)
_XLSX_REF = re.compile(rb'\sr="\$?([A-Za-z]{1,3})\$?(\d+)"')
_XLSX_TYPE = re.compile(rb'\st="(\w+)"')
_XLSX_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)</(?:[A-Za-z_][\w.-]*:)?v>")
_XLSX_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_XLSX_INLINE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?t(?:\s[^>]*)?>[^<]")
_XLSX_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref="([A-Za-z]+\d+):([A-Za-z]+\d+)"')
_COLUMN_INDEX: dict[bytes, int] = {}


def _column_index(letters: bytes) -> int:
    index = _COLUMN_INDEX.get(letters)
    if index is None:
        index = 0
        for ch in letters.upper():
            index = index * 26 + (ch - 64)
        index -= 1
        _COLUMN_INDEX[letters] = index
    return index


def _scan_xlsx_cells(data: bytes, meta: _SheetMeta) -> bool:
    """:func:`_scan_xlsx_sheet` on the sheet's bytes with regular expressions: the same facts,
    several times faster on large sheets. Returns False (nothing recorded) for a sheet whose
    cells do not all carry their reference, which the element walk then reads."""
    first_row: int | None = None
    first_col: int | None = None
    formulas = 0
    without_value: list[tuple[int, int]] = []
    errors: dict[tuple[int, int], str] = {}
    for cell in _XLSX_CELL.finditer(data):
        attributes, body = cell.group(1) or b"", cell.group(3)
        ref = _XLSX_REF.search(attributes)
        if ref is None:
            return False
        if body is None or not body:
            continue
        value_match = _XLSX_VALUE.search(body)
        value = value_match.group(1) if value_match else None
        typed = _XLSX_TYPE.search(attributes)
        kind = typed.group(1) if typed else b"n"
        has_value = bool(value) or (kind in (b"s", b"str") and value is not None) or (
            kind == b"inlineStr" and _XLSX_INLINE.search(body) is not None
        )
        row, col = int(ref.group(2)), _column_index(ref.group(1))
        if _XLSX_FORMULA.search(body):
            formulas += 1
            if not has_value and kind != b"str":
                without_value.append((row, col))
        if kind == b"e" and value:
            errors[(row, col)] = value.decode("utf-8", "replace")
        if has_value:
            first_row = row if first_row is None or row < first_row else first_row
            first_col = col if first_col is None or col < first_col else first_col
    meta.first_row, meta.first_col = first_row, first_col
    meta.formulas += formulas
    meta.formulas_without_value.extend(without_value)
    meta.errors.update(errors)
    for merge in _XLSX_MERGE.finditer(data):
        (r1, c1), (r2, c2) = (_parse_ref(part.decode()) for part in merge.groups())
        meta.merged.append((r1, c1, r2, c2))
    return True


def _scan_xlsx_sheet(stream: IO[bytes], meta: _SheetMeta) -> None:
    row_number = 0
    col_number = -1
    for event, element in ET.iterparse(stream, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                r = element.get("r")
                row_number = int(r) if r else row_number + 1
                col_number = -1
            continue
        if tag == "c":
            ref = element.get("r")
            if ref:
                row_number, col_number = _parse_ref(ref)
            else:
                col_number += 1
            kind = element.get("t") or "n"
            formula = value = inline = None
            for child in element:
                child_tag = _local(child.tag)
                if child_tag == "f":
                    formula = child
                elif child_tag == "v":
                    value = child.text or ""
                elif child_tag == "is":
                    inline = "".join(child.itertext())
            has_value = bool(value) or bool(inline) or (kind in ("s", "str") and value is not None)
            if formula is not None:
                meta.formulas += 1
                if not has_value and kind != "str":
                    meta.formulas_without_value.append((row_number, col_number))
            if kind == "e" and value:
                meta.errors[(row_number, col_number)] = value
            if has_value:
                meta.saw(row_number, col_number)
            element.clear()
        elif tag == "mergeCell":
            ref = element.get("ref") or ""
            if ":" in ref:
                (r1, c1), (r2, c2) = (_parse_ref(part) for part in ref.split(":", 1))
                meta.merged.append((r1, c1, r2, c2))
            element.clear()
        elif tag == "row":
            element.clear()


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _inspect_ods(path: Path) -> dict[str, _SheetMeta]:
    """The same as :func:`_inspect_xlsx` for an OpenDocument spreadsheet (content.xml)."""
    metas: dict[str, _SheetMeta] = {}
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
        meta: _SheetMeta | None = None
        row_index = 0
        col_index = 0
        row_repeat = 1
        for event, element in ET.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _ODS_TABLE + "table":
                    meta = _SheetMeta()
                    metas[element.get(_ODS_TABLE + "name") or ""] = meta
                    row_index = 0
                elif tag == _ODS_TABLE + "table-row":
                    col_index = 0
                    row_repeat = int(element.get(_ODS_TABLE + "number-rows-repeated") or 1)
                continue
            if meta is None:
                continue
            if tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                repeat = int(element.get(_ODS_TABLE + "number-columns-repeated") or 1)
                if tag == _ODS_TABLE + "table-cell":
                    has_value = element.get(_ODS_OFFICE + "value-type") is not None or bool(
                        "".join(element.itertext()).strip()
                    )
                    row = row_index + 1
                    if has_value:
                        meta.saw(row, col_index)
                    if element.get(_ODS_TABLE + "formula") is not None:
                        meta.formulas += repeat
                        if element.get(_ODS_OFFICE + "value-type") is None:
                            meta.formulas_without_value.extend((row, col_index + i) for i in range(repeat))
                    span_cols = int(element.get(_ODS_TABLE + "number-columns-spanned") or 1)
                    span_rows = int(element.get(_ODS_TABLE + "number-rows-spanned") or 1)
                    if span_cols > 1 or span_rows > 1:
                        meta.merged.append((row, col_index, row + span_rows - 1, col_index + span_cols - 1))
                col_index += repeat
                element.clear()
            elif tag == _ODS_TABLE + "table-row":
                row_index += row_repeat
                element.clear()
    return metas


def _read_workbook(path: Path) -> list[_Sheet]:
    if importlib.util.find_spec("fastexcel") is None:
        raise CinscopeError(
            f"{path.name}: reading an Annex A workbook needs the fastexcel package, which is not "
            "installed: pip install 'cinscope[excel]' (or pip install fastexcel), or give a folder "
            "of per-list CSV files instead"
        )
    try:
        metas = _inspect_ods(path) if path.suffix.lower() == ".ods" else _inspect_xlsx(path)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError) as error:
        raise CinscopeError(f"{path.name}: not a readable {path.suffix} workbook ({error})") from error
    try:
        frames = pl.read_excel(
            path,
            sheet_id=0,
            engine="calamine",
            has_header=False,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
            read_options={"dtypes": "string"},
        )
    except Exception as error:  # fastexcel raises its own exception types
        raise CinscopeError(f"{path.name}: the workbook could not be read ({type(error).__name__}: {error})") from error
    hidden = _ods_hidden_sheets(path) if path.suffix.lower() == ".ods" else set()
    sheets = []
    for name, frame in frames.items():
        meta = metas.get(name, _SheetMeta())
        columns = [frame.get_column(c).to_list() for c in frame.columns]
        cells: list[list[str | None]] = [list(row) for row in zip(*columns)] if columns else []
        sheet = _Sheet(
            source=f"{path.name}[{name}]",
            name=name,
            cells=cells,
            first_row=meta.first_row or 1,
            first_col=meta.first_col or 0,
            hidden=meta.hidden or name in hidden,
            merged=meta.merged,
            formulas=meta.formulas,
            formulas_without_value=meta.formulas_without_value,
            errors=meta.errors,
        )
        # Error values (#N/A...) are read as blanks by calamine; put their text back so that
        # they are reported like the same text typed into a cell.
        for (row, col), text in meta.errors.items():
            if sheet.cell(row, col) is None:
                sheet.set_cell(row, col, text)
        sheets.append(sheet)
    return sheets


def _ods_hidden_sheets(path: Path) -> set[str]:
    """The hidden sheets of an OpenDocument workbook, as fastexcel reports them (OpenDocument
    keeps visibility in the sheets' styles)."""
    import fastexcel

    reader = fastexcel.read_excel(path)
    hidden = set()
    for name in reader.sheet_names:
        if str(reader.load_sheet(name, header_row=None, n_rows=1).visible) != "visible":
            hidden.add(name)
    return hidden


def _decode(path: Path, data: bytes, encoding: str | None, findings: _Findings) -> str:
    """CSV bytes as text: a given encoding, else UTF-8 (with or without a byte-order mark),
    UTF-16 with a byte-order mark, else Windows-1252 (reported)."""
    if encoding is not None:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise DataError(f"{path.name}: cannot be read as {encoding}: {error}") from error
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise DataError(
                f"{path.name}: line {line}: byte 0x{data[error.start]:02X} is neither UTF-8 nor "
                "Windows-1252; give the file's encoding with encoding="
            ) from error
        line = data.count(b"\n", 0, utf8_error.start) + 1
        findings.add(
            path.name, None, None, "AA_ENCODING", "repaired",
            f"not UTF-8 (first at line {line}); decoded as Windows-1252",
        )
        return text


def _read_csv(path: Path, encoding: str | None, findings: _Findings) -> _Sheet:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CinscopeError(f"{path}: cannot be read: {error}") from error
    text = _decode(path, data, encoding, findings)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells: list[list[str | None]] = []
    line = 0
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            while len(cells) < start - 1:
                cells.append([])
            values: list[str | None] = list(record)
            cells.append(values)
    except csv.Error as error:
        raise DataError(f"{path.name}: line {reader.line_num}: not valid CSV ({error})") from error
    return _Sheet(source=path.name, name=path.stem, cells=cells, spreadsheet=False)


def _load(path: Path, encoding: str | None, findings: _Findings) -> list[_Sheet]:
    if path.is_dir():
        sheets = []
        for child in sorted(path.iterdir(), key=lambda p: p.name.lower()):
            if child.name.startswith(".") or not child.is_file():
                continue
            if child.suffix.lower() == ".csv":
                sheets.append(_read_csv(child, encoding, findings))
            else:
                findings.add(child.name, None, None, "AA_NOT_A_LIST", "skipped",
                             "not a CSV file; a folder of Annex A lists is read one .csv file per list")
        if not sheets:
            raise SchemaError(f"{path}: the folder holds no .csv file (an Annex A folder holds one CSV file per list)")
        return sheets
    if not path.exists():
        raise CinscopeError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv(path, encoding, findings)]
    if suffix in _WORKBOOK_SUFFIXES:
        return _read_workbook(path)
    raise CinscopeError(
        f"{path.name}: not an Annex A source: give an .xlsx, .xlsm or .ods workbook, a .csv file or "
        "a folder of .csv files (save an .xls or .xlsb workbook as .xlsx first)"
    )


# --------------------------------------------------------------------------------------------
# Finding the lists


@dataclass
class _Layout:
    spec: _ListSpec
    header_row: int  # sheet row number
    columns: dict[str, int]  # field name -> sheet column index
    headers: dict[int, str]  # sheet column index -> header text as given


def _match_row(headers: Sequence[str | None], spec: _ListSpec) -> tuple[int, bool]:
    keys = [_key(h) for h in headers if h]
    signature = sum(1 for f in spec.signature if any(f.matches(k) for k in keys))
    has_id = any(_CHILD_ID.matches(k) for k in keys)
    return signature, has_id


def looks_like_a_list(headers: Sequence[str]) -> bool:
    """Whether a header row is recognisably one of the Annex A lists (as :func:`read_annex_a`
    would identify it): at least two of a list's distinctive headers, or one and the child id."""
    for spec in _LISTS:
        signature, has_id = _match_row(list(headers), spec)
        if signature >= 2 or (signature >= 1 and has_id):
            return True
    return False


def _identify(sheet: _Sheet, findings: _Findings) -> _Layout | None:
    best: tuple[int, int, int, _ListSpec] | None = None  # (score, -row index, signature, spec)
    tied = False
    for index, headers in enumerate(sheet.cells[:_HEADER_SEARCH_ROWS]):
        for spec in _LISTS:
            signature, has_id = _match_row(headers, spec)
            if signature == 0:
                continue
            score = signature + int(has_id)
            candidate = (score, -index, signature, spec)
            if best is None or candidate[:2] > best[:2]:
                best, tied = candidate, False
            elif candidate[:2] == best[:2] and spec.number != best[3].number:
                tied = True
    if best is None or (best[2] < 2 and best[0] < 2):
        seen = [c for c in (sheet.cells[0] if sheet.cells else []) if c][:4]
        shown = ", ".join(f"'{c}'" for c in seen) if seen else "nothing"
        findings.add(sheet.source, None, None, "AA_NOT_A_LIST", "skipped",
                     f"no Annex A list recognised from its headers (first row: {shown}); sheet not read")
        return None
    score, neg_index, _, spec = best
    if tied:
        raise SchemaError(f"{sheet.source}: its headers fit more than one Annex A list equally well; "
                          "rename the columns to the template's headers")
    header_row = sheet.first_row - neg_index
    headers = sheet.cells[-neg_index]
    columns: dict[str, int] = {}
    header_text: dict[int, str] = {}
    for offset, raw in enumerate(headers):
        col = sheet.first_col + offset
        if raw is None or not _tidy(raw):
            continue
        text = _tidy(raw)
        header_text[col] = text
        key = _key(text)
        for known in spec.fields:
            if known.matches(key):
                if known.name in columns:
                    if known.name in spec.required or known.name in _DATE_FIELDS.get(spec.number, ()):
                        first = columns[known.name]
                        raise SchemaError(
                            f"{sheet.source}: columns {_col_letter(first)} ('{header_text[first]}') and "
                            f"{_col_letter(col)} ('{text}') both read as '{known.header}' of {spec.label}; "
                            "keep one"
                        )
                    findings.add(sheet.source, None, text, "AA_DUPLICATE_COLUMN", "not_an_event",
                                 f"a second '{known.header}' column ({_col_letter(col)}); not read")
                else:
                    columns[known.name] = col
                break
    for name in spec.required:
        if name not in columns:
            wanted = spec.field(name)
            matched = ", ".join(f"'{header_text[c]}'" for c in sorted(columns.values()))
            raise SchemaError(
                f"{sheet.source}: its headers identify it as {spec.label} ({spec.title}); matched {matched}; "
                f"but it has no '{wanted.header}' column (accepted spellings: {wanted.accepted()})"
            )
    if -neg_index > 0:
        findings.add(sheet.source, header_row, None, "AA_HEADER_ROW", "kept",
                     f"the headers are on row {header_row}; the rows above them are not read")
    return _Layout(spec, header_row, columns, header_text)


# --------------------------------------------------------------------------------------------
# Dates


@dataclass
class _DateCell:
    row: int
    col: int
    text: str


def _read_date_column(
    sheet: _Sheet, header: str, cells: list[_DateCell], findings: _Findings
) -> dict[int, _dt.date]:
    """The dates of one column, by sheet row: real dates, ``dd/mm/yyyy`` text (never read
    month-first) and Excel serial numbers; everything else is reported and left out."""
    parsed: dict[int, _dt.date] = {}
    text_dates: list[tuple[_DateCell, int, int, int]] = []
    stored = text = 0
    for cell in cells:
        iso = _ISO_DATE.fullmatch(cell.text)
        if iso:
            try:
                parsed[cell.row] = _dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
                stored += 1
                continue
            except ValueError:
                pass
        dmy = _DMY_DATE.fullmatch(cell.text)
        if dmy:
            text_dates.append((cell, int(dmy.group(1)), int(dmy.group(2)), int(dmy.group(3))))
            continue
        if _SERIAL.fullmatch(cell.text) and _SERIAL_RANGE[0] <= float(cell.text) < _SERIAL_RANGE[1]:
            day = _EXCEL_EPOCH + _dt.timedelta(days=int(float(cell.text)))
            parsed[cell.row] = day
            findings.add(sheet.source, cell.row, header, "AA_DATE_SERIAL", "repaired",
                         f"{sheet.where(cell.row, cell.col)}: the number {cell.text} read as an Excel date serial: "
                         f"{day.isoformat()}")
            continue
        findings.add(sheet.source, cell.row, header, "AA_DATE_UNREADABLE", "skipped",
                     f"{sheet.where(cell.row, cell.col)}: '{cell.text}' is not a date (dd/mm/yyyy); not read")

    def valid(y: int, m: int, d: int) -> bool:
        try:
            _dt.date(y, m, d)
        except ValueError:
            return False
        return True

    day_first_only: list[_DateCell] = []
    month_first_only: list[tuple[_DateCell, int, int, int]] = []
    ambiguous = 0
    for cell, a, b, year in text_dates:
        as_dm, as_md = valid(year, b, a), valid(year, a, b)
        if as_dm and not as_md:
            day_first_only.append(cell)
        elif as_md and not as_dm:
            month_first_only.append((cell, a, b, year))
        elif as_dm and a != b:
            ambiguous += 1
    if month_first_only and not day_first_only:
        rows = ", ".join(str(c.row) for c, *_ in month_first_only[:5])
        example = month_first_only[0][0].text
        raise DataError(
            f"{sheet.source}: column '{header}': its text dates are month-first (row(s) {rows}: e.g. '{example}' "
            "has no month "
            f"{month_first_only[0][2]}); Annex A dates are dd/mm/yyyy and cinscope never reads text month-first: "
            "export the dates as dd/mm/yyyy text or as real dates"
        )
    for cell, a, b, year in text_dates:
        if valid(year, b, a):
            parsed[cell.row] = _dt.date(year, b, a)
            text += 1
        elif valid(year, a, b):
            findings.add(sheet.source, cell.row, header, "AA_DATE_MONTH_FIRST", "skipped",
                         f"{sheet.where(cell.row, cell.col)}: '{cell.text}' reads only month-first; Annex A dates "
                         "are dd/mm/yyyy; not read")
        else:
            findings.add(sheet.source, cell.row, header, "AA_DATE_UNREADABLE", "skipped",
                         f"{sheet.where(cell.row, cell.col)}: '{cell.text}' is not a date; not read")
    if ambiguous and not day_first_only:
        findings.add(sheet.source, None, header, "AA_DATE_AMBIGUOUS", "kept",
                     f"every text date of this column could be day-first or month-first ({ambiguous} with both "
                     "readings different); read day-first (dd/mm/yyyy) as the Annex A template has them")
    if stored and text:
        findings.add(sheet.source, None, header, "AA_DATE_MIXED", "kept",
                     f"{stored} cell(s) hold real dates (or yyyy-mm-dd text) and {text} hold dd/mm/yyyy text; "
                     "both read")
    return parsed


# --------------------------------------------------------------------------------------------
# Rows


@dataclass
class _Row:
    spec: _ListSpec
    sheet: _Sheet
    layout: _Layout
    number: int
    child_id: str
    team: str | None
    worker: str | None
    dates: dict[str, _dt.date | None]
    codes: dict[str, str | None]

    def header(self, name: str) -> str:
        col = self.layout.columns.get(name)
        return self.layout.headers[col] if col is not None else self.spec.field(name).header


def _read_list_sheet(sheet: _Sheet, layout: _Layout, findings: _Findings) -> tuple[int, list[_Row]]:
    """The rows of an event list, cleaned; returns the number of rows and the readable ones."""
    spec = layout.spec
    cols = layout.columns
    date_fields = [f for f in _DATE_FIELDS[spec.number] if f in cols]
    code_fields = [f for f in _CODE_FIELDS[spec.number] if f in cols]
    last_row = sheet.first_row + len(sheet.cells) - 1
    raw: list[tuple[int, dict[str, str | None]]] = []
    label_errors: dict[str, list[int]] = {}
    for number in range(layout.header_row + 1, last_row + 1):
        line = sheet.cells[number - sheet.first_row]
        if all(_clean(v) is None for v in line):
            continue
        values: dict[str, str | None] = {}
        for name, col in cols.items():
            value = _clean(sheet.cell(number, col))
            if value is not None and _is_error(value):
                if name in ("team", "worker"):
                    label_errors.setdefault(name, []).append(number)
                elif name == "child_id" or name in date_fields or name in code_fields:
                    findings.add(sheet.source, number, layout.headers[col], "AA_ERROR_VALUE", "repaired",
                                 f"{sheet.where(number, col)}: the error value {value} read as a blank")
                value = None
            values[name] = value
        raw.append((number, values))
    for name, numbers in label_errors.items():
        col = cols[name]
        shown = ", ".join(str(r) for r in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
        findings.add(sheet.source, None, layout.headers[col], "AA_ERROR_VALUE", "repaired",
                     f"{len(numbers)} cell(s) hold an error value such as #N/A (rows {shown}); read as blank")

    columns_dates: dict[str, dict[int, _dt.date]] = {}
    for name in date_fields:
        col = cols[name]
        cells = [_DateCell(number, col, values[name] or "") for number, values in raw if values.get(name)]
        columns_dates[name] = _read_date_column(sheet, layout.headers[col], cells, findings)

    rows: list[_Row] = []
    for number, values in raw:
        identifier = values.get("child_id")
        id_header = layout.headers[cols["child_id"]]
        if identifier is None:
            findings.add(sheet.source, number, id_header, "AA_NO_CHILD_ID", "skipped",
                         f"{sheet.where(number, cols['child_id'])}: no Child Unique ID; row not read")
            continue
        child, repaired = _child_id(identifier)
        if repaired:
            findings.add(sheet.source, number, id_header, "AA_CHILD_ID_NUMBER", "repaired",
                         f"{sheet.where(number, cols['child_id'])}: the id {identifier} (a number) read as '{child}'")
        rows.append(_Row(
            spec=spec, sheet=sheet, layout=layout, number=number, child_id=child,
            team=values.get("team"), worker=values.get("worker"),
            dates={name: columns_dates[name].get(number) for name in date_fields},
            codes={name: values.get(name) for name in code_fields},
        ))
        # A date cell that was not read is already a finding; a missing anchor is one more.
    return len(raw), rows


# --------------------------------------------------------------------------------------------
# Events


@dataclass
class _Event:
    child_id: str
    event: str
    date: _dt.date
    qualifier: str | None
    row: _Row
    field: str

    @property
    def origin(self) -> str:
        return f"{self.row.sheet.source} row {self.row.number}"


_DEDUP_DESCRIPTION = {
    3: "child, date of referral and referral source",
    4: "child and assessment start date",
    5: "child and strategy discussion date",
    6: "child and CIN start date",
    7: "child and plan start date",
    8: "child and date started to be looked after",
}


def _dedup_key(row: _Row) -> tuple[object, ...]:
    anchor = _DATE_FIELDS[row.spec.number][0]
    key: tuple[object, ...] = (row.child_id, row.dates.get(anchor))
    if row.spec.number == 3:
        source = row.codes.get("referral_source")
        key += (_source_code(source) if source else None,)
    return key


def _row_events(
    row: _Row,
    findings: _Findings,
    *,
    list6_start_as: str,
    strategy_discussion: bool,
) -> list[_Event]:
    n = row.spec.number
    anchor = _DATE_FIELDS[n][0]
    src = row.sheet.source
    events: list[_Event] = []

    def emit(event: str, name: str, qualifier: str | None = None) -> None:
        day = row.dates.get(name)
        if day is not None:
            events.append(_Event(row.child_id, event, day, qualifier, row, name))

    if row.dates.get(anchor) is None and n != 6:
        findings.add(src, row.number, row.header(anchor), "AA_NO_ANCHOR_DATE", "skipped",
                     f"{row.spec.label} row without a readable '{row.header(anchor)}'; row not read")
        return []
    if n == 3:
        emit("referral", "referral_date")
    elif n == 4:
        emit("assessment_start", "assessment_start")
        emit("assessment_authorised", "assessment_authorised")
    elif n == 5:
        emit("s47_start", "strategy_date")
        if strategy_discussion:
            emit("strategy_discussion", "strategy_date")
        emit("icpc", "icpc_date")
    elif n == 6:
        if row.dates.get("cin_start") is None:
            findings.add(src, row.number, row.header("cin_start"), "AA_NO_CIN_START", "skipped",
                         f"no readable '{row.header('cin_start')}': no {list6_start_as} event for this row "
                         "(its other dates are read)")
        emit(list6_start_as, "cin_start")
        emit("visit", "last_seen", "seen")
        if row.dates.get("cin_closure") is not None:
            text = row.codes.get("closure_reason")
            reason = _closure_reason(text) if text else None
            if reason is None:
                findings.add(src, row.number, row.header("closure_reason"), "AA_CLOSURE_REASON", "kept",
                             f"closure without a recognised reason for closure ({text!r}); closure read with no "
                             "qualifier")
            emit("closure", "cin_closure", reason)
    elif n == 7:
        emit("cp_plan_start", "cp_start")
        if row.dates.get("cp_visit") is not None:
            text = row.codes.get("seen_alone")
            answer = _yes_no(text) if text else None
            if text and answer is None:
                findings.add(src, row.number, row.header("seen_alone"), "AA_UNKNOWN_CODE", "kept",
                             f"'Was the Child Seen Alone?' value {text!r} not recognised; visit read as 'seen'")
            emit("visit", "cp_visit", "seen_alone" if answer == "yes" else "seen")
        emit("cp_review", "cp_review")
        emit("cp_plan_end", "cp_end")
    elif n == 8:
        emit("looked_after_start", "la_start")
        emit("visit", "la_visit", "seen")
        if row.dates.get("la_end") is not None:
            text = row.codes.get("la_end_reason")
            reason = _ceased_reason(text) if text else None
            if reason is None:
                findings.add(src, row.number, row.header("la_end_reason"), "AA_CEASED_REASON", "kept",
                             f"ceased to be looked after without a recognised reason ({text!r}); read with no "
                             "qualifier")
            emit("looked_after_end", "la_end", reason)
    return events


def _default_months_back(day: _dt.date, months: int) -> _dt.date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = _dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - _dt.timedelta(days=1)).day
    return _dt.date(year, month, min(day.day, last))


def default_window_start(inspection_date: _dt.date) -> _dt.date:
    """The start of Annex A's usual window: six calendar months before the inspection date, on
    the same day of the month, or the month's last day when it has no such day (as SQL Server's
    ``DATEADD(MONTH, -6, ...)`` in the Standard Safeguarding Dataset's Annex A script).

    >>> import datetime as dt
    >>> default_window_start(dt.date(2024, 10, 14))
    datetime.date(2024, 4, 14)
    >>> default_window_start(dt.date(2024, 8, 31))
    datetime.date(2024, 2, 29)
    """
    return _default_months_back(inspection_date, 6)


def read_annex_a(
    path: str | os.PathLike[str],
    *,
    inspection_date: _dt.date,
    window_start: _dt.date | None = None,
    list6_start_as: Literal["referral", "cin_plan_start"] = "referral",
    strategy_discussion: bool = False,
    encoding: str | None = None,
) -> Imported:
    """Reads an Ofsted ILACS Annex A workbook (or a folder of per-list CSV files) as events.

    Each sheet is identified by its column headers (compared case-insensitively, ignoring
    spacing and punctuation, with the template's variants and the Standard Safeguarding
    Dataset's CamelCase names), never by its name. Lists 3 to 8 become events:

    ======  ==================================================================================
    list    events
    ======  ==================================================================================
    3       ``referral`` (Date of referral)
    4       ``assessment_start``, ``assessment_authorised``
    5       ``s47_start`` (and ``strategy_discussion`` with ``strategy_discussion=True``),
            ``icpc``
    6       the CIN Start Date as ``referral`` (or ``cin_plan_start``: ``list6_start_as``),
            ``visit[seen]`` (Date Child Was Last Seen), ``closure[RC1..RC9]``
    7       ``cp_plan_start``, ``visit[seen_alone|seen]``, ``cp_review`` (latest review
            conference), ``cp_plan_end``
    8       ``looked_after_start``, ``visit[seen]``, ``looked_after_end[return_home_planned|
            return_home_unplanned|other]``
    ======  ==================================================================================

    Lists 1, 2, 9, 10 and 11, and the columns that carry no date, are named in findings with
    the action ``not_an_event``. Episodes are derived when scoring (``episode_id`` is null).

    Parameters
    ----------
    path
        An ``.xlsx``, ``.xlsm`` or ``.ods`` workbook (needs ``fastexcel``: ``pip install
        'cinscope[excel]'``), a ``.csv`` file, or a folder of ``.csv`` files.
    inspection_date
        The date the lists were extracted for; recorded as the result's ``as_of``.
    window_start
        The first day the lists cover; default: six months before ``inspection_date``
        (:func:`default_window_start`). Rows of Lists 4 to 7 that start before it are kept and
        reported (``AA_BEFORE_WINDOW``): their history is not in the workbook.
    list6_start_as
        What List 6's "CIN Start Date" is: ``"referral"`` (the start of the child-in-need
        episode, as the census and the Standard Safeguarding Dataset have it; the default) or
        ``"cin_plan_start"`` (for an authority that puts the plan's start there).
    strategy_discussion
        Also add a ``strategy_discussion`` event on the date of each List 5 enquiry start (the
        strategy discussion that initiated it).
    encoding
        The encoding of CSV files; by default UTF-8 (with or without a byte-order mark) or
        UTF-16 with a byte-order mark, else Windows-1252 (reported).

    Returns
    -------
    Imported
        ``events`` (:data:`EVENT_COLUMNS`: the canonical columns, ``team``, ``worker`` and
        where each event came from: ``source``, ``source_row``, ``source_column``),
        ``findings``, ``as_of`` (the inspection date), ``window_start`` and ``counts`` (rows
        read per list, ``"List 3"``: 120, ...).

    Raises
    ------
    SchemaError
        No Annex A list in the source; a list without a required column; merged header cells;
        headers that fit two lists equally.
    DataError
        A date column whose text dates are month-first; a CSV file in an unreadable encoding.
    CinscopeError
        A file that cannot be read, or ``fastexcel`` missing for a workbook.
    """
    if not isinstance(inspection_date, _dt.date) or isinstance(inspection_date, _dt.datetime):
        raise TypeError(f"inspection_date must be a datetime.date, got {type(inspection_date).__name__}")
    if window_start is None:
        window_start = default_window_start(inspection_date)
    elif not isinstance(window_start, _dt.date) or isinstance(window_start, _dt.datetime):
        raise TypeError(f"window_start must be a datetime.date, got {type(window_start).__name__}")
    if window_start > inspection_date:
        raise ValueError(f"window_start {window_start} is after inspection_date {inspection_date}")
    if list6_start_as not in ("referral", "cin_plan_start"):
        raise ValueError(f"list6_start_as must be 'referral' or 'cin_plan_start', got {list6_start_as!r}")

    source_path = Path(os.fspath(path))
    findings = _Findings()
    sheets = _load(source_path, encoding, findings)

    counts: dict[str, int] = {}
    list_rows: dict[int, list[_Row]] = {n: [] for n in _DATE_FIELDS}
    for sheet in sheets:
        if sheet.hidden:
            findings.add(sheet.source, None, None, "AA_HIDDEN_SHEET", "kept",
                         "the sheet is hidden; read like the others")
        if not sheet.cells:
            findings.add(sheet.source, None, None, "AA_NOT_A_LIST", "skipped", "empty sheet")
            continue
        layout = _identify(sheet, findings)
        if layout is None:
            continue
        _check_merged(sheet, layout, findings)
        _report_formulas(sheet, layout, findings)
        spec = layout.spec
        if spec.number not in _DATE_FIELDS:
            data_rows = sum(
                1 for line in sheet.cells[layout.header_row - sheet.first_row + 1:]
                if any(_clean(v) is not None for v in line)
            )
            counts[spec.label] = counts.get(spec.label, 0) + data_rows
            findings.add(sheet.source, None, None, "AA_NOT_AN_EVENT", "not_an_event",
                         f"{spec.label} ({spec.title}), {data_rows} row(s): no event of cinscope's vocabulary "
                         "comes from this list")
            continue
        _report_columns(sheet, layout, findings)
        number_of_rows, rows = _read_list_sheet(sheet, layout, findings)
        counts[spec.label] = counts.get(spec.label, 0) + number_of_rows
        list_rows[spec.number].extend(rows)
    if not counts:
        raise SchemaError(
            f"{source_path.name}: no Annex A list recognised in it: each list is found by its headers "
            "(e.g. 'Child Unique ID' and 'Date of referral' for List 3); see docs/annex-a.md"
        )

    events: list[_Event] = []
    for n, rows in list_rows.items():
        seen: dict[tuple[object, ...], _Row] = {}
        for row in rows:
            anchor = _DATE_FIELDS[n][0]
            if row.dates.get(anchor) is not None:
                key = _dedup_key(row)
                first = seen.get(key)
                if first is not None:
                    findings.add(row.sheet.source, row.number, row.header(anchor), "AA_DUPLICATE", "skipped",
                                 f"same {_DEDUP_DESCRIPTION[n]} as {first.sheet.source} row {first.number}; "
                                 "a duplicate, not read again")
                    continue
                seen[key] = row
            row_events = _row_events(row, findings, list6_start_as=list6_start_as,
                                     strategy_discussion=strategy_discussion)
            events.extend(row_events)
            anchor_day = row.dates.get(anchor)
            if n in _CENSORED_LISTS and anchor_day is not None and anchor_day < window_start:
                findings.add(row.sheet.source, row.number, row.header(anchor), "AA_BEFORE_WINDOW", "kept",
                             f"{row.spec.label} row starting {anchor_day.isoformat()}, before the window "
                             f"(from {window_start.isoformat()}): its earlier history is not in Annex A; "
                             "obligations anchored before the window are not the window's performance")
    events = _merge_same_events(events, findings)
    _report_unanchored_assessments(events, window_start, findings)

    frame = pl.DataFrame(
        {
            "child_id": [e.child_id for e in events],
            "event": [e.event for e in events],
            "date": [e.date for e in events],
            "episode_id": [None] * len(events),
            "qualifier": [e.qualifier for e in events],
            "team": [e.row.team for e in events],
            "worker": [e.row.worker for e in events],
            "source": [e.row.sheet.source for e in events],
            "source_row": [e.row.number for e in events],
            "source_column": [e.row.header(e.field) for e in events],
        },
        schema=EVENT_COLUMNS,
    ).sort(["child_id", "date"], maintain_order=True)
    return Imported(
        events=frame,
        findings=findings_frame(findings.rows),
        source_format="annex_a",
        as_of=inspection_date,
        window_start=window_start,
        counts=counts,
        source_events=_source_events(list6_start_as, strategy_discussion),
    )


def _source_events(list6_start_as: str, strategy_discussion: bool) -> frozenset[str]:
    """The events an Annex A workbook can hold at all, under the reading's options."""
    kinds = {
        "referral", "assessment_start", "assessment_authorised", "s47_start", "icpc", "closure", "visit",
        "cp_plan_start", "cp_plan_end", "cp_review", "looked_after_start", "looked_after_end",
    }
    if list6_start_as == "cin_plan_start":
        kinds.add("cin_plan_start")
    if strategy_discussion:
        kinds.add("strategy_discussion")
    return frozenset(kinds)


def _merge_same_events(events: list[_Event], findings: _Findings) -> list[_Event]:
    """One event for the same thing read from two lists: List 6's CIN start that is List 3's
    referral, the same visit on Lists 6, 7 and 8. The first (by list) is kept; a visit seen alone
    on any list is seen alone."""
    kept: dict[tuple[str, str, _dt.date], _Event] = {}
    out: list[_Event] = []
    for event in sorted(events, key=lambda e: e.row.spec.number):
        key = (event.child_id, event.event, event.date)
        first = kept.get(key)
        if first is None or first.row.spec.number == event.row.spec.number:
            if first is None:
                kept[key] = event
            out.append(event)
            continue
        if event.event == "visit" and event.qualifier == "seen_alone" and first.qualifier != "seen_alone":
            first.qualifier = "seen_alone"
        findings.add(event.row.sheet.source, event.row.number, event.row.header(event.field), "AA_SAME_EVENT",
                     "skipped",
                     f"the {event.event} of {event.date.isoformat()} is the one already read from {first.origin} "
                     f"({first.row.spec.label}); not read twice")
    return out


def _report_unanchored_assessments(events: list[_Event], window_start: _dt.date, findings: _Findings) -> None:
    """List 4 rows in the window whose referral is on neither List 3 nor List 6."""
    referrals: dict[str, list[_dt.date]] = {}
    for event in events:
        if event.event == "referral":
            referrals.setdefault(event.child_id, []).append(event.date)
    for event in events:
        if event.event != "assessment_start" or event.date < window_start:
            continue
        if not any(day <= event.date for day in referrals.get(event.child_id, [])):
            findings.add(event.row.sheet.source, event.row.number, event.row.header(event.field),
                         "AA_NO_REFERRAL", "kept",
                         "no referral of this child on or before this assessment on List 3 or List 6: the "
                         "assessment's timescale from referral cannot be scored")


def _check_merged(sheet: _Sheet, layout: _Layout, findings: _Findings) -> None:
    for r1, c1, r2, c2 in sheet.merged:
        ref = f"{_col_letter(c1)}{r1}:{_col_letter(c2)}{r2}"
        if r1 <= layout.header_row <= r2:
            raise SchemaError(
                f"{sheet.source}: the header cells {ref} are merged, so a column has no header of its own; "
                "unmerge them and give each column its header"
            )
        if r2 < layout.header_row:
            continue
        value = sheet.cell(r1, c1)
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                sheet.set_cell(row, col, value)
        findings.add(sheet.source, r1, layout.headers.get(c1), "AA_MERGED_CELLS", "repaired",
                     f"cells {ref} are merged; the value {value!r} is read in each of them")


def _report_formulas(sheet: _Sheet, layout: _Layout, findings: _Findings) -> None:
    for row, col in sheet.formulas_without_value:
        if row <= layout.header_row:
            continue
        findings.add(sheet.source, row, layout.headers.get(col, _col_letter(col)), "AA_FORMULA_NO_VALUE", "skipped",
                     f"{sheet.where(row, col)} holds a formula with no saved result (the workbook was not "
                     "recalculated when saved); read as blank: open and save it in a spreadsheet to compute it")
    with_value = sheet.formulas - len(sheet.formulas_without_value)
    if with_value > 0:
        findings.add(sheet.source, None, None, "AA_FORMULA", "kept",
                     f"{with_value} cell(s) hold formulas; the results saved with the workbook are read")


def _report_columns(sheet: _Sheet, layout: _Layout, findings: _Findings) -> None:
    """The columns that give no event: known columns of the list, unknown ones, blank headers."""
    spec = layout.spec
    read = {"child_id", "team", "worker", *_DATE_FIELDS[spec.number], *_CODE_FIELDS[spec.number]}
    known_cols = {col: name for name, col in layout.columns.items()}
    for col, header in sorted(layout.headers.items()):
        name = known_cols.get(col)
        if name in read:
            continue
        if name is not None:
            message = f"a column of {spec.label} that carries no event; not read"
            code = "AA_NOT_AN_EVENT"
        elif any(f.matches(_key(header)) for f in _SHARED) or any(
            f.matches(_key(header)) for s in _LISTS for f in s.signature
        ):
            message = f"a column of another Annex A list, not of {spec.label}; not read"
            code = "AA_UNKNOWN_COLUMN"
        else:
            message = f"not a column of {spec.label} ({spec.title}); not read"
            code = "AA_UNKNOWN_COLUMN"
        findings.add(sheet.source, None, header, code, "not_an_event", message)
    header_offset = layout.header_row - sheet.first_row
    width = max((len(line) for line in sheet.cells[header_offset + 1:]), default=0)
    for offset in range(width):
        col = sheet.first_col + offset
        if col in layout.headers:
            continue
        if any(_clean(line[offset]) is not None for line in sheet.cells[header_offset + 1:] if offset < len(line)):
            findings.add(sheet.source, None, _col_letter(col), "AA_UNKNOWN_COLUMN", "not_an_event",
                         f"column {_col_letter(col)} has values but no header; not read")
    for name in (*_DATE_FIELDS[spec.number], *_CODE_FIELDS[spec.number], "team", "worker"):
        if name not in layout.columns:
            wanted = spec.field(name)
            findings.add(sheet.source, None, wanted.header, "AA_COLUMN_MISSING", "skipped",
                         f"{spec.label} has no '{wanted.header}' column (accepted: {wanted.accepted()}); "
                         "what it would give is not read")

