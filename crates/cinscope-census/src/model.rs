//! The census held in memory: one [`Child`] per `<Child>` element, nested as the XML is.
//!
//! Every leaf value is kept exactly as written (trimmed of surrounding whitespace), so that
//! a value outside a code list, or a date that does not parse, survives reading and is
//! reported by validation instead of being lost. Typed views ([`date`]) are computed on use.

use chrono::{Datelike, NaiveDate};

/// A leaf value as written in the file; `None` when the element is absent.
pub type Text = Option<String>;

/// The `<Header>` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// `Collection` (always `CIN` in a valid return).
    pub collection: Text,
    /// `Year`: the year the collection closes.
    pub year: Text,
    /// `ReferenceDate`: the census day, 31 March.
    pub reference_date: Text,
    /// `SourceLevel`.
    pub source_level: Text,
    /// `LEA`: the authority's three-digit code.
    pub lea: Text,
    /// `SoftwareCode`.
    pub software_code: Text,
    /// `Release`.
    pub release: Text,
    /// `SerialNo`.
    pub serial_no: Text,
    /// `DateTime` the file was made.
    pub date_time: Text,
}

/// Which element carried the child's sex: the 2017–2024 schemas call it `GenderCurrent`,
/// 2025 onwards `Sex`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SexElement {
    /// `<Sex>` (2025 onwards).
    #[default]
    Sex,
    /// `<GenderCurrent>` (2017–2024).
    GenderCurrent,
}

/// One `<Child>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Child {
    /// `LAchildID`.
    pub la_child_id: Text,
    /// `UPN`: unique pupil number.
    pub upn: Text,
    /// `FormerUPN`.
    pub former_upn: Text,
    /// `UPNunknown`: reason the UPN is missing (UN1–UN7).
    pub upn_unknown: Text,
    /// `PersonBirthDate`.
    pub birth_date: Text,
    /// `ExpectedPersonBirthDate` (unborn children).
    pub expected_birth_date: Text,
    /// `Sex` or `GenderCurrent`.
    pub sex: Text,
    /// Which of the two elements held [`Child::sex`] in the file read.
    pub sex_element: SexElement,
    /// `PersonDeathDate`.
    pub death_date: Text,
    /// `Ethnicity`.
    pub ethnicity: Text,
    /// `Disabilities/Disability`, in file order; `None` when there is no `<Disabilities>`.
    pub disabilities: Option<Vec<Text>>,
    /// The `<CINdetails>` episodes, in file order.
    pub episodes: Vec<Episode>,
}

/// One `<CINdetails>`: a CIN episode from referral to closure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Episode {
    /// `CINreferralDate`.
    pub referral_date: Text,
    /// `ReferralSource`.
    pub referral_source: Text,
    /// `PrimaryNeedCode` (N0–N9).
    pub primary_need: Text,
    /// `CINclosureDate`.
    pub closure_date: Text,
    /// `ReasonForClosure` (RC1–RC9).
    pub closure_reason: Text,
    /// `DateOfInitialCPC` recorded at episode level.
    pub initial_cpc: Text,
    /// `Assessments`.
    pub assessments: Vec<Assessment>,
    /// `CINPlanDates` (schemas 2022 onwards).
    pub cin_plans: Vec<CinPlan>,
    /// `Section47` enquiries.
    pub section47: Vec<Section47>,
    /// `ReferralNFA`: referral with no further action (`0`/`1`, `false`/`true`).
    pub referral_nfa: Text,
    /// `ChildProtectionPlans`.
    pub cp_plans: Vec<CpPlan>,
    /// `PreProceedingsandFGDM` blocks (2026 samples), kept as element name/value pairs.
    pub pre_proceedings: Vec<Vec<(String, String)>>,
}

