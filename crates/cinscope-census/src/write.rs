//! Writer: [`Census`] → XML for a chosen schema year, elements in schema order.
//!
//! A written file must pass the target year's schema (the XSDs in `data/schemas`, read by
//! [`crate::schema`]). On the way out the writer translates what the DfE's guidance maps from
//! one year's codes to another's, and nothing else:
//!
//! * the child's sex: `GenderCurrent` (2017–2024) `1` → `M`, `2` → `F`, `0` and `9` → `U` for
//!   the `Sex` element (2025 on); back again `M` → `1`, `F` → `2`, and `U` → `0` for an unborn
//!   child (`0` is "not recorded or unborn"). A born child's `U` has no single `GenderCurrent`
//!   code (`0` not recorded, `9` indeterminate), so it is not translated;
//! * yes/no flags (`ReferralNFA`, `ICPCnotRequired`): `true`/`false` (any case) → `1`/`0`, the
//!   only values any year's schema takes.
//!
//! Values are written without surrounding whitespace and a blank value is an absent element,
//! as the reader reads them. Everything is then checked against the target year's schema:
//! each value against its type (date form, code list, pattern, length, minimum), each required
//! element present, each element one the year has. With [`Invalid::Refuse`] (the default of
//! [`write`]) any such problem fails the write, naming every element concerned and the years
//! whose schemas hold it, and nothing is written; with [`Invalid::Keep`] the values are written
//! as they are and the problems returned as a report. A character XML cannot carry, or a
//! pre-proceedings field name that is not one of [`PRE_PROCEEDINGS_FIELDS`], is refused in
//! both modes: it cannot be written safely at all.

use std::io::Write;

use crate::model::{date, Census, Child, Episode, Text, PRE_PROCEEDINGS_FIELDS};
use crate::schema::{self, describe_years, Schema};
use crate::validate::{locate, row_bases, Loc, Table};
use crate::{CensusError, SexElement};

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
    /// `PreProceedingsandFGDM` blocks exist (no schema year 2017–2026 has them).
    pub pre_proceedings: bool,
}

impl SchemaYear {
    /// The schema of `year`, or an error naming the years supported.
    pub fn new(year: i32) -> Result<Self, CensusError> {
        let s = schema::schema(year).ok_or(CensusError::Year(year))?;
        Ok(SchemaYear {
            year,
            cin_plan_dates: s.element("CINdetails", "CINPlanDates").is_some(),
            sex_element: s.element("ChildIdentifiers", "Sex").is_some(),
            pre_proceedings: s.element("CINdetails", "PreProceedingsandFGDM").is_some(),
        })
    }
}

/// What to do with what the target year's schema would reject.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Invalid {
    /// Write nothing and fail, naming every problem (the default).
    #[default]
    Refuse,
    /// Write the values as they are and return the problems.
    Keep,
}

/// Why the target year's schema would reject something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A value is not of its type (date form, code list, pattern, length, minimum).
    Type,
    /// A required element is absent (or a list element is empty).
    Missing,
    /// The element is not in this year's schema (other years' may hold it).
    NotInYear,
    /// The value cannot be written as XML at all (a control character, an unknown
    /// pre-proceedings field name): refused whatever [`Invalid`] says.
    Unwritable,
}

impl ProblemKind {
    /// `type`, `missing`, `not_in_year` or `unwritable`.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Type => "type",
            ProblemKind::Missing => "missing",
            ProblemKind::NotInYear => "not_in_year",
            ProblemKind::Unwritable => "unwritable",
        }
    }
}

/// Something the target year's schema would reject, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The child's `LAchildID` (`None` for the header and the return as a whole).
    pub child: Option<String>,
    /// Index of the child (0-based).
    pub child_index: Option<usize>,
    /// The table at fault (`None` for the return as a whole).
    pub table: Option<Table>,
    /// The row within the table (0-based).
    pub row: Option<usize>,
    /// The field (column) concerned; for a container, its element name.
    pub field: &'static str,
    /// The element as this year names it (`GenderCurrent` or `Sex` for the field `Sex`).
    pub element: String,
    /// The value held, as it is.
    pub value: Option<String>,
    /// The value as it is (or would be) written, after the writer's translations.
    pub written: Option<String>,
    /// What is wrong, in full.
    pub message: String,
}

