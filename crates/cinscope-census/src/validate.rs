//! The validation engine: runs the DfE rules over a [`Census`] and reports every finding
//! with its rule, child, table, field, row and value.
//!
//! Rules come in four scopes: most look at one child at a time (run in parallel across
//! children); two compare children with each other (duplicate IDs and UPNs); one checks the
//! header; a few are return-level ("LA-level") checks with no row to point at.

use chrono::{Datelike, Months, NaiveDate};
use cinscope_domain::Calendar;
use rayon::prelude::*;

use crate::model::{Census, Child, Text};
use crate::rules::RULES;

/// The census tables, named as the DfE (and the reference validator) name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// `Header`.
    Header,
    /// `ChildIdentifiers`: one row per child.
    ChildIdentifiers,
    /// `ChildCharacteristics`: one row per child.
    ChildCharacteristics,
    /// `Disabilities`: one row per disability code.
    Disabilities,
    /// `CINdetails`: one row per CIN episode.
    CINdetails,
    /// `Assessments`.
    Assessments,
    /// `AssessmentFactorsList`: one row per factor code.
    AssessmentFactorsList,
    /// `CINplanDates`.
    CINplanDates,
    /// `Section47`.
    Section47,
    /// `ChildProtectionPlans`.
    ChildProtectionPlans,
    /// `Reviews`: one row per CP review date.
    Reviews,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 11] = [
        Table::Header,
        Table::ChildIdentifiers,
        Table::ChildCharacteristics,
        Table::Disabilities,
        Table::CINdetails,
        Table::Assessments,
        Table::AssessmentFactorsList,
        Table::CINplanDates,
        Table::Section47,
        Table::ChildProtectionPlans,
        Table::Reviews,
    ];

    /// The table's name.
    pub fn name(self) -> &'static str {
        match self {
            Table::Header => "Header",
            Table::ChildIdentifiers => "ChildIdentifiers",
            Table::ChildCharacteristics => "ChildCharacteristics",
            Table::Disabilities => "Disabilities",
            Table::CINdetails => "CINdetails",
            Table::Assessments => "Assessments",
            Table::AssessmentFactorsList => "AssessmentFactorsList",
            Table::CINplanDates => "CINplanDates",
            Table::Section47 => "Section47",
            Table::ChildProtectionPlans => "ChildProtectionPlans",
            Table::Reviews => "Reviews",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Whether a rule's failure must be fixed (error) or explained (query, the DfE's "Q" rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Must be corrected before the return is accepted.
    Error,
    /// Must be corrected or explained.
    Query,
}

impl Kind {
    /// `error` or `query`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Query => "query",
        }
    }
}

/// Where in a child's record a finding points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// The child's identifiers.
    Child,
    /// The child's characteristics.
    Characteristics,
    /// The `d`-th disability code.
    Disability(usize),
    /// Episode `e`.
    Episode(usize),
    /// Assessment `a` of episode `e`.
    Assessment(usize, usize),
    /// Factor `f` of assessment `a` of episode `e`.
    Factor(usize, usize, usize),
    /// CIN plan `p` of episode `e`.
    Plan(usize, usize),
    /// Section 47 enquiry `s` of episode `e`.
    S47(usize, usize),
    /// Child protection plan `p` of episode `e`.
    Cpp(usize, usize),
    /// Review `r` of child protection plan `p` of episode `e`.
    Review(usize, usize, usize),
}

