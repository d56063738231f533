//! Rules on CIN episodes (`CINdetails`).

use chrono::{Days, NaiveDate};

use super::{d, further_action, in_codes, nfa};
use crate::model::{flag, Child};
use crate::validate::{lt, Cx, Hits, Loc};

fn closed_after_assessment(reason: &Option<String>) -> bool {
    in_codes(reason, &["RC8", "RC9"])
}

pub(crate) fn r2990(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if !closed_after_assessment(&e.closure_reason) {
            continue;
        }
        let mut found = false;
        if d(&e.initial_cpc).is_some() {
            h.at(Loc::Episode(i), "DateOfInitialCPC");
            found = true;
        }
        for p in 0..e.cp_plans.len() {
            h.at(Loc::Cpp(i, p), "CPPstartDate");
            found = true;
        }
        for s in 0..e.section47.len() {
            h.at(Loc::S47(i, s), "S47ActualStartDate");
            found = true;
        }
        for p in 0..e.cin_plans.len() {
            h.at(Loc::Plan(i, p), "CINPlanStartDate");
            found = true;
        }
        if found {
            h.at(Loc::Episode(i), "ReasonForClosure");
        }
    }
}

pub(crate) fn r8555q(_: &Cx, c: &Child, h: &mut Hits) {
    let death = d(&c.death_date);
    for (i, e) in c.episodes.iter().enumerate() {
        if lt(death, d(&e.referral_date)) {
            h.at(Loc::Episode(i), "CINreferralDate");
            h.at(Loc::Child, "PersonDeathDate");
        }
    }
}

pub(crate) fn r8565(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        let Some(closed) = d(&e.closure_date) else { continue };
        let after = |x: Option<NaiveDate>| x.is_some_and(|x| x > closed);
        let mut found = false;
        let mut mark = |loc: Loc, field: &'static str, h: &mut Hits| {
            h.at(loc, field);
            found = true;
        };
        if after(d(&e.initial_cpc)) {
            mark(Loc::Episode(i), "DateOfInitialCPC", h);
        }
        for (j, a) in e.assessments.iter().enumerate() {
            if after(d(&a.start)) {
                mark(Loc::Assessment(i, j), "AssessmentActualStartDate", h);
            }
            if after(d(&a.authorised)) {
                mark(Loc::Assessment(i, j), "AssessmentAuthorisationDate", h);
            }
        }
        for (j, s) in e.section47.iter().enumerate() {
            if after(d(&s.start)) {
                mark(Loc::S47(i, j), "S47ActualStartDate", h);
            }
            if after(d(&s.initial_cpc)) {
                mark(Loc::S47(i, j), "DateOfInitialCPC", h);
            }
        }
        for (j, p) in e.cp_plans.iter().enumerate() {
            if after(d(&p.end)) {
                mark(Loc::Cpp(i, j), "CPPendDate", h);
            }
        }
        for (j, p) in e.cin_plans.iter().enumerate() {
            if after(d(&p.start)) {
                mark(Loc::Plan(i, j), "CINPlanStartDate", h);
            }
            if after(d(&p.end)) {
                mark(Loc::Plan(i, j), "CINPlanEndDate", h);
            }
        }
        if found {
            h.at(Loc::Episode(i), "CINclosureDate");
        }
    }
}

pub(crate) fn r8568(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if flag(&e.referral_nfa).is_none() {
            h.at(Loc::Episode(i), "ReferralNFA");
        }
    }
}

pub(crate) fn r8569q(cx: &Cx, c: &Child, h: &mut Hits) {
    let Some(first) = cx.first_working_day else { return };
    for (i, e) in c.episodes.iter().enumerate() {
        if d(&e.referral_date).is_some_and(|r| r < first) && !further_action(e) {
            h.at(Loc::Episode(i), "CINreferralDate");
            h.at(Loc::Episode(i), "ReferralNFA");
        }
    }
}

pub(crate) fn r8585q(_: &Cx, c: &Child, h: &mut Hits) {
    if d(&c.death_date).is_some() {
        return;
    }
    for (i, e) in c.episodes.iter().enumerate() {
        if e.closure_reason.as_deref() == Some("RC2") {
            h.at(Loc::Episode(i), "ReasonForClosure");
            h.at(Loc::Child, "PersonDeathDate");
        }
    }
}

pub(crate) fn r8600(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        let r = d(&e.referral_date);
        if r.is_none() || cx.after_end(r) {
            h.at(Loc::Episode(i), "CINreferralDate");
        }
    }
}

pub(crate) fn r8606(_: &Cx, c: &Child, h: &mut Hits) {
    let weeks40 = |x: Option<NaiveDate>| x.and_then(|x| x.checked_sub_days(Days::new(280)));
    let birth = weeks40(d(&c.birth_date));
    let expected = weeks40(d(&c.expected_birth_date));
    for (i, e) in c.episodes.iter().enumerate() {
        let r = d(&e.referral_date);
        if lt(r, birth) || lt(r, expected) {
            h.at(Loc::Episode(i), "CINreferralDate");
            h.at(Loc::Child, if lt(r, birth) { "PersonBirthDate" } else { "ExpectedPersonBirthDate" });
        }
    }
}

pub(crate) fn r8610(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if further_action(e) && e.primary_need.is_none() {
            h.at(Loc::Episode(i), "PrimaryNeedCode");
        }
    }
}

pub(crate) fn r8620(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if cx.outside(d(&e.closure_date)) {
            h.at(Loc::Episode(i), "CINclosureDate");
        }
    }
}

