//! Return-level ("LA-level") rules and the header check.

use std::collections::HashSet;

use super::d;
use crate::model::{Census, Text};
use crate::validate::Cx;

pub(crate) fn r100(_: &Cx, census: &Census) -> Option<&'static str> {
    let expected = census.year().and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 3, 31));
    let found = d(&census.header.reference_date);
    if found.is_none() || found != expected {
        Some("ReferenceDate")
    } else {
        None
    }
}

pub(crate) fn r2883(cx: &Cx, census: &Census) -> bool {
    let within = |x: Option<chrono::NaiveDate>| x.is_some() && !cx.outside(x) && cx.reference.is_some();
    let mut plans = 0usize;
    let mut conferences = 0usize;
    for c in &census.children {
        for e in &c.episodes {
            plans += e.cp_plans.iter().filter(|p| within(d(&p.start))).count();
            conferences += usize::from(within(d(&e.initial_cpc)));
            conferences += e.section47.iter().filter(|s| within(d(&s.initial_cpc))).count();
        }
    }
    plans > conferences
}

/// Whether a child's sex records no known sex in the codes of schema `year`. The DfE's 2886Q
/// counts "the child records where the sex is equal to zero or missing" (zero being the
/// `GenderCurrent` code "not recorded or unborn"), which from 2025 is `U`, "unknown". So: from
/// 2025 (`Sex`: M, F, U) anything but `M` or `F`; before (`GenderCurrent`: 1 male, 2 female,
/// 9 indeterminate, 0 not recorded) anything but `1`, `2` or `9`. A value outside the year's
/// code list (a `GenderCurrent` code in a 2025 return, which rule 4180 calls invalid, or `M`
/// in a 2024 one) records no sex the return can hold, so it counts as not recorded too.
pub(crate) fn sex_not_recorded(sex: &Text, year: i32) -> bool {
    let Some(v) = sex.as_deref().map(str::trim) else { return true };
    let known: &[&str] = if year >= 2025 { &["M", "F"] } else { &["1", "2", "9"] };
    !known.contains(&v)
}

/// 2886Q: more than 2% of the child records have no sex recorded, unborn children (with an
/// expected date of birth) excepted: (children with no sex recorded and no expected date of
/// birth) / (all children) > 0.02, raised once for the return.
pub(crate) fn r2886q(cx: &Cx, census: &Census) -> bool {
    let total = census.children.len();
    if total == 0 {
        return false;
    }
    let missing = census
        .children
        .iter()
        .filter(|c| sex_not_recorded(&c.sex, cx.year) && d(&c.expected_birth_date).is_none())
        .count();
    missing * 50 > total
}

pub(crate) fn r2887q(_: &Cx, census: &Census) -> bool {
    let used: HashSet<&str> = census
        .children
        .iter()
        .filter_map(|c| c.disabilities.as_ref())
        .flatten()
        .filter_map(|t| t.as_deref())
        .filter(|v| !v.eq_ignore_ascii_case("NONE"))
        .collect();
    let any = census.children.iter().any(|c| c.disabilities.as_ref().is_some_and(|d| !d.is_empty()));
    any && used.len() < 8
}

pub(crate) fn r2888q(_: &Cx, census: &Census) -> bool {
    let counts = census
        .children
        .iter()
        .filter_map(|c| c.disabilities.as_ref())
        .map(|list| list.iter().filter(|t| t.as_deref().is_some_and(|v| v != "NONE")).count());
    let mut any = false;
    let mut max = 0usize;
    for n in counts {
        any |= n > 0;
        max = max.max(n);
    }
    any && max <= 1
}
