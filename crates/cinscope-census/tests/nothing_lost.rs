//! Issue #26, census items: nothing read is lost or merged silently (4), every value is checked
//! against its type in the return's schema year (10), elements a return's year does not have
//! are named with the years that have them (14), 2886Q counts what the DfE's rule counts (16),
//! and the writer translates what the DfE maps between years and refuses the rest (17).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use cinscope_census::schema::{self, Content};
use cinscope_census::{
    check, read_bytes, validate, write_string, write_string_with, Census, CensusError, Invalid, Issue,
    Limits, ProblemKind, ReadNote,
};
use cinscope_domain::Calendar;

/// A 2025 return with one child holding every element of the 2025 schema once, each value
/// valid for 2025.
const FULL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2025</Year>
      <ReferenceDate>2025-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>201</LEA>
      <SoftwareCode>Case &amp; Co</SoftwareCode>
      <Release>1.0</Release>
      <SerialNo>001</SerialNo>
      <DateTime>2025-04-20T09:00:00</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>A1</LAchildID>
        <UPN>A123456789123</UPN>
        <FormerUPN>X98765432123B</FormerUPN>
        <UPNunknown>UN3</UPNunknown>
        <PersonBirthDate>2015-03-27</PersonBirthDate>
        <ExpectedPersonBirthDate>2015-04-01</ExpectedPersonBirthDate>
        <Sex>F</Sex>
        <PersonDeathDate>2025-03-01</PersonDeathDate>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-06-03</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode>
        <CINclosureDate>2025-02-27</CINclosureDate>
        <ReasonForClosure>RC1</ReasonForClosure>
        <DateOfInitialCPC>2024-07-01</DateOfInitialCPC>
        <Assessments>
          <AssessmentActualStartDate>2024-06-04</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2024-06-20</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2024-07-18</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>2A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates>
          <CINPlanStartDate>2024-08-01</CINPlanStartDate>
          <CINPlanEndDate>2024-09-01</CINPlanEndDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>2024-06-10</S47ActualStartDate>
          <InitialCPCtarget>2024-07-01</InitialCPCtarget>
          <DateOfInitialCPC>2024-07-01</DateOfInitialCPC>
          <ICPCnotRequired>0</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-07-01</CPPstartDate>
          <CPPendDate>2024-12-01</CPPendDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2024-10-01</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"#;

fn read(xml: &str) -> (Census, Vec<ReadNote>) {
    read_bytes(xml.as_bytes(), Limits::default()).unwrap()
}

fn issues(census: &Census, rules: &[&str]) -> Vec<Issue> {
    validate(census, &Calendar::england_and_wales(), Some(rules)).unwrap()
}

/// The first `<name>...</name>` block in `xml` (the element and its contents).
fn block<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no <{name}> in the return"));
    let end = start + xml[start..].find(&close).unwrap() + close.len();
    &xml[start..end]
}

// --- 4: nothing read is lost or merged silently ------------------------------------------------

#[test]
fn the_full_return_is_clean_and_reads_without_notes() {
    let (census, notes) = read(FULL);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(check(&census, 2025).unwrap().is_empty(), "{:?}", check(&census, 2025));
    assert!(issues(&census, &["XSD-TYPE", "XSD-REQUIRED", "XSD-ELEMENT"]).is_empty());
    // The spaces around an entity are kept (each text piece is not trimmed on its own).
    assert_eq!(census.header.software_code.as_deref(), Some("Case & Co"));
}

#[test]
fn a_repeated_la_child_id_or_referral_date_is_a_note_and_the_first_is_kept() {
    let twice =
        FULL.replacen("<LAchildID>A1</LAchildID>", "<LAchildID>A1</LAchildID><LAchildID>B2</LAchildID>", 1);
    let (census, notes) = read(&twice);
    assert_eq!(census.children.len(), 1);
    assert_eq!(census.children[0].la_child_id.as_deref(), Some("A1"));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].message.contains("a second <LAchildID> (\"B2\")"), "{}", notes[0].message);
    assert!(notes[0].path.ends_with("ChildIdentifiers/LAchildID"), "{}", notes[0].path);

    let twice = FULL.replacen(
        "<CINreferralDate>2024-06-03</CINreferralDate>",
        "<CINreferralDate>2024-06-03</CINreferralDate>\n<CINreferralDate>2024-01-09</CINreferralDate>",
        1,
    );
    let (census, notes) = read(&twice);
    assert_eq!(census.children[0].episodes.len(), 1);
    assert_eq!(census.children[0].episodes[0].referral_date.as_deref(), Some("2024-06-03"));
    assert!(notes.iter().any(|n| n.message.contains("<CINreferralDate> (\"2024-01-09\")")), "{notes:?}");
}

