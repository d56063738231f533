//! Label columns of the frames cinscope returns.
//!
//! A column whose values come from a closed vocabulary (status, severity, rule kind, event,
//! counting convention) is a Polars `Enum` with the vocabulary as its categories, in the order
//! given here; one byte per row instead of a 16-byte string view, and the same dtype from every
//! call, so frames from separate calls stack. A label that depends on the rulebooks used (the
//! rulebook id, rule code and title) is a `Categorical` (Polars' global categories), which also
//! stacks across calls. Both compare equal to plain strings (`pl.col("status") == "late"`); cast
//! to `pl.String` for string functions or to join with a string column.

use cinscope_domain::EVENTS;
use polars::prelude::*;

/// Obligation statuses, in the order of [`status_code`](crate::score).
pub const STATUSES: [&str; 5] = ["met", "late", "overdue", "pending", "cancelled"];

/// Rule severities, most binding first.
pub const SEVERITIES: [&str; 3] = ["must", "should", "good_practice"];

/// Rule kinds.
pub const KINDS: [&str; 7] =
    ["deadline", "recurring", "max_gap", "drift", "min_duration", "exclusivity", "before"];

/// Counting conventions.
pub const CONVENTIONS: [&str; 2] = ["exclude_anchor", "count_anchor"];

/// The event vocabulary, in the order of [`cinscope_domain::EventKind`].
pub fn event_names() -> Vec<&'static str> {
    EVENTS.iter().map(|e| e.name).collect()
}

/// The Enum dtype of a vocabulary.
pub fn enum_dtype(categories: &[&str]) -> PolarsResult<DataType> {
    Ok(DataType::from_frozen_categories(FrozenCategories::new(categories.iter().copied())?))
}

/// An Enum column of at most 255 categories: row `i` is `categories[codes[i]]`, null where
/// `validity` says so. A code outside the categories is an error, never a wrong label.
pub fn enum_column_u8(
    name: &str,
    categories: &[&str],
    codes: Vec<u8>,
    validity: Option<polars_arrow::bitmap::Bitmap>,
) -> PolarsResult<Column> {
    let dtype = enum_dtype(categories)?;
    polars_ensure!(
        dtype.cat_physical()? == CategoricalPhysical::U8,
        ComputeError: "column '{name}': {} categories do not fit in one byte", categories.len()
    );
    let ids = UInt8Chunked::from_vec_validity(name.into(), codes, validity);
    if let Some(max) = ids.max() {
        polars_ensure!(
            usize::from(max) < categories.len(),
            ComputeError: "column '{name}': category code {max} is outside its {} categories", categories.len()
        );
    }
    Ok(Categorical8Chunked::from_cats_and_dtype(ids, dtype).into_series().into_column())
}

/// A Categorical column: row `i` is `values[index[i]]`; an index past the end is an error.
/// The few distinct values are interned once; rows are their ids.
pub fn categorical_column(name: &str, values: &[&str], index: Vec<IdxSize>) -> PolarsResult<Column> {
    let dtype = DataType::from_categories(Categories::global());
    let dictionary = Series::new(name.into(), values).cast(&dtype)?;
    let index = IdxCa::from_vec(name.into(), index);
    Ok(dictionary.take(&index)?.into_column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_in_its_vocabulary() {
        use cinscope_rules::Severity;
        for severity in [Severity::Must, Severity::Should, Severity::GoodPractice] {
            assert!(SEVERITIES.contains(&severity.name()));
        }
        for convention in
            [cinscope_domain::Convention::ExcludeAnchor, cinscope_domain::Convention::CountAnchor]
        {
            assert!(CONVENTIONS.contains(&convention.name()));
        }
        for id in cinscope_rules::builtin_ids() {
            let book = cinscope_rules::builtin(id).unwrap();
            for rule in &book.rules {
                assert!(KINDS.contains(&rule.kind.name()), "{}", rule.kind.name());
            }
        }
    }

    #[test]
    fn enum_columns_hold_their_labels_and_refuse_codes_out_of_range() {
        let validity = polars_arrow::bitmap::Bitmap::from_iter([true, false, true]);
        let column = enum_column_u8("status", &STATUSES, vec![1, 0, 4], Some(validity)).unwrap();
        assert!(matches!(column.dtype(), DataType::Enum(_, _)));
        let text = column.cast(&DataType::String).unwrap();
        let values: Vec<Option<&str>> = text.str().unwrap().iter().collect();
        assert_eq!(values, vec![Some("late"), None, Some("cancelled")]);
        let err = enum_column_u8("status", &STATUSES, vec![5], None).unwrap_err().to_string();
        assert!(err.contains("column 'status': category code 5 is outside its 5 categories"), "{err}");
    }

    #[test]
    fn categorical_columns_take_from_their_values() {
        let column = categorical_column("rule", &["A-1", "B-2"], vec![1, 0, 1]).unwrap();
        assert!(matches!(column.dtype(), DataType::Categorical(_, _)));
        let text = column.cast(&DataType::String).unwrap();
        let values: Vec<Option<&str>> = text.str().unwrap().iter().collect();
        assert_eq!(values, vec![Some("B-2"), Some("A-1"), Some("B-2")]);
        assert!(categorical_column("rule", &["A-1"], vec![1]).is_err());
    }
}
