//! Synthetic case histories as Polars frames: the events in the canonical schema, and the
//! ground truth of every breach they hold.

use chrono::NaiveDate;
use cinscope_domain::Calendar;
use cinscope_rules::Rulebook;
use cinscope_synth::{generate, Options, Synth};
use polars::prelude::*;

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

fn frames(synth: &Synth, rulebook: &Rulebook, authority: &str, prefix: &str) -> PolarsResult<SynthFrames> {
    let events = &synth.events;
    let n = events.len();
    // Child ids change only between children: build each once.
    let mut child_ids: Vec<String> = Vec::with_capacity(n);
    let mut episode_ids: Vec<String> = Vec::with_capacity(n);
    let mut last: Option<(u64, u32)> = None;
    for e in events {
        if last != Some((e.child, e.episode)) {
            last = Some((e.child, e.episode));
            let id = child_id(prefix, e.child);
            episode_ids.push(format!("{id}-E{}", e.episode));
            child_ids.push(id);
        } else {
            let (c, ep) = (
                child_ids.last().cloned().unwrap_or_default(),
                episode_ids.last().cloned().unwrap_or_default(),
            );
            child_ids.push(c);
            episode_ids.push(ep);
        }
    }
    let teams: Vec<String> = events.iter().map(|e| format!("T{:02}", e.team + 1)).collect();
    let workers: Vec<String> =
        events.iter().map(|e| format!("T{:02}-W{:02}", e.team + 1, e.worker + 1)).collect();
    let event_frame = DataFrame::new_infer_height(vec![
        Column::new("child_id".into(), child_ids),
        Column::new("episode_id".into(), episode_ids),
        Column::new("event".into(), events.iter().map(|e| e.kind.name()).collect::<Vec<_>>()),
        dates("date", events.iter().map(|e| Some(e.date)))?,
        Column::new("qualifier".into(), events.iter().map(|e| e.qualifier).collect::<Vec<_>>()),
        Column::new("authority".into(), vec![authority; n]),
        Column::new("team".into(), teams),
        Column::new("worker".into(), workers),
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
        Column::new("rulebook".into(), vec![rulebook.id.as_str(); m]),
        Column::new("rule".into(), truth.iter().map(|b| code(b.rule)).collect::<Vec<_>>()),
        dates("anchor_date", truth.iter().map(|b| Some(b.anchor_date)))?,
        dates("due_date", truth.iter().map(|b| Some(b.due)))?,
        Column::new("status".into(), truth.iter().map(|b| b.status.name()).collect::<Vec<_>>()),
        dates("met_date", truth.iter().map(|b| b.date))?,
    ])?;
    Ok(SynthFrames { events: event_frame, truth: truth_frame })
}