/// One `<Assessments>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    /// `AssessmentActualStartDate`.
    pub start: Text,
    /// `AssessmentInternalReviewDate`.
    pub internal_review: Text,
    /// `AssessmentAuthorisationDate`: the assessment's completion.
    pub authorised: Text,
    /// `FactorsIdentifiedAtAssessment/AssessmentFactors`; `None` when the element is absent,
    /// `Some(vec![])` when it is present but empty.
    pub factors: Option<Vec<Text>>,
}

/// One `<CINPlanDates>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinPlan {
    /// `CINPlanStartDate`.
    pub start: Text,
    /// `CINPlanEndDate`.
    pub end: Text,
}

/// One `<Section47>` enquiry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section47 {
    /// `S47ActualStartDate`.
    pub start: Text,
    /// `InitialCPCtarget`.
    pub icpc_target: Text,
    /// `DateOfInitialCPC`.
    pub initial_cpc: Text,
    /// `ICPCnotRequired`.
    pub icpc_not_required: Text,
}

/// One `<ChildProtectionPlans>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpPlan {
    /// `CPPstartDate`.
    pub start: Text,
    /// `CPPendDate`.
    pub end: Text,
    /// `InitialCategoryOfAbuse`.
    pub initial_category: Text,
    /// `LatestCategoryOfAbuse`.
    pub latest_category: Text,
    /// `NumberOfPreviousCPP`.
    pub previous_plans: Text,
    /// `Reviews/CPPreviewDate`, in file order.
    pub reviews: Vec<Text>,
}

/// A whole census return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// The header.
    pub header: Header,
    /// The children, in file order.
    pub children: Vec<Child>,
}

/// The elements of a `PreProceedingsandFGDM` block, in the order of the DfE's 2026 sample.
/// No schema year 2017–2026 has the block; the reader keeps these elements (and notes any
/// other), and the writer writes no other name.
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

impl Census {
    /// Whether two censuses hold the same data. Unlike `==`, what only the schema year's way
    /// of writing it changes is not data: which element carried each child's sex
    /// (`GenderCurrent` or `Sex`), a sex written `1`/`2` (`GenderCurrent`) or `M`/`F` (`Sex`),
    /// and a yes/no flag written `true`/`false` or `1`/`0`. So a 2024 return written as 2025
    /// holds the same data as the original. `GenderCurrent` `0` and `9` and `Sex` `U` stay
    /// distinct: mapping `0` and `9` to `U` loses which one it was.
    pub fn same_data(&self, other: &Census) -> bool {
        self.header == other.header
            && self.children.len() == other.children.len()
            && self.children.iter().zip(&other.children).all(|(a, b)| canonical(a) == canonical(b))
    }

    /// The schema year of this return: the header's `Year`, else the year of its
    /// `ReferenceDate`, brought within 2017–2026 (the nearest year cinscope has a schema of);
    /// `None` when neither is there.
    pub fn schema_year(&self) -> Option<i32> {
        let declared = self.year().or_else(|| self.reference_date().map(|d| d.year()))?;
        Some(declared.clamp(*crate::write::YEARS.start(), *crate::write::YEARS.end()))
    }
}

/// A child with the values only a schema year's spelling changes made alike (see
/// [`Census::same_data`]).
fn canonical(c: &Child) -> Child {
    let sex = |t: &Text| -> Text {
        t.as_deref().map(|v| match v {
            "1" => "M".to_owned(),
            "2" => "F".to_owned(),
            other => other.to_owned(),
        })
    };
    let flag_text = |t: &Text| -> Text {
        match flag(t) {
            Some(true) => Some("1".into()),
            Some(false) => Some("0".into()),
            None => t.clone(),
        }
    };
    let mut out = Child { sex_element: SexElement::Sex, sex: sex(&c.sex), ..c.clone() };
    for e in &mut out.episodes {
        e.referral_nfa = flag_text(&e.referral_nfa);
        for s in &mut e.section47 {
            s.icpc_not_required = flag_text(&s.icpc_not_required);
        }
    }
    out
}

