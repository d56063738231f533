//! Rules on assessments and the factors identified at assessment.

use super::{d, in_codes};
use crate::model::{Assessment, Child};
use crate::validate::{le, lt, Cx, Hits, Loc};

/// Assessment factor codes of the CIN census code set.
pub const FACTORS: &[&str] = &[
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A", "6B",
    "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A",
    "18A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A",
];

fn factors(a: &Assessment) -> &[Option<String>] {
    a.factors.as_deref().unwrap_or(&[])
}

fn each(c: &Child) -> impl Iterator<Item = (usize, usize, &Assessment)> {
    c.episodes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.assessments.iter().enumerate().map(move |(j, a)| (i, j, a)))
}

pub(crate) fn r1103(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, a) in e.assessments.iter().enumerate() {
            if lt(d(&a.start), d(&e.referral_date)) {
                h.at(Loc::Assessment(i, j), "AssessmentActualStartDate");
                h.at(Loc::Episode(i), "CINreferralDate");
            }
        }
    }
}

pub(crate) fn r8608(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        if lt(d(&a.authorised), d(&a.start)) {
            h.at(Loc::Assessment(i, j), "AssessmentActualStartDate");
            h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
        }
    }
}

pub(crate) fn r8614(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        if d(&a.authorised).is_none() && !factors(a).is_empty() {
            h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
        }
    }
}

pub(crate) fn r8670q(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        if d(&a.authorised).is_none() && lt(d(&a.start), cx.before_45_wd) {
            h.at(Loc::Assessment(i, j), "AssessmentActualStartDate");
            h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
        }
    }
}

pub(crate) fn r8696(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        if cx.outside(d(&a.authorised)) {
            h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
        }
    }
}

pub(crate) fn r8736(cx: &Cx, c: &Child, h: &mut Hits) {
    if cx.reference.is_none() {
        return;
    }
    for (i, j, a) in each(c) {
        let start = d(&a.start);
        if d(&a.authorised).is_none() && (start.is_none() || cx.outside(start)) {
            h.at(Loc::Assessment(i, j), "AssessmentActualStartDate");
        }
    }
}

pub(crate) fn r8863q(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        for (j, a) in e.assessments.iter().enumerate() {
            let Some(a_start) = d(&a.start) else { continue };
            for (k, b) in e.assessments.iter().enumerate() {
                let Some(b_start) = d(&b.start) else { continue };
                let (a_end, b_end) = (d(&a.authorised), d(&b.authorised));
                if a_start == b_start && a_end == b_end {
                    continue;
                }
                let inside = a_start >= b_start
                    && (b_end.is_some_and(|be| a_start <= be)
                        || (b_end.is_none() && cx.reference.is_some_and(|r| a_start <= r)));
                if inside {
                    h.at(Loc::Assessment(i, j), "AssessmentActualStartDate");
                    h.at(Loc::Assessment(i, k), "AssessmentAuthorisationDate");
                }
            }
        }
    }
}

pub(crate) fn r8867(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if d(&e.closure_date).is_none() {
            continue;
        }
        for (j, a) in e.assessments.iter().enumerate() {
            if d(&a.authorised).is_none() {
                h.at(Loc::Episode(i), "CINclosureDate");
                h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
            }
        }
    }
}

pub(crate) fn r8869(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        let f = factors(a);
        if f.iter().any(|x| x.as_deref() == Some("21")) && f.iter().any(|x| x.as_deref() != Some("21")) {
            for (k, x) in f.iter().enumerate() {
                if x.as_deref() != Some("21") {
                    h.at(Loc::Factor(i, j, k), "AssessmentFactors");
                }
            }
        }
    }
}

pub(crate) fn r8873q(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        let [a] = e.assessments.as_slice() else { continue };
        let no_factors = factors(a).iter().any(|x| x.as_deref().is_some_and(|v| v.contains("21")));
        if no_factors && !in_codes(&e.closure_reason, &["RC8", "RC9"]) {
            h.at(Loc::Assessment(i, 0), "AssessmentActualStartDate");
            h.at(Loc::Episode(i), "ReasonForClosure");
        }
    }
}

pub(crate) fn r8896(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if e.assessments.iter().filter(|a| d(&a.authorised).is_none()).count() > 1 {
            for j in 0..e.assessments.len() {
                h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
            }
        }
    }
}

pub(crate) fn r8897q(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        if !le(cx.start, d(&a.authorised)) {
            continue;
        }
        let f = factors(a);
        if f.is_empty() || f.iter().any(|x| !in_codes(x, FACTORS)) {
            h.at(Loc::Assessment(i, j), "AssessmentAuthorisationDate");
        }
    }
}

pub(crate) fn r8898(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, j, a) in each(c) {
        let f = factors(a);
        for (k, x) in f.iter().enumerate() {
            if x.is_some() && f.iter().filter(|o| *o == x).count() > 1 {
                h.at(Loc::Factor(i, j, k), "AssessmentFactors");
            }
        }
    }
}

fn retired(c: &Child, code: &str, h: &mut Hits) {
    for (i, j, a) in each(c) {
        for (k, x) in factors(a).iter().enumerate() {
            if x.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(code)) {
                h.at(Loc::Factor(i, j, k), "AssessmentFactors");
            }
        }
    }
}

pub(crate) fn r8945q(_: &Cx, c: &Child, h: &mut Hits) {
    retired(c, "18A", h);
}

pub(crate) fn r8950q(_: &Cx, c: &Child, h: &mut Hits) {
    retired(c, "19A", h);
}
