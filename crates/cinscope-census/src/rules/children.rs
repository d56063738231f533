//! Rules on the child's identifiers and characteristics.

use std::collections::HashMap;

use chrono::{Days, Months};

use super::{d, further_action, in_codes, nfa};
use crate::model::{Census, Child};
use crate::validate::{add_years, lt, Cx, Hits, Loc};

const UPN_CHECK_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Local authority codes that may appear in characters 2-4 of a UPN.
fn la_code_allowed(code: &str) -> bool {
    let Ok(n) = code.parse::<u32>() else { return false };
    if code.starts_with("00") {
        return (1..=5).contains(&n);
    }
    const RANGES: &[(u32, u32)] = &[
        (201, 213),
        (301, 320),
        (330, 336),
        (340, 344),
        (350, 359),
        (370, 373),
        (380, 384),
        (390, 394),
        (660, 681),
        (701, 708),
        (800, 803),
        (805, 808),
        (810, 813),
        (820, 823),
        (835, 839),
        (850, 852),
        (855, 857),
        (865, 896),
        (935, 938),
        (940, 941),
    ];
    const SINGLE: &[u32] = &[
        420, 815, 816, 825, 826, 830, 831, 840, 841, 845, 846, 860, 861, 908, 909, 916, 919, 921, 925, 926,
        928, 929, 931, 933, 942, 943,
    ];
    !code.starts_with('0') && (RANGES.iter().any(|(a, b)| (*a..=*b).contains(&n)) || SINGLE.contains(&n))
}

fn upn13(c: &Child) -> Option<&str> {
    c.upn.as_deref().filter(|u| u.chars().count() == 13)
}

pub(crate) fn r1510(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(upn) = upn13(c) else { return };
    let b = upn.as_bytes();
    let Some(rest) = b.get(1..13) else { return };
    if !rest.iter().all(u8::is_ascii_digit) {
        return;
    }
    let sum: usize = rest.iter().take(12).enumerate().map(|(i, ch)| usize::from(ch - b'0') * (i + 2)).sum();
    let expected = UPN_CHECK_LETTERS.get(sum % 23).copied();
    if b.first().copied() != expected {
        h.at(Loc::Child, "UPN");
    }
}

