//! The DfE's published Children in Need measures, computed from one census return.
//!
//! Every measure is a row (`measure`, `breakdown`, `value`) so that the caller can tabulate,
//! compare authorities and suppress small numbers uniformly. Working days are counted with
//! the calendar given, as "working days after the start, up to and including the end":
//! an assessment authorised the day it starts takes 0 working days ("same day").

use std::collections::HashMap;

use chrono::NaiveDate;
use cinscope_domain::Calendar;

use crate::model::{date, flag, Census};
use crate::validate::add_years;

/// One published figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// What is measured, e.g. `assessment_duration_wd`.
    pub measure: &'static str,
    /// The breakdown (band, code or `all`).
    pub breakdown: String,
    /// The value: a count, a rate in percent or a number of days.
    pub value: f64,
}

/// Bands of assessment duration in working days, as published.
pub const ASSESSMENT_BANDS: &[(&str, i64, i64)] = &[
    ("same day", 0, 0),
    ("1-10", 1, 10),
    ("11-20", 11, 20),
    ("21-30", 21, 30),
    ("31-40", 31, 40),
    ("41-45", 41, 45),
    ("46-50", 46, 50),
    ("51-60", 51, 60),
    ("61+", 61, i64::MAX),
];

/// Bands of working days from S47 start to initial conference, as published.
pub const ICPC_BANDS: &[(&str, i64, i64)] =
    &[("0-10", 0, 10), ("11-15", 11, 15), ("16-20", 16, 20), ("21+", 21, i64::MAX)];

/// Bands of duration in days for episodes and plans.
pub const DURATION_BANDS: &[(&str, i64, i64)] = &[
    ("under 3 months", 0, 90),
    ("3 to 6 months", 91, 182),
    ("6 months to 1 year", 183, 365),
    ("1 to 2 years", 366, 730),
    ("2 years or more", 731, i64::MAX),
];

fn band(bands: &'static [(&'static str, i64, i64)], x: i64) -> &'static str {
    bands.iter().find(|(_, lo, hi)| x >= *lo && x <= *hi).map_or("unknown", |b| b.0)
}

/// Quartile by linear interpolation between order statistics (the usual spreadsheet method).
pub fn quantile(sorted: &[i64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (*sorted.get(lo)? as f64, *sorted.get(hi)? as f64);
    Some(a + (b - a) * (pos - lo as f64))
}

struct Out(Vec<Measure>);

impl Out {
    fn put(&mut self, measure: &'static str, breakdown: impl Into<String>, value: f64) {
        self.0.push(Measure { measure, breakdown: breakdown.into(), value });
    }

    fn banded(&mut self, measure: &'static str, bands: &'static [(&'static str, i64, i64)], values: &[i64]) {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for v in values {
            *counts.entry(band(bands, *v)).or_default() += 1;
        }
        for (name, _, _) in bands {
            self.put(measure, *name, counts.get(name).copied().unwrap_or(0) as f64);
        }
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        for (name, q) in [("lower quartile", 0.25), ("median", 0.5), ("upper quartile", 0.75)] {
            if let Some(v) = quantile(&sorted, q) {
                self.put(measure, name, v);
            }
        }
    }

    fn by_code<'a>(&mut self, measure: &'static str, codes: impl Iterator<Item = Option<&'a str>>) {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for c in codes {
            *counts.entry(c.unwrap_or("missing").to_owned()).or_default() += 1;
        }
        for (code, n) in counts {
            self.put(measure, code, n as f64);
        }
    }
}

