//! Rules on CIN plans (`CINPlanDates`) and how they sit beside child protection plans.

use chrono::NaiveDate;

use super::{d, nfa};
use crate::model::{Child, CinPlan, CpPlan};
use crate::validate::{lt, same, Cx, Hits, Loc};

fn plans(c: &Child) -> impl Iterator<Item = (usize, usize, &CinPlan)> {
    c.episodes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.cin_plans.iter().enumerate().map(move |(j, p)| (i, j, p)))
}

fn cpps(c: &Child) -> impl Iterator<Item = (usize, usize, &CpPlan)> {
    c.episodes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.cp_plans.iter().enumerate().map(move |(j, p)| (i, j, p)))
}

/// `x` starts inside the span `[start, end)`, or `[start, reference]` while the span is open.
fn starts_inside(
    cx: &Cx,
    x: NaiveDate,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    end_inclusive: bool,
) -> bool {
    let Some(start) = start else { return false };
    if x < start {
        return false;
    }
    match end {
        Some(end) => {
            if end_inclusive {
                x <= end
            } else {
                x < end
            }
        }
        None => cx.reference.is_some_and(|r| x <= r),
    }
}

pub(crate) fn r4000(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if nfa(e) && !e.cin_plans.is_empty() {
            h.at(Loc::Episode(i), "ReferralNFA");
            for j in 0..e.cin_plans.len() {
                h.at(Loc::Plan(i, j), "CINPlanStartDate");
            }
        }
    }
}

pub(crate) fn r4001(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (k, cp) in e.cp_plans.iter().enumerate() {
            if d(&cp.end).is_some() {
                continue;
            }
            for (j, p) in e.cin_plans.iter().enumerate() {
                if d(&p.start).is_some() && d(&p.end).is_none() {
                    h.at(Loc::Cpp(i, k), "CPPendDate");
                    h.at(Loc::Plan(i, j), "CINPlanEndDate");
                }
            }
        }
    }
}

pub(crate) fn r4003(_: &Cx, c: &Child, h: &mut Hits) {
    for (pi, pj, p) in plans(c) {
        let (start, end) = (d(&p.start), d(&p.end));
        for (ci, cj, cp) in cpps(c) {
            for (r, review) in cp.reviews.iter().enumerate() {
                let rv = d(review);
                let during = !lt(rv, start) && rv.is_some() && start.is_some() && lt(rv, end);
                if during && !same(rv, d(&cp.end)) {
                    h.at(Loc::Review(ci, cj, r), "CPPreviewDate");
                    h.at(Loc::Plan(pi, pj), "CINPlanStartDate");
                    h.at(Loc::Plan(pi, pj), "CINPlanEndDate");
                }
            }
        }
    }
}

pub(crate) fn r4004(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if e.cin_plans.iter().filter(|p| d(&p.end).is_none()).count() > 1 {
            for j in 0..e.cin_plans.len() {
                h.at(Loc::Plan(i, j), "CINPlanEndDate");
            }
        }
    }
}

pub(crate) fn r4008(_: &Cx, c: &Child, h: &mut Hits) {
    let death = d(&c.death_date);
    for (i, j, p) in plans(c) {
        if lt(death, d(&p.start)) {
            h.at(Loc::Plan(i, j), "CINPlanStartDate");
            h.at(Loc::Child, "PersonDeathDate");
        }
    }
}

pub(crate) fn r4009q(_: &Cx, c: &Child, h: &mut Hits) {
    let death = d(&c.death_date);
    for (i, j, p) in plans(c) {
        if lt(death, d(&p.end)) {
            h.at(Loc::Plan(i, j), "CINPlanEndDate");
            h.at(Loc::Child, "PersonDeathDate");
        }
    }
}

pub(crate) fn r4010(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in plans(c) {
        let s = d(&p.start);
        if s.is_none() || cx.after_end(s) {
            h.at(Loc::Plan(i, j), "CINPlanStartDate");
        }
    }
}

pub(crate) fn r4011(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in plans(c) {
        if lt(d(&p.end), d(&p.start)) {
            h.at(Loc::Plan(i, j), "CINPlanStartDate");
            h.at(Loc::Plan(i, j), "CINPlanEndDate");
        }
    }
}

pub(crate) fn r4012q(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in plans(c) {
        if same(d(&p.start), d(&p.end)) {
            h.at(Loc::Plan(i, j), "CINPlanStartDate");
            h.at(Loc::Plan(i, j), "CINPlanEndDate");
        }
    }
}

pub(crate) fn r4013(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, p) in plans(c) {
        if cx.outside(d(&p.end)) {
            h.at(Loc::Plan(i, j), "CINPlanEndDate");
        }
    }
}

pub(crate) fn r4014(cx: &Cx, c: &Child, h: &mut Hits) {
    let all: Vec<(usize, usize, &CinPlan)> = plans(c).collect();
    for &(ai, aj, a) in &all {
        let Some(a_start) = d(&a.start) else { continue };
        for &(bi, bj, b) in &all {
            if (ai, aj) == (bi, bj) {
                continue;
            }
            if starts_inside(cx, a_start, d(&b.start), d(&b.end), true) {
                h.at(Loc::Plan(ai, aj), "CINPlanStartDate");
                h.at(Loc::Plan(bi, bj), "CINPlanEndDate");
            }
        }
    }
}

pub(crate) fn r4015(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, p) in e.cin_plans.iter().enumerate() {
            if lt(d(&p.start), d(&e.referral_date)) {
                h.at(Loc::Plan(i, j), "CINPlanStartDate");
                h.at(Loc::Episode(i), "CINreferralDate");
            }
        }
    }
}

pub(crate) fn r4016(cx: &Cx, c: &Child, h: &mut Hits) {
    for (pi, pj, p) in plans(c) {
        let Some(start) = d(&p.start) else { continue };
        for (ci, cj, cp) in cpps(c) {
            if starts_inside(cx, start, d(&cp.start), d(&cp.end), false) {
                h.at(Loc::Plan(pi, pj), "CINPlanStartDate");
                h.at(Loc::Cpp(ci, cj), "CPPstartDate");
            }
        }
    }
}

pub(crate) fn r4017(cx: &Cx, c: &Child, h: &mut Hits) {
    for (ci, cj, cp) in cpps(c) {
        let Some(start) = d(&cp.start) else { continue };
        for (pi, pj, p) in plans(c) {
            if starts_inside(cx, start, d(&p.start), d(&p.end), false) {
                h.at(Loc::Cpp(ci, cj), "CPPstartDate");
                h.at(Loc::Plan(pi, pj), "CINPlanStartDate");
            }
        }
    }
}