#[test]
fn every_single_valued_element_repeated_is_a_note_never_a_silent_change() {
    // Every element the 2025 schema allows once in its parent (and <Source>, which the schema
    // allows many times but a census holds once), repeated with a different value or content.
    let (original, _) = read(FULL);
    let s = schema::schema(2025).unwrap();
    let mut tried = 0;
    for (parent, e) in s.pairs() {
        if parent.is_empty() || e.name == "Message" || (e.max != Some(1) && e.name != "Source") {
            continue;
        }
        if matches!(e.name.as_str(), "Header" | "Children") {
            continue; // errors, tested below
        }
        let piece = block(FULL, &e.name);
        let changed = match &e.content {
            Content::Value(_) => {
                let value = &piece[e.name.len() + 2..piece.len() - e.name.len() - 3];
                format!("<{n}>{value}9</{n}>", n = e.name)
            }
            Content::Elements => piece.to_string(),
        };
        let xml = FULL.replacen(piece, &format!("{piece}\n{changed}"), 1);
        let (census, notes) = read(&xml);
        assert_eq!(census, original, "<{}> repeated changed the census", e.name);
        let mine: Vec<&ReadNote> =
            notes.iter().filter(|n| n.message.contains(&format!("a second <{}>", e.name))).collect();
        assert_eq!(mine.len(), 1, "<{}> repeated: {notes:?}", e.name);
        assert_eq!(notes.len(), 1, "<{}> repeated: {notes:?}", e.name);
        tried += 1;
    }
    assert!(tried >= 45, "only {tried} elements tried");
}

#[test]
fn sex_and_gender_current_together_are_one_value_and_a_note() {
    let both = FULL.replacen("<Sex>F</Sex>", "<Sex>F</Sex><GenderCurrent>1</GenderCurrent>", 1);
    let (census, notes) = read(&both);
    assert_eq!(census.children[0].sex.as_deref(), Some("F"));
    assert!(notes.iter().any(|n| n.message.contains("a second <GenderCurrent> (\"1\")")), "{notes:?}");
}

#[test]
fn two_documents_in_one_file_or_two_children_blocks_are_errors() {
    let two = format!("{FULL}{}", FULL.replacen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "", 1));
    let e = read_bytes(two.as_bytes(), Limits::default()).unwrap_err();
    assert!(e.to_string().contains("a second root element <Message>"), "{e}");
    let children = block(FULL, "Children");
    let merged = FULL.replacen(children, &format!("{children}{children}"), 1);
    let e = read_bytes(merged.as_bytes(), Limits::default()).unwrap_err();
    assert!(matches!(e, CensusError::Structure(_)) && e.to_string().contains("a second <Children>"), "{e}");
    let header = block(FULL, "Header");
    let e = read_bytes(FULL.replacen(header, &format!("{header}{header}"), 1).as_bytes(), Limits::default())
        .unwrap_err();
    assert!(e.to_string().contains("a second <Header>"), "{e}");
}

#[test]
fn an_unknown_pre_proceedings_element_or_a_repeated_one_is_a_note() {
    let block_xml =
        "<PreProceedingsandFGDM><PPStartDate>2024-09-09</PPStartDate><PPStartDate>2024-10-10</PPStartDate>\
                     <Nickname>x</Nickname></PreProceedingsandFGDM>";
    let xml = FULL.replacen("</ChildProtectionPlans>", &format!("</ChildProtectionPlans>{block_xml}"), 1);
    let (census, notes) = read(&xml);
    assert_eq!(
        census.children[0].episodes[0].pre_proceedings,
        vec![vec![("PPStartDate".to_string(), "2024-09-09".to_string())]]
    );
    assert!(notes.iter().any(|n| n.message.contains("a second <PPStartDate>")), "{notes:?}");
    assert!(notes.iter().any(|n| n.path.ends_with("PreProceedingsandFGDM/Nickname")), "{notes:?}");
}

