//! Seeded generator of realistic census returns, for benchmarks, tests and demos.
//!
//! Children follow a plausible path (referral → assessment → CIN plan, or S47 → conference →
//! child protection plan → reviews → closure), dates are coherent and inside the collection
//! year, and a small share of records (`error_rate`) carry one deliberate mistake so that
//! validation has something to find. Every value is one the year's schema accepts (the sex in
//! that year's codes, assessment factors from that year's list), and so are the mistakes:
//! they break DfE rules, not the schema, so a generated return is always a file the DfE would
//! load and then query. The same seed always gives the same file.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::model::{Assessment, Census, Child, CinPlan, CpPlan, Episode, Header, Section47, SexElement};
use crate::rules::{ETHNICITIES, FACTORS};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        let i = usize::try_from(self.below(xs.len() as u64)).unwrap_or(0);
        xs.get(i).copied().unwrap_or("")
    }
}

fn iso(d: NaiveDate) -> Option<String> {
    Some(d.format("%Y-%m-%d").to_string())
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

fn weekday_on_or_after(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => plus(d, 2),
        Weekday::Sun => plus(d, 1),
        _ => d,
    }
}

/// A UPN with a valid check letter for authority `lea`.
fn upn(rng: &mut Rng, lea: u32) -> String {
    let digits = format!("{lea:03}{:09}", rng.below(1_000_000_000));
    let sum: u32 = digits.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * (i as u32 + 2)).sum();
    let letter = b"ABCDEFGHJKLMNPQRTUVWXYZ".get((sum % 23) as usize).copied().unwrap_or(b'A') as char;
    format!("{letter}{digits}")
}

/// Generate a census of `children` children for the collection ending 31 March of `year`.
pub fn generate(children: usize, seed: u64, year: i32, error_rate: f64) -> Census {
    let reference = NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or_default();
    let start = NaiveDate::from_ymd_opt(year - 1, 4, 1).unwrap_or_default();
    let lea = 201 + u32::try_from(seed % 13).unwrap_or(0);
    let header = Header {
        collection: Some("CIN".into()),
        year: Some(year.to_string()),
        reference_date: iso(reference),
        source_level: Some("L".into()),
        lea: Some(lea.to_string()),
        software_code: Some("cinscope".into()),
        release: Some("generated".into()),
        serial_no: Some("001".into()),
        date_time: Some(format!("{year}-04-20T09:00:00")),
    };
    let sex_element = if year >= 2025 { SexElement::Sex } else { SexElement::GenderCurrent };
    // Factors the year's schema lists, leaving out 21 ("no factors") and the newest codes
    // (22A-24A), and the retired 18A and 19A.
    let year_factors: Vec<&str> = crate::schema::schema(year.clamp(2017, 2026))
        .and_then(|s| s.element("FactorsIdentifiedAtAssessment", "AssessmentFactors"))
        .and_then(|e| e.value_type())
        .and_then(|t| t.codes.as_ref())
        .map(|codes| {
            FACTORS
                .get(..FACTORS.len() - 4)
                .unwrap_or(FACTORS)
                .iter()
                .copied()
                .filter(|f| codes.iter().any(|c| c == f))
                .collect()
        })
        .unwrap_or_default();
    let kids = (0..children)
        .map(|i| {
            let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
            let place =
                Place { lea, start, reference, sex_element, plans: year >= 2022, factors: &year_factors };
            child(&mut rng, i, &place, error_rate)
        })
        .collect();
    Census { header, children: kids }
}

/// What every child of one return shares.
struct Place<'a> {
    lea: u32,
    start: NaiveDate,
    reference: NaiveDate,
    sex_element: SexElement,
    plans: bool,
    factors: &'a [&'a str],
}

