//! Tables → write → read gives the same census, for any census (the stable twin of the
//! `census_write` fuzz target in `fuzz/`, which needs nightly).
//!
//! Censuses are drawn at random, field by field, as the tables hold them: values from the code
//! lists of every year, dates in the schema's form and in others, flags as `true`/`false` and
//! `0`/`1`, text with XML's special characters, surrounding whitespace, carriage returns,
//! characters XML cannot carry, blanks and nulls; lists with empty entries; pre-proceedings
//! blocks with repeated or foreign field names. For every schema year:
//!
//! * writing keeping the values ([`Invalid::Keep`]) either fails because something cannot be
//!   written at all (and says so), or gives XML that reads back as exactly [`converted`]: the
//!   census as the writer documents writing it (trimmed, blanks absent, translated codes);
//! * the problems it returns are those [`check`] finds, and a refusing write fails exactly
//!   when there are some, and otherwise writes the same XML;
//! * writing what was read back gives the same XML again (read → write → read is identity).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use cinscope_census::model::{Assessment, CinPlan, CpPlan, Episode, Header, Section47, Text};
use cinscope_census::{
    check, converted, read_bytes, write_string, write_string_with, Census, Child, Invalid, Limits,
    ProblemKind, SexElement, PRE_PROCEEDINGS_FIELDS,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

fn value() -> impl Strategy<Value = Text> {
    prop_oneof![
        2 => Just(None),
        3 => select(vec![
            "M", "F", "U", "0", "1", "2", "9", "true", "FALSE", "RC1", "RC9", "5D", "1A", "24A", "18B", "RB", "NONE",
            "HAND", "WBRI", "N4", "PHY", "UN3", "201", "001", "2025", "CIN", "L", "A123456789123", "C0000001",
        ])
        .prop_map(|s| Some(s.to_string())),
        3 => (2000u32..2030, 1u32..13, 1u32..29, 0u8..4).prop_map(|(y, m, d, form)| Some(match form {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{d:02}/{m:02}/{y}"),
            2 => format!(" {y}-{m:02}-{d:02}\n"),
            _ => format!("{y}-{m:02}-{d:02}T09:30:00"),
        })),
        2 => "[ a-zA-Z0-9&<>\"'\\]\\r\\n\\t\u{e9}\u{1F600}\u{1}\u{a0}]{0,10}".prop_map(Some),
    ]
}

fn list() -> impl Strategy<Value = Option<Vec<Text>>> {
    prop_oneof![Just(None), vec(value(), 0..3).prop_map(Some)]
}

fn header() -> impl Strategy<Value = Header> {
    vec(value(), 9).prop_map(|v| Header {
        collection: v[0].clone(),
        year: v[1].clone(),
        reference_date: v[2].clone(),
        source_level: v[3].clone(),
        lea: v[4].clone(),
        software_code: v[5].clone(),
        release: v[6].clone(),
        serial_no: v[7].clone(),
        date_time: v[8].clone(),
    })
}

fn block() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        9 => select(PRE_PROCEEDINGS_FIELDS.to_vec()).prop_map(str::to_string),
        1 => Just("x></PreProceedingsandFGDM><Child>".to_string()),
    ];
    vec((name, value().prop_map(Option::unwrap_or_default)), 0..3)
}

fn episode() -> impl Strategy<Value = Episode> {
    (
        vec(value(), 7),
        vec((vec(value(), 3), list()), 0..2),
        vec(vec(value(), 2), 0..2),
        vec(vec(value(), 4), 0..2),
        vec((vec(value(), 5), vec(value(), 0..3)), 0..2),
        vec(block(), 0..2),
    )
        .prop_map(|(v, assessments, plans, s47, cpp, pre)| Episode {
            referral_date: v[0].clone(),
            referral_source: v[1].clone(),
            primary_need: v[2].clone(),
            closure_date: v[3].clone(),
            closure_reason: v[4].clone(),
            initial_cpc: v[5].clone(),
            referral_nfa: v[6].clone(),
            assessments: assessments
                .into_iter()
                .map(|(a, factors)| Assessment {
                    start: a[0].clone(),
                    internal_review: a[1].clone(),
                    authorised: a[2].clone(),
                    factors,
                })
                .collect(),
            cin_plans: plans
                .into_iter()
                .map(|p| CinPlan { start: p[0].clone(), end: p[1].clone() })
                .collect(),
            section47: s47
                .into_iter()
                .map(|s| Section47 {
                    start: s[0].clone(),
                    icpc_target: s[1].clone(),
                    initial_cpc: s[2].clone(),
                    icpc_not_required: s[3].clone(),
                })
                .collect(),
            cp_plans: cpp
                .into_iter()
                .map(|(p, reviews)| CpPlan {
                    start: p[0].clone(),
                    end: p[1].clone(),
                    initial_category: p[2].clone(),
                    latest_category: p[3].clone(),
                    previous_plans: p[4].clone(),
                    reviews,
                })
                .collect(),
            pre_proceedings: pre,
        })
}

fn child() -> impl Strategy<Value = Child> {
    (vec(value(), 9), any::<bool>(), list(), vec(episode(), 0..3)).prop_map(
        |(v, gender, disabilities, episodes)| Child {
            la_child_id: v[0].clone(),
            upn: v[1].clone(),
            former_upn: v[2].clone(),
            upn_unknown: v[3].clone(),
            birth_date: v[4].clone(),
            expected_birth_date: v[5].clone(),
            sex: v[6].clone(),
            sex_element: if gender { SexElement::GenderCurrent } else { SexElement::Sex },
            death_date: v[7].clone(),
            ethnicity: v[8].clone(),
            disabilities,
            episodes,
        },
    )
}

fn census() -> impl Strategy<Value = Census> {
    (header(), vec(child(), 0..4)).prop_map(|(header, children)| Census { header, children })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_census_back(census in census()) {
        for year in 2017..=2026 {
            let problems = check(&census, year).unwrap();
            let unwritable = problems.iter().any(|p| p.kind == ProblemKind::Unwritable);
            let kept = write_string_with(&census, year, Invalid::Keep);
            let strict = write_string(&census, year);
            prop_assert_eq!(strict.is_ok(), problems.is_empty(), "{} {:?}", year, problems);
            let (xml, report) = match kept {
                Ok(ok) => ok,
                Err(e) => {
                    prop_assert!(unwritable, "{}: refused without cause: {}", year, e);
                    continue;
                }
            };
            prop_assert!(!unwritable);
            prop_assert_eq!(&report, &problems);
            if let Ok(strict) = strict {
                prop_assert_eq!(&strict, &xml);
            }
            let (again, _) = read_bytes(xml.as_bytes(), Limits::default()).unwrap();
            prop_assert_eq!(&again, &converted(&census, year).unwrap(), "{}:\n{}", year, xml);
            let (xml2, _) = write_string_with(&again, year, Invalid::Keep).unwrap();
            prop_assert_eq!(&xml2, &xml, "{}", year);
        }
    }
}