// --- 10: every value against its type in the return's schema year ------------------------------

#[test]
fn a_day_month_year_date_is_a_finding_and_is_not_written_as_it_is() {
    let xml = FULL.replacen(
        "<CINreferralDate>2024-06-03</CINreferralDate>",
        "<CINreferralDate>03/06/2024</CINreferralDate>",
        1,
    );
    let (census, _) = read(&xml);
    let found = issues(&census, &["XSD-TYPE"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(
        (f.field, f.value.as_deref(), f.table.map(|t| t.name()), f.row),
        (Some("CINreferralDate"), Some("03/06/2024"), Some("CINdetails"), Some(0))
    );
    let e = write_string(&census, 2025).unwrap_err().to_string();
    assert!(e.contains("<CINreferralDate> \"03/06/2024\" is not an xs:date (YYYY-MM-DD)"), "{e}");
    let (written, report) = write_string_with(&census, 2025, Invalid::Keep).unwrap();
    assert!(written.contains("<CINreferralDate>03/06/2024</CINreferralDate>"));
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].kind, ProblemKind::Type);
}

#[test]
fn code_lists_follow_the_return_s_own_year() {
    // From the XSD files: RC9 and referral source 5D are listed from 2023, factor 24A from 2022,
    // 18B from 2021; the 2017 lists have none of them.
    let cases = [
        (
            "<ReasonForClosure>RC1</ReasonForClosure>",
            "<ReasonForClosure>RC9</ReasonForClosure>",
            "ReasonForClosure",
            2023,
        ),
        (
            "<ReferralSource>1A</ReferralSource>",
            "<ReferralSource>5D</ReferralSource>",
            "ReferralSource",
            2023,
        ),
        (
            "<AssessmentFactors>2A</AssessmentFactors>",
            "<AssessmentFactors>24A</AssessmentFactors>",
            "AssessmentFactors",
            2022,
        ),
        (
            "<AssessmentFactors>2A</AssessmentFactors>",
            "<AssessmentFactors>18B</AssessmentFactors>",
            "AssessmentFactors",
            2021,
        ),
    ];
    for (from, to, field, first) in cases {
        for year in 2017..=2026 {
            let xml = FULL
                .replacen(from, to, 1)
                .replacen("<Year>2025</Year>", &format!("<Year>{year}</Year>"), 1)
                .replacen("<CINPlanDates>", "<!--", 1)
                .replacen("</CINPlanDates>", "-->", 1)
                .replacen(
                    "<Sex>F</Sex>",
                    if year >= 2025 { "<Sex>F</Sex>" } else { "<GenderCurrent>2</GenderCurrent>" },
                    1,
                );
            let (census, notes) = read(&xml);
            assert!(notes.is_empty(), "{year}: {notes:?}");
            let found = issues(&census, &["XSD-TYPE", "XSD-REQUIRED", "XSD-ELEMENT"]);
            let expected: Vec<(&str, Option<&str>)> = if year < first {
                vec![(field, Some(&to[field.len() + 2..to.len() - field.len() - 3]))]
            } else {
                vec![]
            };
            let got: Vec<(&str, Option<&str>)> =
                found.iter().map(|i| (i.field.unwrap(), i.value.as_deref())).collect();
            assert_eq!(got, expected, "{to} in a {year} return");
        }
    }
}