pub(crate) fn r8630(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if lt(d(&e.closure_date), d(&e.referral_date)) {
            h.at(Loc::Episode(i), "CINclosureDate");
            h.at(Loc::Episode(i), "CINreferralDate");
        }
    }
}

/// Reasons for closure in the code set.
pub const CLOSURE_REASONS: &[&str] = &["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"];
/// Primary need codes in the code set.
pub const PRIMARY_NEEDS: &[&str] = &["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"];
/// Referral sources in the code set.
pub const REFERRAL_SOURCES: &[&str] = &[
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6",
    "7", "8", "9", "10",
];

pub(crate) fn r8640(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if e.closure_reason.is_some() && !in_codes(&e.closure_reason, CLOSURE_REASONS) {
            h.at(Loc::Episode(i), "ReasonForClosure");
        }
    }
}

pub(crate) fn r8650(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if e.primary_need.is_some() && !in_codes(&e.primary_need, PRIMARY_NEEDS) {
            h.at(Loc::Episode(i), "PrimaryNeedCode");
        }
    }
}

pub(crate) fn r8805(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if d(&e.closure_date).is_some() && e.closure_reason.is_none() {
            h.at(Loc::Episode(i), "CINclosureDate");
            h.at(Loc::Episode(i), "ReasonForClosure");
        }
    }
}

pub(crate) fn r8810(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if e.closure_reason.is_some() && d(&e.closure_date).is_none() {
            h.at(Loc::Episode(i), "ReasonForClosure");
            h.at(Loc::Episode(i), "CINclosureDate");
        }
    }
}

pub(crate) fn r8815(_: &Cx, c: &Child, h: &mut Hits) {
    let open_with_action =
        c.episodes.iter().filter(|e| d(&e.closure_date).is_none() && further_action(e)).count();
    if open_with_action > 1 {
        for (i, e) in c.episodes.iter().enumerate() {
            if d(&e.closure_date).is_none() {
                h.at(Loc::Episode(i), "CINclosureDate");
                h.at(Loc::Episode(i), "ReferralNFA");
            }
        }
    }
}

pub(crate) fn r8816(_: &Cx, c: &Child, h: &mut Hits) {
    // The latest episode: latest referral date, the first such in file order.
    let mut latest: Option<(usize, NaiveDate)> = None;
    for (i, e) in c.episodes.iter().enumerate() {
        if let Some(r) = d(&e.referral_date) {
            if latest.is_none_or(|(_, best)| r > best) {
                latest = Some((i, r));
            }
        }
    }
    let Some((latest_i, _)) = latest else { return };
    for (i, e) in c.episodes.iter().enumerate() {
        if i != latest_i && d(&e.referral_date).is_some() && d(&e.closure_date).is_none() && further_action(e)
        {
            h.at(Loc::Episode(i), "CINreferralDate");
            h.at(Loc::Episode(i), "CINclosureDate");
            h.at(Loc::Episode(latest_i), "CINreferralDate");
        }
    }
}

pub(crate) fn r8820(cx: &Cx, c: &Child, h: &mut Hits) {
    for (i, a) in c.episodes.iter().enumerate() {
        let Some(a_ref) = d(&a.referral_date) else { continue };
        for (j, b) in c.episodes.iter().enumerate() {
            let Some(b_ref) = d(&b.referral_date) else { continue };
            if i == j || a_ref < b_ref {
                continue;
            }
            let b_close = d(&b.closure_date);
            let inside_closed = b_close.is_some_and(|bc| a_ref < bc);
            let inside_open =
                b_close.is_none() && cx.reference.is_some_and(|r| a_ref < r) && further_action(b);
            if inside_closed || inside_open {
                h.at(Loc::Episode(i), "CINreferralDate");
                h.at(Loc::Episode(j), "CINreferralDate");
                h.at(Loc::Episode(j), "CINclosureDate");
            }
        }
    }
}

pub(crate) fn r8825q(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if closed_after_assessment(&e.closure_reason) && e.assessments.is_empty() {
            h.at(Loc::Episode(i), "ReasonForClosure");
        }
    }
}

pub(crate) fn r8831(_: &Cx, c: &Child, h: &mut Hits) {
    for (i, e) in c.episodes.iter().enumerate() {
        if !nfa(e) {
            continue;
        }
        let mut found = false;
        if d(&e.initial_cpc).is_some() {
            h.at(Loc::Episode(i), "DateOfInitialCPC");
            found = true;
        }
        for (j, s) in e.section47.iter().enumerate() {
            if d(&s.start).is_some() {
                h.at(Loc::S47(i, j), "S47ActualStartDate");
                found = true;
            }
        }
        for (j, a) in e.assessments.iter().enumerate() {
            if d(&a.start).is_some() || d(&a.authorised).is_some() {
                h.at(Loc::Assessment(i, j), "AssessmentActualStartDate");
                found = true;
            }
        }
        if found {
            h.at(Loc::Episode(i), "ReferralNFA");
        }
    }
}

pub(crate) fn r8866(_: &Cx, c: &Child, h: &mut Hits) {
    let since = NaiveDate::from_ymd_opt(2013, 4, 1);
    for (i, e) in c.episodes.iter().enumerate() {
        let r = d(&e.referral_date);
        if !lt(r, since) && r.is_some() && !in_codes(&e.referral_source, REFERRAL_SOURCES) {
            h.at(Loc::Episode(i), "ReferralSource");
        }
    }
}