/// Where in the census a problem is.
#[derive(Debug, Clone, Copy)]
enum At {
    Return,
    Header,
    Child(usize, Loc),
}

/// The problems `census` would meet written for `year`: after the writer's translations,
/// every value against its type, every required element, every element the year lacks.
pub fn check(census: &Census, year: i32) -> Result<Vec<Problem>, CensusError> {
    let schema = schema::schema(year).ok_or(CensusError::Year(year))?;
    Ok(walk::<Vec<u8>>(census, schema, true, None)?.problems)
}

/// The values of `census` as they stand checked against `year`'s schema, without the writer's
/// translations (validation's view: the return as written).
pub(crate) fn check_as_is(census: &Census, schema: &Schema) -> Vec<Problem> {
    walk::<Vec<u8>>(census, schema, false, None).map(|w| w.problems).unwrap_or_default()
}

/// Write `census` as XML for schema `year`, refusing ([`Invalid::Refuse`]) anything the year's
/// schema would reject: nothing is written then, and the error names each problem.
pub fn write<W: Write>(census: &Census, year: i32, out: W) -> Result<(), CensusError> {
    write_with(census, year, Invalid::Refuse, out).map(|_| ())
}

/// Write `census` as XML for schema `year`; `invalid` says whether what the schema would reject
/// fails the write or is written as it is and returned.
pub fn write_with<W: Write>(
    census: &Census,
    year: i32,
    invalid: Invalid,
    out: W,
) -> Result<Vec<Problem>, CensusError> {
    let schema = schema::schema(year).ok_or(CensusError::Year(year))?;
    let problems = walk::<W>(census, schema, true, None)?.problems;
    let refused: Vec<&Problem> =
        problems.iter().filter(|p| invalid == Invalid::Refuse || p.kind == ProblemKind::Unwritable).collect();
    if !refused.is_empty() {
        return Err(CensusError::NotInSchema { year, what: summarise(&refused, year) });
    }
    let mut xml = Xml { out: std::io::BufWriter::with_capacity(1 << 16, out), depth: 0 };
    xml.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    let done = walk(census, schema, true, Some(xml))?;
    if let Some(mut xml) = done.out {
        xml.out.flush().map_err(io)?;
    }
    Ok(problems)
}

/// Write `census` to a string, refusing what the year's schema would reject.
pub fn write_string(census: &Census, year: i32) -> Result<String, CensusError> {
    write_string_with(census, year, Invalid::Refuse).map(|(xml, _)| xml)
}

/// Write `census` to a string; with [`Invalid::Keep`], also the problems written as they are.
pub fn write_string_with(
    census: &Census,
    year: i32,
    invalid: Invalid,
) -> Result<(String, Vec<Problem>), CensusError> {
    let mut bytes = Vec::new();
    let problems = write_with(census, year, invalid, &mut bytes)?;
    let text = String::from_utf8(bytes).map_err(|e| CensusError::Structure(e.to_string()))?;
    Ok((text, problems))
}