#[test]
fn flags_lengths_patterns_and_required_elements_are_checked() {
    let cases = [
        ("<ReferralNFA>0</ReferralNFA>", "<ReferralNFA>true</ReferralNFA>", "XSD-TYPE", "ReferralNFA"),
        ("<LEA>201</LEA>", "<LEA>20</LEA>", "XSD-TYPE", "LEA"),
        ("<UPN>A123456789123</UPN>", "<UPN>A12345678912</UPN>", "XSD-TYPE", "UPN"),
        (
            "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>",
            "<NumberOfPreviousCPP>-1</NumberOfPreviousCPP>",
            "XSD-TYPE",
            "NumberOfPreviousCPP",
        ),
        (
            "<DateTime>2025-04-20T09:00:00</DateTime>",
            "<DateTime>20/04/2025 09:00</DateTime>",
            "XSD-TYPE",
            "DateTime",
        ),
        ("<ReferralNFA>0</ReferralNFA>", "", "XSD-REQUIRED", "ReferralNFA"),
        ("<Ethnicity>WBRI</Ethnicity>", "", "XSD-REQUIRED", "Ethnicity"),
        ("<Disability>HAND</Disability>", "", "XSD-REQUIRED", "Disability"),
    ];
    for (from, to, rule, field) in cases {
        let (census, _) = read(&FULL.replacen(from, to, 1));
        let found = issues(&census, &["XSD-TYPE", "XSD-REQUIRED", "XSD-ELEMENT"]);
        let got: Vec<(&str, &str)> = found.iter().map(|i| (i.rule, i.field.unwrap())).collect();
        assert_eq!(got, [(rule, field)], "{to:?}");
    }
}

// --- 14: elements the return's year does not have -----------------------------------------------

fn as_2017(xml: &str) -> String {
    xml.replacen("<Year>2025</Year>", "<Year>2017</Year>", 1)
        .replacen("<ReferenceDate>2025-03-31</ReferenceDate>", "<ReferenceDate>2017-03-31</ReferenceDate>", 1)
        .replacen("<Sex>F</Sex>", "<GenderCurrent>2</GenderCurrent>", 1)
}

#[test]
fn a_2017_return_with_cin_plan_dates_gets_a_note_and_a_write_error_naming_the_years() {
    let (census, notes) = read(&as_2017(FULL));
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = &notes[0].message;
    assert!(
        note.contains("<CINPlanDates>") && note.contains("2017") && note.contains("the 2022–2026 schemas"),
        "{note}"
    );
    let e = write_string(&census, 2017).unwrap_err().to_string();
    assert!(e.contains("<CINPlanDates> is not in the 2017 schema; the 2022–2026 schemas hold it"), "{e}");
    assert!(e.contains("A1"), "{e}");
    let found = issues(&census, &["XSD-ELEMENT"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].table.map(|t| t.name()), Some("CINplanDates"));
    // The same return is written for 2022 on.
    assert!(write_string(&census, 2022).is_ok());
}

#[test]
fn a_sex_element_before_2025_or_gender_current_after_is_noted() {
    let xml = FULL.replacen("<Year>2025</Year>", "<Year>2024</Year>", 1);
    let (_, notes) = read(&xml);
    assert!(
        notes.iter().any(|n| n.message.contains("<Sex>") && n.message.contains("the 2025–2026 schemas")),
        "{notes:?}"
    );
    let xml = FULL.replacen("<Sex>F</Sex>", "<GenderCurrent>2</GenderCurrent>", 1);
    let (_, notes) = read(&xml);
    assert!(
        notes
            .iter()
            .any(|n| n.message.contains("<GenderCurrent>") && n.message.contains("the 2017–2024 schemas")),
        "{notes:?}"
    );
}

// --- 16: 2886Q -------------------------------------------------------------------------------------

/// A return of 100 born children of `year`, `unknown` of them with sex `value` (None: no sex
/// element), the rest female.
fn return_with(year: i32, unknown: usize, value: Option<&str>, unborn: bool) -> Census {
    let mut census = cinscope_census::generate(100, 5, year, 0.0);
    let female = if year >= 2025 { "F" } else { "2" };
    for (i, c) in census.children.iter_mut().enumerate() {
        c.sex = Some(female.into());
        if i < unknown {
            c.sex = value.map(Into::into);
            if unborn {
                c.birth_date = None;
                c.expected_birth_date = Some(format!("{year}-05-01"));
            }
        }
    }
    census
}