pub(crate) fn r1520(census: &Census, out: &mut Vec<(usize, Loc, &'static str)>) {
    duplicates(census, |c| c.upn.as_deref(), "UPN", out);
}

pub(crate) fn r8510(census: &Census, out: &mut Vec<(usize, Loc, &'static str)>) {
    duplicates(census, |c| c.la_child_id.as_deref(), "LAchildID", out);
}

fn duplicates(
    census: &Census,
    key: impl Fn(&Child) -> Option<&str>,
    field: &'static str,
    out: &mut Vec<(usize, Loc, &'static str)>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(census.children.len());
    for c in &census.children {
        if let Some(k) = key(c) {
            *seen.entry(k).or_default() += 1;
        }
    }
    for (i, c) in census.children.iter().enumerate() {
        if key(c).is_some_and(|k| seen.get(k).copied().unwrap_or(0) > 1) {
            out.push((i, Loc::Child, field));
        }
    }
}

pub(crate) fn r1530(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(upn) = upn13(c) else { return };
    let code: String = upn.chars().skip(1).take(3).collect();
    if !la_code_allowed(&code) {
        h.at(Loc::Child, "UPN");
    }
}

pub(crate) fn r1540(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(upn) = c.upn.as_deref() else { return };
    let middle: Vec<char> = upn.chars().skip(4).take(8).collect();
    if middle.is_empty() || !middle.iter().all(char::is_ascii_digit) {
        h.at(Loc::Child, "UPN");
    }
}

pub(crate) fn r1550(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(upn) = upn13(c) else { return };
    let last = upn.chars().last().unwrap_or(' ');
    let ok = last.is_ascii_digit() || (last.is_ascii_uppercase() && !matches!(last, 'I' | 'O' | 'S'));
    if !ok {
        h.at(Loc::Child, "UPN");
    }
}

pub(crate) fn r1560q(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(f) = c.former_upn.as_deref() else { return };
    let chars: Vec<char> = f.chars().collect();
    let first_alpha = chars.first().is_some_and(|ch| ch.is_alphabetic());
    let rest_digits = chars.len() > 1 && chars.iter().skip(1).all(char::is_ascii_digit);
    if chars.len() != 13 || !first_alpha || !rest_digits {
        h.at(Loc::Child, "FormerUPN");
    }
}

pub(crate) fn r1570(_: &Cx, c: &Child, h: &mut Hits) {
    if c.la_child_id.as_deref().is_some_and(|id| id.chars().count() > 20) {
        h.at(Loc::Child, "LAchildID");
    }
}

pub(crate) fn r1580(_: &Cx, c: &Child, h: &mut Hits) {
    if c.la_child_id.as_deref().is_some_and(|id| !id.chars().all(char::is_alphanumeric)) {
        h.at(Loc::Child, "LAchildID");
    }
}

pub(crate) fn r4180(_: &Cx, c: &Child, h: &mut Hits) {
    if !in_codes(&c.sex, &["M", "F", "U"]) {
        h.at(Loc::Child, "Sex");
    }
}

/// Ethnicity codes of the CIN census code set.
pub const ETHNICITIES: &[&str] = &[
    "ABAN", "AIND", "AOTH", "APKN", "BAFR", "BCRB", "BOTH", "CHNE", "MOTH", "MWAS", "MWBA", "MWBC", "NOBT",
    "OOTH", "REFU", "WBRI", "WIRI", "WIRT", "WOTH", "WROM",
];

pub(crate) fn r4220(_: &Cx, c: &Child, h: &mut Hits) {
    if !in_codes(&c.ethnicity, ETHNICITIES) {
        h.at(Loc::Characteristics, "Ethnicity");
    }
}

pub(crate) fn r8500(_: &Cx, c: &Child, h: &mut Hits) {
    if c.la_child_id.is_none() {
        h.at(Loc::Child, "LAchildID");
    }
}

pub(crate) fn r8520(cx: &Cx, c: &Child, h: &mut Hits) {
    if cx.after_end(d(&c.birth_date)) {
        h.at(Loc::Child, "PersonBirthDate");
    }
}

pub(crate) fn r8525q(_: &Cx, c: &Child, h: &mut Hits) {
    if d(&c.birth_date).is_some() == d(&c.expected_birth_date).is_some() {
        h.at(Loc::Child, "PersonBirthDate");
        h.at(Loc::Child, "ExpectedPersonBirthDate");
    }
}

pub(crate) fn r8530q(cx: &Cx, c: &Child, h: &mut Hits) {
    let (Some(expected), Some(reference)) = (d(&c.expected_birth_date), cx.reference) else { return };
    let earliest = reference.checked_sub_days(Days::new(30));
    let latest = reference.checked_add_months(Months::new(9));
    if earliest.is_some_and(|e| expected <= e) || latest.is_some_and(|l| expected >= l) {
        h.at(Loc::Child, "ExpectedPersonBirthDate");
    }
}

pub(crate) fn r8535q(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(death) = d(&c.death_date) else { return };
    match d(&c.birth_date) {
        None => h.at(Loc::Child, "PersonBirthDate"),
        Some(birth) if birth > death => {
            h.at(Loc::Child, "PersonDeathDate");
            h.at(Loc::Child, "PersonBirthDate");
        }
        Some(_) => {}
    }
}

/// Disability codes of the CIN census code set.
pub const DISABILITIES: &[&str] =
    &["NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"];

pub(crate) fn r8540(_: &Cx, c: &Child, h: &mut Hits) {
    if d(&c.birth_date).is_none() || !c.episodes.iter().any(further_action) {
        return;
    }
    match &c.disabilities {
        None => h.at(Loc::Characteristics, "Disability"),
        Some(list) if list.is_empty() => h.at(Loc::Characteristics, "Disability"),
        Some(list) => {
            for (i, dis) in list.iter().enumerate() {
                if !in_codes(dis, DISABILITIES) {
                    h.at(Loc::Disability(i), "Disability");
                }
            }
        }
    }
}

pub(crate) fn r8545q(cx: &Cx, c: &Child, h: &mut Hits) {
    if cx.outside(d(&c.death_date)) {
        h.at(Loc::Child, "PersonDeathDate");
    }
}

pub(crate) fn r8590(_: &Cx, c: &Child, h: &mut Hits) {
    if c.episodes.is_empty() {
        h.at(Loc::Child, "LAchildID");
    }
}

pub(crate) fn r8750(_: &Cx, c: &Child, h: &mut Hits) {
    if d(&c.birth_date).is_none() && d(&c.expected_birth_date).is_some() && c.sex.as_deref() != Some("U") {
        h.at(Loc::Child, "Sex");
    }
}

pub(crate) fn r8770q(cx: &Cx, c: &Child, h: &mut Hits) {
    let Some(reference) = cx.reference else { return };
    // Born on or before 31 August six years before the census year ends: of school age.
    let cutoff = reference
        .checked_add_months(Months::new(4))
        .and_then(|x| x.checked_add_days(Days::new(31)))
        .and_then(|x| add_years(x, -6));
    let school_age = matches!((d(&c.birth_date), cutoff), (Some(b), Some(cut)) if b <= cut);
    if !school_age || !c.episodes.iter().any(further_action) || c.upn.is_some() {
        return;
    }
    let reason_ok = c.upn_unknown.as_deref().is_some_and(|r| {
        ["UN2", "UN3", "UN4", "UN5", "UN6", "UN7"].contains(&r.to_ascii_uppercase().as_str())
    });
    if !reason_ok {
        h.at(Loc::Child, "UPN");
        h.at(Loc::Child, "UPNunknown");
    }
}

pub(crate) fn r8772(_: &Cx, c: &Child, h: &mut Hits) {
    if c.upn_unknown.as_deref() != Some("UN7") {
        return;
    }
    if c.episodes.is_empty() {
        h.at(Loc::Child, "UPNunknown");
        return;
    }
    for (i, e) in c.episodes.iter().enumerate() {
        if !nfa(e) {
            h.at(Loc::Child, "UPNunknown");
            h.at(Loc::Episode(i), "ReferralNFA");
        }
    }
}

pub(crate) fn r8775q(cx: &Cx, c: &Child, h: &mut Hits) {
    let (Some(birth), Some(reference)) = (d(&c.birth_date), cx.reference) else { return };
    if add_years(reference, -25).is_none_or(|limit| birth >= limit) {
        return;
    }
    let turns_25 = add_years(birth, 25);
    for (i, e) in c.episodes.iter().enumerate() {
        let closed = d(&e.closure_date);
        if closed.is_none() || lt(turns_25, closed) {
            h.at(Loc::Child, "PersonBirthDate");
            h.at(Loc::Episode(i), "CINclosureDate");
        }
    }
}

pub(crate) fn r8790(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(list) = &c.disabilities else { return };
    let is_none = |t: &Option<String>| t.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("NONE"));
    if list.iter().any(is_none) && list.iter().any(|t| !is_none(t)) {
        for (i, t) in list.iter().enumerate() {
            if !is_none(t) {
                h.at(Loc::Disability(i), "Disability");
            }
        }
    }
}

pub(crate) fn r8794(_: &Cx, c: &Child, h: &mut Hits) {
    let Some(list) = &c.disabilities else { return };
    for (i, t) in list.iter().enumerate() {
        if t.is_some() && list.iter().filter(|o| *o == t).count() > 1 {
            h.at(Loc::Disability(i), "Disability");
        }
    }
}