/// Parse a census date: `YYYY-MM-DD` (the schema's `xs:date`, optionally followed by a time
/// or zone, which is ignored) or `DD/MM/YYYY` (common in hand-made extracts).
/// Anything else is `None` and validation treats it as missing, as the DfE's tools do.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let b = t.as_bytes();
    let digits = |s: &[u8]| -> Option<u32> {
        let mut v = 0u32;
        for c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    if b.len() >= 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        if b.len() > 10 && !matches!(b.get(10), Some(b'T' | b' ' | b'Z' | b'+' | b'-')) {
            return None;
        }
        let y = digits(b.get(0..4)?)?;
        let m = digits(b.get(5..7)?)?;
        let d = digits(b.get(8..10)?)?;
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    if b.len() == 10 && b.get(2) == Some(&b'/') && b.get(5) == Some(&b'/') {
        let d = digits(b.get(0..2)?)?;
        let m = digits(b.get(3..5)?)?;
        let y = digits(b.get(6..10)?)?;
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    None
}

/// The parsed date of a leaf value, `None` when absent or unparseable.
pub fn date(value: &Text) -> Option<NaiveDate> {
    value.as_deref().and_then(parse_date)
}

/// A yes/no flag (`ReferralNFA`, `ICPCnotRequired`): `Some(true)` for `1`/`true`,
/// `Some(false)` for `0`/`false` (any case), `None` otherwise.
pub fn flag(value: &Text) -> Option<bool> {
    let v = value.as_deref()?.trim();
    if v == "1" || v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v == "0" || v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl Census {
    /// The census reference date (header `ReferenceDate`), if it parses.
    pub fn reference_date(&self) -> Option<NaiveDate> {
        date(&self.header.reference_date)
    }

    /// The collection period: from the day after the previous census day to the reference date
    /// inclusive (1 April to 31 March).
    pub fn period(&self) -> Option<(NaiveDate, NaiveDate)> {
        let end = self.reference_date()?;
        let start = end.checked_sub_months(chrono::Months::new(12))?.succ_opt()?;
        Some((start, end))
    }

    /// The schema year this return declares (`Year` in the header).
    pub fn year(&self) -> Option<i32> {
        self.header.year.as_deref()?.trim().parse().ok()
    }

    /// Number of rows in each table, in [`crate::Table::ALL`] order.
    pub fn table_sizes(&self) -> [usize; 11] {
        let mut n = [0usize; 11];
        n[0] = 1;
        for c in &self.children {
            for (t, add) in n.iter_mut().zip(c.rows()) {
                *t += add;
            }
        }
        n
    }
}

impl Child {
    /// Rows this child contributes to each table, in [`crate::Table::ALL`] order.
    pub fn rows(&self) -> [usize; 11] {
        let mut n = [0usize; 11];
        n[1] = 1;
        n[2] = 1;
        n[3] = self.disabilities.as_ref().map_or(0, Vec::len);
        for e in &self.episodes {
            n[4] += 1;
            n[5] += e.assessments.len();
            n[6] += e.assessments.iter().map(|a| a.factors.as_ref().map_or(0, Vec::len)).sum::<usize>();
            n[7] += e.cin_plans.len();
            n[8] += e.section47.len();
            n[9] += e.cp_plans.len();
            n[10] += e.cp_plans.iter().map(|p| p.reviews.len()).sum::<usize>();
        }
        n
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code
    use super::*;

    #[test]
    fn dates_and_flags() {
        assert_eq!(parse_date("2024-03-31"), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(parse_date(" 2024-03-31T10:00:00 "), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(parse_date("31/03/2024"), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-3-31"), None);
        assert_eq!(parse_date("2024-03-310"), None);
        assert_eq!(flag(&Some("TRUE".into())), Some(true));
        assert_eq!(flag(&Some("0".into())), Some(false));
        assert_eq!(flag(&Some("yes".into())), None);
        assert_eq!(flag(&None), None);
    }
}
