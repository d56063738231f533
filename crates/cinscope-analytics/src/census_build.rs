//! A census rebuilt from its tables (as [`crate::census::census_tables`] makes them, perhaps
//! edited or assembled from a case-management extract), so that it can be validated and
//! written as XML for any schema year.
//!
//! Children are the rows of `ChildIdentifiers`, in order, identified by `LAchildID`; every other
//! table attaches to them by `LAchildID` and its keys (`CINdetailsID`, then `AssessmentID` or
//! `CPPID` or `PreProceedingsID`), ordered by key. Values are written as text: `Date` columns as
//! `YYYY-MM-DD`, numbers as digits; null is an absent element. What cannot be placed (a
//! duplicate or null `LAchildID`, a row whose keys match no parent, a missing column) is an
//! error that names the table, the column, the row and the value: nothing is dropped. Column
//! names are checked against each table's columns (the census schemas' element names and the
//! keys): a column that is not one of them is an error naming the table and the column and
//! listing the columns allowed, so a name never reaches the XML as an element name, and a
//! misspelt column is never silently ignored.

use std::collections::{BTreeMap, HashMap};

use cinscope_census::model::{Assessment, Census, Child, CinPlan, CpPlan, Episode, Header, Section47, Text};
use polars::prelude::*;

use cinscope_census::PRE_PROCEEDINGS_FIELDS;

/// Why tables could not be made into a census.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct TablesError(pub String);

type Result<T> = std::result::Result<T, TablesError>;

fn err<T>(message: String) -> Result<T> {
    Err(TablesError(message))
}

/// One table's columns as text.
struct Table<'a> {
    name: &'a str,
    frame: &'a DataFrame,
}

impl<'a> Table<'a> {
    fn height(&self) -> usize {
        self.frame.height()
    }

    fn text(&self, column: &str) -> Result<Vec<Text>> {
        let Ok(col) = self.frame.column(column) else {
            let have: Vec<String> = self.frame.get_column_names().iter().map(|s| s.to_string()).collect();
            return err(format!(
                "table {} has no column '{column}' (it has: {})",
                self.name,
                have.join(", ")
            ));
        };
        let as_text = col
            .cast(&DataType::String)
            .map_err(|e| TablesError(format!("table {}, column '{column}': {e}", self.name)))?;
        let strings =
            as_text.str().map_err(|e| TablesError(format!("table {}, column '{column}': {e}", self.name)))?;
        Ok(strings.iter().map(|v| v.map(str::to_string)).collect())
    }

    fn optional_text(&self, column: &str) -> Result<Vec<Text>> {
        if self.frame.column(column).is_ok() {
            self.text(column)
        } else {
            Ok(vec![None; self.height()])
        }
    }

    fn key(&self, column: &str) -> Result<Vec<i64>> {
        let values = self.text(column)?;
        values
            .into_iter()
            .enumerate()
            .map(|(row, v)| match v.as_deref().map(str::parse::<i64>) {
                Some(Ok(k)) => Ok(k),
                _ => err(format!(
                    "table {}, row {row}: key column '{column}' must be a whole number, got {}",
                    self.name,
                    v.map_or("null".to_string(), |v| format!("'{v}'"))
                )),
            })
            .collect()
    }
}

/// Finds a child's index by `LAchildID`.
struct Children<'a> {
    index: HashMap<&'a str, usize>,
}

impl Children<'_> {
    fn of(&self, table: &str, row: usize, id: &Text) -> Result<usize> {
        match id.as_deref() {
            None => err(format!("table {table}, row {row}: LAchildID is null")),
            Some(id) => match self.index.get(id) {
                Some(i) => Ok(*i),
                None => err(format!("table {table}, row {row}: LAchildID '{id}' is not in ChildIdentifiers")),
            },
        }
    }
}

/// Rows of a child table grouped by (child, keys...), in key order.
type Grouped = BTreeMap<(usize, i64, i64), Vec<usize>>;

fn get<'a>(tables: &'a [(String, DataFrame)], name: &'a str) -> Option<Table<'a>> {
    tables.iter().find(|(n, _)| n == name).map(|(_, frame)| Table { name, frame })
}

