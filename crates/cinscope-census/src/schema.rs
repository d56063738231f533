//! The DfE census schemas (XSD) of 2017–2026, as a compact table of what each year allows.
//!
//! The ten schema files in `data/schemas` are embedded at compile time and parsed on first use
//! into, for each year: which elements each container holds, in order, how often each may
//! occur, and each leaf's value type (its base type — `xs:string`, `xs:date`, `xs:dateTime`,
//! `xs:gYear`, `xs:integer` — with the code list, patterns, minimum length and minimum value
//! its restrictions add). The files themselves are the single source of truth: nothing here
//! restates a code list. The reader uses the table to say which elements a return's year does
//! not have, validation to check every value against its type, and the writer to refuse (or
//! report) what the target year's schema would reject.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::write::YEARS;

/// The schema files, by year.
const XSD: [(i32, &str); 10] = [
    (2017, include_str!("../data/schemas/CIN_schema_2017.xsd")),
    (2018, include_str!("../data/schemas/CIN_schema_2018.xsd")),
    (2019, include_str!("../data/schemas/CIN_schema_2019.xsd")),
    (2020, include_str!("../data/schemas/CIN_schema_2020.xsd")),
    (2021, include_str!("../data/schemas/CIN_schema_2021.xsd")),
    (2022, include_str!("../data/schemas/CIN_schema_2022.xsd")),
    (2023, include_str!("../data/schemas/CIN_schema_2023.xsd")),
    (2024, include_str!("../data/schemas/CIN_schema_2024.xsd")),
    (2025, include_str!("../data/schemas/CIN_schema_2025.xsd")),
    (2026, include_str!("../data/schemas/CIN_schema_2026.xsd")),
];

/// The built-in XSD type a value restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Base {
    /// `xs:string`.
    #[default]
    String,
    /// `xs:date`: `YYYY-MM-DD`, optionally with a time zone.
    Date,
    /// `xs:dateTime`: `YYYY-MM-DDThh:mm:ss`, optional fraction and time zone.
    DateTime,
    /// `xs:gYear`: `YYYY`, optionally with a time zone.
    GYear,
    /// `xs:integer`.
    Integer,
}

impl Base {
    fn from_xsd(name: &str) -> Option<Base> {
        Some(match name {
            "xs:string" => Base::String,
            "xs:date" => Base::Date,
            "xs:dateTime" => Base::DateTime,
            "xs:gYear" => Base::GYear,
            "xs:integer" => Base::Integer,
            _ => return None,
        })
    }

    /// The XSD name.
    pub fn name(self) -> &'static str {
        match self {
            Base::String => "xs:string",
            Base::Date => "xs:date",
            Base::DateTime => "xs:dateTime",
            Base::GYear => "xs:gYear",
            Base::Integer => "xs:integer",
        }
    }
}

/// A leaf's value type: a built-in base with the restrictions of its simple type(s).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueType {
    /// The schema's name for the type (`gendertype`, `yesnotype`, ...), if it has one.
    pub name: Option<String>,
    /// The built-in type restricted.
    pub base: Base,
    /// The code list (`xs:enumeration`), if any.
    pub codes: Option<Vec<String>>,
    /// `xs:pattern`s the value must match.
    pub patterns: Vec<String>,
    /// `xs:minLength`.
    pub min_length: Option<usize>,
    /// `xs:minInclusive` (integers).
    pub min_inclusive: Option<i64>,
}

/// What an element holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Other elements (listed by [`Schema::children`] under this element's name).
    Elements,
    /// A value of this type.
    Value(ValueType),
}

/// One element declaration within its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The element's name.
    pub name: String,
    /// `minOccurs`.
    pub min: u32,
    /// `maxOccurs`; `None` is unbounded.
    pub max: Option<u32>,
    /// Elements or a value.
    pub content: Content,
}

impl Element {
    /// The value type, for a leaf.
    pub fn value_type(&self) -> Option<&ValueType> {
        match &self.content {
            Content::Value(t) => Some(t),
            Content::Elements => None,
        }
    }
}

/// One year's schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The schema year.
    pub year: i32,
    /// Container element name → its child elements, in schema order. (Container names are
    /// unique in the CIN schemas, so the name alone says where an element is.)
    children: HashMap<String, Vec<Element>>,
}