/// Where a rule found something, while checking one child.
#[derive(Debug, Default)]
pub struct Hits {
    pub(crate) v: Vec<(Loc, &'static str)>,
}

impl Hits {
    /// Record that `field` at `loc` takes part in the failure.
    pub fn at(&mut self, loc: Loc, field: &'static str) {
        if !self.v.contains(&(loc, field)) {
            self.v.push((loc, field));
        }
    }
}

/// A check of one child.
pub type ChildCheck = fn(&Cx, &Child, &mut Hits);

/// How a rule is checked.
#[derive(Clone, Copy)]
pub enum Check {
    /// One child at a time.
    Child(fn(&Cx, &Child, &mut Hits)),
    /// Across children (duplicates): pushes (child index, location, field).
    Children(fn(&Census, &mut Vec<(usize, Loc, &'static str)>)),
    /// The header row: returns the header field at fault.
    Header(fn(&Cx, &Census) -> Option<&'static str>),
    /// The return as a whole: returns whether it fails.
    Return(fn(&Cx, &Census) -> bool),
    /// Every value, required element and element against the schema of the return's year
    /// ([`Census::schema_year`]; the 2026 schema when the header names no year): reports the
    /// problems of one kind.
    Schema(crate::write::ProblemKind),
}

/// One DfE validation rule.
#[derive(Clone, Copy)]
pub struct Rule {
    /// The DfE's code, e.g. `8840` or `8863Q`.
    pub code: &'static str,
    /// Error or query.
    pub kind: Kind,
    /// What is wrong, in our words.
    pub message: &'static str,
    /// The census fields the rule reads.
    pub fields: &'static [&'static str],
    /// The check.
    pub check: Check,
}

impl Rule {
    /// Whether the rule is a return-level (LA-level) check without row locations.
    pub fn is_return_level(&self) -> bool {
        matches!(self.check, Check::Return(_))
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("code", &self.code).field("kind", &self.kind).finish()
    }
}

/// The census period and the working-day thresholds rules compare against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cx {
    /// The reference date (31 March).
    pub reference: Option<NaiveDate>,
    /// First day of the collection period (1 April).
    pub start: Option<NaiveDate>,
    /// 15 working days before the end of the census year, counted as the DfE does
    /// (the reference date is day 1 when it is a working day).
    pub before_15_wd: Option<NaiveDate>,
    /// 45 working days before the end of the census year, counted the same way.
    pub before_45_wd: Option<NaiveDate>,
    /// The first working day of the collection period.
    pub first_working_day: Option<NaiveDate>,
    /// The schema year values are checked against ([`Census::schema_year`], else 2026).
    pub year: i32,
}

impl Cx {
    /// The context for `census`, with working days from `calendar`.
    pub fn new(census: &Census, calendar: &Calendar) -> Self {
        let period = census.period();
        let reference = period.map(|p| p.1);
        Cx {
            reference,
            start: period.map(|p| p.0),
            before_15_wd: reference.and_then(|r| working_days_back(calendar, r, 15)),
            before_45_wd: reference.and_then(|r| working_days_back(calendar, r, 45)),
            first_working_day: period.and_then(|p| working_days_back(calendar, p.0, 1)),
            year: census.schema_year().unwrap_or(*crate::write::YEARS.end()),
        }
    }

    /// Whether `d` is present and falls outside the collection period.
    pub fn outside(&self, d: Option<NaiveDate>) -> bool {
        match (d, self.start, self.reference) {
            (Some(d), Some(s), Some(e)) => d < s || d > e,
            _ => false,
        }
    }

    /// Whether `d` is present and after the reference date.
    pub fn after_end(&self, d: Option<NaiveDate>) -> bool {
        lt(self.reference, d)
    }
}

/// "`n` working days before `date`" as the DfE counts it: `date` itself is day 1 when it
/// is a working day, so the result is `n - 1` working days back; with `n = 1` a date that is
/// not a working day rolls forward to the next working day.
pub fn working_days_back(calendar: &Calendar, date: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n <= 1 {
        let mut d = date;
        for _ in 0..15 {
            if calendar.is_working_day(d).ok()? {
                return Some(d);
            }
            d = d.succ_opt()?;
        }
        return None;
    }
    calendar.add_working_days(date, -(n - 1)).ok()
}

/// `a < b` when both are present (a missing date never compares, as NaT does in pandas).
pub fn lt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a < b)
}

/// `a <= b` when both are present.
pub fn le(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a <= b)
}

/// `a == b` when both are present.
pub fn same(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a == b)
}

/// Whether `d` is a Saturday or Sunday.
pub fn weekend(d: Option<NaiveDate>) -> bool {
    d.is_some_and(|d| d.weekday().number_from_monday() >= 6)
}