fn required<'a>(tables: &'a [(String, DataFrame)], name: &'a str) -> Result<Table<'a>> {
    get(tables, name).map_or_else(|| err(format!("there is no {name} table")), Ok)
}

/// Rebuilds a census from named tables. `Header` and `ChildIdentifiers` are required; the other
/// tables may be left out (no rows). Unknown table names are an error, so that a misspelt name
/// is not silently ignored.
pub fn census_from_tables(tables: &[(String, DataFrame)]) -> Result<Census> {
    const KNOWN: [&str; 12] = [
        "Header",
        "ChildIdentifiers",
        "ChildCharacteristics",
        "Disabilities",
        "CINdetails",
        "Assessments",
        "AssessmentFactorsList",
        "CINplanDates",
        "Section47",
        "ChildProtectionPlans",
        "Reviews",
        "PreProceedings",
    ];
    for (name, _) in tables {
        if !KNOWN.contains(&name.as_str()) {
            return err(format!("unknown table '{name}': the tables are {}", KNOWN.join(", ")));
        }
    }
    for (name, frame) in tables {
        check_columns(name, frame)?;
    }
    let header = header(&required(tables, "Header")?)?;
    let ids = required(tables, "ChildIdentifiers")?;
    let la = ids.text("LAchildID")?;
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (row, id) in la.iter().enumerate() {
        let Some(id) = id.as_deref() else {
            return err(format!("table ChildIdentifiers, row {row}: LAchildID is null"));
        };
        if let Some(first) = index.insert(id, row) {
            return err(format!(
                "table ChildIdentifiers, rows {first} and {row}: LAchildID '{id}' appears twice, \
                 so the other tables' rows cannot be attributed"
            ));
        }
    }
    let children_index = Children { index };
    let columns = |t: &Table<'_>, names: &[&str]| -> Result<Vec<Vec<Text>>> {
        names.iter().map(|n| t.text(n)).collect()
    };
    if ids.frame.column("Sex").is_ok() && ids.frame.column("GenderCurrent").is_ok() {
        return err(
            "table ChildIdentifiers has both a Sex and a GenderCurrent column: a child has one sex, \
                    so keep one of them (the writer names it for the year written)"
                .to_string(),
        );
    }
    let sex =
        if ids.frame.column("Sex").is_ok() { ids.text("Sex")? } else { ids.optional_text("GenderCurrent")? };
    let v = columns(
        &ids,
        &["UPN", "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate", "PersonDeathDate"],
    )?;
    let mut children: Vec<Child> = (0..ids.height())
        .map(|r| {
            let at = |c: usize| v.get(c).and_then(|col| col.get(r)).cloned().flatten();
            Child {
                la_child_id: la.get(r).cloned().flatten(),
                upn: at(0),
                former_upn: at(1),
                upn_unknown: at(2),
                birth_date: at(3),
                expected_birth_date: at(4),
                sex: sex.get(r).cloned().flatten(),
                death_date: at(5),
                ..Child::default()
            }
        })
        .collect();

    if let Some(t) = get(tables, "ChildCharacteristics") {
        let who = t.text("LAchildID")?;
        let ethnicity = t.text("Ethnicity")?;
        for (row, (id, value)) in who.iter().zip(ethnicity).enumerate() {
            let c = children_index.of(t.name, row, id)?;
            if let Some(child) = children.get_mut(c) {
                child.ethnicity = value;
            }
        }
    }
    if let Some(t) = get(tables, "Disabilities") {
        let who = t.text("LAchildID")?;
        let values = t.text("Disability")?;
        let mut rows_of: BTreeMap<usize, Vec<Text>> = BTreeMap::new();
        for (row, (id, value)) in who.iter().zip(values).enumerate() {
            rows_of.entry(children_index.of(t.name, row, id)?).or_default().push(value);
        }
        for (c, values) in rows_of {
            if let Some(child) = children.get_mut(c) {
                child.disabilities = Some(list_of(values));
            }
        }
    }

    // Episodes, keyed by (child, CINdetailsID).
    let mut episode_at: HashMap<(usize, i64), (usize, usize)> = HashMap::new();
    if let Some(t) = get(tables, "CINdetails") {
        let who = t.text("LAchildID")?;
        let keys = t.key("CINdetailsID")?;
        let names = [
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "CINclosureDate",
            "ReasonForClosure",
            "DateOfInitialCPC",
            "ReferralNFA",
        ];
        let v = columns(&t, &names)?;
        let mut order: Grouped = BTreeMap::new();
        for (row, (id, key)) in who.iter().zip(&keys).enumerate() {
            let c = children_index.of(t.name, row, id)?;
            order.entry((c, *key, 0)).or_default().push(row);
        }
        for ((c, key, _), rows) in order {
            if rows.len() > 1 {
                return err(format!(
                    "table CINdetails, rows {rows:?}: CINdetailsID {key} appears more than once for LAchildID '{}'",
                    la.get(c).cloned().flatten().unwrap_or_default()
                ));
            }
            let Some(&r) = rows.first() else { continue };
            let at = |i: usize| v.get(i).and_then(|col| col.get(r)).cloned().flatten();
            let Some(child) = children.get_mut(c) else { continue };
            episode_at.insert((c, key), (c, child.episodes.len()));
            child.episodes.push(Episode {
                referral_date: at(0),
                referral_source: at(1),
                primary_need: at(2),
                closure_date: at(3),
                closure_reason: at(4),
                initial_cpc: at(5),
                referral_nfa: at(6),
                ..Episode::default()
            });
        }
    }
    let episode_of = |table: &str, row: usize, c: usize, key: i64| -> Result<(usize, usize)> {
        episode_at.get(&(c, key)).copied().map_or_else(
            || {
                err(format!(
                    "table {table}, row {row}: no CINdetails row with LAchildID '{}' and CINdetailsID {key}",
                    la.get(c).cloned().flatten().unwrap_or_default()
                ))
            },
            Ok,
        )
    };
    // Rows of a table keyed below the episode, grouped by (child, episode key, own key).
    let grouped = |t: &Table<'_>, own: Option<&str>| -> Result<Grouped> {
        let who = t.text("LAchildID")?;
        let keys = t.key("CINdetailsID")?;
        let owns = match own {
            Some(column) => t.key(column)?,
            None => (0..t.height() as i64).collect(),
        };
        let mut out: Grouped = BTreeMap::new();
        for (row, ((id, key), own)) in who.iter().zip(&keys).zip(&owns).enumerate() {
            let c = children_index.of(t.name, row, id)?;
            episode_of(t.name, row, c, *key)?;
            out.entry((c, *key, *own)).or_default().push(row);
        }
        Ok(out)
    };

    let mut assessment_at: HashMap<(usize, i64, i64), usize> = HashMap::new();
    if let Some(t) = get(tables, "Assessments") {
        let v = columns(
            &t,
            &["AssessmentActualStartDate", "AssessmentInternalReviewDate", "AssessmentAuthorisationDate"],
        )?;
        for ((c, key, own), rows) in grouped(&t, Some("AssessmentID"))? {
            if rows.len() > 1 {
                return err(format!("table Assessments, rows {rows:?}: AssessmentID {own} appears more than once in one episode"));
            }
            let Some(&r) = rows.first() else { continue };
            let at = |i: usize| v.get(i).and_then(|col| col.get(r)).cloned().flatten();
            if let Some(e) = episode_mut(&mut children, &episode_at, c, key) {
                assessment_at.insert((c, key, own), e.assessments.len());
                e.assessments.push(Assessment {
                    start: at(0),
                    internal_review: at(1),
                    authorised: at(2),
                    factors: None,
                });
            }
        }
    }
    if let Some(t) = get(tables, "AssessmentFactorsList") {
        let v = t.text("AssessmentFactor")?;
        let ids = t.key("AssessmentID")?;
        let mut lists: BTreeMap<(usize, i64, usize), Vec<Text>> = BTreeMap::new();
        for ((c, key, _), rows) in grouped(&t, None)? {
            for r in rows {
                let own = ids.get(r).copied().unwrap_or_default();
                let Some(&a) = assessment_at.get(&(c, key, own)) else {
                    return err(format!("table AssessmentFactorsList, row {r}: no Assessments row with AssessmentID {own} in that episode"));
                };
                lists.entry((c, key, a)).or_default().push(v.get(r).cloned().flatten());
            }
        }
        for ((c, key, a), values) in lists {
            if let Some(assessment) =
                episode_mut(&mut children, &episode_at, c, key).and_then(|e| e.assessments.get_mut(a))
            {
                assessment.factors = Some(list_of(values));
            }
        }
    }
    if let Some(t) = get(tables, "CINplanDates") {
        let v = columns(&t, &["CINPlanStartDate", "CINPlanEndDate"])?;
        for ((c, key, _), rows) in grouped(&t, None)? {
            for r in rows {
                let at = |i: usize| v.get(i).and_then(|col| col.get(r)).cloned().flatten();
                if let Some(e) = episode_mut(&mut children, &episode_at, c, key) {
                    e.cin_plans.push(CinPlan { start: at(0), end: at(1) });
                }
            }
        }
    }
    if let Some(t) = get(tables, "Section47") {
        let v =
            columns(&t, &["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"])?;
        for ((c, key, _), rows) in grouped(&t, None)? {
            for r in rows {
                let at = |i: usize| v.get(i).and_then(|col| col.get(r)).cloned().flatten();
                if let Some(e) = episode_mut(&mut children, &episode_at, c, key) {
                    e.section47.push(Section47 {
                        start: at(0),
                        icpc_target: at(1),
                        initial_cpc: at(2),
                        icpc_not_required: at(3),
                    });
                }
            }
        }
    }
    let mut plan_at: HashMap<(usize, i64, i64), usize> = HashMap::new();
    if let Some(t) = get(tables, "ChildProtectionPlans") {
        let names = [
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse",
            "NumberOfPreviousCPP",
        ];
        let v = columns(&t, &names)?;
        for ((c, key, own), rows) in grouped(&t, Some("CPPID"))? {
            if rows.len() > 1 {
                return err(format!("table ChildProtectionPlans, rows {rows:?}: CPPID {own} appears more than once in one episode"));
            }
            let Some(&r) = rows.first() else { continue };
            let at = |i: usize| v.get(i).and_then(|col| col.get(r)).cloned().flatten();
            if let Some(e) = episode_mut(&mut children, &episode_at, c, key) {
                plan_at.insert((c, key, own), e.cp_plans.len());
                e.cp_plans.push(CpPlan {
                    start: at(0),
                    end: at(1),
                    initial_category: at(2),
                    latest_category: at(3),
                    previous_plans: at(4),
                    reviews: Vec::new(),
                });
            }
        }
    }
    if let Some(t) = get(tables, "Reviews") {
        let v = t.text("CPPreviewDate")?;
        let ids = t.key("CPPID")?;
        for ((c, key, _), rows) in grouped(&t, None)? {
            for r in rows {
                let own = ids.get(r).copied().unwrap_or_default();
                let Some(&p) = plan_at.get(&(c, key, own)) else {
                    return err(format!("table Reviews, row {r}: no ChildProtectionPlans row with CPPID {own} in that episode"));
                };
                if let Some(plan) =
                    episode_mut(&mut children, &episode_at, c, key).and_then(|e| e.cp_plans.get_mut(p))
                {
                    plan.reviews.push(v.get(r).cloned().flatten());
                }
            }
        }
    }
    if let Some(t) = get(tables, "PreProceedings") {
        // Only the block's own elements (checked above): a column name is never written as an
        // element name unchecked.
        let names: Vec<String> = PRE_PROCEEDINGS_FIELDS.iter().map(|s| (*s).to_string()).collect();
        let v: Vec<Vec<Text>> = names.iter().map(|n| t.optional_text(n)).collect::<Result<_>>()?;
        for ((c, key, own), rows) in grouped(&t, Some("PreProceedingsID"))? {
            if rows.len() > 1 {
                return err(format!("table PreProceedings, rows {rows:?}: PreProceedingsID {own} appears more than once in one episode"));
            }
            let Some(&r) = rows.first() else { continue };
            let block: Vec<(String, String)> = names
                .iter()
                .zip(&v)
                .filter_map(|(n, col)| col.get(r).cloned().flatten().map(|value| (n.clone(), value)))
                .collect();
            if let Some(e) = episode_mut(&mut children, &episode_at, c, key) {
                e.pre_proceedings.push(block);
            }
        }
    }
    Ok(Census { header, children })
}