impl Schema {
    /// The elements `parent` may hold, in schema order (empty for a leaf or an unknown name).
    pub fn children(&self, parent: &str) -> &[Element] {
        self.children.get(parent).map_or(&[], Vec::as_slice)
    }

    /// The declaration of `name` inside `parent`, if this year has it there.
    pub fn element(&self, parent: &str, name: &str) -> Option<&Element> {
        self.children(parent).iter().find(|e| e.name == name)
    }

    /// Every (parent, element) pair of this year.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &Element)> {
        self.children.iter().flat_map(|(p, list)| list.iter().map(move |e| (p.as_str(), e)))
    }
}

/// The schema of `year` (2017–2026), parsed on first use.
pub fn schema(year: i32) -> Option<&'static Schema> {
    let index = usize::try_from(year.checked_sub(*YEARS.start())?).ok()?;
    all().get(index)
}

/// Every year's schema, 2017 first.
pub fn all() -> &'static [Schema] {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| XSD.iter().map(|(year, text)| parse(*year, text)).collect())
}

/// The years whose schema has `name` inside `parent`.
pub fn years_with(parent: &str, name: &str) -> Vec<i32> {
    all().iter().filter(|s| s.element(parent, name).is_some()).map(|s| s.year).collect()
}

/// The years whose schema accepts `value` for `name` inside `parent`.
pub fn years_accepting(parent: &str, name: &str, value: &str) -> Vec<i32> {
    all()
        .iter()
        .filter(|s| {
            s.element(parent, name).and_then(Element::value_type).is_some_and(|t| t.check(value).is_ok())
        })
        .map(|s| s.year)
        .collect()
}

/// Years as text: `2022–2026`, `2017–2020 and 2023`, or `no schema year 2017–2026`.
pub fn describe_years(years: &[i32]) -> String {
    if years.is_empty() {
        return format!("no schema year {}–{}", YEARS.start(), YEARS.end());
    }
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for &y in years {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == y => *end = y,
            _ => runs.push((y, y)),
        }
    }
    let parts: Vec<String> =
        runs.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") }).collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.join(""),
    }
}

impl ValueType {
    /// Whether `value` (as written, surrounding whitespace already removed) is of this type;
    /// the error says why not.
    pub fn check(&self, value: &str) -> Result<(), String> {
        if let Some(min) = self.min_length {
            if value.chars().count() < min {
                return Err(format!("is shorter than {min} character(s)"));
            }
        }
        let base_ok = match self.base {
            Base::String => true,
            Base::Date => is_date(value),
            Base::DateTime => is_date_time(value),
            Base::GYear => is_g_year(value),
            Base::Integer => integer(value).is_some(),
        };
        if !base_ok {
            let form = match self.base {
                Base::Date => " (YYYY-MM-DD)",
                Base::DateTime => " (YYYY-MM-DDThh:mm:ss)",
                Base::GYear => " (YYYY)",
                Base::Integer => " (a whole number)",
                Base::String => "",
            };
            return Err(format!("is not an {}{form}", self.base.name()));
        }
        if let (Some(min), Base::Integer) = (self.min_inclusive, self.base) {
            if integer(value).is_some_and(|v| v < i128::from(min)) {
                return Err(format!("is below the minimum {min}"));
            }
        }
        if let Some(codes) = &self.codes {
            if !codes.iter().any(|c| c == value) {
                return Err(format!("is not in the code list ({})", list(codes)));
            }
        }
        for p in &self.patterns {
            if !matches_pattern(p, value) {
                return Err(format!("does not match the pattern {p}"));
            }
        }
        Ok(())
    }
}