/// `census` as writing it for `year` and reading the file back gives it: values trimmed, blank
/// values absent, list entries without a value left out, empty review lists dropped, the sex
/// element and values and the yes/no flags as [`write`] translates them.
pub fn converted(census: &Census, year: i32) -> Result<Census, CensusError> {
    let s = SchemaYear::new(year)?;
    let mut out = census.clone();
    let h = &mut out.header;
    for t in [
        &mut h.collection,
        &mut h.year,
        &mut h.reference_date,
        &mut h.source_level,
        &mut h.lea,
        &mut h.software_code,
        &mut h.release,
        &mut h.serial_no,
        &mut h.date_time,
    ] {
        *t = clean(t);
    }
    for c in &mut out.children {
        c.sex = sex_written(c, year);
        // With no sex element at all, the reader cannot tell which one it would have been.
        c.sex_element = match (&c.sex, s.sex_element) {
            (None, _) => SexElement::default(),
            (Some(_), true) => SexElement::Sex,
            (Some(_), false) => SexElement::GenderCurrent,
        };
        for t in [
            &mut c.la_child_id,
            &mut c.upn,
            &mut c.former_upn,
            &mut c.upn_unknown,
            &mut c.birth_date,
            &mut c.expected_birth_date,
            &mut c.death_date,
            &mut c.ethnicity,
        ] {
            *t = clean(t);
        }
        if let Some(list) = &mut c.disabilities {
            *list = list.iter().map(clean).filter(Option::is_some).collect();
        }
        for e in &mut c.episodes {
            for t in [
                &mut e.referral_date,
                &mut e.referral_source,
                &mut e.primary_need,
                &mut e.closure_date,
                &mut e.closure_reason,
                &mut e.initial_cpc,
            ] {
                *t = clean(t);
            }
            e.referral_nfa = flag_written(&e.referral_nfa);
            for a in &mut e.assessments {
                for t in [&mut a.start, &mut a.internal_review, &mut a.authorised] {
                    *t = clean(t);
                }
                if let Some(list) = &mut a.factors {
                    *list = list.iter().map(clean).filter(Option::is_some).collect();
                }
            }
            for p in &mut e.cin_plans {
                p.start = clean(&p.start);
                p.end = clean(&p.end);
            }
            for x in &mut e.section47 {
                for t in [&mut x.start, &mut x.icpc_target, &mut x.initial_cpc] {
                    *t = clean(t);
                }
                x.icpc_not_required = flag_written(&x.icpc_not_required);
            }
            for p in &mut e.cp_plans {
                for t in [
                    &mut p.start,
                    &mut p.end,
                    &mut p.initial_category,
                    &mut p.latest_category,
                    &mut p.previous_plans,
                ] {
                    *t = clean(t);
                }
                p.reviews = p.reviews.iter().map(clean).filter(Option::is_some).collect();
            }
            for block in &mut e.pre_proceedings {
                *block = block
                    .iter()
                    .filter_map(|(n, v)| clean(&Some(v.clone())).map(|v| (n.clone(), v)))
                    .collect();
            }
        }
    }
    Ok(out)
}

/// A value as written: trimmed, and absent when blank.
fn clean(t: &Text) -> Text {
    t.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// A yes/no flag as written: `true`/`false` (any case) become `1`/`0`.
fn flag_written(t: &Text) -> Text {
    let v = clean(t)?;
    Some(if v.eq_ignore_ascii_case("true") {
        "1".into()
    } else if v.eq_ignore_ascii_case("false") {
        "0".into()
    } else {
        v
    })
}

/// The child's sex as written for `year` (see the module documentation for the mapping).
pub fn sex_written(c: &Child, year: i32) -> Text {
    let v = clean(&c.sex)?;
    let mapped = if year >= 2025 {
        match v.as_str() {
            "1" => "M",
            "2" => "F",
            "0" | "9" => "U",
            other => other,
        }
    } else {
        let unborn = date(&c.birth_date).is_none() && date(&c.expected_birth_date).is_some();
        match v.as_str() {
            "M" => "1",
            "F" => "2",
            "U" if unborn => "0",
            other => other,
        }
    };
    Some(mapped.to_owned())
}

/// The problems as one message: elements a year lacks grouped by element (with the years that
/// hold them and the children concerned), then each other problem, the first 20 in full.
fn summarise(problems: &[&Problem], year: i32) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut grouped: Vec<(String, Vec<&Problem>)> = Vec::new();
    for p in problems.iter().filter(|p| p.kind == ProblemKind::NotInYear) {
        match grouped.iter_mut().find(|(e, _)| *e == p.element) {
            Some((_, list)) => list.push(p),
            None => grouped.push((p.element.clone(), vec![p])),
        }
    }
    for (_, list) in &grouped {
        let mut who: Vec<&str> = list.iter().filter_map(|p| p.child.as_deref()).collect();
        who.dedup();
        let first = list.first().map(|p| p.message.clone()).unwrap_or_default();
        let shown: Vec<&str> = who.iter().take(5).copied().collect();
        let more = if who.len() > shown.len() {
            format!(" and {} more", who.len() - shown.len())
        } else {
            String::new()
        };
        lines.push(format!(
            "{first} ({} time(s), children {}{more})",
            list.len(),
            if shown.is_empty() { "-".to_string() } else { shown.join(", ") },
        ));
    }
    let others: Vec<&&Problem> = problems.iter().filter(|p| p.kind != ProblemKind::NotInYear).collect();
    for p in others.iter().take(20) {
        let whose = match (&p.child, p.child_index) {
            (Some(id), _) => format!("child {id}: "),
            (None, Some(i)) => format!("child {} (no LAchildID): ", i + 1),
            (None, None) => String::new(),
        };
        lines.push(format!("{whose}{}", p.message));
    }
    if others.len() > 20 {
        lines.push(format!("... and {} more", others.len() - 20));
    }
    format!(
        "{} problem(s) the {year} schema would reject, so nothing was written: {}",
        problems.len(),
        lines.join("; ")
    )
}