fn child(rng: &mut Rng, i: usize, place: &Place<'_>, error_rate: f64) -> Child {
    let Place { lea, start, reference, sex_element, plans, factors: year_factors } = *place;
    // The sex in the year's codes: M/F from 2025 (Sex), 1/2 before (GenderCurrent).
    let (male, female) = if sex_element == SexElement::Sex { ("M", "F") } else { ("1", "2") };
    let age_days = 200 + rng.below(17 * 365);
    let birth = reference.checked_sub_days(Days::new(age_days)).unwrap_or(reference);
    let year_days = u64::try_from((reference - start).num_days()).unwrap_or(364);
    let disabled = rng.chance(0.1);
    let mut c = Child {
        la_child_id: Some(format!("C{i:07}")),
        upn: if age_days > 5 * 365 { Some(upn(rng, lea)) } else { None },
        upn_unknown: if age_days > 5 * 365 { None } else { Some("UN1".into()) },
        birth_date: iso(birth),
        sex: Some(if rng.chance(0.5) { male } else { female }.into()),
        sex_element,
        ethnicity: Some(rng.pick(ETHNICITIES).into()),
        disabilities: Some(if disabled {
            vec![Some("LD".into()), Some("COMM".into())]
        } else {
            vec![Some("NONE".into())]
        }),
        ..Child::default()
    };
    let referral = weekday_on_or_after(plus(start, rng.below(year_days.saturating_sub(40))));
    let mut e = Episode {
        referral_date: iso(referral),
        referral_source: Some(rng.pick(&["1A", "2A", "3A", "3B", "5A", "5B", "7", "9"]).into()),
        primary_need: Some(rng.pick(&["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"]).into()),
        referral_nfa: Some("0".into()),
        ..Episode::default()
    };
    if rng.chance(0.08) {
        e.referral_nfa = Some("1".into());
        e.closure_date = iso(referral);
        e.closure_reason = Some("RC1".into());
        c.episodes.push(e);
        return c;
    }
    let a_start = weekday_on_or_after(plus(referral, rng.below(5)));
    let a_end = weekday_on_or_after(plus(a_start, 7 + rng.below(60)));
    let mut a = Assessment { start: iso(a_start), ..Assessment::default() };
    let mut last = a_start;
    if a_end <= reference {
        a.authorised = iso(a_end);
        let n = 1 + rng.below(3);
        let mut fs: Vec<Option<String>> = Vec::new();
        while (fs.len() as u64) < n {
            let f = rng.pick(year_factors);
            if f.is_empty() {
                break;
            }
            if f != "18A" && f != "19A" && !fs.iter().any(|x| x.as_deref() == Some(f)) {
                fs.push(Some(f.into()));
            }
        }
        a.factors = Some(fs);
        last = a_end;
    }
    let authorised = a.authorised.is_some();
    e.assessments.push(a);
    if authorised && rng.chance(0.15) {
        let s_start = weekday_on_or_after(plus(referral, rng.below(3)));
        let icpc = weekday_on_or_after(plus(s_start, 5 + rng.below(10)));
        if icpc <= reference {
            e.section47.push(Section47 {
                start: iso(s_start),
                icpc_target: iso(weekday_on_or_after(plus(s_start, 14))),
                initial_cpc: iso(icpc),
                icpc_not_required: Some("0".into()),
            });
            let mut p = CpPlan {
                start: iso(icpc),
                initial_category: Some(rng.pick(&["NEG", "EMO", "PHY", "SAB", "MUL"]).into()),
                latest_category: None,
                previous_plans: Some(rng.below(3).to_string()),
                ..CpPlan::default()
            };
            p.latest_category = p.initial_category.clone();
            let review = weekday_on_or_after(plus(icpc, 90));
            if review <= reference {
                p.reviews.push(iso(review));
                last = last.max(review);
                if rng.chance(0.5) {
                    let end = plus(review, 1 + rng.below(30));
                    if end <= reference {
                        p.end = iso(end);
                        last = last.max(end);
                    }
                }
            }
            last = last.max(icpc);
            e.cp_plans.push(p);
        }
    } else if authorised && plans && rng.chance(0.4) {
        let p_start = plus(last, 1 + rng.below(10));
        if p_start <= reference {
            let mut p = CinPlan { start: iso(p_start), end: None };
            let p_end = plus(p_start, 30 + rng.below(200));
            if p_end <= reference && rng.chance(0.6) {
                p.end = iso(p_end);
                last = p_end;
            } else {
                last = p_start;
            }
            e.cin_plans.push(p);
        }
    }
    let open_items =
        e.cin_plans.iter().any(|p| p.end.is_none()) || e.cp_plans.iter().any(|p| p.end.is_none());
    if authorised && !open_items && rng.chance(0.7) {
        let close = plus(last, rng.below(20));
        if close <= reference {
            e.closure_date = iso(close);
            e.closure_reason =
                Some(if e.cin_plans.is_empty() && e.cp_plans.is_empty() { "RC8" } else { "RC1" }.into());
        }
    }
    if rng.chance(error_rate) {
        // Mistakes the schema lets through and the DfE's rules catch.
        match rng.below(4) {
            // 1580: the LA child ID must be letters and digits only.
            0 => c.la_child_id = Some(format!("C-{i:07}")),
            // 8610: a referral that went on to further action needs a primary need code.
            1 => e.primary_need = None,
            // 8630: the episode closes before its referral.
            2 => {
                e.closure_date = iso(referral.checked_sub_days(Days::new(7)).unwrap_or(referral));
                e.closure_reason = Some("RC7".into());
            }
            // 8535Q: the child's date of death is before the date of birth.
            _ => c.death_date = iso(birth.checked_sub_days(Days::new(30)).unwrap_or(birth)),
        }
    }
    c.episodes.push(e);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_mostly_clean() {
        let a = generate(500, 7, 2025, 0.0);
        assert_eq!(a, generate(500, 7, 2025, 0.0));
        assert_ne!(a, generate(500, 8, 2025, 0.0));
        let cal = cinscope_domain::Calendar::england_and_wales();
        let issues = crate::validate(&a, &cal, None).unwrap_or_default();
        let errors: Vec<_> = issues.iter().filter(|i| i.kind == crate::Kind::Error).collect();
        assert!(
            errors.is_empty(),
            "generated data with error_rate 0 should pass every error rule: {:?}",
            errors.first()
        );
    }
}
