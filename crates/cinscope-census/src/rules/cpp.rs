//! Rules on child protection plans and their reviews.

use super::{d, in_codes, nfa};
use crate::model::{Child, CpPlan};
use crate::validate::{lt, same, Cx, Hits, Loc};

/// Categories of abuse in the code set.
pub const ABUSE_CATEGORIES: &[&str] = &["NEG", "PHY", "SAB", "EMO", "MUL"];

fn each(c: &Child) -> impl Iterator<Item = (usize, usize, &CpPlan)> {
    c.episodes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.cp_plans.iter().enumerate().map(move |(j, p)| (i, j, p)))
}

pub(crate) fn r1105(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, p) in e.cp_plans.iter().enumerate() {
            if lt(d(&p.start), d(&e.referral_date)) {
                h.at(Loc::Cpp(i, j), "CPPstartDate");
                h.at(Loc::Episode(i), "CINreferralDate");
            }
        }
    }
}

pub(crate) fn r2885(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        // Enquiries whose conference was not marked as not required.
        let enquiries: Vec<_> =
            e.section47.iter().filter(|s| s.icpc_not_required.as_deref() != Some("1")).collect();
        for (j, p) in e.cp_plans.iter().enumerate() {
            let start = d(&p.start);
            if start.is_none() || cx.outside(start) || cx.reference.is_none() {
                continue;
            }
            let matched = if enquiries.is_empty() {
                same(start, d(&e.initial_cpc))
            } else {
                enquiries.iter().any(|s| same(start, d(&s.initial_cpc)))
            };
            if !matched {
                h.at(Loc::Cpp(i, j), "CPPstartDate");
                if enquiries.is_empty() {
                    h.at(Loc::Episode(i), "DateOfInitialCPC");
                }
            }
        }
    }
}

pub(crate) fn r8720(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        let s = d(&p.start);
        if s.is_none() || cx.after_end(s) {
            h.at(Loc::Cpp(i, j), "CPPstartDate");
        }
    }
}

pub(crate) fn r8730(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        let ok = p.previous_plans.as_deref().is_some_and(|v| v.trim().parse::<u32>().is_ok());
        if !ok {
            h.at(Loc::Cpp(i, j), "NumberOfPreviousCPP");
        }
    }
}

pub(crate) fn r8832(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if nfa(e) {
            for j in 0..e.cp_plans.len() {
                h.at(Loc::Cpp(i, j), "CPPstartDate");
                h.at(Loc::Episode(i), "ReferralNFA");
            }
        }
    }
}

pub(crate) fn r8840(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        if same(d(&p.start), d(&p.end)) {
            h.at(Loc::Cpp(i, j), "CPPstartDate");
            h.at(Loc::Cpp(i, j), "CPPendDate");
        }
    }
}

pub(crate) fn r8841(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        let start = d(&p.start);
        for (r, review) in p.reviews.iter().enumerate() {
            let rv = d(review);
            if rv.is_some() && start.is_some() && !lt(start, rv) {
                h.at(Loc::Review(i, j, r), "CPPreviewDate");
                h.at(Loc::Cpp(i, j), "CPPstartDate");
            }
        }
    }
}

pub(crate) fn r8842q(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        for (r, review) in p.reviews.iter().enumerate() {
            if d(review).is_none() {
                h.at(Loc::Review(i, j, r), "CPPreviewDate");
            }
        }
    }
}

pub(crate) fn r8905(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        if !in_codes(&p.initial_category, ABUSE_CATEGORIES) {
            h.at(Loc::Cpp(i, j), "InitialCategoryOfAbuse");
        }
    }
}

pub(crate) fn r8910(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        if !in_codes(&p.latest_category, ABUSE_CATEGORIES) {
            h.at(Loc::Cpp(i, j), "LatestCategoryOfAbuse");
        }
    }
}

pub(crate) fn r8915(_: &Cx, c: &Child, h: &mut Hits) {
    let death = d(&c.death_date);
    for (i, j, p) in each(c) {
        if lt(death, d(&p.start)) {
            h.at(Loc::Cpp(i, j), "CPPstartDate");
            h.at(Loc::Child, "PersonDeathDate");
        }
    }
}

pub(crate) fn r8920(_: &Cx, c: &Child, h: &mut Hits) {
    let death = d(&c.death_date);
    for (i, j, p) in each(c) {
        if lt(death, d(&p.end)) {
            h.at(Loc::Cpp(i, j), "CPPendDate");
            h.at(Loc::Child, "PersonDeathDate");
        }
    }
}

pub(crate) fn r8925(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        if lt(d(&p.end), d(&p.start)) {
            h.at(Loc::Cpp(i, j), "CPPstartDate");
            h.at(Loc::Cpp(i, j), "CPPendDate");
        }
    }
}

pub(crate) fn r8930(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in each(c) {
        if cx.outside(d(&p.end)) {
            h.at(Loc::Cpp(i, j), "CPPendDate");
        }
    }
}

pub(crate) fn r8935(_: &Cx, c: &Child, h: &mut Hits) {
    if each(c).filter(|(_, _, p)| d(&p.end).is_none()).count() > 1 {
        for (i, j, p) in each(c) {
            if d(&p.end).is_none() {
                h.at(Loc::Cpp(i, j), "CPPendDate");
            }
        }
    }
}

pub(crate) fn r8940(cx: &Cx, c: &Child, h: &mut Hits) {
    let all: Vec<_> = each(c).collect();
    for &(ai, aj, a) in &all {
        let Some(a_start) = d(&a.start) else { continue };
        for &(bi, bj, b) in &all {
            if (ai, aj) == (bi, bj) {
                continue;
            }
            let Some(b_start) = d(&b.start) else { continue };
            let inside = a_start >= b_start
                && match d(&b.end) {
                    Some(b_end) => a_start <= b_end,
                    None => cx.reference.is_some_and(|r| a_start <= r),
                };
            if inside {
                h.at(Loc::Cpp(ai, aj), "CPPstartDate");
                h.at(Loc::Cpp(bi, bj), "CPPendDate");
            }
        }
    }
}