fn io(e: std::io::Error) -> CensusError {
    CensusError::Io { path: "(output)".into(), message: e.to_string() }
}

/// Whether XML 1.0 can carry `c` in text.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

struct Xml<W: Write> {
    out: std::io::BufWriter<W>,
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

    fn leaf(&mut self, name: &str, v: &str) -> Result<(), CensusError> {
        self.indent()?;
        write!(self.out, "<{name}>").map_err(io)?;
        let mut from = 0;
        for (i, c) in v.char_indices() {
            let escaped = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                // A bare carriage return would be read back as a line feed.
                '\r' => "&#13;",
                _ => continue,
            };
            self.out.write_all(v.get(from..i).unwrap_or("").as_bytes()).map_err(io)?;
            self.out.write_all(escaped.as_bytes()).map_err(io)?;
            from = i + c.len_utf8();
        }
        self.out.write_all(v.get(from..).unwrap_or("").as_bytes()).map_err(io)?;
        writeln!(self.out, "</{name}>").map_err(io)
    }
}

/// An open container while walking.
struct Frame {
    name: &'static str,
    at: At,
    /// The year's schema has no such element here: what it holds is not checked further.
    foreign: bool,
    emitted: Vec<&'static str>,
}

/// One pass over the census as the year's XML: checks everything, and writes when `out` is set.
struct Walk<'a, W: Write> {
    census: &'a Census,
    schema: &'a Schema,
    translate: bool,
    out: Option<Xml<W>>,
    frames: Vec<Frame>,
    raw: Vec<(ProblemKind, At, &'static str, String, Text, Text, String)>,
    problems: Vec<Problem>,
}

fn walk<'a, W: Write>(
    census: &'a Census,
    schema: &'a Schema,
    translate: bool,
    out: Option<Xml<W>>,
) -> Result<Walk<'a, W>, CensusError> {
    let mut w =
        Walk { census, schema, translate, out, frames: Vec::new(), raw: Vec::new(), problems: Vec::new() };
    w.root()?;
    w.finish();
    Ok(w)
}

