//! Pins every England and Wales bank holiday 2000–2030 against the published list.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use cinscope::domain::calendar::england_and_wales_bank_holidays;
use cinscope::domain::Calendar;

fn published() -> BTreeMap<i32, Vec<NaiveDate>> {
    let text = include_str!("data/bank_holidays_england_wales_2000_2030.csv");
    let mut by_year: BTreeMap<i32, Vec<NaiveDate>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.starts_with("date,")) {
        let date = line.split(',').next().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let date = date.unwrap_or_else(|| panic!("bad fixture line: {line}"));
        by_year.entry(date.year()).or_default().push(date);
    }
    by_year
}

#[test]
fn every_year_2000_to_2030_matches_the_published_list() {
    let published = published();
    assert_eq!(published.len(), 31);
    for (year, want) in published {
        let got: Vec<NaiveDate> =
            england_and_wales_bank_holidays(year).unwrap().into_iter().map(|h| h.date).collect();
        assert_eq!(got, want, "bank holidays of {year}");
    }
}

#[test]
fn the_default_calendar_closes_exactly_those_days() {
    let calendar = Calendar::england_and_wales();
    let published: Vec<NaiveDate> = published().into_values().flatten().collect();
    let closed: Vec<NaiveDate> =
        calendar.closed_days().map(|(d, _)| d).filter(|d| d.year() <= 2030).collect();
    assert_eq!(closed, published);
    for date in &published {
        assert_eq!(calendar.is_working_day(*date), Ok(false), "{date}");
    }
}

#[test]
fn substitute_and_one_off_days_named() {
    let names: BTreeMap<NaiveDate, String> = (2000..=2035)
        .flat_map(|y| england_and_wales_bank_holidays(y).unwrap())
        .map(|h| (h.date, h.name))
        .collect();
    let name = |y, m, d| names.get(&NaiveDate::from_ymd_opt(y, m, d).unwrap()).cloned().unwrap_or_default();
    assert_eq!(name(2020, 5, 8), "Early May bank holiday (VE day)");
    assert_eq!(name(2022, 9, 19), "Bank holiday for the State Funeral of Queen Elizabeth II");
    assert_eq!(name(2027, 12, 27), "Christmas Day (substitute day)");
    assert_eq!(name(2033, 1, 3), "New Year's Day (substitute day)");
    assert!(!names.contains_key(&NaiveDate::from_ymd_opt(2020, 5, 4).unwrap()));
}
