//! The DfE census as Polars frames: its eleven tables, the validation issues, the published
//! measures, and the canonical events frame so that a census can be scored.

use cinscope_census::measures::Measure;
use cinscope_census::model::{date, Census, Text};
use cinscope_census::{Issue, Rule};
use polars::prelude::*;

use crate::to_days;

/// Columns of one table under construction: text columns keep the file's values, columns
/// whose name contains "Date" become `Date` (null where absent or unparseable).
#[derive(Default)]
struct Cols {
    names: Vec<&'static str>,
    values: Vec<Vec<Option<String>>>,
    keys: Vec<(&'static str, Vec<u32>)>,
}

impl Cols {
    fn new(keys: &[&'static str], names: &[&'static str]) -> Self {
        Cols {
            names: names.to_vec(),
            values: names.iter().map(|_| Vec::new()).collect(),
            keys: keys.iter().map(|k| (*k, Vec::new())).collect(),
        }
    }

    fn row(&mut self, child: &Text, keys: &[u32], values: &[&Text]) {
        if let Some(first) = self.values.first_mut() {
            first.push(child.clone());
        }
        for ((_, col), k) in self.keys.iter_mut().zip(keys) {
            col.push(*k);
        }
        for (col, v) in self.values.iter_mut().skip(1).zip(values) {
            col.push((*v).clone());
        }
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        let mut cols: Vec<Column> = Vec::new();
        let mut values = self.names.into_iter().zip(self.values);
        if let Some((name, v)) = values.next() {
            cols.push(Column::new(name.into(), v));
        }
        for (name, k) in self.keys {
            cols.push(Column::new(name.into(), k));
        }
        for (name, v) in values {
            if name.contains("Date") && name != "DateTime" {
                let days: Int32Chunked = v.iter().map(|t| date(t).map(to_days)).collect();
                cols.push(Column::new(name.into(), days.into_series()).cast(&DataType::Date)?);
            } else {
                cols.push(Column::new(name.into(), v));
            }
        }
        DataFrame::new_infer_height(cols)
    }
}

/// The census as its tables (the DfE's eleven, and the 2026 pre-proceedings blocks), named and keyed as the DfE names them: `LAchildID`,
/// then `CINdetailsID` (1-based within the child), `AssessmentID` and `CPPID` (1-based within
/// the episode) where they apply.
pub fn census_tables(census: &Census) -> PolarsResult<Vec<(&'static str, DataFrame)>> {
    let h = &census.header;
    let mut header = Cols::new(
        &[],
        &[
            "Collection",
            "Year",
            "ReferenceDate",
            "SourceLevel",
            "LEA",
            "SoftwareCode",
            "Release",
            "SerialNo",
            "DateTime",
        ],
    );
    header.row(
        &h.collection,
        &[],
        &[
            &h.year,
            &h.reference_date,
            &h.source_level,
            &h.lea,
            &h.software_code,
            &h.release,
            &h.serial_no,
            &h.date_time,
        ],
    );
    let header = header.frame()?;
    let mut ids = Cols::new(
        &[],
        &[
            "LAchildID",
            "UPN",
            "FormerUPN",
            "UPNunknown",
            "PersonBirthDate",
            "ExpectedPersonBirthDate",
            "Sex",
            "PersonDeathDate",
        ],
    );
    let mut chars = Cols::new(&[], &["LAchildID", "Ethnicity"]);
    let mut dis = Cols::new(&[], &["LAchildID", "Disability"]);
    let mut cin = Cols::new(
        &["CINdetailsID"],
        &[
            "LAchildID",
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "CINclosureDate",
            "ReasonForClosure",
            "DateOfInitialCPC",
            "ReferralNFA",
        ],
    );
    let mut ass = Cols::new(
        &["CINdetailsID", "AssessmentID"],
        &[
            "LAchildID",
            "AssessmentActualStartDate",
            "AssessmentInternalReviewDate",
            "AssessmentAuthorisationDate",
        ],
    );
    let mut factors = Cols::new(&["CINdetailsID", "AssessmentID"], &["LAchildID", "AssessmentFactor"]);
    let mut plans = Cols::new(&["CINdetailsID"], &["LAchildID", "CINPlanStartDate", "CINPlanEndDate"]);
    let mut s47 = Cols::new(
        &["CINdetailsID"],
        &["LAchildID", "S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"],
    );
    let mut cpp = Cols::new(
        &["CINdetailsID", "CPPID"],
        &[
            "LAchildID",
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse",
            "NumberOfPreviousCPP",
        ],
    );
    let mut reviews = Cols::new(&["CINdetailsID", "CPPID"], &["LAchildID", "CPPreviewDate"]);
    for c in &census.children {
        let id = &c.la_child_id;
        ids.row(
            id,
            &[],
            &[
                &c.upn,
                &c.former_upn,
                &c.upn_unknown,
                &c.birth_date,
                &c.expected_birth_date,
                &c.sex,
                &c.death_date,
            ],
        );
        chars.row(id, &[], &[&c.ethnicity]);
        // An empty list (the element present with nothing in it) is one row with a null value.
        match &c.disabilities {
            Some(list) if list.is_empty() => dis.row(id, &[], &[&None]),
            Some(list) => list.iter().for_each(|d| dis.row(id, &[], &[d])),
            None => {}
        }
        for (e_no, e) in (1u32..).zip(&c.episodes) {
            cin.row(
                id,
                &[e_no],
                &[
                    &e.referral_date,
                    &e.referral_source,
                    &e.primary_need,
                    &e.closure_date,
                    &e.closure_reason,
                    &e.initial_cpc,
                    &e.referral_nfa,
                ],
            );
            for (a_no, a) in (1u32..).zip(&e.assessments) {
                ass.row(id, &[e_no, a_no], &[&a.start, &a.internal_review, &a.authorised]);
                match &a.factors {
                    Some(list) if list.is_empty() => factors.row(id, &[e_no, a_no], &[&None]),
                    Some(list) => list.iter().for_each(|f| factors.row(id, &[e_no, a_no], &[f])),
                    None => {}
                }
            }
            for p in &e.cin_plans {
                plans.row(id, &[e_no], &[&p.start, &p.end]);
            }
            for s in &e.section47 {
                s47.row(id, &[e_no], &[&s.start, &s.icpc_target, &s.initial_cpc, &s.icpc_not_required]);
            }
            for (p_no, p) in (1u32..).zip(&e.cp_plans) {
                cpp.row(
                    id,
                    &[e_no, p_no],
                    &[&p.start, &p.end, &p.initial_category, &p.latest_category, &p.previous_plans],
                );
                for r in &p.reviews {
                    reviews.row(id, &[e_no, p_no], &[r]);
                }
            }
        }
    }
    Ok(vec![
        ("Header", header),
        ("ChildIdentifiers", ids.frame()?),
        ("ChildCharacteristics", chars.frame()?),
        ("Disabilities", dis.frame()?),
        ("CINdetails", cin.frame()?),
        ("Assessments", ass.frame()?),
        ("AssessmentFactorsList", factors.frame()?),
        ("CINplanDates", plans.frame()?),
        ("Section47", s47.frame()?),
        ("ChildProtectionPlans", cpp.frame()?),
        ("Reviews", reviews.frame()?),
        ("PreProceedings", pre_proceedings_frame(census)?),
    ])
}

/// Fields of a `PreProceedingsandFGDM` block in the order of the DfE's 2026 sample; other
/// element names found in a block become further columns, so nothing read is lost.
pub const PRE_PROCEEDINGS_FIELDS: [&str; 10] = [
    "PPStartDate",
    "LBPSentDate",
    "FGDMMeetingOffer",
    "FGDMMeetingFac",
    "InitialPPMeetingDate",
    "ReviewMeetingsCount",
    "StepDecisionDate",
    "PPOutcome",
    "CourtAppDate",
    "LetterInitCPDate",
];

/// The pre-proceedings blocks (2026): `LAchildID`, `CINdetailsID`, `PreProceedingsID`, then one
/// column per field; fields whose name ends in `Date` are `Date`.
fn pre_proceedings_frame(census: &Census) -> PolarsResult<DataFrame> {
    let mut names: Vec<String> = PRE_PROCEEDINGS_FIELDS.iter().map(|s| (*s).to_string()).collect();
    let blocks =
        census.children.iter().flat_map(|c| c.episodes.iter().flat_map(|e| e.pre_proceedings.iter()));
    for block in blocks {
        for (name, _) in block {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let mut child: Vec<Option<String>> = Vec::new();
    let mut episode_no: Vec<u32> = Vec::new();
    let mut block_no: Vec<u32> = Vec::new();
    let mut values: Vec<Vec<Option<String>>> = names.iter().map(|_| Vec::new()).collect();
    for c in &census.children {
        for (e_no, e) in (1u32..).zip(&c.episodes) {
            for (b_no, block) in (1u32..).zip(&e.pre_proceedings) {
                child.push(c.la_child_id.clone());
                episode_no.push(e_no);
                block_no.push(b_no);
                for (name, column) in names.iter().zip(values.iter_mut()) {
                    column.push(block.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()));
                }
            }
        }
    }
    let mut cols = vec![
        Column::new("LAchildID".into(), child),
        Column::new("CINdetailsID".into(), episode_no),
        Column::new("PreProceedingsID".into(), block_no),
    ];
    for (name, v) in names.iter().zip(values) {
        if name.ends_with("Date") {
            let days: Int32Chunked = v.iter().map(|t| date(t).map(to_days)).collect();
            cols.push(Column::new(name.into(), days.into_series()).cast(&DataType::Date)?);
        } else {
            cols.push(Column::new(name.into(), v));
        }
    }
    DataFrame::new_infer_height(cols)
}

/// Validation issues as a frame: `rule`, `type`, `child_id`, `table`, `field`, `row`,
/// `value`, `message`.
pub fn issues_frame(issues: &[Issue], rules: &[Rule]) -> PolarsResult<DataFrame> {
    let message = |code: &str| rules.iter().find(|r| r.code == code).map(|r| r.message);
    df!(
        "rule" => issues.iter().map(|i| i.rule).collect::<Vec<_>>(),
        "type" => issues.iter().map(|i| i.kind.name()).collect::<Vec<_>>(),
        "child_id" => issues.iter().map(|i| i.child.clone()).collect::<Vec<_>>(),
        "table" => issues.iter().map(|i| i.table.map(|t| t.name())).collect::<Vec<_>>(),
        "field" => issues.iter().map(|i| i.field).collect::<Vec<_>>(),
        "row" => issues.iter().map(|i| i.row.and_then(|r| u32::try_from(r).ok())).collect::<Vec<_>>(),
        "value" => issues.iter().map(|i| i.value.clone()).collect::<Vec<_>>(),
        "message" => issues.iter().map(|i| message(i.rule)).collect::<Vec<_>>(),
    )
}

/// Every rule with its number of findings and of children affected: `rule`, `type`,
/// `message`, `fields`, `return_level`, `findings`, `children`.
pub fn rule_summary_frame(issues: &[Issue]) -> PolarsResult<DataFrame> {
    let s = cinscope_census::validate::summary(issues);
    df!(
        "rule" => s.iter().map(|(r, _, _)| r.code).collect::<Vec<_>>(),
        "type" => s.iter().map(|(r, _, _)| r.kind.name()).collect::<Vec<_>>(),
        "message" => s.iter().map(|(r, _, _)| r.message).collect::<Vec<_>>(),
        "fields" => s.iter().map(|(r, _, _)| r.fields.join(", ")).collect::<Vec<_>>(),
        "return_level" => s.iter().map(|(r, _, _)| r.is_return_level()).collect::<Vec<_>>(),
        "findings" => s.iter().map(|(_, n, _)| *n as u32).collect::<Vec<_>>(),
        "children" => s.iter().map(|(_, _, c)| *c as u32).collect::<Vec<_>>(),
    )
}

/// Measures as a frame: `measure`, `breakdown`, `value`.
pub fn measures_frame(measures: &[Measure]) -> PolarsResult<DataFrame> {
    df!(
        "measure" => measures.iter().map(|m| m.measure).collect::<Vec<_>>(),
        "breakdown" => measures.iter().map(|m| m.breakdown.clone()).collect::<Vec<_>>(),
        "value" => measures.iter().map(|m| m.value).collect::<Vec<_>>(),
    )
}

/// The census as a canonical events frame (`child_id`, `episode_id`, `event`, `date`,
/// `authority`), so that census-derivable rules of a rulebook can be scored.
///
/// Mapping: `CINreferralDate` → `referral`; `AssessmentActualStartDate` → `assessment_start`;
/// `AssessmentAuthorisationDate` → `assessment_authorised`; `CINPlanStartDate`/`EndDate` →
/// `cin_plan_start`/`cin_plan_end`; `S47ActualStartDate` → `s47_start`; `DateOfInitialCPC`
/// (episode or S47) → `icpc`; `CPPstartDate`/`CPPendDate` → `cp_plan_start`/`cp_plan_end`;
/// `CPPreviewDate` → `cp_review`; `CINclosureDate` → `closure`, with `ReasonForClosure` as its
/// qualifier. Conference target dates are the authority's own computation, not events.
/// Unparseable dates are left out (validation reports them).
pub fn census_events(census: &Census, authority: &str) -> PolarsResult<DataFrame> {
    let mut child: Vec<String> = Vec::new();
    let mut episode: Vec<String> = Vec::new();
    let mut event: Vec<&'static str> = Vec::new();
    let mut days: Vec<i32> = Vec::new();
    let mut qualifier: Vec<Option<String>> = Vec::new();
    for (n, c) in census.children.iter().enumerate() {
        let id = c.la_child_id.clone().unwrap_or_else(|| format!("(child {})", n + 1));
        for (e_no, e) in (1u32..).zip(&c.episodes) {
            let ep = format!("{id}-E{e_no}");
            let mut push_with = |name: &'static str, t: &Text, q: Option<String>| {
                if let Some(d) = date(t) {
                    child.push(id.clone());
                    episode.push(ep.clone());
                    event.push(name);
                    days.push(to_days(d));
                    qualifier.push(q);
                }
            };
            let mut push = |name: &'static str, t: &Text| push_with(name, t, None);
            push("referral", &e.referral_date);
            for a in &e.assessments {
                push("assessment_start", &a.start);
                push("assessment_authorised", &a.authorised);
            }
            push("icpc", &e.initial_cpc);
            for s in &e.section47 {
                push("s47_start", &s.start);
                push("icpc", &s.initial_cpc);
            }
            for p in &e.cin_plans {
                push("cin_plan_start", &p.start);
                push("cin_plan_end", &p.end);
            }
            for p in &e.cp_plans {
                push("cp_plan_start", &p.start);
                for r in &p.reviews {
                    push("cp_review", r);
                }
                push("cp_plan_end", &p.end);
            }
            let reason =
                e.closure_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
            push_with("closure", &e.closure_date, reason);
        }
    }
    let n = child.len();
    DataFrame::new_infer_height(vec![
        Column::new("child_id".into(), child),
        Column::new("episode_id".into(), episode),
        Column::new("event".into(), event),
        Column::new("date".into(), days).cast(&DataType::Date)?,
        Column::new("qualifier".into(), qualifier),
        Column::new("authority".into(), vec![authority; n]),
    ])
}