impl<W: Write> Walk<'_, W> {
    fn parent(&self) -> &'static str {
        self.frames.last().map_or("", |f| f.name)
    }

    fn foreign(&self) -> bool {
        self.frames.last().is_some_and(|f| f.foreign)
    }

    #[allow(clippy::too_many_arguments)]
    fn problem(
        &mut self,
        kind: ProblemKind,
        at: At,
        field: &'static str,
        element: &str,
        value: Text,
        written: Text,
        message: String,
    ) {
        self.raw.push((kind, at, field, element.to_owned(), value, written, message));
    }

    fn open(&mut self, name: &'static str, at: At) -> Result<(), CensusError> {
        let parent = self.parent();
        let mut foreign = self.foreign();
        if !foreign {
            if let Some(f) = self.frames.last_mut() {
                f.emitted.push(name);
            }
            if !parent.is_empty() && self.schema.element(parent, name).is_none() {
                foreign = true;
                let years = schema::years_with(parent, name);
                let message = format!(
                    "<{name}> is not in the {} schema; {} {} it",
                    self.schema.year,
                    if years.is_empty() {
                        "no schema year 2017–2026".to_string()
                    } else {
                        format!("the {} schemas", describe_years(&years))
                    },
                    if years.is_empty() { "holds" } else { "hold" },
                );
                self.problem(ProblemKind::NotInYear, at, name, name, None, None, message);
            }
        }
        self.frames.push(Frame { name, at, foreign, emitted: Vec::new() });
        if let Some(x) = &mut self.out {
            x.open(name)?;
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), CensusError> {
        let Some(frame) = self.frames.pop() else { return Ok(()) };
        if !frame.foreign {
            let year = self.schema.year;
            let missing: Vec<&'static str> = self
                .schema
                .children(frame.name)
                .iter()
                .filter(|e| e.min > 0 && !frame.emitted.contains(&e.name.as_str()))
                .map(|e| static_name(&e.name))
                .collect();
            for name in missing {
                let field = if name == "GenderCurrent" { "Sex" } else { name };
                let message = format!("<{}> has no <{name}>, which the {year} schema requires", frame.name);
                self.problem(ProblemKind::Missing, frame.at, field, name, None, None, message);
            }
        }
        if let Some(x) = &mut self.out {
            x.close(frame.name)?;
        }
        Ok(())
    }

    /// A leaf whose value is written as `written` (already translated), held as `value`.
    fn leaf(
        &mut self,
        name: &'static str,
        field: &'static str,
        value: &Text,
        written: Text,
        at: At,
    ) -> Result<(), CensusError> {
        let Some(v) = written else { return Ok(()) };
        let parent = self.parent();
        if let Some(bad) = v.chars().find(|c| !xml_char(*c)) {
            let message =
                format!("<{name}> holds the character U+{:04X}, which XML cannot carry", u32::from(bad));
            self.problem(ProblemKind::Unwritable, at, field, name, value.clone(), Some(v.clone()), message);
        } else if !self.foreign() {
            if let Some(f) = self.frames.last_mut() {
                f.emitted.push(name);
            }
            match self.schema.element(parent, name) {
                None => {
                    let years = schema::years_with(parent, name);
                    let message = format!(
                        "<{name}> is not in the {} schema; {}",
                        self.schema.year,
                        if years.is_empty() {
                            "no schema year 2017–2026 holds it".to_string()
                        } else {
                            format!("the {} schemas hold it", describe_years(&years))
                        }
                    );
                    self.problem(
                        ProblemKind::NotInYear,
                        at,
                        field,
                        name,
                        value.clone(),
                        Some(v.clone()),
                        message,
                    );
                }
                Some(el) => {
                    if let Err(why) = el.value_type().map_or(Ok(()), |t| t.check(&v)) {
                        let accepting = schema::years_accepting(parent, name, &v);
                        let also = if accepting.is_empty() {
                            String::new()
                        } else {
                            format!("; the {} schemas accept it", describe_years(&accepting))
                        };
                        let held = value.as_deref().map(str::trim);
                        let shown = if held != Some(v.as_str()) && held.is_some() {
                            format!("{:?} (written {v:?})", held.unwrap_or_default())
                        } else {
                            format!("{v:?}")
                        };
                        let message =
                            format!("<{name}> {shown} {why} in the {} schema{also}", self.schema.year);
                        self.problem(
                            ProblemKind::Type,
                            at,
                            field,
                            name,
                            value.clone(),
                            Some(v.clone()),
                            message,
                        );
                    }
                }
            }
        }
        if let Some(x) = &mut self.out {
            x.leaf(name, &v)?;
        }
        Ok(())
    }

    /// A plain leaf (no translation beyond trimming).
    fn text(&mut self, name: &'static str, value: &Text, at: At) -> Result<(), CensusError> {
        let written = if self.translate { clean(value) } else { value.clone() };
        self.leaf(name, name, value, written, at)
    }

    /// A yes/no flag.
    fn flag(&mut self, name: &'static str, value: &Text, at: At) -> Result<(), CensusError> {
        let written = if self.translate { flag_written(value) } else { value.clone() };
        self.leaf(name, name, value, written, at)
    }

    fn root(&mut self) -> Result<(), CensusError> {
        let census = self.census;
        let h = &census.header;
        let at = At::Header;
        self.open("Message", At::Return)?;
        self.open("Header", at)?;
        self.open("CollectionDetails", at)?;
        self.text("Collection", &h.collection, at)?;
        self.text("Year", &h.year, at)?;
        self.text("ReferenceDate", &h.reference_date, at)?;
        self.close()?;
        self.open("Source", at)?;
        self.text("SourceLevel", &h.source_level, at)?;
        self.text("LEA", &h.lea, at)?;
        self.text("SoftwareCode", &h.software_code, at)?;
        self.text("Release", &h.release, at)?;
        self.text("SerialNo", &h.serial_no, at)?;
        self.text("DateTime", &h.date_time, at)?;
        self.close()?;
        self.close()?;
        self.open("Children", At::Return)?;
        for (i, child) in census.children.iter().enumerate() {
            self.child(i, child)?;
        }
        self.close()?;
        self.close()
    }

    fn child(&mut self, i: usize, c: &Child) -> Result<(), CensusError> {
        let at = At::Child(i, Loc::Child);
        self.open("Child", at)?;
        self.open("ChildIdentifiers", at)?;
        self.text("LAchildID", &c.la_child_id, at)?;
        self.text("UPN", &c.upn, at)?;
        self.text("FormerUPN", &c.former_upn, at)?;
        self.text("UPNunknown", &c.upn_unknown, at)?;
        self.text("PersonBirthDate", &c.birth_date, at)?;
        self.text("ExpectedPersonBirthDate", &c.expected_birth_date, at)?;
        let sex_name =
            if self.schema.element("ChildIdentifiers", "Sex").is_some() { "Sex" } else { "GenderCurrent" };
        let sex = if self.translate { sex_written(c, self.schema.year) } else { c.sex.clone() };
        self.leaf(sex_name, "Sex", &c.sex, sex, at)?;
        self.text("PersonDeathDate", &c.death_date, at)?;
        self.close()?;
        let chars = At::Child(i, Loc::Characteristics);
        self.open("ChildCharacteristics", chars)?;
        self.text("Ethnicity", &c.ethnicity, chars)?;
        if let Some(disabilities) = &c.disabilities {
            self.open("Disabilities", chars)?;
            for (d, v) in disabilities.iter().enumerate() {
                self.text("Disability", v, At::Child(i, Loc::Disability(d)))?;
            }
            self.close()?;
        }
        self.close()?;
        for (e, episode) in c.episodes.iter().enumerate() {
            self.episode(i, e, episode)?;
        }
        self.close()
    }

    fn episode(&mut self, i: usize, e: usize, ep: &Episode) -> Result<(), CensusError> {
        let at = At::Child(i, Loc::Episode(e));
        self.open("CINdetails", at)?;
        self.text("CINreferralDate", &ep.referral_date, at)?;
        self.text("ReferralSource", &ep.referral_source, at)?;
        self.text("PrimaryNeedCode", &ep.primary_need, at)?;
        self.text("CINclosureDate", &ep.closure_date, at)?;
        self.text("ReasonForClosure", &ep.closure_reason, at)?;
        self.text("DateOfInitialCPC", &ep.initial_cpc, at)?;
        for (a, x) in ep.assessments.iter().enumerate() {
            let at = At::Child(i, Loc::Assessment(e, a));
            self.open("Assessments", at)?;
            self.text("AssessmentActualStartDate", &x.start, at)?;
            self.text("AssessmentInternalReviewDate", &x.internal_review, at)?;
            self.text("AssessmentAuthorisationDate", &x.authorised, at)?;
            if let Some(factors) = &x.factors {
                self.open("FactorsIdentifiedAtAssessment", at)?;
                for (f, v) in factors.iter().enumerate() {
                    self.text("AssessmentFactors", v, At::Child(i, Loc::Factor(e, a, f)))?;
                }
                self.close()?;
            }
            self.close()?;
        }
        for (p, x) in ep.cin_plans.iter().enumerate() {
            let at = At::Child(i, Loc::Plan(e, p));
            self.open("CINPlanDates", at)?;
            self.text("CINPlanStartDate", &x.start, at)?;
            self.text("CINPlanEndDate", &x.end, at)?;
            self.close()?;
        }
        for (s, x) in ep.section47.iter().enumerate() {
            let at = At::Child(i, Loc::S47(e, s));
            self.open("Section47", at)?;
            self.text("S47ActualStartDate", &x.start, at)?;
            self.text("InitialCPCtarget", &x.icpc_target, at)?;
            self.text("DateOfInitialCPC", &x.initial_cpc, at)?;
            self.flag("ICPCnotRequired", &x.icpc_not_required, at)?;
            self.close()?;
        }
        self.flag("ReferralNFA", &ep.referral_nfa, at)?;
        for (p, x) in ep.cp_plans.iter().enumerate() {
            let at = At::Child(i, Loc::Cpp(e, p));
            self.open("ChildProtectionPlans", at)?;
            self.text("CPPstartDate", &x.start, at)?;
            self.text("CPPendDate", &x.end, at)?;
            self.text("InitialCategoryOfAbuse", &x.initial_category, at)?;
            self.text("LatestCategoryOfAbuse", &x.latest_category, at)?;
            self.text("NumberOfPreviousCPP", &x.previous_plans, at)?;
            // An empty <Reviews> is no review at all (and the schema refuses it).
            if x.reviews.iter().any(|r| clean(r).is_some()) {
                self.open("Reviews", at)?;
                for (r, v) in x.reviews.iter().enumerate() {
                    self.text("CPPreviewDate", v, At::Child(i, Loc::Review(e, p, r)))?;
                }
                self.close()?;
            }
            self.close()?;
        }
        for block in &ep.pre_proceedings {
            self.open("PreProceedingsandFGDM", at)?;
            let mut seen: Vec<&'static str> = Vec::new();
            for (name, value) in block {
                match PRE_PROCEEDINGS_FIELDS.iter().find(|f| **f == name.as_str()) {
                    Some(&field) if !seen.contains(&field) => {
                        seen.push(field);
                        self.text(field, &Some(value.clone()), at)?;
                    }
                    Some(_) => {
                        let message = format!("a <PreProceedingsandFGDM> block holds <{name}> twice");
                        self.problem(
                            ProblemKind::Unwritable,
                            at,
                            "PreProceedingsandFGDM",
                            name,
                            Some(value.clone()),
                            None,
                            message,
                        );
                    }
                    None => {
                        let message = format!(
                            "{name:?} is not a pre-proceedings element (they are {})",
                            PRE_PROCEEDINGS_FIELDS.join(", ")
                        );
                        self.problem(
                            ProblemKind::Unwritable,
                            at,
                            "PreProceedingsandFGDM",
                            name,
                            Some(value.clone()),
                            None,
                            message,
                        );
                    }
                }
            }
            self.close()?;
        }
        self.close()
    }

    /// Turns the raw problems into located ones (table, row, child id).
    fn finish(&mut self) {
        if self.raw.is_empty() {
            return;
        }
        let bases = row_bases(self.census);
        for (kind, at, field, element, value, written, message) in std::mem::take(&mut self.raw) {
            let (child, child_index, table, row) = match at {
                At::Return => (None, None, None, None),
                At::Header => (None, None, Some(Table::Header), Some(0)),
                At::Child(i, loc) => match (self.census.children.get(i), bases.get(i)) {
                    (Some(c), Some(base)) => {
                        let (table, row) = locate(c, base, loc);
                        (c.la_child_id.clone(), Some(i), Some(table), Some(row))
                    }
                    _ => (None, Some(i), None, None),
                },
            };
            self.problems.push(Problem {
                kind,
                child,
                child_index,
                table,
                row,
                field,
                element,
                value,
                written,
                message,
            });
        }
    }
}