/// A code list for a message: all of it when short, else the first codes and how many.
fn list(codes: &[String]) -> String {
    if codes.len() <= 12 {
        codes.join(", ")
    } else {
        let head: Vec<&str> = codes.iter().take(10).map(String::as_str).collect();
        format!("{}, ... {} codes in all", head.join(", "), codes.len())
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn number(s: &str) -> Option<u32> {
    if digits(s) {
        s.parse().ok()
    } else {
        None
    }
}

/// `Z`, `+hh:mm` or `-hh:mm` (hh up to 14, and 14 only with :00), or nothing.
fn is_zone(z: &str) -> bool {
    if z.is_empty() || z == "Z" {
        return true;
    }
    let b = z.as_bytes();
    if b.len() != 6 || !matches!(b.first(), Some(b'+' | b'-')) || b.get(3) != Some(&b':') {
        return false;
    }
    match (number(z.get(1..3).unwrap_or("")), number(z.get(4..6).unwrap_or(""))) {
        (Some(h), Some(m)) => (h < 14 && m < 60) || (h == 14 && m == 0),
        _ => false,
    }
}

/// `YYYY-MM-DD` (a real day, year 0001 on) followed by what remains.
fn date_prefix(s: &str) -> Option<(NaiveDate, &str)> {
    let b = s.as_bytes();
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y = number(s.get(0..4)?)?;
    let m = number(s.get(5..7)?)?;
    let d = number(s.get(8..10)?)?;
    if y == 0 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
    Some((date, s.get(10..)?))
}

/// The `xs:date` lexical form (years of four digits).
pub fn is_date(s: &str) -> bool {
    date_prefix(s).is_some_and(|(_, zone)| is_zone(zone))
}

/// The `xs:dateTime` lexical form (years of four digits).
pub fn is_date_time(s: &str) -> bool {
    let Some((_, rest)) = date_prefix(s) else { return false };
    let Some(rest) = rest.strip_prefix('T') else { return false };
    let (h, m, sec) = (rest.get(0..2), rest.get(3..5), rest.get(6..8));
    if rest.get(2..3) != Some(":") || rest.get(5..6) != Some(":") {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (h.and_then(number), m.and_then(number), sec.and_then(number)) else {
        return false;
    };
    let mut tail = rest.get(8..).unwrap_or("");
    let mut fraction_zero = true;
    if let Some(f) = tail.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        fraction_zero = f.bytes().take(n).all(|b| b == b'0');
        tail = f.get(n..).unwrap_or("");
    }
    let time_ok = (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0 && fraction_zero);
    time_ok && is_zone(tail)
}

/// The `xs:gYear` lexical form (four digits, optional zone).
pub fn is_g_year(s: &str) -> bool {
    match (s.get(0..4).and_then(number), s.get(4..)) {
        (Some(y), Some(zone)) => y > 0 && is_zone(zone),
        _ => false,
    }
}

fn integer(s: &str) -> Option<i128> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if !digits(unsigned) {
        return None;
    }
    // Very long digit strings are integers too; saturate them.
    Some(s.parse::<i128>().unwrap_or(if s.starts_with('-') { i128::MIN } else { i128::MAX }))
}

/// The patterns the CIN schemas use. Each is matched by hand (no regular-expression engine is
/// needed for three patterns); a test checks that no schema uses any other. An unknown
/// pattern never matches, so a schema change cannot pass values unchecked.
fn matches_pattern(pattern: &str, v: &str) -> bool {
    let b = v.as_bytes();
    match pattern {
        r"\d{3}" => b.len() == 3 && digits(v),
        r"\d{3}\d*" => b.len() >= 3 && digits(v),
        r"[A-Za-z]\d{11}(\d|[A-Za-z])" => {
            b.len() == 13
                && b.first().is_some_and(u8::is_ascii_alphabetic)
                && b.get(1..12).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                && b.get(12).is_some_and(u8::is_ascii_alphanumeric)
        }
        _ => false,
    }
}

/// Whether [`matches_pattern`] knows `pattern`.
pub fn known_pattern(pattern: &str) -> bool {
    matches!(pattern, r"\d{3}" | r"\d{3}\d*" | r"[A-Za-z]\d{11}(\d|[A-Za-z])")
}

// --- Parsing the XSD subset the CIN schemas use -------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Restriction {
    base: String,
    codes: Option<Vec<String>>,
    patterns: Vec<String>,
    min_length: Option<usize>,
    min_inclusive: Option<i64>,
}

#[derive(Debug, Clone)]
enum Inline {
    Complex(Vec<RawElement>),
    Simple(Restriction),
}

#[derive(Debug, Clone, Default)]
struct RawElement {
    name: String,
    type_name: Option<String>,
    min: u32,
    max: Option<u32>,
    inline: Option<Box<Inline>>,
}