/// Add years to a date, clamping 29 February to 28 February.
pub fn add_years(d: NaiveDate, years: i32) -> Option<NaiveDate> {
    if years >= 0 {
        d.checked_add_months(Months::new(years.unsigned_abs() * 12))
    } else {
        d.checked_sub_months(Months::new(years.unsigned_abs() * 12))
    }
}

/// One validation finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The rule's code.
    pub rule: &'static str,
    /// Error or query.
    pub kind: Kind,
    /// The child's `LAchildID` (`None` for header and return-level findings).
    pub child: Option<String>,
    /// Index of the child in the file (0-based).
    pub child_index: Option<usize>,
    /// The table at fault.
    pub table: Option<Table>,
    /// The field at fault.
    pub field: Option<&'static str>,
    /// Row within the table (0-based, file order).
    pub row: Option<usize>,
    /// The value found there, as written.
    pub value: Option<String>,
}

/// Run `rules` (all DfE rules when `None`) over `census`.
pub fn validate(
    census: &Census,
    calendar: &Calendar,
    rules: Option<&[&str]>,
) -> Result<Vec<Issue>, crate::CensusError> {
    let selected: Vec<&Rule> = match rules {
        None => RULES.iter().collect(),
        Some(codes) => {
            let mut out = Vec::new();
            for code in codes {
                match RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code)) {
                    Some(r) => out.push(r),
                    None => return Err(crate::CensusError::UnknownRule((*code).to_owned())),
                }
            }
            out
        }
    };
    let cx = Cx::new(census, calendar);
    let bases = row_bases(census);
    let child_rules: Vec<(&Rule, ChildCheck)> = selected
        .iter()
        .filter_map(|r| match r.check {
            Check::Child(f) => Some((*r, f)),
            _ => None,
        })
        .collect();
    let mut issues: Vec<Issue> = census
        .children
        .par_iter()
        .zip(bases.par_iter())
        .enumerate()
        .fold(Vec::new, |mut out, (i, (child, base))| {
            let mut hits = Hits::default();
            for (rule, f) in &child_rules {
                hits.v.clear();
                f(&cx, child, &mut hits);
                for (loc, field) in &hits.v {
                    out.push(issue(rule, i, child, base, *loc, field));
                }
            }
            out
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    let schema_problems = if selected.iter().any(|r| matches!(r.check, Check::Schema(_))) {
        crate::schema::schema(cx.year).map(|s| crate::write::check_as_is(census, s)).unwrap_or_default()
    } else {
        Vec::new()
    };
    for rule in &selected {
        match rule.check {
            Check::Child(_) => {}
            Check::Schema(kind) => {
                use crate::write::ProblemKind;
                let mine = |p: &&crate::write::Problem| {
                    p.kind == kind || (kind == ProblemKind::Type && p.kind == ProblemKind::Unwritable)
                };
                for p in schema_problems.iter().filter(mine) {
                    issues.push(Issue {
                        rule: rule.code,
                        kind: rule.kind,
                        child: p.child.clone(),
                        child_index: p.child_index,
                        table: p.table,
                        field: Some(p.field),
                        row: p.row,
                        value: p.value.clone(),
                    });
                }
            }
            Check::Children(f) => {
                let mut found = Vec::new();
                f(census, &mut found);
                for (i, loc, field) in found {
                    if let (Some(child), Some(base)) = (census.children.get(i), bases.get(i)) {
                        issues.push(issue(rule, i, child, base, loc, field));
                    }
                }
            }
            Check::Header(f) => {
                if let Some(field) = f(&cx, census) {
                    issues.push(Issue {
                        rule: rule.code,
                        kind: rule.kind,
                        child: None,
                        child_index: None,
                        table: Some(Table::Header),
                        field: Some(field),
                        row: Some(0),
                        value: header_value(census, field),
                    });
                }
            }
            Check::Return(f) => {
                if f(&cx, census) {
                    issues.push(Issue {
                        rule: rule.code,
                        kind: rule.kind,
                        child: None,
                        child_index: None,
                        table: None,
                        field: None,
                        row: None,
                        value: None,
                    });
                }
            }
        }
    }
    issues.sort_by(|a, b| {
        (a.child_index, a.rule, a.table, a.row, a.field).cmp(&(
            b.child_index,
            b.rule,
            b.table,
            b.row,
            b.field,
        ))
    });
    Ok(issues)
}

/// First row of each table that belongs to each child.
pub(crate) fn row_bases(census: &Census) -> Vec<[usize; 11]> {
    let mut next = [0usize; 11];
    next[0] = 1;
    let mut out = Vec::with_capacity(census.children.len());
    for c in &census.children {
        out.push(next);
        for (n, add) in next.iter_mut().zip(c.rows()) {
            *n += add;
        }
    }
    out
}

fn issue(
    rule: &Rule,
    index: usize,
    child: &Child,
    base: &[usize; 11],
    loc: Loc,
    field: &'static str,
) -> Issue {
    let (table, row) = locate(child, base, loc);
    Issue {
        rule: rule.code,
        kind: rule.kind,
        child: child.la_child_id.clone(),
        child_index: Some(index),
        table: Some(table),
        field: Some(field),
        row: Some(row),
        value: value_at(child, loc, field).cloned(),
    }
}

fn base_of(base: &[usize; 11], t: Table) -> usize {
    base.get(t.index()).copied().unwrap_or(0)
}

/// The table and global row of a location.
pub(crate) fn locate(child: &Child, base: &[usize; 11], loc: Loc) -> (Table, usize) {
    let before = |e: usize, f: &dyn Fn(&crate::model::Episode) -> usize| -> usize {
        child.episodes.iter().take(e).map(f).sum()
    };
    match loc {
        Loc::Child => (Table::ChildIdentifiers, base_of(base, Table::ChildIdentifiers)),
        Loc::Characteristics => (Table::ChildCharacteristics, base_of(base, Table::ChildCharacteristics)),
        Loc::Disability(d) => (Table::Disabilities, base_of(base, Table::Disabilities) + d),
        Loc::Episode(e) => (Table::CINdetails, base_of(base, Table::CINdetails) + e),
        Loc::Assessment(e, a) => {
            (Table::Assessments, base_of(base, Table::Assessments) + before(e, &|x| x.assessments.len()) + a)
        }
        Loc::Factor(e, a, f) => {
            let count = |x: &crate::model::Assessment| x.factors.as_ref().map_or(0, Vec::len);
            let within: usize =
                child.episodes.get(e).map_or(0, |ep| ep.assessments.iter().take(a).map(count).sum());
            let prior = before(e, &|x| x.assessments.iter().map(count).sum());
            (Table::AssessmentFactorsList, base_of(base, Table::AssessmentFactorsList) + prior + within + f)
        }
        Loc::Plan(e, p) => {
            (Table::CINplanDates, base_of(base, Table::CINplanDates) + before(e, &|x| x.cin_plans.len()) + p)
        }
        Loc::S47(e, s) => {
            (Table::Section47, base_of(base, Table::Section47) + before(e, &|x| x.section47.len()) + s)
        }
        Loc::Cpp(e, p) => (
            Table::ChildProtectionPlans,
            base_of(base, Table::ChildProtectionPlans) + before(e, &|x| x.cp_plans.len()) + p,
        ),
        Loc::Review(e, p, r) => {
            let within: usize = child
                .episodes
                .get(e)
                .map_or(0, |ep| ep.cp_plans.iter().take(p).map(|x| x.reviews.len()).sum());
            let prior = before(e, &|x| x.cp_plans.iter().map(|c| c.reviews.len()).sum());
            (Table::Reviews, base_of(base, Table::Reviews) + prior + within + r)
        }
    }
}

fn value_at<'a>(child: &'a Child, loc: Loc, field: &str) -> Option<&'a String> {
    let t: &Text = match loc {
        Loc::Child => match field {
            "LAchildID" => &child.la_child_id,
            "UPN" => &child.upn,
            "FormerUPN" => &child.former_upn,
            "UPNunknown" => &child.upn_unknown,
            "PersonBirthDate" => &child.birth_date,
            "ExpectedPersonBirthDate" => &child.expected_birth_date,
            "Sex" => &child.sex,
            "PersonDeathDate" => &child.death_date,
            _ => return None,
        },
        Loc::Characteristics => match field {
            "Ethnicity" => &child.ethnicity,
            _ => return None,
        },
        Loc::Disability(d) => child.disabilities.as_ref()?.get(d)?,
        Loc::Episode(e) => {
            let ep = child.episodes.get(e)?;
            match field {
                "CINreferralDate" => &ep.referral_date,
                "ReferralSource" => &ep.referral_source,
                "PrimaryNeedCode" => &ep.primary_need,
                "CINclosureDate" => &ep.closure_date,
                "ReasonForClosure" => &ep.closure_reason,
                "DateOfInitialCPC" => &ep.initial_cpc,
                "ReferralNFA" => &ep.referral_nfa,
                _ => return None,
            }
        }
        Loc::Assessment(e, a) => {
            let x = child.episodes.get(e)?.assessments.get(a)?;
            match field {
                "AssessmentActualStartDate" => &x.start,
                "AssessmentInternalReviewDate" => &x.internal_review,
                "AssessmentAuthorisationDate" => &x.authorised,
                _ => return None,
            }
        }
        Loc::Factor(e, a, f) => child.episodes.get(e)?.assessments.get(a)?.factors.as_ref()?.get(f)?,
        Loc::Plan(e, p) => {
            let x = child.episodes.get(e)?.cin_plans.get(p)?;
            match field {
                "CINPlanStartDate" => &x.start,
                "CINPlanEndDate" => &x.end,
                _ => return None,
            }
        }
        Loc::S47(e, s) => {
            let x = child.episodes.get(e)?.section47.get(s)?;
            match field {
                "S47ActualStartDate" => &x.start,
                "InitialCPCtarget" => &x.icpc_target,
                "DateOfInitialCPC" => &x.initial_cpc,
                "ICPCnotRequired" => &x.icpc_not_required,
                _ => return None,
            }
        }
        Loc::Cpp(e, p) => {
            let x = child.episodes.get(e)?.cp_plans.get(p)?;
            match field {
                "CPPstartDate" => &x.start,
                "CPPendDate" => &x.end,
                "InitialCategoryOfAbuse" => &x.initial_category,
                "LatestCategoryOfAbuse" => &x.latest_category,
                "NumberOfPreviousCPP" => &x.previous_plans,
                _ => return None,
            }
        }
        Loc::Review(e, p, r) => child.episodes.get(e)?.cp_plans.get(p)?.reviews.get(r)?,
    };
    t.as_ref()
}

fn header_value(census: &Census, field: &str) -> Option<String> {
    let h = &census.header;
    match field {
        "Collection" => h.collection.clone(),
        "ReferenceDate" => h.reference_date.clone(),
        "Year" => h.year.clone(),
        "SourceLevel" => h.source_level.clone(),
        "LEA" => h.lea.clone(),
        "SoftwareCode" => h.software_code.clone(),
        "Release" => h.release.clone(),
        "SerialNo" => h.serial_no.clone(),
        "DateTime" => h.date_time.clone(),
        _ => None,
    }
}

/// Per-rule summary: (code, kind, message, findings, children affected).
pub fn summary(issues: &[Issue]) -> Vec<(&'static Rule, usize, usize)> {
    RULES
        .iter()
        .map(|r| {
            let mine: Vec<&Issue> = issues.iter().filter(|i| i.rule == r.code).collect();
            let mut children: Vec<Option<usize>> = mine.iter().map(|i| i.child_index).collect();
            children.sort_unstable();
            children.dedup();
            let affected = children.iter().filter(|c| c.is_some()).count();
            (r, mine.len(), affected)
        })
        .collect()
}