/// The `'static` name of a schema element the writer knows (every element of every year is
/// one of these; anything else is named by its container).
fn static_name(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "Message",
        "Header",
        "CollectionDetails",
        "Collection",
        "Year",
        "ReferenceDate",
        "Source",
        "SourceLevel",
        "LEA",
        "SoftwareCode",
        "Release",
        "SerialNo",
        "DateTime",
        "Children",
        "Child",
        "ChildIdentifiers",
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "GenderCurrent",
        "PersonDeathDate",
        "ChildCharacteristics",
        "Ethnicity",
        "Disabilities",
        "Disability",
        "CINdetails",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "Assessments",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
        "AssessmentFactors",
        "CINPlanDates",
        "CINPlanStartDate",
        "CINPlanEndDate",
        "Section47",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "ICPCnotRequired",
        "ReferralNFA",
        "ChildProtectionPlans",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
        "CPPreviewDate",
    ];
    NAMES.iter().find(|n| **n == name).copied().unwrap_or("(element)")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
    use super::*;

    #[test]
    fn every_schema_element_has_a_static_name() {
        for s in schema::all() {
            for (parent, e) in s.pairs() {
                assert_ne!(static_name(&e.name), "(element)", "{}: {parent}/{}", s.year, e.name);
            }
        }
    }
}