/// The columns each table may have: its keys and its elements, as the census schemas name
/// them (`ChildIdentifiers` takes `Sex` or, as before 2025, `GenderCurrent`).
pub fn allowed_columns(table: &str) -> Option<Vec<&'static str>> {
    let mut cols: Vec<&'static str> = match table {
        "Header" => vec![
            "Collection",
            "Year",
            "ReferenceDate",
            "SourceLevel",
            "LEA",
            "SoftwareCode",
            "Release",
            "SerialNo",
            "DateTime",
        ],
        "ChildIdentifiers" => vec![
            "LAchildID",
            "UPN",
            "FormerUPN",
            "UPNunknown",
            "PersonBirthDate",
            "ExpectedPersonBirthDate",
            "Sex",
            "GenderCurrent",
            "PersonDeathDate",
        ],
        "ChildCharacteristics" => vec!["LAchildID", "Ethnicity"],
        "Disabilities" => vec!["LAchildID", "Disability"],
        "CINdetails" => vec![
            "LAchildID",
            "CINdetailsID",
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "CINclosureDate",
            "ReasonForClosure",
            "DateOfInitialCPC",
            "ReferralNFA",
        ],
        "Assessments" => vec![
            "LAchildID",
            "CINdetailsID",
            "AssessmentID",
            "AssessmentActualStartDate",
            "AssessmentInternalReviewDate",
            "AssessmentAuthorisationDate",
        ],
        "AssessmentFactorsList" => vec!["LAchildID", "CINdetailsID", "AssessmentID", "AssessmentFactor"],
        "CINplanDates" => vec!["LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"],
        "Section47" => vec![
            "LAchildID",
            "CINdetailsID",
            "S47ActualStartDate",
            "InitialCPCtarget",
            "DateOfInitialCPC",
            "ICPCnotRequired",
        ],
        "ChildProtectionPlans" => vec![
            "LAchildID",
            "CINdetailsID",
            "CPPID",
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse",
            "NumberOfPreviousCPP",
        ],
        "Reviews" => vec!["LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"],
        "PreProceedings" => vec!["LAchildID", "CINdetailsID", "PreProceedingsID"],
        _ => return None,
    };
    if table == "PreProceedings" {
        cols.extend(PRE_PROCEEDINGS_FIELDS);
    }
    Some(cols)
}

