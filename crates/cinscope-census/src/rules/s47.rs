//! Rules on section 47 enquiries and initial child protection conferences.

use super::d;
use crate::model::{flag, Child, Section47};
use crate::validate::{lt, same, weekend, Cx, Hits, Loc};

fn each(c: &Child) -> impl Iterator<Item = (usize, usize, &Section47)> {
    c.episodes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.section47.iter().enumerate().map(move |(j, s)| (i, j, s)))
}

fn not_required(s: &Section47) -> bool {
    flag(&s.icpc_not_required) == Some(true)
}

pub(crate) fn r1104(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, s) in e.section47.iter().enumerate() {
            if lt(d(&s.initial_cpc), d(&e.referral_date)) {
                h.at(Loc::S47(i, j), "DateOfInitialCPC");
                h.at(Loc::Episode(i), "CINreferralDate");
            }
        }
    }
}

pub(crate) fn r2884(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        let at_episode = d(&e.initial_cpc);
        if at_episode.is_none() {
            continue;
        }
        for (si, sj, s) in each(c) {
            if same(at_episode, d(&s.initial_cpc)) {
                h.at(Loc::Episode(i), "DateOfInitialCPC");
                h.at(Loc::S47(si, sj), "DateOfInitialCPC");
            }
        }
    }
}

pub(crate) fn r2889(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, s) in e.section47.iter().enumerate() {
            if lt(d(&s.start), d(&e.referral_date)) {
                h.at(Loc::S47(i, j), "S47ActualStartDate");
                h.at(Loc::Episode(i), "CINreferralDate");
            }
        }
    }
}

pub(crate) fn r2991q(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if e.assessments.is_empty() {
            for j in 0..e.section47.len() {
                h.at(Loc::S47(i, j), "S47ActualStartDate");
            }
        }
    }
}

pub(crate) fn r8615(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, s) in each(c) {
        let (start, icpc) = (d(&s.start), d(&s.initial_cpc));
        if lt(icpc, start) || (icpc.is_some() && start.is_none()) {
            h.at(Loc::S47(i, j), "S47ActualStartDate");
            h.at(Loc::S47(i, j), "DateOfInitialCPC");
        }
    }
}

pub(crate) fn r8675q(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, s) in each(c) {
        let awaiting = d(&s.initial_cpc).is_none() && flag(&s.icpc_not_required) == Some(false);
        if awaiting && lt(d(&s.start), cx.before_15_wd) {
            h.at(Loc::S47(i, j), "S47ActualStartDate");
        }
    }
}

pub(crate) fn r8715(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, s) in each(c) {
        if cx.outside(d(&s.initial_cpc)) {
            h.at(Loc::S47(i, j), "DateOfInitialCPC");
        }
    }
}

pub(crate) fn r8740(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, s) in each(c) {
        let awaiting = d(&s.initial_cpc).is_none() && flag(&s.icpc_not_required) == Some(false);
        if awaiting && cx.outside(d(&s.start)) {
            h.at(Loc::S47(i, j), "S47ActualStartDate");
        }
    }
}

pub(crate) fn r8839(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        let awaiting = |s: &Section47| d(&s.initial_cpc).is_none() && !not_required(s);
        if e.section47.iter().filter(|s| awaiting(s)).count() > 1 {
            for (j, s) in e.section47.iter().enumerate() {
                if d(&s.initial_cpc).is_none() {
                    h.at(Loc::S47(i, j), "DateOfInitialCPC");
                }
            }
        }
    }
}

pub(crate) fn r8868(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if d(&e.closure_date).is_none() {
            continue;
        }
        for (j, s) in e.section47.iter().enumerate() {
            let held = d(&s.initial_cpc).is_some();
            if held == not_required(s) {
                h.at(Loc::Episode(i), "CINclosureDate");
                h.at(Loc::S47(i, j), "ICPCnotRequired");
            }
        }
    }
}

pub(crate) fn r8870q(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, s) in each(c) {
        if weekend(d(&s.icpc_target)) {
            h.at(Loc::S47(i, j), "InitialCPCtarget");
        }
    }
}

pub(crate) fn r8875(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, s) in each(c) {
        if weekend(d(&s.initial_cpc)) {
            h.at(Loc::S47(i, j), "DateOfInitialCPC");
        }
    }
}

pub(crate) fn r8890(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, a) in e.section47.iter().enumerate() {
            let Some(a_start) = d(&a.start) else { continue };
            for (k, b) in e.section47.iter().enumerate() {
                let Some(b_start) = d(&b.start) else { continue };
                let (a_cpc, b_cpc) = (d(&a.initial_cpc), d(&b.initial_cpc));
                if a_start == b_start && a_cpc == b_cpc {
                    continue;
                }
                let inside = a_start >= b_start
                    && (b_cpc.is_some_and(|bc| a_start <= bc)
                        || (b_cpc.is_none()
                            && !not_required(b)
                            && cx.reference.is_some_and(|r| a_start <= r)));
                if inside {
                    h.at(Loc::S47(i, j), "S47ActualStartDate");
                    h.at(Loc::S47(i, k), "DateOfInitialCPC");
                }
            }
        }
    }
}
