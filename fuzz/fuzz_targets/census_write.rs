//! Fuzzed census tables, written for every schema year and read back: the census comes back
//! exactly as the writer documents writing it (`converted`: trimmed, blanks absent, codes
//! translated), the problems reported are those `check` finds, a refusing write fails exactly
//! when there are some, and writing what was read gives the same XML again (read → write →
//! read identity). The same property runs on stable as a proptest
//! (`crates/cinscope-census/tests/write_read.rs`).
#![no_main]

use cinscope_census::model::{Assessment, CinPlan, CpPlan, Episode, Header, Section47, Text};
use cinscope_census::{
    check, converted, read_bytes, write_string, write_string_with, Census, Child, Invalid, Limits,
    ProblemKind, SexElement, PRE_PROCEEDINGS_FIELDS,
};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Codes of every year's lists (and some of none), so that the schema checks are reached.
const CODES: &[&str] = &[
    "M",
    "F",
    "U",
    "0",
    "1",
    "2",
    "9",
    "true",
    "FALSE",
    "RC1",
    "RC9",
    "5D",
    "1A",
    "24A",
    "18B",
    "RB",
    "NONE",
    "HAND",
    "WBRI",
    "N4",
    "PHY",
    "UN3",
    "201",
    "001",
    "2025",
    "CIN",
    "L",
    "A123456789123",
    "2024-06-03",
    "03/06/2024",
    "2023-05-23T11:14:05",
];

fn value(u: &mut Unstructured<'_>) -> Result<Text> {
    Ok(match u.int_in_range(0u8..=3)? {
        0 => None,
        1 => Some((*u.choose(CODES)?).to_string()),
        _ => Some(u.arbitrary::<String>()?),
    })
}

fn values(u: &mut Unstructured<'_>, n: usize) -> Result<Vec<Text>> {
    (0..n).map(|_| value(u)).collect()
}

fn list(u: &mut Unstructured<'_>) -> Result<Option<Vec<Text>>> {
    if u.arbitrary()? {
        let n = u.int_in_range(0..=3)?;
        Ok(Some(values(u, n)?))
    } else {
        Ok(None)
    }
}

fn episode(u: &mut Unstructured<'_>) -> Result<Episode> {
    let v = values(u, 7)?;
    let mut e = Episode {
        referral_date: v[0].clone(),
        referral_source: v[1].clone(),
        primary_need: v[2].clone(),
        closure_date: v[3].clone(),
        closure_reason: v[4].clone(),
        initial_cpc: v[5].clone(),
        referral_nfa: v[6].clone(),
        ..Episode::default()
    };
    for _ in 0..u.int_in_range(0..=2)? {
        let a = values(u, 3)?;
        e.assessments.push(Assessment {
            start: a[0].clone(),
            internal_review: a[1].clone(),
            authorised: a[2].clone(),
            factors: list(u)?,
        });
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let p = values(u, 2)?;
        e.cin_plans.push(CinPlan { start: p[0].clone(), end: p[1].clone() });
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let s = values(u, 4)?;
        e.section47.push(Section47 {
            start: s[0].clone(),
            icpc_target: s[1].clone(),
            initial_cpc: s[2].clone(),
            icpc_not_required: s[3].clone(),
        });
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let p = values(u, 5)?;
        let n = u.int_in_range(0..=3)?;
        e.cp_plans.push(CpPlan {
            start: p[0].clone(),
            end: p[1].clone(),
            initial_category: p[2].clone(),
            latest_category: p[3].clone(),
            previous_plans: p[4].clone(),
            reviews: values(u, n)?,
        });
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let mut block = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            let name = if u.ratio(1u8, 10)? {
                u.arbitrary::<String>()?
            } else {
                (*u.choose(&PRE_PROCEEDINGS_FIELDS)?).to_string()
            };
            block.push((name, value(u)?.unwrap_or_default()));
        }
        e.pre_proceedings.push(block);
    }
    Ok(e)
}

fn census(u: &mut Unstructured<'_>) -> Result<Census> {
    let h = values(u, 9)?;
    let header = Header {
        collection: h[0].clone(),
        year: h[1].clone(),
        reference_date: h[2].clone(),
        source_level: h[3].clone(),
        lea: h[4].clone(),
        software_code: h[5].clone(),
        release: h[6].clone(),
        serial_no: h[7].clone(),
        date_time: h[8].clone(),
    };
    let mut children = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let v = values(u, 9)?;
        let sex_element = if u.arbitrary()? { SexElement::GenderCurrent } else { SexElement::Sex };
        let disabilities = list(u)?;
        let mut episodes = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            episodes.push(episode(u)?);
        }
        children.push(Child {
            la_child_id: v[0].clone(),
            upn: v[1].clone(),
            former_upn: v[2].clone(),
            upn_unknown: v[3].clone(),
            birth_date: v[4].clone(),
            expected_birth_date: v[5].clone(),
            sex: v[6].clone(),
            sex_element,
            death_date: v[7].clone(),
            ethnicity: v[8].clone(),
            disabilities,
            episodes,
        });
    }
    Ok(Census { header, children })
}

fuzz_target!(|data: &[u8]| {
    let Ok(census) = census(&mut Unstructured::new(data)) else { return };
    for year in 2017..=2026 {
        let problems = check(&census, year).expect("a supported year");
        let unwritable = problems.iter().any(|p| p.kind == ProblemKind::Unwritable);
        let strict = write_string(&census, year);
        assert_eq!(strict.is_ok(), problems.is_empty(), "{year}: {problems:?}");
        let (xml, report) = match write_string_with(&census, year, Invalid::Keep) {
            Ok(ok) => ok,
            Err(e) => {
                assert!(unwritable, "{year}: refused without cause: {e}");
                continue;
            }
        };
        assert!(!unwritable, "{year}: written despite {problems:?}");
        assert_eq!(report, problems);
        if let Ok(strict) = strict {
            assert_eq!(strict, xml);
        }
        let (again, _) = read_bytes(xml.as_bytes(), Limits::default()).expect("written XML reads back");
        assert_eq!(again, converted(&census, year).expect("a supported year"), "{year}:\n{xml}");
        let (xml2, _) = write_string_with(&again, year, Invalid::Keep).expect("read back, written again");
        assert_eq!(xml2, xml, "{year}");
    }
});