/// Compute the published measures for `census`. Returns an empty list when the reference
/// date is missing (nothing can be placed in a census year).
pub fn measures(census: &Census, calendar: &Calendar) -> Vec<Measure> {
    let mut out = Out(Vec::new());
    let Some((start, end)) = census.period() else { return out.0 };
    let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d >= start && d <= end);
    let wd = |a: NaiveDate, b: NaiveDate| calendar.working_days_between(a, b).ok();

    let mut referrals = 0usize;
    let mut rereferrals = 0usize;
    let mut nfa = 0usize;
    let mut assessment_wd = Vec::new();
    let mut icpc_wd = Vec::new();
    let mut open_children = 0usize;
    let mut episode_days = Vec::new();
    let mut cin_plans = [0usize; 3];
    let mut cin_plan_days = Vec::new();
    let mut cp_plans = [0usize; 3];
    let mut cp_plan_days = Vec::new();
    let mut needs_open: Vec<Option<&str>> = Vec::new();
    let mut closure_reasons: Vec<Option<&str>> = Vec::new();
    let mut referral_sources: Vec<Option<&str>> = Vec::new();

    for child in &census.children {
        let mut referral_dates: Vec<NaiveDate> =
            child.episodes.iter().filter_map(|e| date(&e.referral_date)).collect();
        referral_dates.sort_unstable();
        let mut open_here = false;
        for e in &child.episodes {
            let referral = date(&e.referral_date);
            let closure = date(&e.closure_date);
            if in_year(referral) {
                referrals += 1;
                referral_sources.push(e.referral_source.as_deref());
                if flag(&e.referral_nfa) == Some(true) {
                    nfa += 1;
                }
                if let Some(r) = referral {
                    let year_before = add_years(r, -1);
                    if referral_dates.iter().any(|p| *p < r && year_before.is_some_and(|y| *p >= y)) {
                        rereferrals += 1;
                    }
                }
            }
            if referral.is_some_and(|r| r <= end)
                && closure.is_none_or(|c| c > end)
                && flag(&e.referral_nfa) != Some(true)
            {
                if !open_here {
                    needs_open.push(e.primary_need.as_deref());
                }
                open_here = true;
            }
            if in_year(closure) {
                closure_reasons.push(e.closure_reason.as_deref());
                if let (Some(r), Some(c)) = (referral, closure) {
                    episode_days.push((c - r).num_days());
                }
            }
            for a in &e.assessments {
                let (s, f) = (date(&a.start), date(&a.authorised));
                if in_year(f) {
                    if let Some(n) = s.zip(f).and_then(|(s, f)| wd(s, f)) {
                        assessment_wd.push(n);
                    }
                }
            }
            for s in &e.section47 {
                let (st, icpc) = (date(&s.start), date(&s.initial_cpc));
                if in_year(icpc) {
                    if let Some(n) = st.zip(icpc).and_then(|(a, b)| wd(a, b)) {
                        icpc_wd.push(n);
                    }
                }
            }
            for p in &e.cin_plans {
                let (s, f) = (date(&p.start), date(&p.end));
                cin_plans[0] += usize::from(in_year(s));
                cin_plans[1] += usize::from(in_year(f));
                cin_plans[2] += usize::from(s.is_some_and(|s| s <= end) && f.is_none_or(|f| f > end));
                if let (true, Some(s), Some(f)) = (in_year(f), s, f) {
                    cin_plan_days.push((f - s).num_days());
                }
            }
            for p in &e.cp_plans {
                let (s, f) = (date(&p.start), date(&p.end));
                cp_plans[0] += usize::from(in_year(s));
                cp_plans[1] += usize::from(in_year(f));
                cp_plans[2] += usize::from(s.is_some_and(|s| s <= end) && f.is_none_or(|f| f > end));
                if let (true, Some(s), Some(f)) = (in_year(f), s, f) {
                    cp_plan_days.push((f - s).num_days());
                }
            }
        }
        open_children += usize::from(open_here);
    }

    out.put("children", "all", census.children.len() as f64);
    out.put("referrals", "all", referrals as f64);
    out.put("referrals_nfa", "all", nfa as f64);
    out.put("rereferrals_12_months", "all", rereferrals as f64);
    if referrals > 0 {
        out.put("rereferral_rate_pct", "all", 100.0 * rereferrals as f64 / referrals as f64);
    }
    out.by_code("referrals_by_source", referral_sources.into_iter());
    out.put("assessments_completed", "all", assessment_wd.len() as f64);
    out.banded("assessment_duration_wd", ASSESSMENT_BANDS, &assessment_wd);
    if !assessment_wd.is_empty() {
        let within = assessment_wd.iter().filter(|n| **n <= 45).count();
        out.put("assessments_within_45_wd_pct", "all", 100.0 * within as f64 / assessment_wd.len() as f64);
    }
    out.put("icpcs", "all", icpc_wd.len() as f64);
    out.banded("s47_to_icpc_wd", ICPC_BANDS, &icpc_wd);
    out.put("children_in_need_at_31_march", "all", open_children as f64);
    out.by_code("children_in_need_by_primary_need", needs_open.into_iter());
    out.put("episodes_ended", "all", episode_days.len() as f64);
    out.banded("episode_duration_days", DURATION_BANDS, &episode_days);
    out.by_code("episodes_ended_by_reason", closure_reasons.into_iter());
    for (i, what) in ["started", "ended", "open_at_31_march"].iter().enumerate() {
        out.put("cin_plans", *what, cin_plans.get(i).copied().unwrap_or(0) as f64);
        out.put("cp_plans", *what, cp_plans.get(i).copied().unwrap_or(0) as f64);
    }
    out.banded("cin_plan_duration_days", DURATION_BANDS, &cin_plan_days);
    out.banded("cp_plan_duration_days", DURATION_BANDS, &cp_plan_days);
    out.0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code
    use super::*;
    use crate::read_bytes;

    fn get(m: &[Measure], measure: &str, breakdown: &str) -> f64 {
        m.iter().find(|x| x.measure == measure && x.breakdown == breakdown).map_or(-1.0, |x| x.value)
    }

    #[test]
    fn hand_computed_return() {
        // Two children. A: referred 2 May 2024, assessed 2 May -> 13 May, closed 3 June (RC8);
        // re-referred 1 Oct 2024 (within 12 months), assessed the same day, open at 31 March.
        // B: referred 1 Aug 2024, S47 1 Aug, conference 15 Aug, CP plan from 15 Aug, open.
        let xml = r#"<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>
          <ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails><Source><LEA>201</LEA></Source></Header><Children>
          <Child><ChildIdentifiers><LAchildID>A</LAchildID></ChildIdentifiers><ChildCharacteristics/>
            <CINdetails><CINreferralDate>2024-05-02</CINreferralDate><PrimaryNeedCode>N1</PrimaryNeedCode>
              <CINclosureDate>2024-06-03</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure>
              <Assessments><AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
              <AssessmentAuthorisationDate>2024-05-13</AssessmentAuthorisationDate></Assessments><ReferralNFA>0</ReferralNFA></CINdetails>
            <CINdetails><CINreferralDate>2024-10-01</CINreferralDate><PrimaryNeedCode>N2</PrimaryNeedCode>
              <Assessments><AssessmentActualStartDate>2024-10-01</AssessmentActualStartDate>
              <AssessmentAuthorisationDate>2024-10-01</AssessmentAuthorisationDate></Assessments><ReferralNFA>0</ReferralNFA></CINdetails>
          </Child>
          <Child><ChildIdentifiers><LAchildID>B</LAchildID></ChildIdentifiers><ChildCharacteristics/>
            <CINdetails><CINreferralDate>2024-08-01</CINreferralDate><PrimaryNeedCode>N1</PrimaryNeedCode>
              <Section47><S47ActualStartDate>2024-08-01</S47ActualStartDate><DateOfInitialCPC>2024-08-15</DateOfInitialCPC>
              <ICPCnotRequired>0</ICPCnotRequired></Section47><ReferralNFA>0</ReferralNFA>
              <ChildProtectionPlans><CPPstartDate>2024-08-15</CPPstartDate></ChildProtectionPlans></CINdetails>
          </Child></Children></Message>"#;
        let (census, _) = read_bytes(xml.as_bytes(), crate::Limits::default()).unwrap();
        let m = measures(&census, &Calendar::england_and_wales());
        assert_eq!(get(&m, "referrals", "all"), 3.0);
        assert_eq!(get(&m, "rereferrals_12_months", "all"), 1.0);
        // 2 May -> 13 May 2024: 3, 7, 8, 9, 10, 13 May are the working days after 2 May
        // (4-5 and 11-12 are weekends, 6 May is the early May bank holiday): 6 working days.
        assert_eq!(get(&m, "assessment_duration_wd", "1-10"), 1.0);
        assert_eq!(get(&m, "assessment_duration_wd", "same day"), 1.0);
        assert_eq!(get(&m, "assessment_duration_wd", "median"), 3.0);
        // 1 Aug -> 15 Aug 2024: 2, 5, 6, 7, 8, 9, 12, 13, 14, 15 = 10 working days.
        assert_eq!(get(&m, "s47_to_icpc_wd", "0-10"), 1.0);
        assert_eq!(get(&m, "children_in_need_at_31_march", "all"), 2.0);
        assert_eq!(get(&m, "children_in_need_by_primary_need", "N1"), 1.0);
        assert_eq!(get(&m, "children_in_need_by_primary_need", "N2"), 1.0);
        assert_eq!(get(&m, "cp_plans", "open_at_31_march"), 1.0);
        assert_eq!(get(&m, "episodes_ended_by_reason", "RC8"), 1.0);
        assert_eq!(get(&m, "episode_duration_days", "under 3 months"), 1.0);
    }
}
