//! Writer: [`Census`] → XML for a chosen schema year, elements in schema order.

use std::io::Write;

use crate::model::{Census, Child, Episode, Text};
use crate::CensusError;

/// First and last schema years cinscope reads and writes.
pub const YEARS: std::ops::RangeInclusive<i32> = 2017..=2026;

/// What a schema year can hold.
#[derive(Debug, Clone, Copy)]
pub struct SchemaYear {
    /// The year.
    pub year: i32,
    /// `CINPlanDates` exists (2022 onwards).
    pub cin_plan_dates: bool,
    /// The sex element is `Sex` (2025 onwards) rather than `GenderCurrent`.
    pub sex_element: bool,
    /// `PreProceedingsandFGDM` blocks are written (2026 onwards).
    pub pre_proceedings: bool,
}

impl SchemaYear {
    /// The schema of `year`, or an error naming the years supported.
    pub fn new(year: i32) -> Result<Self, CensusError> {
        if !YEARS.contains(&year) {
            return Err(CensusError::Year(year));
        }
        Ok(SchemaYear {
            year,
            cin_plan_dates: year >= 2022,
            sex_element: year >= 2025,
            pre_proceedings: year >= 2026,
        })
    }
}

/// Write `census` as XML for schema `year`. Fails, naming the first child concerned, when the
/// census holds data the year's schema has no place for (CIN plan dates before 2022,
/// pre-proceedings before 2026), rather than dropping it.
pub fn write<W: Write>(census: &Census, year: i32, out: W) -> Result<(), CensusError> {
    let schema = SchemaYear::new(year)?;
    check_fits(census, schema)?;
    let mut w = Xml { out: std::io::BufWriter::with_capacity(1 << 16, out), depth: 0 };
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    w.open("Message")?;
    let h = &census.header;
    w.open("Header")?;
    w.open("CollectionDetails")?;
    w.leaf("Collection", &h.collection)?;
    w.leaf("Year", &h.year)?;
    w.leaf("ReferenceDate", &h.reference_date)?;
    w.close("CollectionDetails")?;
    w.open("Source")?;
    w.leaf("SourceLevel", &h.source_level)?;
    w.leaf("LEA", &h.lea)?;
    w.leaf("SoftwareCode", &h.software_code)?;
    w.leaf("Release", &h.release)?;
    w.leaf("SerialNo", &h.serial_no)?;
    w.leaf("DateTime", &h.date_time)?;
    w.close("Source")?;
    w.close("Header")?;
    w.open("Children")?;
    for child in &census.children {
        write_child(&mut w, child, schema)?;
    }
    w.close("Children")?;
    w.close("Message")?;
    w.out.flush().map_err(io)?;
    Ok(())
}

/// Write `census` to a string (convenient for tests and small files).
pub fn write_string(census: &Census, year: i32) -> Result<String, CensusError> {
    let mut bytes = Vec::new();
    write(census, year, &mut bytes)?;
    String::from_utf8(bytes).map_err(|e| CensusError::Structure(e.to_string()))
}

fn check_fits(census: &Census, schema: SchemaYear) -> Result<(), CensusError> {
    for child in &census.children {
        let id = child.la_child_id.as_deref().unwrap_or("(no LAchildID)");
        for e in &child.episodes {
            if !schema.cin_plan_dates && !e.cin_plans.is_empty() {
                return Err(CensusError::NotInSchema {
                    year: schema.year,
                    what: format!("child {id} has CIN plan dates, which the census only holds from 2022"),
                });
            }
            if !schema.pre_proceedings && !e.pre_proceedings.is_empty() {
                return Err(CensusError::NotInSchema {
                    year: schema.year,
                    what: format!(
                        "child {id} has a pre-proceedings block, which the census only holds from 2026"
                    ),
                });
            }
        }
    }
    Ok(())
}

fn io(e: std::io::Error) -> CensusError {
    CensusError::Io { path: "(output)".into(), message: e.to_string() }
}

struct Xml<W: Write> {
    out: W,
    depth: usize,
}

impl<W: Write> Xml<W> {
    fn raw(&mut self, s: &str) -> Result<(), CensusError> {
        self.out.write_all(s.as_bytes()).map_err(io)
    }

    fn indent(&mut self) -> Result<(), CensusError> {
        for _ in 0..self.depth {
            self.out.write_all(b"  ").map_err(io)?;
        }
        Ok(())
    }

    fn open(&mut self, name: &str) -> Result<(), CensusError> {
        self.indent()?;
        writeln!(self.out, "<{name}>").map_err(io)?;
        self.depth += 1;
        Ok(())
    }

    fn close(&mut self, name: &str) -> Result<(), CensusError> {
        self.depth = self.depth.saturating_sub(1);
        self.indent()?;
        writeln!(self.out, "</{name}>").map_err(io)
    }