enum Frame {
    Element(RawElement),
    Complex { name: Option<String>, elements: Vec<RawElement> },
    Simple { name: Option<String>, restriction: Restriction },
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn occurs(v: Option<String>, default: u32) -> Option<u32> {
    match v.as_deref() {
        None => Some(default),
        Some("unbounded") => None,
        Some(n) => n.parse().ok().or(Some(default)),
    }
}

/// Parses one schema file. The embedded files are known to parse (a test checks every year);
/// anything this subset does not understand is left out rather than guessed.
fn parse(year: i32, text: &str) -> Schema {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut roots: Vec<RawElement> = Vec::new();
    let mut complex: HashMap<String, Vec<RawElement>> = HashMap::new();
    let mut simple: HashMap<String, Restriction> = HashMap::new();

    fn finish_element(stack: &mut [Frame], roots: &mut Vec<RawElement>, el: RawElement) {
        match stack.iter_mut().rev().find(|f| matches!(f, Frame::Complex { .. })) {
            Some(Frame::Complex { elements, .. }) => elements.push(el),
            _ => roots.push(el),
        }
    }
    fn simple_frame(stack: &mut [Frame]) -> Option<&mut Restriction> {
        match stack.iter_mut().rev().find(|f| matches!(f, Frame::Simple { .. })) {
            Some(Frame::Simple { restriction, .. }) => Some(restriction),
            _ => None,
        }
    }

    loop {
        let (start, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (Some(e), false),
            Ok(Event::Empty(e)) => (Some(e), true),
            Ok(Event::End(e)) => {
                let local = e.local_name();
                match local.as_ref() {
                    b"element" => {
                        if let Some(Frame::Element(el)) = stack.pop() {
                            finish_element(&mut stack, &mut roots, el);
                        }
                    }
                    b"complexType" => {
                        if let Some(Frame::Complex { name, elements }) = stack.pop() {
                            match (name, stack.last_mut()) {
                                (Some(n), _) => {
                                    complex.insert(n, elements);
                                }
                                (None, Some(Frame::Element(el))) => {
                                    el.inline = Some(Box::new(Inline::Complex(elements)));
                                }
                                _ => {}
                            }
                        }
                    }
                    b"simpleType" => {
                        if let Some(Frame::Simple { name, restriction }) = stack.pop() {
                            match (name, stack.last_mut()) {
                                (Some(n), _) => {
                                    simple.insert(n, restriction);
                                }
                                (None, Some(Frame::Element(el))) => {
                                    el.inline = Some(Box::new(Inline::Simple(restriction)));
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        let Some(e) = start else { continue };
        let local = e.local_name();
        match local.as_ref() {
            b"element" => {
                let el = RawElement {
                    name: attr(&e, "name").unwrap_or_default(),
                    type_name: attr(&e, "type"),
                    min: occurs(attr(&e, "minOccurs"), 1).unwrap_or(1),
                    max: occurs(attr(&e, "maxOccurs"), 1),
                    inline: None,
                };
                if empty {
                    finish_element(&mut stack, &mut roots, el);
                } else {
                    stack.push(Frame::Element(el));
                }
            }
            b"complexType" if !empty => {
                stack.push(Frame::Complex { name: attr(&e, "name"), elements: Vec::new() })
            }
            b"simpleType" if !empty => {
                stack.push(Frame::Simple { name: attr(&e, "name"), restriction: Restriction::default() });
            }
            b"restriction" => {
                if let Some(r) = simple_frame(&mut stack) {
                    r.base = attr(&e, "base").unwrap_or_default();
                }
            }
            b"enumeration" => {
                if let (Some(r), Some(v)) = (simple_frame(&mut stack), attr(&e, "value")) {
                    r.codes.get_or_insert_with(Vec::new).push(v);
                }
            }
            b"pattern" => {
                if let (Some(r), Some(v)) = (simple_frame(&mut stack), attr(&e, "value")) {
                    r.patterns.push(v);
                }
            }
            b"minLength" => {
                if let (Some(r), Some(v)) = (simple_frame(&mut stack), attr(&e, "value")) {
                    r.min_length = v.trim().parse().ok();
                }
            }
            b"minInclusive" => {
                if let (Some(r), Some(v)) = (simple_frame(&mut stack), attr(&e, "value")) {
                    r.min_inclusive = v.trim().parse().ok();
                }
            }
            _ => {}
        }
    }

    let mut schema = Schema { year, children: HashMap::new() };
    let mut todo: Vec<(String, Vec<RawElement>)> = Vec::new();
    let container = |el: &RawElement| -> Option<Vec<RawElement>> {
        match el.inline.as_deref() {
            Some(Inline::Complex(list)) => Some(list.clone()),
            Some(Inline::Simple(_)) => None,
            None => el.type_name.as_ref().and_then(|t| complex.get(t)).cloned(),
        }
    };
    for root in &roots {
        if let Some(list) = container(root) {
            todo.push((root.name.clone(), list));
        }
    }
    while let Some((parent, list)) = todo.pop() {
        if schema.children.contains_key(&parent) {
            continue;
        }
        let mut resolved = Vec::with_capacity(list.len());
        for el in &list {
            let content = match container(el) {
                Some(inner) => {
                    todo.push((el.name.clone(), inner));
                    Content::Elements
                }
                None => Content::Value(value_type(el, &simple)),
            };
            resolved.push(Element { name: el.name.clone(), min: el.min, max: el.max, content });
        }
        schema.children.insert(parent, resolved);
    }
    schema
}

fn value_type(el: &RawElement, simple: &HashMap<String, Restriction>) -> ValueType {
    match (el.inline.as_deref(), el.type_name.as_deref()) {
        (Some(Inline::Simple(r)), _) => restricted(None, r, simple, 0),
        (_, Some(t)) => named(t, simple, 0),
        _ => ValueType::default(),
    }
}

fn named(name: &str, simple: &HashMap<String, Restriction>, depth: u32) -> ValueType {
    if let Some(base) = Base::from_xsd(name) {
        return ValueType { base, ..ValueType::default() };
    }
    match simple.get(name) {
        Some(r) if depth < 16 => restricted(Some(name.to_owned()), r, simple, depth + 1),
        _ => ValueType::default(),
    }
}

fn restricted(
    name: Option<String>,
    r: &Restriction,
    simple: &HashMap<String, Restriction>,
    depth: u32,
) -> ValueType {
    let mut t = named(&r.base, simple, depth);
    t.name = name.or(t.name);
    if r.codes.is_some() {
        t.codes.clone_from(&r.codes);
    }
    t.patterns.extend(r.patterns.iter().cloned());
    if r.min_length.is_some() {
        t.min_length = r.min_length;
    }
    if r.min_inclusive.is_some() {
        t.min_inclusive = r.min_inclusive;
    }
    t
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code
    use super::*;

    fn codes(year: i32, parent: &str, name: &str) -> Vec<String> {
        schema(year).unwrap().element(parent, name).unwrap().value_type().unwrap().codes.clone().unwrap()
    }

    #[test]
    fn every_year_parses_with_the_whole_tree() {
        for s in all() {
            let top: Vec<&str> = s.children("Message").iter().map(|e| e.name.as_str()).collect();
            assert_eq!(top, ["Header", "Children"], "{}", s.year);
            let ids: Vec<&str> = s.children("ChildIdentifiers").iter().map(|e| e.name.as_str()).collect();
            let sex = if s.year >= 2025 { "Sex" } else { "GenderCurrent" };
            assert_eq!(
                ids,
                [
                    "LAchildID",
                    "UPN",
                    "FormerUPN",
                    "UPNunknown",
                    "PersonBirthDate",
                    "ExpectedPersonBirthDate",
                    sex,
                    "PersonDeathDate"
                ],
                "{}",
                s.year
            );
            // Leaves read from the file, not assumed: occurrences, types, restrictions.
            let nfa = s.element("CINdetails", "ReferralNFA").unwrap();
            assert_eq!((nfa.min, nfa.max), (1, Some(1)));
            let t = nfa.value_type().unwrap();
            assert_eq!(
                (t.name.as_deref(), t.codes.clone(), t.min_length),
                (Some("yesnotype"), Some(vec!["0".into(), "1".into()]), Some(1))
            );
            assert_eq!(
                s.element("CINdetails", "CINreferralDate").unwrap().value_type().unwrap().base,
                Base::Date
            );
            assert_eq!(s.element("Children", "Child").unwrap().max, None);
            assert_eq!(s.element("Disabilities", "Disability").unwrap().min, 1);
            assert_eq!(s.element("Source", "LEA").unwrap().value_type().unwrap().patterns, [r"\d{3}"]);
            let previous =
                s.element("ChildProtectionPlans", "NumberOfPreviousCPP").unwrap().value_type().unwrap();
            assert_eq!((previous.base, previous.min_inclusive), (Base::Integer, Some(0)));
            assert_eq!(s.element("CINPlanDates", "CINPlanStartDate").is_some(), s.year >= 2022, "{}", s.year);
            for (_, e) in s.pairs() {
                for p in e.value_type().map_or(&[][..], |t| t.patterns.as_slice()) {
                    assert!(known_pattern(p), "{}: unknown pattern {p}", s.year);
                }
            }
        }
    }

    #[test]
    fn code_lists_change_with_the_year_as_the_files_say() {
        assert_eq!(codes(2024, "ChildIdentifiers", "GenderCurrent"), ["1", "2", "0", "9"]);
        assert_eq!(codes(2025, "ChildIdentifiers", "Sex"), ["M", "F", "U"]);
        let factors = |y| codes(y, "FactorsIdentifiedAtAssessment", "AssessmentFactors");
        assert!(!factors(2020).contains(&"18B".to_string()) && factors(2021).contains(&"18B".to_string()));
        assert!(!factors(2021).contains(&"24A".to_string()) && factors(2022).contains(&"24A".to_string()));
        let reasons = |y| codes(y, "CINdetails", "ReasonForClosure");
        assert!(!reasons(2022).contains(&"RC9".to_string()) && reasons(2023).contains(&"RC9".to_string()));
        assert!(!codes(2022, "CINdetails", "ReferralSource").contains(&"5D".to_string()));
        assert_eq!(years_with("CINdetails", "CINPlanDates"), (2022..=2026).collect::<Vec<_>>());
        assert_eq!(years_with("CINdetails", "PreProceedingsandFGDM"), Vec::<i32>::new());
        assert_eq!(
            years_accepting("CINdetails", "ReasonForClosure", "RC9"),
            (2023..=2026).collect::<Vec<_>>()
        );
        assert_eq!(describe_years(&[2017, 2018, 2020, 2022, 2023]), "2017–2018, 2020 and 2022–2023");
        assert_eq!(describe_years(&[2025, 2026]), "2025–2026");
        assert_eq!(describe_years(&[]), "no schema year 2017–2026");
    }

    #[test]
    fn values_against_types() {
        let s = schema(2025).unwrap();
        let t = |p: &str, n: &str| s.element(p, n).unwrap().value_type().unwrap().clone();
        let date = t("CINdetails", "CINreferralDate");
        assert!(
            date.check("2024-03-31").is_ok()
                && date.check("2024-03-31Z").is_ok()
                && date.check("2024-03-31+01:00").is_ok()
        );
        for bad in [
            "31/03/2024",
            "2024-3-31",
            "2024-02-30",
            "2024-03-31T10:00:00",
            "0000-01-01",
            "2024-03-31+15:00",
            "",
        ] {
            assert!(date.check(bad).is_err(), "{bad}");
        }
        assert!(date.check("31/03/2024").unwrap_err().contains("xs:date (YYYY-MM-DD)"));
        let stamp = t("Source", "DateTime");
        assert!(stamp.check("2023-05-23T11:14:05").is_ok() && stamp.check("2023-05-23T24:00:00").is_ok());
        assert!(stamp.check("2023-05-23T11:14:05.25Z").is_ok());
        assert!(stamp.check("2023-05-23 11:14:05").is_err() && stamp.check("2023-05-23T11:60:00").is_err());
        assert!(
            t("CollectionDetails", "Year").check("2025").is_ok()
                && t("CollectionDetails", "Year").check("25").is_err()
        );
        let previous = t("ChildProtectionPlans", "NumberOfPreviousCPP");
        assert!(previous.check("0").is_ok() && previous.check("+3").is_ok());
        assert!(previous.check("-1").unwrap_err().contains("minimum 0") && previous.check("1.5").is_err());
        let upn = t("ChildIdentifiers", "UPN");
        assert!(upn.check("A123456789123").is_ok() && upn.check("A12345678912B").is_ok());
        assert!(upn.check("A1234567891").is_err() && upn.check("1123456789123").is_err());
        let nfa = t("CINdetails", "ReferralNFA");
        assert!(nfa.check("1").is_ok() && nfa.check("true").unwrap_err().contains("code list (0, 1)"));
        let lea = t("Source", "LEA");
        assert!(lea.check("201").is_ok() && lea.check("20").is_err() && lea.check("2011").is_err());
        let serial = t("Source", "SerialNo");
        assert!(serial.check("001").is_ok() && serial.check("0012").is_ok() && serial.check("01").is_err());
        assert!(t("ChildIdentifiers", "LAchildID").check("").is_ok());
        assert!(t("ChildCharacteristics", "Ethnicity").check("").unwrap_err().contains("shorter"));
    }
}