/// Every column of `frame` must be one of the table's.
fn check_columns(table: &str, frame: &DataFrame) -> Result<()> {
    let Some(allowed) = allowed_columns(table) else { return Ok(()) };
    for name in frame.get_column_names() {
        if !allowed.contains(&name.as_str()) {
            return err(format!(
                "table {table} has a column {:?} that is not one of its census elements or keys; \
                 the columns of {table} are: {}",
                name.as_str(),
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

/// A list element's values: a single null row stands for the element present but empty.
fn list_of(values: Vec<Text>) -> Vec<Text> {
    if values.len() == 1 && values.first().is_some_and(Option::is_none) {
        Vec::new()
    } else {
        values
    }
}

/// The episode with CINdetailsID `key` of child `c`.
fn episode_mut<'c>(
    children: &'c mut [Child],
    at: &HashMap<(usize, i64), (usize, usize)>,
    c: usize,
    key: i64,
) -> Option<&'c mut Episode> {
    let (c, e) = at.get(&(c, key)).copied()?;
    children.get_mut(c)?.episodes.get_mut(e)
}

fn header(t: &Table<'_>) -> Result<Header> {
    if t.height() != 1 {
        return err(format!("table Header must have exactly one row, it has {}", t.height()));
    }
    let one = |name: &str| -> Result<Text> { Ok(t.optional_text(name)?.into_iter().next().flatten()) };
    Ok(Header {
        collection: one("Collection")?,
        year: one("Year")?,
        reference_date: one("ReferenceDate")?,
        source_level: one("SourceLevel")?,
        lea: one("LEA")?,
        software_code: one("SoftwareCode")?,
        release: one("Release")?,
        serial_no: one("SerialNo")?,
        date_time: one("DateTime")?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

    use super::*;
    use crate::census::census_tables;

    fn owned(tables: Vec<(&'static str, DataFrame)>) -> Vec<(String, DataFrame)> {
        tables.into_iter().map(|(n, f)| (n.to_string(), f)).collect()
    }

    #[test]
    fn generated_returns_survive_tables_and_back() {
        for year in [2017, 2022, 2025, 2026] {
            let census = cinscope_census::generate(300, 9, year, 0.05);
            let tables = owned(census_tables(&census).unwrap());
            let again = census_from_tables(&tables).unwrap();
            // The sex element's name is the writer's business (by schema year), not data.
            let mut expected = census.clone();
            for c in &mut expected.children {
                c.sex_element = Default::default();
            }
            assert_eq!(again, expected, "{year}");
        }
    }

    #[test]
    fn the_frames_and_the_census_crate_name_the_same_pre_proceedings_fields() {
        assert_eq!(crate::census::PRE_PROCEEDINGS_FIELDS, PRE_PROCEEDINGS_FIELDS);
    }

    #[test]
    fn rows_that_cannot_be_placed_are_errors_naming_table_row_and_value() {
        let census = cinscope_census::generate(20, 3, 2025, 0.0);
        let tables = owned(census_tables(&census).unwrap());
        let edit = |name: &str, f: &dyn Fn(DataFrame) -> DataFrame| -> String {
            let t: Vec<(String, DataFrame)> = tables
                .iter()
                .map(|(n, df)| (n.clone(), if n == name { f(df.clone()) } else { df.clone() }))
                .collect();
            census_from_tables(&t).unwrap_err().to_string()
        };
        let first_id = tables[1].1.column("LAchildID").unwrap().str().unwrap().get(0).unwrap().to_string();
        let e = edit("ChildIdentifiers", &|df| df.vstack(&df.head(Some(1))).unwrap());
        assert!(e.contains(&format!("LAchildID '{first_id}' appears twice")), "{e}");
        let e = edit("CINdetails", &|df| {
            let mut df = df;
            df.replace("LAchildID", Column::new("LAchildID".into(), vec!["nobody"; df.height()])).unwrap();
            df
        });
        assert!(e.contains("table CINdetails, row 0: LAchildID 'nobody' is not in ChildIdentifiers"), "{e}");
        let e = edit("Assessments", &|df| df.drop("AssessmentAuthorisationDate").unwrap());
        assert!(e.contains("table Assessments has no column 'AssessmentAuthorisationDate'"), "{e}");
        let e = edit("Assessments", &|df| {
            let mut df = df;
            df.replace("CINdetailsID", Column::new("CINdetailsID".into(), vec![99u32; df.height()])).unwrap();
            df
        });
        assert!(
            e.contains("table Assessments, row 0: no CINdetails row with LAchildID")
                && e.contains("CINdetailsID 99"),
            "{e}"
        );
        // Column names are the schema's element names (or keys), never written unchecked.
        let e = edit("PreProceedings", &|df| {
            let mut df = df;
            let n = df.height();
            df.with_column(Column::new(
                "PPOutcome></PreProceedingsandFGDM></CINdetails></Child><Child><ChildIdentifiers><LAchildID>X".into(),
                vec!["A"; n],
            ))
            .unwrap();
            df
        });
        assert!(e.contains("table PreProceedings has a column") && e.contains("PPStartDate"), "{e}");
        let e = edit("CINdetails", &|df| {
            let mut df = df;
            let n = df.height();
            df.with_column(Column::new("Referral Source".into(), vec!["1A"; n])).unwrap();
            df
        });
        assert!(
            e.contains("table CINdetails has a column \"Referral Source\"") && e.contains("ReferralSource"),
            "{e}"
        );
        let mut bad = tables.clone();
        bad.push(("Childprotectionplans".to_string(), DataFrame::empty()));
        assert!(census_from_tables(&bad)
            .unwrap_err()
            .to_string()
            .contains("unknown table 'Childprotectionplans'"));
    }
}