    fn leaf(&mut self, name: &str, value: &Text) -> Result<(), CensusError> {
        match value {
            Some(v) => self.leaf_str(name, v),
            None => Ok(()),
        }
    }

    fn leaf_str(&mut self, name: &str, v: &str) -> Result<(), CensusError> {
        self.indent()?;
        writeln!(self.out, "<{name}>{}</{name}>", quick_xml::escape::escape(v)).map_err(io)
    }
}

fn write_child<W: Write>(w: &mut Xml<W>, c: &Child, schema: SchemaYear) -> Result<(), CensusError> {
    w.open("Child")?;
    w.open("ChildIdentifiers")?;
    w.leaf("LAchildID", &c.la_child_id)?;
    w.leaf("UPN", &c.upn)?;
    w.leaf("FormerUPN", &c.former_upn)?;
    w.leaf("UPNunknown", &c.upn_unknown)?;
    w.leaf("PersonBirthDate", &c.birth_date)?;
    w.leaf("ExpectedPersonBirthDate", &c.expected_birth_date)?;
    w.leaf(if schema.sex_element { "Sex" } else { "GenderCurrent" }, &c.sex)?;
    w.leaf("PersonDeathDate", &c.death_date)?;
    w.close("ChildIdentifiers")?;
    w.open("ChildCharacteristics")?;
    w.leaf("Ethnicity", &c.ethnicity)?;
    if let Some(disabilities) = &c.disabilities {
        w.open("Disabilities")?;
        for d in disabilities {
            w.leaf("Disability", d)?;
        }
        w.close("Disabilities")?;
    }
    w.close("ChildCharacteristics")?;
    for e in &c.episodes {
        write_episode(w, e, schema)?;
    }
    w.close("Child")
}

fn write_episode<W: Write>(w: &mut Xml<W>, e: &Episode, schema: SchemaYear) -> Result<(), CensusError> {
    w.open("CINdetails")?;
    w.leaf("CINreferralDate", &e.referral_date)?;
    w.leaf("ReferralSource", &e.referral_source)?;
    w.leaf("PrimaryNeedCode", &e.primary_need)?;
    w.leaf("CINclosureDate", &e.closure_date)?;
    w.leaf("ReasonForClosure", &e.closure_reason)?;
    w.leaf("DateOfInitialCPC", &e.initial_cpc)?;
    for a in &e.assessments {
        w.open("Assessments")?;
        w.leaf("AssessmentActualStartDate", &a.start)?;
        w.leaf("AssessmentInternalReviewDate", &a.internal_review)?;
        w.leaf("AssessmentAuthorisationDate", &a.authorised)?;
        if let Some(factors) = &a.factors {
            w.open("FactorsIdentifiedAtAssessment")?;
            for f in factors {
                w.leaf("AssessmentFactors", f)?;
            }
            w.close("FactorsIdentifiedAtAssessment")?;
        }
        w.close("Assessments")?;
    }
    if schema.cin_plan_dates {
        for p in &e.cin_plans {
            w.open("CINPlanDates")?;
            w.leaf("CINPlanStartDate", &p.start)?;
            w.leaf("CINPlanEndDate", &p.end)?;
            w.close("CINPlanDates")?;
        }
    }
    for s in &e.section47 {
        w.open("Section47")?;
        w.leaf("S47ActualStartDate", &s.start)?;
        w.leaf("InitialCPCtarget", &s.icpc_target)?;
        w.leaf("DateOfInitialCPC", &s.initial_cpc)?;
        w.leaf("ICPCnotRequired", &s.icpc_not_required)?;
        w.close("Section47")?;
    }
    w.leaf("ReferralNFA", &e.referral_nfa)?;
    for p in &e.cp_plans {
        w.open("ChildProtectionPlans")?;
        w.leaf("CPPstartDate", &p.start)?;
        w.leaf("CPPendDate", &p.end)?;
        w.leaf("InitialCategoryOfAbuse", &p.initial_category)?;
        w.leaf("LatestCategoryOfAbuse", &p.latest_category)?;
        w.leaf("NumberOfPreviousCPP", &p.previous_plans)?;
        if !p.reviews.is_empty() {
            w.open("Reviews")?;
            for r in &p.reviews {
                w.leaf("CPPreviewDate", r)?;
            }
            w.close("Reviews")?;
        }
        w.close("ChildProtectionPlans")?;
    }
    if schema.pre_proceedings {
        for block in &e.pre_proceedings {
            w.open("PreProceedingsandFGDM")?;
            for (name, value) in block {
                w.leaf_str(name, value)?;
            }
            w.close("PreProceedingsandFGDM")?;
        }
    }
    w.close("CINdetails")
}
