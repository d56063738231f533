//! Synthetic case histories as Polars frames: the events in the canonical schema, and the
//! ground truth of every breach they hold.

use std::fmt::Write as _;

use chrono::NaiveDate;
use cinscope_domain::Calendar;
use cinscope_rules::Rulebook;
use cinscope_synth::{generate, Options, Synth};
use polars::prelude::*;
use rayon::prelude::*;

use crate::labels::{categorical_column, enum_column_u8, STATUSES};
use crate::to_days;

/// Frames of a synthetic cohort.
#[derive(Debug, Clone)]
pub struct SynthFrames {
    /// The events: `child_id`, `episode_id`, `event`, `date`, `qualifier`, `authority`, `team`,
    /// `worker`.
    pub events: DataFrame,
    /// The breaches: `child_id`, `episode_id`, `authority`, `rulebook`, `rule`, `anchor_date`,
    /// `due_date`, `status`, `met_date`.
    pub truth: DataFrame,
}

fn dates(name: &str, values: impl Iterator<Item = Option<NaiveDate>>) -> PolarsResult<Column> {
    let days: Int32Chunked = values.map(|d| d.map(to_days)).collect();
    Column::new(name.into(), days.into_series()).cast(&DataType::Date)
}

/// The child id: the authority's prefix and a zero-padded number (`KENT-0000042`).
pub fn child_id(prefix: &str, child: u64) -> String {
    format!("{prefix}-{child:07}")
}

/// Generates a cohort under `rulebook` and returns it as frames. `authority` fills the
/// `authority` column; `prefix` starts every child id.
pub fn synth_frames(
    rulebook: &Rulebook,
    calendar: &Calendar,
    options: &Options,
    authority: &str,
    prefix: &str,
) -> Result<SynthFrames, String> {
    let synth = generate(rulebook, calendar, options).map_err(|e| e.to_string())?;
    frames(&synth, rulebook, authority, prefix).map_err(|e| e.to_string())
}

/// Rows per chunk when string columns are built in parallel.
const CHUNK: usize = 1 << 16;

/// A string column of `n` rows built in parallel chunks without a heap string per row:
/// `write` formats row `i` into a reused buffer, and only when `key(i)` differs from the
/// previous row's key (consecutive rows of one child share their ids, team and worker).
fn text_column<K, G, F>(name: &str, n: usize, key: G, write: F) -> PolarsResult<Column>
where
    K: PartialEq,
    G: Fn(usize) -> K + Sync,
    F: Fn(usize, &mut String) + Sync,
{
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let chunks: Vec<StringChunked> = starts
        .par_iter()
        .map(|&start| {
            let end = (start + CHUNK).min(n);
            let mut builder = StringChunkedBuilder::new(name.into(), end - start);
            let mut buffer = String::new();
            let mut last: Option<K> = None;
            for i in start..end {
                let k = key(i);
                if last.as_ref() != Some(&k) {
                    buffer.clear();
                    write(i, &mut buffer);
                    last = Some(k);
                }
                builder.append_value(buffer.as_str());
            }
            builder.finish()
        })
        .collect();
    let mut out = StringChunked::full_null(name.into(), 0);
    for chunk in &chunks {
        out.append(chunk)?;
    }
    Ok(out.into_series().into_column())
}

fn frames(synth: &Synth, rulebook: &Rulebook, authority: &str, prefix: &str) -> PolarsResult<SynthFrames> {
    let events = &synth.events;
    let n = events.len();
    let at = |i: usize| events.get(i).copied();
    let child_key = |i: usize| at(i).map(|e| e.child);
    let episode_key = |i: usize| at(i).map(|e| (e.child, e.episode));
    let staff_key = |i: usize| at(i).map(|e| (e.team, e.worker));
    let event_frame = DataFrame::new_infer_height(vec![
        text_column("child_id", n, child_key, |i, b| {
            if let Some(e) = at(i) {
                let _ = write!(b, "{prefix}-{:07}", e.child);
            }
        })?,
        text_column("episode_id", n, episode_key, |i, b| {
            if let Some(e) = at(i) {
                let _ = write!(b, "{prefix}-{:07}-E{}", e.child, e.episode);
            }
        })?,
        text_column(
            "event",
            n,
            |i| at(i).map(|e| e.kind),
            |i, b| {
                if let Some(e) = at(i) {
                    b.push_str(e.kind.name());
                }
            },
        )?,
        dates("date", events.iter().map(|e| Some(e.date)))?,
        Column::new("qualifier".into(), events.iter().map(|e| e.qualifier).collect::<Vec<_>>()),
        text_column("authority", n, |_| (), |_, b| b.push_str(authority))?,
        text_column("team", n, staff_key, |i, b| {
            if let Some(e) = at(i) {
                let _ = write!(b, "T{:02}", e.team + 1);
            }
        })?,
        text_column("worker", n, staff_key, |i, b| {
            if let Some(e) = at(i) {
                let _ = write!(b, "T{:02}-W{:02}", e.team + 1, e.worker + 1);
            }
        })?,
    ])?;
    let truth = &synth.breaches;
    let m = truth.len();
    let code = |i: usize| rulebook.rules.get(i).map_or("", |r| r.code.as_str());
    let truth_frame = DataFrame::new_infer_height(vec![
        Column::new("child_id".into(), truth.iter().map(|b| child_id(prefix, b.child)).collect::<Vec<_>>()),
        Column::new(
            "episode_id".into(),
            truth.iter().map(|b| format!("{}-E{}", child_id(prefix, b.child), b.episode)).collect::<Vec<_>>(),
        ),
        Column::new("authority".into(), vec![authority; m]),
        // Labels with the dtypes of the obligations frame, so that the two join and compare.
        categorical_column("rulebook", &[rulebook.id.as_str()], vec![0; m])?,
        categorical_column(
            "rule",
            &(0..rulebook.rules.len()).map(code).collect::<Vec<_>>(),
            truth.iter().map(|b| b.rule as IdxSize).collect(),
        )?,
        dates("anchor_date", truth.iter().map(|b| Some(b.anchor_date)))?,
        dates("due_date", truth.iter().map(|b| Some(b.due)))?,
        enum_column_u8(
            "status",
            &STATUSES,
            // A name outside the vocabulary would be code 255: an error, not a wrong label.
            truth
                .iter()
                .map(|b| STATUSES.iter().position(|s| *s == b.status.name()).map_or(u8::MAX, |p| p as u8))
                .collect(),
            None,
        )?,
        dates("met_date", truth.iter().map(|b| b.date))?,
    ])?;
    Ok(SynthFrames { events: event_frame, truth: truth_frame })
}