#[test]
fn rule_2886q_counts_sex_not_known_or_not_recorded_in_the_year_s_codes() {
    let fires = |c: &Census| !issues(c, &["2886Q"]).is_empty();
    // The DfE: (children with sex "zero or missing" and no expected birth date) / children > 2%.
    // 3 of 100 is over 2%, 2 of 100 is not.
    for (year, value) in [(2024, Some("0")), (2025, Some("U")), (2025, None), (2024, None)] {
        assert!(fires(&return_with(year, 3, value, false)), "{year} {value:?} x3");
        assert!(!fires(&return_with(year, 2, value, false)), "{year} {value:?} x2");
        // Unborn children are left out.
        assert!(!fires(&return_with(year, 3, value, true)), "{year} {value:?} unborn");
    }
    // A 2025 return whose children have GenderCurrent codes has no <Sex> among its codes
    // (rule 4180 calls them invalid): not recorded.
    assert!(fires(&return_with(2025, 3, Some("1"), false)));
    // 9 ("indeterminate") is a recorded gender before 2025, and M and F are recorded sexes.
    assert!(!fires(&return_with(2024, 10, Some("9"), false)));
    assert!(!fires(&return_with(2025, 10, Some("M"), false)));
}

// --- 17: translation between years -----------------------------------------------------------------

#[test]
fn sex_codes_and_flags_are_translated_where_the_dfe_maps_them() {
    let (census, _) =
        read(&as_2017(FULL).replacen("<CINPlanDates>", "<!--", 1).replacen("</CINPlanDates>", "-->", 1));
    for (code, as_sex) in [("1", "M"), ("2", "F"), ("0", "U"), ("9", "U")] {
        let mut c = census.clone();
        c.children[0].sex = Some(code.into());
        c.children[0].episodes[0].referral_nfa = Some("false".into());
        c.children[0].episodes[0].section47[0].icpc_not_required = Some("TRUE".into());
        let xml = write_string(&c, 2025).unwrap();
        assert!(xml.contains(&format!("<Sex>{as_sex}</Sex>")), "{code}: {xml}");
        assert!(
            xml.contains("<ReferralNFA>0</ReferralNFA>")
                && xml.contains("<ICPCnotRequired>1</ICPCnotRequired>")
        );
        // And back: M, F to 1, 2; U only for an unborn child (0, "not recorded or unborn").
        let (again, _) = read(&xml);
        let back = write_string(&again, 2024);
        match as_sex {
            "M" | "F" => assert!(back.unwrap().contains(&format!("<GenderCurrent>{code}</GenderCurrent>"))),
            _ => {
                let e = back.unwrap_err().to_string();
                assert!(
                    e.contains(
                        "<GenderCurrent> \"U\" is not in the code list (1, 2, 0, 9) in the 2024 schema"
                    ),
                    "{e}"
                );
                let (kept, report) = write_string_with(&again, 2024, Invalid::Keep).unwrap();
                assert!(kept.contains("<GenderCurrent>U</GenderCurrent>") && report.len() == 1);
            }
        }
    }
    let mut unborn = census.clone();
    unborn.children[0].birth_date = None;
    unborn.children[0].sex = Some("U".into());
    assert!(write_string(&unborn, 2024).unwrap().contains("<GenderCurrent>0</GenderCurrent>"));
}

#[test]
fn values_without_a_mapping_are_refused_naming_the_years_that_take_them() {
    let (census, _) = read(&FULL.replacen(
        "<ReasonForClosure>RC1</ReasonForClosure>",
        "<ReasonForClosure>RC9</ReasonForClosure>",
        1,
    ));
    let e = write_string(&census, 2022).unwrap_err().to_string();
    assert!(
        e.contains("<ReasonForClosure> \"RC9\" is not in the code list")
            && e.contains("the 2023–2026 schemas accept it"),
        "{e}"
    );
    assert!(e.contains("nothing was written"), "{e}");
}

#[test]
fn characters_xml_cannot_hold_are_refused_even_when_keeping_values() {
    let (mut census, _) = read(FULL);
    census.children[0].upn = Some("A1\u{1}".into());
    for invalid in [Invalid::Refuse, Invalid::Keep] {
        let e = write_string_with(&census, 2025, invalid).unwrap_err().to_string();
        assert!(e.contains("U+0001"), "{e}");
    }
    // A name that is not a pre-proceedings element is never written as an element name.
    let (mut census, _) = read(FULL);
    census.children[0].episodes[0].pre_proceedings =
        vec![vec![("x></CINdetails><Child>".into(), "1".into())]];
    let e = write_string_with(&census, 2025, Invalid::Keep).unwrap_err().to_string();
    assert!(e.contains("is not a pre-proceedings element"), "{e}");
}
