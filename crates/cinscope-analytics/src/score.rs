//! Scoring an events frame against rulebooks: one row per obligation.
//!
//! Children are scored in parallel (rayon); each child's timeline is built, evaluated under the
//! rulebook of its authority (or under each of several rulebooks), and the obligations are
//! gathered into one frame in a stable order (children in order of first appearance, then
//! rulebook, rule and due date), so the output does not depend on the order of the input rows or
//! on the number of threads.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use cinscope_domain::{build_timeline, Calendar, Convention, EventKind};
use cinscope_rules::engine::{evaluate_into, Evaluation, Options, Status};
use cinscope_rules::Rulebook;
use polars::prelude::*;
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
use rayon::prelude::*;

pub use crate::events::CARRIED;
use crate::events::{columns, read_columns, Columns};
use crate::labels::{categorical_column, event_names, CONVENTIONS, KINDS, SEVERITIES, STATUSES};
use crate::to_days;

/// Which rulebook scores which rows.
#[derive(Debug, Clone)]
pub enum Rulebooks {
    /// One rulebook for every row.
    One(Arc<Rulebook>),
    /// A rulebook per value of the `authority` column.
    ByAuthority(HashMap<String, Arc<Rulebook>>),
    /// Every child under each of these rulebooks, in this order, whatever its authority: the
    /// obligations of all of them in one frame, told apart by the `rulebook` column. Each
    /// child's rows are grouped and its timeline built once for all of them, which makes this
    /// quicker than one call per rulebook.
    Each(Vec<Arc<Rulebook>>),
}

/// Options of a scoring run.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// The extract date.
    pub as_of: NaiveDate,
    /// How working days are counted from an anchor.
    pub convention: Convention,
    /// The working-day calendar.
    pub calendar: Arc<Calendar>,
    /// Only these columns of the obligations frame, in this order; all of them when `None`.
    /// Columns not asked for are not built, which saves their time and memory.
    pub columns: Option<Vec<String>>,
    /// Label columns as their integer codes rather than as Enum and Categorical columns: see
    /// [`Scored::labels`]. For a caller that rebuilds the labels itself: the Python binding
    /// hands the codes over and rebuilds the columns in Python, where Polars would otherwise
    /// re-encode every row of them on each side of the boundary.
    pub label_codes: bool,
}

/// The columns of the obligations frame, in order. `authority`, `team` and `worker` are there
/// only when the events frame has them (they are taken from the anchor event's row).
pub const OBLIGATION_COLUMNS: &[&str] = &[
    "rulebook",
    "child_id",
    "episode_id",
    "episode_end",
    "authority",
    "team",
    "worker",
    "rule",
    "title",
    "severity",
    "kind",
    "plan_start",
    "sequence",
    "anchor_event",
    "anchor_date",
    "anchor_row",
    "anchor_assumed",
    "due_date",
    "met_event",
    "met_date",
    "met_row",
    "status",
    "days_late",
    "working_days_late",
    "convention",
    "as_of",
];

/// A problem with the rows of an events frame that stops scoring unless reported instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// Event names outside the vocabulary.
    #[error("{0}")]
    UnknownEvents(String),
    /// Null child ids or dates.
    #[error("{0}")]
    Nulls(String),
    /// Authorities with no rulebook.
    #[error("{0}")]
    UnknownAuthority(String),
}

/// The result of scoring.
#[derive(Debug, Clone)]
pub struct Scored {
    /// One row per obligation.
    pub obligations: DataFrame,
    /// Data-quality findings (timeline problems and rows that could not be scored).
    pub findings: DataFrame,
    /// With [`ScoreOptions::label_codes`], the categories of each label column of the
    /// obligations frame; empty otherwise.
    pub labels: Vec<LabelCodes>,
}

/// A label column of the obligations frame given as codes ([`ScoreOptions::label_codes`]): the
/// value of a row with code `c` is `categories[c]`, and a null code is a null label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCodes {
    /// The column's name.
    pub column: String,
    /// The label of each code. For a vocabulary, the vocabulary in its order (`UInt8` codes);
    /// for `rulebook`, `rule` and `title`, one entry per rulebook or per rule of the rulebooks
    /// used (`UInt32` codes), so the same text may appear more than once.
    pub categories: Vec<String>,
    /// Whether the column is an Enum of a fixed vocabulary when typed (else a Categorical).
    pub vocabulary: bool,
}

/// The label columns of a run with [`ScoreOptions::label_codes`], among those asked for.
fn label_codes(books: &[Arc<Rulebook>], options: &ScoreOptions) -> Vec<LabelCodes> {
    if !options.label_codes {
        return Vec::new();
    }
    let rules = || books.iter().flat_map(|b| b.rules.iter());
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let events: Vec<String> = owned(&event_names());
    let all: [(&str, Vec<String>, bool); 9] = [
        ("rulebook", books.iter().map(|b| b.id.clone()).collect(), false),
        ("rule", rules().map(|r| r.code.clone()).collect(), false),
        ("title", rules().map(|r| r.title.clone()).collect(), false),
        ("severity", owned(&SEVERITIES), true),
        ("kind", owned(&KINDS), true),
        ("anchor_event", events.clone(), true),
        ("met_event", events, true),
        ("status", owned(&STATUSES), true),
        ("convention", owned(&CONVENTIONS), true),
    ];
    all.into_iter()
        .filter(|(name, _, _)| wanted(options, name))
        .map(|(column, categories, vocabulary)| LabelCodes {
            column: column.to_string(),
            categories,
            vocabulary,
        })
        .collect()
}

fn join_limited(values: &[String], limit: usize) -> String {
    let mut text = values.iter().take(limit).map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    if values.len() > limit {
        text.push_str(&format!(" and {} more", values.len() - limit));
    }
    text
}

/// Checks the rows before scoring: unknown events, null ids and dates, unknown authorities.
/// Returns every problem found, each as a message that names the column, values and rows.
pub fn check_rows(frame: &DataFrame, books: &Rulebooks) -> PolarsResult<Vec<RowError>> {
    let cols = read_columns(frame)?;
    Ok(check_columns(&cols, books))
}

/// Checks the rows, then scores them only if no problem was found: the columns are read once.
pub fn score_checked(
    frame: &DataFrame,
    books: &Rulebooks,
    options: &ScoreOptions,
) -> PolarsResult<Result<Scored, Vec<RowError>>> {
    let cols = read_columns(frame)?;
    let problems = check_columns(&cols, books);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    score_columns(cols, books, options).map(Ok)
}

/// The positions of the null values of a column, or none at all without a scan.
fn null_rows<T: PolarsDataType>(column: &ChunkedArray<T>) -> Vec<usize> {
    if column.null_count() == 0 {
        return Vec::new();
    }
    column.is_null().iter().enumerate().filter(|(_, null)| *null == Some(true)).map(|(i, _)| i).collect()
}

fn check_columns(cols: &Columns, books: &Rulebooks) -> Vec<RowError> {
    let mut errors = Vec::new();

    let codes = &cols.codes;
    let mut unknown: HashMap<&str, (usize, usize)> = HashMap::new();
    for (row, code) in codes.iter().enumerate() {
        if *code == u8::MAX {
            if let Some(name) = cols.event.get(row) {
                unknown.entry(name).or_insert((row, 0)).1 += 1;
            }
        }
    }
    if !unknown.is_empty() {
        let mut names: Vec<(&str, (usize, usize))> = unknown.into_iter().collect();
        names.sort_by_key(|(_, (row, _))| *row);
        let described: Vec<String> = names
            .iter()
            .map(|(name, (row, count))| {
                let hint = EventKind::suggest(name)
                    .first()
                    .map(|s| format!(", did you mean '{s}'?"))
                    .unwrap_or_default();
                format!("'{name}' ({count} rows, first row {row}{hint})")
            })
            .collect();
        errors.push(RowError::UnknownEvents(format!(
            "column 'event' has {} unknown event name{}: {}; see cinscope.event_vocabulary()",
            described.len(),
            if described.len() == 1 { "" } else { "s" },
            described.iter().take(10).cloned().collect::<Vec<_>>().join("; ")
        )));
    }

    for (name, nulls) in [
        (columns::CHILD_ID, null_rows(&cols.child)),
        (columns::EVENT, null_rows(&cols.event)),
        (columns::DATE, null_rows(&cols.date)),
    ] {
        if !nulls.is_empty() {
            let rows: Vec<String> = nulls.iter().map(usize::to_string).collect();
            errors.push(RowError::Nulls(format!(
                "column '{name}' has {} null value{} (rows {})",
                nulls.len(),
                if nulls.len() == 1 { "" } else { "s" },
                join_limited(&rows, 5).replace('\'', "")
            )));
        }
    }

    if let Rulebooks::ByAuthority(map) = books {
        match &cols.authority {
            None => errors.push(RowError::UnknownAuthority(
                "rulebooks are given per authority but the events frame has no 'authority' column"
                    .to_string(),
            )),
            Some(authority) => {
                let mut missing: Vec<Option<&str>> = Vec::new();
                let mut last: Option<Option<&str>> = None;
                for value in authority.iter() {
                    // Extracts hold long runs of one authority: look each run up once.
                    if last == Some(value) {
                        continue;
                    }
                    last = Some(value);
                    let key = value.unwrap_or("");
                    if !map.contains_key(key) && !missing.contains(&value) {
                        missing.push(value);
                    }
                }
                if !missing.is_empty() {
                    let mut known: Vec<&str> = map.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    // A null authority is shown as null, not as the empty text it is looked up as.
                    let shown: Vec<String> = missing
                        .iter()
                        .map(|v| v.map_or_else(|| "null".to_string(), |v| format!("'{v}'")))
                        .collect();
                    let mut text = shown.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
                    if shown.len() > 10 {
                        text.push_str(&format!(" and {} more", shown.len() - 10));
                    }
                    errors.push(RowError::UnknownAuthority(format!(
                        "column 'authority' has values with no rulebook: {text} (rulebooks are given for: {})",
                        known.join(", ")
                    )));
                }
            }
        }
    }
    errors
}

/// A column filled row by row: its values (a default where null) and its validity, made into a
/// Polars array without another copy of the values.
struct Nullable<T> {
    values: Vec<T>,
    valid: MutableBitmap,
}

impl<T> Default for Nullable<T> {
    fn default() -> Self {
        Nullable { values: Vec::new(), valid: MutableBitmap::new() }
    }
}

impl<T: Default + Copy> Nullable<T> {
    fn push(&mut self, value: Option<T>) {
        self.values.push(value.unwrap_or_default());
        self.valid.push(value.is_some());
    }

    /// Appends the value of each of `items`.
    fn extend<I>(&mut self, items: &[I], value: impl Fn(&I) -> Option<T>) {
        // Nothing to add: Polars' `extend_from_trusted_len_iter` (0.55) given no bits on a byte
        // boundary still starts a byte, which shifts every later bit by a byte.
        if items.is_empty() {
            return;
        }
        self.values.extend(items.iter().map(|item| value(item).unwrap_or_default()));
        self.valid.extend_from_trusted_len_iter(items.iter().map(|item| value(item).is_some()));
    }

    fn reserve(&mut self, n: usize) {
        self.values.reserve(n);
        self.valid.reserve(n);
    }

    /// The values and, when any is null, the validity mask.
    fn into_parts(self) -> (Vec<T>, Option<Bitmap>) {
        let valid: Bitmap = self.valid.into();
        (self.values, (valid.unset_bits() > 0).then_some(valid))
    }
}

/// Which output vectors a run fills: only those the columns asked for are built from.
#[derive(Debug, Clone, Copy, Default)]
struct Fill {
    child: bool,
    episode: bool,
    episode_end: bool,
    anchor_row: bool,
    rule: bool,
    plan_start: bool,
    sequence: bool,
    anchor_event: bool,
    anchor_date: bool,
    anchor_assumed: bool,
    due: bool,
    met_event: bool,
    met_date: bool,
    met_row: bool,
    status: bool,
    days_late: bool,
    working_days_late: bool,
}

/// Whether obligation column `name` is the events frame's own column at the anchor event's row
/// (`authority`, and the columns in [`CARRIED`]).
fn from_events(name: &str) -> bool {
    name == "authority" || CARRIED.contains(&name)
}

/// Whether the run builds obligation column `name` (every column when none were named).
fn wanted(options: &ScoreOptions, name: &str) -> bool {
    options.columns.as_ref().is_none_or(|names| names.iter().any(|c| c == name))
}

impl Fill {
    fn new(options: &ScoreOptions) -> Self {
        let want = |name: &str| wanted(options, name);
        let any = |names: &[&str]| names.iter().any(|n| want(n));
        Fill {
            child: want("child_id"),
            episode: want("episode_id"),
            episode_end: want("episode_end"),
            anchor_row: want("anchor_row") || OBLIGATION_COLUMNS.iter().any(|c| from_events(c) && want(c)),
            rule: any(&["rulebook", "rule", "title", "severity", "kind"]),
            plan_start: want("plan_start"),
            sequence: want("sequence"),
            anchor_event: want("anchor_event"),
            anchor_date: want("anchor_date"),
            anchor_assumed: want("anchor_assumed"),
            due: want("due_date"),
            met_event: want("met_event"),
            met_date: want("met_date"),
            met_row: want("met_row"),
            status: want("status"),
            days_late: want("days_late"),
            working_days_late: want("working_days_late"),
        }
    }
}

#[derive(Default)]
struct Out {
    /// What is filled; a vector not filled stays empty.
    fill: Fill,
    /// Obligations so far.
    rows: usize,
    child: Vec<u32>,
    /// Episode ids, once per episode, one after another in one text, with where each ends;
    /// `episode` indexes into them.
    episode_text: String,
    episode_ends: Vec<usize>,
    episode: Vec<u32>,
    episode_end: Nullable<i32>,
    anchor_row: Vec<u32>,
    rule: Vec<u32>,
    plan_start: Nullable<i32>,
    sequence: Vec<u32>,
    anchor_event: Vec<u8>,
    anchor_date: Vec<i32>,
    anchor_assumed: Vec<bool>,
    due: Vec<i32>,
    met_event: Nullable<u8>,
    met_date: Nullable<i32>,
    met_row: Nullable<u32>,
    status: Vec<u8>,
    days_late: Nullable<i32>,
    working_days_late: Nullable<i32>,
    book: Vec<u32>,
}

/// Scores an events frame. Rows that cannot be scored (null child id or date, unknown event,
/// authority with no rulebook) must have been rejected or accepted by the caller through
/// [`check_rows`]; here they are reported in the findings frame and skipped.
pub fn score(frame: &DataFrame, books: &Rulebooks, options: &ScoreOptions) -> PolarsResult<Scored> {
    score_columns(read_columns(frame)?, books, options)
}

/// Checks the obligation columns asked for against an events frame with the columns
/// `event_columns`: at least one, each a column of the obligations frame that these events can
/// give (`authority`, `team` and `worker` come from the events' own), none twice. The message
/// names the column at fault and, for a misspelt one, the closest name.
pub fn check_obligation_columns(event_columns: &[&str], wanted: &[String]) -> Result<(), String> {
    if wanted.is_empty() {
        return Err(
            "columns: name at least one column of the obligations frame (or none at all for every column)"
                .to_string(),
        );
    }
    for (i, name) in wanted.iter().enumerate() {
        if wanted.iter().take(i).any(|earlier| earlier == name) {
            return Err(format!("columns: '{name}' is asked for twice"));
        }
        if !OBLIGATION_COLUMNS.contains(&name.as_str()) {
            // A column the name is part of ('due' for 'due_date'), else the closest spelling.
            let close = OBLIGATION_COLUMNS
                .iter()
                .find(|c| !name.is_empty() && c.contains(name.as_str()))
                .or_else(|| {
                    OBLIGATION_COLUMNS
                        .iter()
                        .map(|c| (cinscope_domain::event::edit_distance(name, c), c))
                        .filter(|(distance, _)| *distance <= 3)
                        .min()
                        .map(|(_, c)| c)
                });
            let hint = close.map(|c| format!("; did you mean '{c}'?")).unwrap_or_default();
            return Err(format!(
                "columns: '{name}' is not a column of the obligations frame{hint} (the columns are: {})",
                OBLIGATION_COLUMNS.join(", ")
            ));
        }
        if from_events(name) && !event_columns.contains(&name.as_str()) {
            return Err(format!(
                "columns: '{name}' is carried from the events frame's own '{name}' column, which it does not have"
            ));
        }
    }
    Ok(())
}

fn score_columns(cols: Columns, books: &Rulebooks, options: &ScoreOptions) -> PolarsResult<Scored> {
    if let Some(wanted) = &options.columns {
        let present: Vec<&str> = cols
            .authority
            .iter()
            .map(|_| "authority")
            .chain(cols.carried.iter().map(|(name, _)| name.as_str()))
            .collect();
        check_obligation_columns(&present, wanted).map_err(|e| polars_err!(InvalidOperation: "{e}"))?;
    }
    // Rulebooks, numbered; each child is scored under the rulebook of its authority (see
    // [`scoring_authority`]), or under every one of them.
    let (book_list, book_of_key): (Vec<Arc<Rulebook>>, HashMap<String, u32>) = match books {
        Rulebooks::One(book) => (vec![Arc::clone(book)], HashMap::new()),
        Rulebooks::Each(list) => (list.clone(), HashMap::new()),
        Rulebooks::ByAuthority(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let list = keys.iter().filter_map(|k| map.get(*k).map(Arc::clone)).collect();
            let index = keys.iter().enumerate().map(|(i, k)| ((*k).clone(), i as u32)).collect();
            (list, index)
        }
    };

    let mut groups = crate::events::group_by_child(&cols.child)?;
    let mut skipped: Vec<crate::events::Unused> = std::mem::take(&mut groups.nulls)
        .into_iter()
        .map(|row| (row, None, format!("row {row}: child_id is null; the row is not scored")))
        .collect();

    let gathered = crate::events::Gathered::new(&cols, groups)?;
    let groups = &gathered.groups;

    // Children are scored in a few large chunks (four per thread, for balance), each filling
    // one set of output vectors sized up front and then made at once into a frame of its own,
    // so that only the chunks being worked on hold both; the frames are stacked at the end
    // (their columns keep one chunk per part). Chunks hold about as many events each, not as
    // many children: in order of first appearance, the children of few events come last.
    let fill = Fill::new(options);
    // How many rulebooks score each child.
    let passes = match books {
        Rulebooks::Each(list) => list.len(),
        Rulebooks::One(_) | Rulebooks::ByAuthority(_) => 1,
    };
    let ranges = balanced_ranges(&groups.starts, rayon::current_num_threads() * 4);
    let scored: Vec<PolarsResult<ChunkResult>> = ranges
        .par_iter()
        .map(|range| {
            let children = groups.ids.get(range.clone()).unwrap_or_default();
            let mut work = ChunkWork { out: Out { fill, ..Out::default() }, ..ChunkWork::default() };
            // About 1.3 obligations an event under one rulebook.
            let events = groups.positions(range.clone()).len() * passes;
            work.out.reserve(events + events / 2);
            for (g, child) in range.clone().zip(children) {
                score_child(
                    &mut work,
                    g as u32,
                    child,
                    groups.rows_of(g),
                    &cols,
                    &gathered,
                    &book_list,
                    &book_of_key,
                    books,
                    options,
                );
            }
            let ChunkWork { out, found, skipped, .. } = work;
            Ok((obligations_frame(out, &groups.ids, &cols, &book_list, options)?, found, skipped))
        })
        .collect();

    let mut found_lists = Vec::with_capacity(scored.len());
    let mut frames = Vec::with_capacity(scored.len());
    for part in scored {
        let (frame, found, issues) = part?;
        frames.push(frame);
        found_lists.push(found);
        skipped.extend(issues);
    }
    let mut obligations = match frames.first() {
        Some(first) => first.clear(),
        None => obligations_frame(Out::default(), &groups.ids, &cols, &book_list, options)?,
    };
    for frame in &frames {
        obligations.vstack_mut(frame)?;
    }
    drop(frames);
    let obligations = with_constants(obligations, &book_list, options)?;
    // The rows in child order and the groups are not needed any more: their memory can hold
    // the findings table.
    drop(gathered);
    // Rows not scored first, then the timelines' findings, chunk by chunk (children in order),
    // each chunk's made into a frame in parallel.
    let found_frames: Vec<PolarsResult<DataFrame>> =
        found_lists.par_iter().map(|found| crate::events::findings_table(found.iter(), &[])).collect();
    let mut findings = crate::events::findings_table(std::iter::empty(), &skipped)?;
    for found in found_frames {
        findings.vstack_mut(&found?)?;
    }
    Ok(Scored { obligations, findings, labels: label_codes(&book_list, options) })
}

/// `parts` consecutive ranges of the children whose rows start at `starts` (one more entry than
/// children; fewer ranges when there are few children) holding about as many rows each;
/// together they cover every child once, in order.
fn balanced_ranges(starts: &[u32], parts: usize) -> Vec<std::ops::Range<usize>> {
    let children = starts.len().saturating_sub(1);
    let total = starts.last().map_or(0, |s| *s as usize);
    // At least 256 children a chunk (the last included), so that small frames are not cut into
    // tiny pieces.
    const FEWEST: usize = 256;
    let target = total.div_ceil(parts.max(1)).max(1);
    let mut ranges = Vec::with_capacity(parts + 1);
    let (mut start, mut rows) = (0, 0);
    for (i, pair) in starts.windows(2).enumerate() {
        rows += pair.last().zip(pair.first()).map_or(0, |(end, begin)| (end - begin) as usize);
        if rows >= target && i + 1 - start >= FEWEST && children - (i + 1) >= FEWEST {
            ranges.push(start..i + 1);
            (start, rows) = (i + 1, 0);
        }
    }
    if start < children || ranges.is_empty() {
        ranges.push(start..children);
    }
    ranges
}

impl Out {
    /// Room for `n` more obligations in every vector filled.
    fn reserve(&mut self, n: usize) {
        let f = self.fill;
        let room = |filled: bool| if filled { n } else { 0 };
        self.child.reserve(room(f.child));
        self.episode.reserve(room(f.episode));
        self.episode_end.reserve(room(f.episode_end));
        self.anchor_row.reserve(room(f.anchor_row));
        self.rule.reserve(room(f.rule));
        self.book.reserve(room(f.rule));
        self.plan_start.reserve(room(f.plan_start));
        self.sequence.reserve(room(f.sequence));
        self.anchor_event.reserve(room(f.anchor_event));
        self.anchor_date.reserve(room(f.anchor_date));
        self.anchor_assumed.reserve(room(f.anchor_assumed));
        self.due.reserve(room(f.due));
        self.met_event.reserve(room(f.met_event));
        self.met_date.reserve(room(f.met_date));
        self.met_row.reserve(room(f.met_row));
        self.status.reserve(room(f.status));
        self.days_late.reserve(room(f.days_late));
        self.working_days_late.reserve(room(f.working_days_late));
    }
}

/// What a chunk of children fills (obligations, timeline findings, rows that could not be
/// scored), and the lists that are reused from child to child.
#[derive(Default)]
struct ChunkWork<'c> {
    out: Out,
    found: Vec<cinscope_domain::Finding>,
    skipped: Vec<crate::events::Unused>,
    raw: Vec<cinscope_domain::RawEvent<'c>>,
    evaluation: Evaluation,
}

/// A chunk of children's obligations as a frame, their findings and rows not scored.
type ChunkResult = (DataFrame, Vec<cinscope_domain::Finding>, Vec<crate::events::Unused>);

#[allow(clippy::too_many_arguments)]
fn score_child<'c>(
    work: &mut ChunkWork<'c>,
    group: u32,
    child: &str,
    rows: &[u32],
    cols: &Columns,
    gathered: &crate::events::Gathered<'c>,
    book_list: &[Arc<Rulebook>],
    book_of_key: &HashMap<String, u32>,
    books: &Rulebooks,
    options: &ScoreOptions,
) {
    let ChunkWork { out, found, skipped, raw, evaluation } = work;
    // The rulebooks that score this child, as a range of `book_list`.
    let scored_by = match books {
        Rulebooks::One(_) => Some(0..1),
        Rulebooks::Each(list) => Some(0..list.len()),
        Rulebooks::ByAuthority(_) => {
            let key = scoring_authority(rows, cols, options.as_of).unwrap_or("");
            book_of_key.get(key).map(|i| *i as usize..*i as usize + 1)
        }
    };
    let Some(scored_by) = scored_by else {
        let authority = match scoring_authority(rows, cols, options.as_of) {
            Some(value) => format!("'{value}'"),
            None => "null".to_string(),
        };
        for row in rows {
            skipped.push((
                u64::from(*row),
                Some(child.to_string()),
                format!("row {row}: no rulebook for this child's authority ({authority}); not scored"),
            ));
        }
        return;
    };

    gathered.raw_events_into(group as usize, raw);
    // An event dated after the as-of date is not yet known on that day: it is reported and
    // left out before the timeline is built, so that scoring at a past as-of date gives what
    // an extract taken that day would give (no obligation it creates, no plan it opens, no
    // condition it satisfies).
    for event in raw.iter().filter(|e| e.date.is_some_and(|d| d > options.as_of)) {
        found.push(cinscope_domain::Finding {
            code: cinscope_domain::FindingCode::DQ015,
            child: child.to_string(),
            episode: event.episode.map(str::to_string),
            rows: vec![event.row],
            message: format!(
                "'{}' dated {} is after the as-of date {}; it is not counted",
                event.event,
                event.date.map(|d| d.to_string()).unwrap_or_default(),
                options.as_of
            ),
        });
    }
    raw.retain(|e| e.date.is_none_or(|d| d <= options.as_of));
    let timeline = build_timeline(child, raw);
    // The child's episodes are numbered from here in the episode ids of the chunk.
    let base = out.episode_ends.len() as u32;
    let before = out.rows;
    for book_index in scored_by {
        let Some(book) = book_list.get(book_index) else {
            continue;
        };
        let evaluation_options = Options { as_of: options.as_of, convention: options.convention };
        evaluate_into(&timeline, book, &options.calendar, evaluation_options, evaluation);
        for issue in &evaluation.issues {
            let code = book.rules.get(issue.rule).map_or("", |r| r.code.as_str());
            skipped.push((
                issue.row.unwrap_or(0),
                Some(child.to_string()),
                format!("rule {code}: {}", issue.message),
            ));
        }
        let at = Placed { group, book: book_index as u32, base };
        push_obligations(out, &mut evaluation.obligations, at, &timeline, options);
    }
    if out.fill.episode && out.rows > before {
        for episode in &timeline.episodes {
            out.episode_text.push_str(&episode.id);
            out.episode_ends.push(out.episode_text.len());
        }
    }
    found.extend(timeline.findings);
}

/// The authority whose rulebook scores a child, when rulebooks are given per authority: that of
/// the child's latest referral dated on or before the as-of date; for a child with no such
/// referral (one who joined the extract mid-episode), that of its latest event on or before that
/// date; between rows of the same date, the authority first in byte order. Rows with no
/// authority or no date, and rows after the as-of date (which are not counted), do not choose;
/// when no row is left, the authority first in byte order among all the child's rows, and `None`
/// when no row names one. The order of the rows never matters. A child whose rows name several
/// authorities is reported by the Python layer (`DQ017`), which applies the same rule.
fn scoring_authority<'a>(rows: &[u32], cols: &'a Columns, as_of: NaiveDate) -> Option<&'a str> {
    let authority = cols.authority.as_ref()?;
    let last_day = crate::to_days(as_of);
    // The best row so far: (a referral, its date, its authority); larger wins, and between
    // equal dates the smaller name.
    let mut best: Option<(bool, i32, &'a str)> = None;
    let mut smallest: Option<&'a str> = None;
    for row in rows {
        let r = *row as usize;
        let Some(name) = authority.get(r) else { continue };
        if smallest.is_none_or(|s| name < s) {
            smallest = Some(name);
        }
        let Some(day) = cols.date.get(r).filter(|d| *d <= last_day) else { continue };
        let referral = cols
            .codes
            .get(r)
            .and_then(|code| cinscope_domain::EVENTS.get(*code as usize))
            .is_some_and(|spec| spec.kind == EventKind::Referral);
        let better = best.is_none_or(|(b_referral, b_day, b_name)| {
            (referral, day, std::cmp::Reverse(name)) > (b_referral, b_day, std::cmp::Reverse(b_name))
        });
        if better {
            best = Some((referral, day, name));
        }
    }
    best.map(|(_, _, name)| name).or(smallest)
}

/// Where a child's obligations under one rulebook go in the output: the child's group, the
/// rulebook's place in the list, and the number of the child's first episode in the chunk.
#[derive(Clone, Copy)]
struct Placed {
    group: u32,
    book: u32,
    base: u32,
}

/// Appends one child's obligations under one rulebook to the output vectors, in order of rule,
/// episode, due date and sequence.
fn push_obligations(
    out: &mut Out,
    obligations: &mut [cinscope_rules::Obligation],
    at: Placed,
    timeline: &cinscope_domain::Timeline,
    options: &ScoreOptions,
) {
    // The engine gives them rule by rule and mostly in date order: often no sort is needed.
    let key = |o: &cinscope_rules::Obligation| (o.rule, o.episode, o.due, o.sequence);
    if !obligations.is_sorted_by_key(key) {
        obligations.sort_by_key(key);
    }
    let Placed { group, book: book_index, base } = at;
    let f = out.fill;
    out.rows += obligations.len();
    // Column by column: each a short loop over the child's obligations.
    let os = &*obligations;
    if f.rule {
        out.book.extend(os.iter().map(|_| book_index));
        out.rule.extend(os.iter().map(|o| o.rule as u32));
    }
    if f.child {
        out.child.extend(os.iter().map(|_| group));
    }
    if f.episode {
        out.episode.extend(os.iter().map(|o| base + o.episode as u32));
    }
    if f.anchor_row {
        out.anchor_row.extend(os.iter().map(|o| row32(o.anchor.row)));
    }
    if f.sequence {
        out.sequence.extend(os.iter().map(|o| o.sequence));
    }
    if f.anchor_event {
        out.anchor_event.extend(os.iter().map(|o| o.anchor.kind as u8));
    }
    if f.anchor_date {
        out.anchor_date.extend(os.iter().map(|o| to_days(o.anchor.date)));
    }
    if f.anchor_assumed {
        out.anchor_assumed.extend(os.iter().map(|o| o.anchor.assumed));
    }
    if f.due {
        out.due.extend(os.iter().map(|o| to_days(o.due)));
    }
    if f.status {
        out.status.extend(os.iter().map(|o| status_code(o.status)));
    }
    if f.episode_end {
        out.episode_end.extend(os, |o| {
            let end = timeline.episodes.get(o.episode).and_then(|e| e.end());
            end.filter(|end| *end <= options.as_of).map(to_days)
        });
    }
    if f.plan_start {
        out.plan_start.extend(os, |o| o.plan_start.map(to_days));
    }
    if f.met_event {
        out.met_event.extend(os, |o| o.met_by.map(|e| e.kind as u8));
    }
    if f.met_date {
        out.met_date.extend(os, |o| o.met_by.map(|e| to_days(e.date)));
    }
    if f.met_row {
        out.met_row.extend(os, |o| o.met_by.map(|e| row32(e.row)));
    }
    // Lateness fits in 32 bits: dates are within the calendar's range.
    if f.days_late {
        out.days_late.extend(os, |o| o.days_late.and_then(|d| i32::try_from(d).ok()));
    }
    if f.working_days_late {
        out.working_days_late.extend(os, |o| o.working_days_late.and_then(|d| i32::try_from(d).ok()));
    }
}

/// A row number of the events frame as the obligations frame holds it: UInt32, the dtype of
/// Polars' own row index (`with_row_index`). Rows are gathered as `u32`, so every row fits.
fn row32(row: u64) -> u32 {
    u32::try_from(row).unwrap_or(u32::MAX)
}

/// A date column from day numbers and their validity.
fn dates(name: &str, values: Nullable<i32>) -> Column {
    let (values, validity) = values.into_parts();
    Int32Chunked::from_vec_validity(name.into(), values, validity).into_date().into_column()
}

/// A date column with no nulls, made from the day numbers without copying them.
fn dates_all(name: &str, values: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), values).into_date().into_column()
}

/// A numeric column from values and their validity.
fn numbers<T>(name: &str, values: Nullable<T::Native>) -> Column
where
    T: PolarsNumericType,
    T::Native: Default + Copy,
    ChunkedArray<T>: IntoColumn,
{
    let (values, validity) = values.into_parts();
    ChunkedArray::<T>::from_vec_validity(name.into(), values, validity).into_column()
}

fn status_code(status: Status) -> u8 {
    match status {
        Status::Met => 0,
        Status::Late => 1,
        Status::Overdue => 2,
        Status::Pending => 3,
        Status::Cancelled => 4,
    }
}

/// A string column whose row `i` is `values[index[i]]`; an index past the end is an error.
///
/// The distinct values are stored once; each row is a 16-byte view of its value (for values of
/// more than 12 bytes, a view into that one copy). Polars' gather copies the views and shares
/// the dictionary's buffers; it checks the index against the dictionary first.
fn lookup(name: &str, values: Vec<&str>, index: Vec<u32>) -> PolarsResult<Column> {
    let dictionary = StringChunked::from_iter_values(name.into(), values.into_iter());
    let index = IdxCa::from_vec(name.into(), index);
    Ok(dictionary.take(&index)?.into_column())
}

fn obligations_frame(
    out: Out,
    children: &[&str],
    cols: &Columns,
    books: &[Arc<Rulebook>],
    options: &ScoreOptions,
) -> PolarsResult<DataFrame> {
    let n = out.rows;
    let events = event_names();
    // Rules of every rulebook numbered in one list: a row's rule is its book's offset plus the
    // rule's place in the book.
    let offsets: Vec<u32> = books
        .iter()
        .scan(0u32, |next, b| {
            let here = *next;
            *next += b.rules.len() as u32;
            Some(here)
        })
        .collect();
    let all_rules: Vec<&cinscope_rules::Rule> = books.iter().flat_map(|b| b.rules.iter()).collect();
    let rule_index: Vec<IdxSize> = out
        .book
        .iter()
        .zip(&out.rule)
        .map(|(b, r)| offsets.get(*b as usize).map_or(IdxSize::MAX, |o| (o + r) as IdxSize))
        .collect();
    let as_codes = options.label_codes;
    let categorical =
        |name: &str, values: &[&str], index: Vec<IdxSize>| rulebook_label(as_codes, name, values, index);
    let vocabulary_label = |name: &str, categories: &[&str], values: Nullable<u8>| {
        vocabulary_label(as_codes, name, categories, values)
    };
    // As codes, `rule` and `title` are the same numbers: one array, shared by both columns.
    let rule_codes = (as_codes && (wanted(options, "rule") || wanted(options, "title")))
        .then(|| IdxCa::from_vec("rule".into(), rule_index.clone()));
    let rule_label = |name: &str, value: &dyn Fn(&cinscope_rules::Rule) -> &str| match &rule_codes {
        Some(codes) => Ok(codes.clone().with_name(name.into()).into_column()),
        None => {
            let values: Vec<&str> = all_rules.iter().map(|r| value(r)).collect();
            categorical(name, &values, rule_index.clone())
        }
    };
    // Severity and kind: each rule's place in the vocabulary, then one code per row.
    let rule_enum = |name: &str, names: &[&str], value: &dyn Fn(&cinscope_rules::Rule) -> &str| {
        let per_rule: Vec<Option<u8>> =
            all_rules.iter().map(|r| names.iter().position(|n| *n == value(r)).map(|p| p as u8)).collect();
        let mut codes: Nullable<u8> = Nullable::default();
        codes.reserve(n);
        for i in &rule_index {
            codes.push(per_rule.get(*i as usize).copied().flatten());
        }
        vocabulary_label(name, names, codes)
    };
    // Only the columns asked for are built, from the vectors filled for them.
    let want = |name: &str| wanted(options, name);
    let mut built: Vec<Column> = Vec::new();
    // Columns of one value for every row are added once the chunks are stacked (see
    // [`with_constants`]).
    if want("rulebook") && books.len() != 1 {
        let ids: Vec<&str> = books.iter().map(|b| b.id.as_str()).collect();
        built.push(categorical("rulebook", &ids, out.book.iter().map(|b| *b as IdxSize).collect())?);
    }
    if want("child_id") {
        // The chunk's children are consecutive groups: each id is read once, then its view is
        // repeated for the child's obligations rather than looked up once per obligation.
        let first_group = out.child.first().copied().unwrap_or(0);
        let last_group = out.child.last().copied().unwrap_or(0);
        let ids: Vec<&str> =
            (first_group..=last_group).map(|g| children.get(g as usize).copied().unwrap_or("")).collect();
        let child_ids = out.child.iter().map(|g| g.wrapping_sub(first_group)).collect();
        built.push(lookup("child_id", ids, child_ids)?);
    }
    if want("episode_id") {
        let ids = out.episode_ends.iter().scan(0, |start, end| {
            let id = out.episode_text.get(*start..*end).unwrap_or_default();
            *start = *end;
            Some(id)
        });
        built.push(lookup("episode_id", ids.collect(), out.episode)?);
    }
    if want("episode_end") {
        built.push(dates("episode_end", out.episode_end));
    }
    // Authority, team and worker are taken from the anchor event's row; the strings' buffers
    // are shared with the events frame, not copied.
    let carried: Vec<(&str, &StringChunked)> = cols
        .authority
        .iter()
        .map(|a| ("authority", a))
        .chain(cols.carried.iter().map(|(name, values)| (name.as_str(), values)))
        .filter(|(name, _)| want(name))
        .collect();
    if !carried.is_empty() {
        let anchor_rows =
            IdxCa::from_vec("anchor_row".into(), out.anchor_row.iter().map(|r| *r as IdxSize).collect());
        for (name, values) in carried {
            built.push(values.take(&anchor_rows)?.with_name(name.into()).into_column());
        }
    }
    if want("rule") {
        built.push(rule_label("rule", &|r| r.code.as_str())?);
    }
    if want("title") {
        built.push(rule_label("title", &|r| r.title.as_str())?);
    }
    if want("severity") {
        built.push(rule_enum("severity", &SEVERITIES, &|r| r.severity.name())?);
    }
    if want("kind") {
        built.push(rule_enum("kind", &KINDS, &|r| r.kind.name())?);
    }
    if want("plan_start") {
        built.push(dates("plan_start", out.plan_start));
    }
    if want("sequence") {
        built.push(UInt32Chunked::from_vec("sequence".into(), out.sequence).into_column());
    }
    if want("anchor_event") {
        let codes = Nullable { values: out.anchor_event, valid: MutableBitmap::from_len_set(n) };
        built.push(vocabulary_label("anchor_event", &events, codes)?);
    }
    if want("anchor_date") {
        built.push(dates_all("anchor_date", out.anchor_date));
    }
    if want("anchor_row") {
        built.push(UInt32Chunked::from_vec("anchor_row".into(), out.anchor_row).into_column());
    }
    if want("anchor_assumed") {
        built.push(BooleanChunked::from_slice("anchor_assumed".into(), &out.anchor_assumed).into_column());
    }
    if want("due_date") {
        built.push(dates_all("due_date", out.due));
    }
    if want("met_event") {
        built.push(vocabulary_label("met_event", &events, out.met_event)?);
    }
    if want("met_date") {
        built.push(dates("met_date", out.met_date));
    }
    if want("met_row") {
        built.push(numbers::<UInt32Type>("met_row", out.met_row));
    }
    if want("status") {
        let codes = Nullable { values: out.status, valid: MutableBitmap::from_len_set(n) };
        built.push(vocabulary_label("status", &STATUSES, codes)?);
    }
    if want("days_late") {
        built.push(numbers::<Int32Type>("days_late", out.days_late));
    }
    if want("working_days_late") {
        built.push(numbers::<Int32Type>("working_days_late", out.working_days_late));
    }
    DataFrame::new(n, built)
}

/// A label of the rulebooks used: row `i` is `values[index[i]]` (a Categorical), or with
/// `as_codes` the code `index[i]`.
fn rulebook_label(as_codes: bool, name: &str, values: &[&str], index: Vec<IdxSize>) -> PolarsResult<Column> {
    if as_codes {
        Ok(IdxCa::from_vec(name.into(), index).into_column())
    } else {
        categorical_column(name, values, index)
    }
}

/// A label of a fixed vocabulary: an Enum, or with `as_codes` the one-byte codes.
fn vocabulary_label(
    as_codes: bool,
    name: &str,
    categories: &[&str],
    values: Nullable<u8>,
) -> PolarsResult<Column> {
    if as_codes {
        let (values, validity) = values.into_parts();
        Ok(UInt8Chunked::from_vec_validity(name.into(), values, validity).into_column())
    } else {
        enum8(name, categories, values)
    }
}

/// The stacked obligations with the columns that hold one value for every row (`convention`,
/// `as_of`, and `rulebook` when there is one), then every column in its order: the order asked
/// for, else that of [`OBLIGATION_COLUMNS`].
///
/// Each constant is a Polars scalar column: one value and a length, so it takes no memory per
/// row until an operation needs the values. At national scale the three would otherwise hold
/// nine bytes per obligation.
fn with_constants(
    mut frame: DataFrame,
    books: &[Arc<Rulebook>],
    options: &ScoreOptions,
) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let as_codes = options.label_codes;
    let one = |value: u8| Nullable { values: vec![value], valid: MutableBitmap::from_len_set(1) };
    let mut constants: Vec<Column> = Vec::new();
    if let [book] = books {
        if wanted(options, "rulebook") {
            constants.push(rulebook_label(as_codes, "rulebook", &[book.id.as_str()], vec![0])?);
        }
    }
    if wanted(options, "convention") {
        let code = CONVENTIONS.iter().position(|c| *c == options.convention.name()).unwrap_or(0) as u8;
        constants.push(vocabulary_label(as_codes, "convention", &CONVENTIONS, one(code))?);
    }
    if wanted(options, "as_of") {
        constants.push(dates_all("as_of", vec![to_days(options.as_of)]));
    }
    for column in constants {
        let value = column.take_materialized_series();
        frame.with_column(Column::Scalar(polars::frame::column::ScalarColumn::from_single_value_series(
            value, height,
        )))?;
    }
    match &options.columns {
        Some(names) => frame.select(names.iter().map(String::as_str)),
        None => {
            let present: Vec<&str> =
                OBLIGATION_COLUMNS.iter().copied().filter(|c| frame.column(c).is_ok()).collect();
            frame.select(present)
        }
    }
}

/// An Enum column of a vocabulary from one-byte codes and their validity (see
/// [`crate::labels::enum_column_u8`]).
fn enum8(name: &str, categories: &[&str], codes: Nullable<u8>) -> PolarsResult<Column> {
    let (values, validity) = codes.into_parts();
    crate::labels::enum_column_u8(name, categories, values, validity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> DataFrame {
        let rows = [
            ("A", "referral", "2025-01-06", "Team 1"),
            ("A", "assessment_start", "2025-01-07", "Team 1"),
            ("A", "assessment_authorised", "2025-03-12", "Team 1"),
            ("B", "referral", "2025-06-02", "Team 2"),
            ("B", "assessment_start", "2025-06-03", "Team 2"),
            ("B", "vist", "2025-06-04", "Team 2"),
        ];
        let day = |t: &str| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(to_days).unwrap_or(0);
        DataFrame::new_infer_height(vec![
            Column::new("child_id".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("event".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("date".into(), rows.iter().map(|r| day(r.2)).collect::<Vec<_>>())
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("team".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        ])
        .unwrap()
    }

    /// Scoring at 30 June 2025, anchor day excluded, every column, typed labels.
    fn options() -> ScoreOptions {
        ScoreOptions {
            as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
            convention: Convention::ExcludeAnchor,
            calendar: Arc::new(Calendar::england_and_wales()),
            columns: None,
            label_codes: false,
        }
    }

    #[test]
    fn scores_a_frame_and_reports_bad_rows() {
        let book = Arc::new(cinscope_rules::builtin("national").unwrap());
        let books = Rulebooks::One(book);
        let problems = check_rows(&events(), &books).unwrap();
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["column 'event' has 1 unknown event name: 'vist' (1 rows, first row 5, did you mean 'visit'?); see cinscope.event_vocabulary()"]
        );
        let options = options();
        let scored = score(&events(), &books, &options).unwrap();
        let status: Vec<&str> =
            scored.obligations.column("status").unwrap().cat8().unwrap().iter_str().flatten().collect();
        // A: 6 January + 45 working days = 10 March, authorised 12 March. B: due 4 August.
        assert_eq!(status, vec!["late", "pending"]);
        let team: Vec<&str> =
            scored.obligations.column("team").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(team, vec!["Team 1", "Team 2"]);
        let codes: Vec<&str> =
            scored.findings.column("code").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(codes, vec!["DQ001"]);
    }

    #[test]
    fn nullable_columns_extended_in_runs_equal_those_pushed_row_by_row() {
        // Runs of every length from 0 to 17 (empty runs on and off byte boundaries), each value
        // null or not by a fixed pattern.
        let mut pushed: Nullable<i32> = Nullable::default();
        let mut extended: Nullable<i32> = Nullable::default();
        let mut next = 0i32;
        for run in (0..18usize).chain([0, 0, 3, 0, 8, 0, 1]) {
            let items: Vec<i32> = (0..run as i32).map(|i| next + i).collect();
            next += run as i32;
            let value = |v: &i32| (v % 3 != 0).then_some(*v);
            for item in &items {
                pushed.push(value(item));
            }
            extended.extend(&items, value);
        }
        let (values, valid) = extended.into_parts();
        let (want_values, want_valid) = pushed.into_parts();
        assert_eq!(values, want_values);
        assert_eq!(
            valid.map(|b| b.iter().collect::<Vec<_>>()),
            want_valid.map(|b| b.iter().collect::<Vec<_>>())
        );
    }

    #[test]
    fn label_codes_decode_to_the_typed_labels() {
        let books = Rulebooks::One(Arc::new(cinscope_rules::builtin("national").unwrap()));
        let mut options = options();
        let typed = score(&events(), &books, &options).unwrap();
        assert!(typed.labels.is_empty());
        options.label_codes = true;
        let coded = score(&events(), &books, &options).unwrap();
        let names: Vec<&str> = coded.labels.iter().map(|l| l.column.as_str()).collect();
        assert_eq!(
            names,
            [
                "rulebook",
                "rule",
                "title",
                "severity",
                "kind",
                "anchor_event",
                "met_event",
                "status",
                "convention"
            ]
        );
        for label in &coded.labels {
            let codes = coded.obligations.column(&label.column).unwrap().cast(&DataType::UInt32).unwrap();
            let decoded: Vec<Option<&str>> = codes
                .u32()
                .unwrap()
                .iter()
                .map(|c| c.map(|c| label.categories[c as usize].as_str()))
                .collect();
            let text = typed.obligations.column(&label.column).unwrap().cast(&DataType::String).unwrap();
            let expected: Vec<Option<&str>> = text.str().unwrap().iter().collect();
            assert_eq!(decoded, expected, "{}", label.column);
        }
        // One obligation is pending: its met event is a null code.
        assert_eq!(coded.obligations.column("met_event").unwrap().null_count(), 1);
        // Every other column is the same, and only the labels asked for are listed.
        let others: Vec<&str> = typed
            .obligations
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .filter(|n| !names.contains(n))
            .collect();
        assert_eq!(
            coded.obligations.select(others.clone()).unwrap(),
            typed.obligations.select(others).unwrap()
        );
        options.columns = Some(vec!["status".into(), "child_id".into()]);
        let narrow = score(&events(), &books, &options).unwrap();
        assert_eq!(narrow.labels.iter().map(|l| l.column.as_str()).collect::<Vec<_>>(), ["status"]);
    }

    #[test]
    fn chunks_cover_every_child_once_with_about_as_many_rows_each() {
        // Heavy children first, light ones last, as in order of first appearance.
        let sizes: Vec<u32> = (0..10_000).map(|i| if i < 5_000 { 20 } else { 2 }).collect();
        let starts: Vec<u32> = std::iter::once(0)
            .chain(sizes.iter().scan(0, |total, n| {
                *total += n;
                Some(*total)
            }))
            .collect();
        let ranges = balanced_ranges(&starts, 8);
        assert_eq!(ranges.len(), 8);
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(sizes.len()));
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        let sizes: Vec<u32> = ranges.iter().map(|r| sizes[r.clone()].iter().sum()).collect();
        let (least, most) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        // Within 2% of each other; by children alone the first would hold ten times the last.
        assert!(most - least <= most / 50, "{sizes:?}");
        // Few children: one chunk; none: one empty chunk.
        assert_eq!(balanced_ranges(&starts[..301], 8), vec![0..300]);
        assert_eq!(balanced_ranges(&[0], 8), vec![0..0]);
        assert_eq!(balanced_ranges(&[], 8), vec![0..0]);
    }

    #[test]
    fn columns_of_one_value_are_scalar_columns_of_the_frames_height() {
        let national = Arc::new(cinscope_rules::builtin("national").unwrap());
        let one = Rulebooks::One(Arc::clone(&national));
        let mut options = options();
        let full = score(&events(), &one, &options).unwrap().obligations;
        assert_eq!(full.height(), 2);
        for name in ["rulebook", "convention", "as_of"] {
            let column = full.column(name).unwrap();
            assert!(column.as_scalar_column().is_some(), "{name} is not a scalar column");
            assert_eq!(column.len(), 2, "{name}");
        }
        let text = |frame: &DataFrame, name: &str| -> Vec<String> {
            let values = frame.column(name).unwrap().cast(&DataType::String).unwrap();
            values.str().unwrap().iter().map(|v| v.unwrap_or("null").to_string()).collect()
        };
        assert_eq!(text(&full, "rulebook"), vec!["national", "national"]);
        assert_eq!(text(&full, "convention"), vec!["exclude_anchor", "exclude_anchor"]);
        assert_eq!(text(&full, "as_of"), vec!["2025-06-30", "2025-06-30"]);
        // The varying columns are built as before: not scalars.
        assert!(full.column("status").unwrap().as_scalar_column().is_none());

        // Only constants asked for: still one row per obligation, in the order asked for.
        options.columns = Some(vec!["as_of".into(), "rulebook".into()]);
        let only = score(&events(), &one, &options).unwrap().obligations;
        assert_eq!(only.shape(), (2, 2));
        assert_eq!(text(&only, "as_of"), vec!["2025-06-30", "2025-06-30"]);

        // As codes, the constants are codes too: the rulebook's number and the convention's.
        options.columns = None;
        options.label_codes = true;
        let codes = score(&events(), &one, &options).unwrap().obligations;
        assert_eq!(text(&codes, "rulebook"), vec!["0", "0"]);
        assert_eq!(text(&codes, "convention"), vec!["0", "0"]);

        // Rulebooks by authority: the rulebook varies, so it is a column of values.
        let mut by_authority = events();
        by_authority.with_column(Column::new("authority".into(), ["x", "x", "x", "y", "y", "y"])).unwrap();
        let mut map = HashMap::new();
        map.insert("x".to_string(), Arc::clone(&national));
        map.insert("y".to_string(), Arc::new(cinscope_rules::builtin("kent").unwrap()));
        options.label_codes = false;
        let scored = score(&by_authority, &Rulebooks::ByAuthority(map), &options).unwrap().obligations;
        assert!(scored.column("rulebook").unwrap().as_scalar_column().is_none());
        assert!(scored.column("as_of").unwrap().as_scalar_column().is_some());
        let books = text(&scored, "rulebook");
        assert_eq!(books.first().map(String::as_str), Some("national"));
        assert_eq!(books.last().map(String::as_str), Some("kent"));

        // No rulebook at all: nothing is scored, and the frame still has every column.
        let none = score(&by_authority, &Rulebooks::ByAuthority(HashMap::new()), &options).unwrap();
        assert_eq!(none.obligations.height(), 0);
        assert_eq!(none.obligations.get_column_names(), scored.get_column_names());
    }

    #[test]
    fn a_child_of_two_authorities_is_scored_under_its_latest_referrals_whatever_the_row_order() {
        // Child A: referred under 'x' on 6 January 2025 (assessed late, closed 20 March), referred
        // again under 'y' on 2 June, and a referral under 'x' dated after the as-of date (30 June),
        // which does not count. Its latest referral on or before the as-of date is y's.
        let rows = [
            ("A", "referral", "2025-01-06", "x"),
            ("A", "assessment_start", "2025-01-07", "x"),
            ("A", "assessment_authorised", "2025-03-12", "x"),
            ("A", "closure", "2025-03-20", "x"),
            ("A", "referral", "2025-06-02", "y"),
            ("A", "referral", "2025-07-01", "x"),
        ];
        let day = |t: &str| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(to_days).unwrap_or(0);
        let frame = |order: &[usize]| {
            let picked: Vec<_> = order.iter().map(|i| rows[*i]).collect();
            DataFrame::new_infer_height(vec![
                Column::new("child_id".into(), picked.iter().map(|r| r.0).collect::<Vec<_>>()),
                Column::new("event".into(), picked.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new("date".into(), picked.iter().map(|r| day(r.2)).collect::<Vec<_>>())
                    .cast(&DataType::Date)
                    .unwrap(),
                Column::new("authority".into(), picked.iter().map(|r| r.3).collect::<Vec<_>>()),
            ])
            .unwrap()
        };
        let mut map = HashMap::new();
        map.insert("x".to_string(), Arc::new(cinscope_rules::builtin("national").unwrap()));
        map.insert("y".to_string(), Arc::new(cinscope_rules::builtin("kent").unwrap()));
        let books = Rulebooks::ByAuthority(map);
        // In row order, reversed (the after-as-of row first), and y's referral first: every
        // obligation is Kent's (the first row named 'x' in two of them).
        for order in [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [4, 0, 1, 2, 3, 5]] {
            let scored = score(&frame(&order), &books, &options()).unwrap().obligations;
            let names = scored.column("rulebook").unwrap().cast(&DataType::String).unwrap();
            let names: Vec<Option<&str>> = names.str().unwrap().iter().collect();
            assert!(!names.is_empty() && names.iter().all(|n| *n == Some("kent")), "{order:?}: {names:?}");
        }
        // The rule itself: a referral outranks a later event of another kind; same-day referrals
        // go to the name first in byte order; with no referral, the latest event; with no dated
        // row on or before the as-of date, the first name; with no name at all, none.
        type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>);
        let cases: [(&[Row], Option<&str>); 5] = [
            (
                &[("A", "referral", "2025-01-06", Some("x")), ("A", "visit", "2025-05-01", Some("y"))],
                Some("x"),
            ),
            (
                &[("A", "referral", "2025-01-06", Some("y")), ("A", "referral", "2025-01-06", Some("x"))],
                Some("x"),
            ),
            (&[("A", "visit", "2025-05-01", Some("y")), ("A", "visit", "2025-04-01", Some("x"))], Some("y")),
            (&[("A", "visit", "2025-08-01", Some("y")), ("A", "visit", "2025-09-01", Some("x"))], Some("x")),
            (&[("A", "visit", "2025-05-01", None)], None),
        ];
        for (case, expected) in cases {
            let frame = DataFrame::new_infer_height(vec![
                Column::new("child_id".into(), case.iter().map(|r| r.0).collect::<Vec<_>>()),
                Column::new("event".into(), case.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new("date".into(), case.iter().map(|r| day(r.2)).collect::<Vec<_>>())
                    .cast(&DataType::Date)
                    .unwrap(),
                Column::new("authority".into(), case.iter().map(|r| r.3).collect::<Vec<_>>()),
            ])
            .unwrap();
            let cols = read_columns(&frame).unwrap();
            let all: Vec<u32> = (0..case.len() as u32).collect();
            let reversed: Vec<u32> = all.iter().rev().copied().collect();
            let as_of = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
            assert_eq!(scoring_authority(&all, &cols, as_of), expected, "{case:?}");
            assert_eq!(scoring_authority(&reversed, &cols, as_of), expected, "{case:?} reversed");
        }
    }

    #[test]
    fn each_rulebook_in_one_call_equals_one_call_per_rulebook() {
        let kent = cinscope_rules::builtin("kent").unwrap();
        let calendar = Calendar::england_and_wales();
        let synth = cinscope_synth::Options { children: 300, seed: 11, ..Default::default() };
        let mut events = crate::synth_frames(&kent, &calendar, &synth, "Kent", "K").unwrap().events;
        // Rows that make findings: the first row again (a duplicate, found by the timeline), an
        // event after the as-of date, and one of no known name.
        let first = events.head(Some(1));
        events.vstack_mut(&first).unwrap();
        for (event, days) in [("visit", 10), ("vist", -10)] {
            let mut row = events.head(Some(1));
            let date =
                Column::new("date".into(), [to_days(synth.as_of) + days]).cast(&DataType::Date).unwrap();
            row.with_column(date).unwrap();
            row.with_column(Column::new("event".into(), [event])).unwrap();
            events.vstack_mut(&row).unwrap();
        }
        let ids = ["national", "kent", "portsmouth"];
        let books: Vec<Arc<Rulebook>> =
            ids.iter().map(|id| Arc::new(cinscope_rules::builtin(id).unwrap())).collect();
        let mut options = options();
        options.as_of = synth.as_of;
        let text = |frame: &DataFrame| -> DataFrame {
            let columns = frame.columns().iter().map(|c| c.cast(&DataType::String).unwrap()).collect();
            DataFrame::new(frame.height(), columns).unwrap()
        };
        let each = score(&events, &Rulebooks::Each(books.clone()), &options).unwrap();
        let rulebook = each.obligations.column("rulebook").unwrap().cast(&DataType::String).unwrap();
        let mut heights = 0;
        for (id, book) in ids.iter().zip(&books) {
            let one = score(&events, &Rulebooks::One(Arc::clone(book)), &options).unwrap();
            assert!(one.obligations.height() > 0, "{id}");
            heights += one.obligations.height();
            // The rulebook's rows, in the order of its own call: children, then rule and due date.
            let mask = rulebook.str().unwrap().equal(*id);
            let part = each.obligations.filter(&mask).unwrap();
            assert_eq!(text(&part), text(&one.obligations), "{id}");
            // The timelines' findings are reported once, not once per rulebook.
            assert_eq!(each.findings, one.findings, "{id}");
            let codes: Vec<&str> =
                one.findings.column("code").unwrap().str().unwrap().iter().flatten().collect();
            assert!(["DQ001", "DQ003", "DQ015"].iter().all(|c| codes.contains(c)), "{id}: {codes:?}");
        }
        assert_eq!(each.obligations.height(), heights);
        // A few columns, as codes or as labels: the same rows.
        options.columns = Some(vec!["rule".into(), "rulebook".into(), "status".into(), "episode_id".into()]);
        options.label_codes = true;
        let narrow = score(&events, &Rulebooks::Each(books.clone()), &options).unwrap().obligations;
        let rule = each.obligations.column("rule").unwrap().cast(&DataType::String).unwrap();
        let labels = score(&events, &Rulebooks::Each(books), &ScoreOptions { label_codes: false, ..options })
            .unwrap()
            .obligations;
        assert_eq!(narrow.height(), each.obligations.height());
        assert_eq!(labels.column("rule").unwrap().cast(&DataType::String).unwrap(), rule);
        assert_eq!(
            labels.column("episode_id").unwrap().as_materialized_series(),
            each.obligations.column("episode_id").unwrap().as_materialized_series()
        );
    }

    #[test]
    fn builds_only_the_columns_asked_for_and_refuses_others() {
        let books = Rulebooks::One(Arc::new(cinscope_rules::builtin("national").unwrap()));
        let mut options = options();
        let full = score(&events(), &books, &options).unwrap().obligations;
        let names: Vec<&str> = full.get_column_names().iter().map(|n| n.as_str()).collect();
        let expected: Vec<&str> =
            OBLIGATION_COLUMNS.iter().copied().filter(|c| !matches!(*c, "authority" | "worker")).collect();
        assert_eq!(names, expected);

        options.columns = Some(vec!["status".into(), "child_id".into(), "team".into()]);
        let narrow = score(&events(), &books, &options).unwrap().obligations;
        assert_eq!(narrow, full.select(["status", "child_id", "team"]).unwrap());

        for (columns, message) in [
            (vec!["worker"], "columns: 'worker' is carried from the events frame's own 'worker' column"),
            (
                vec!["due"],
                "columns: 'due' is not a column of the obligations frame; did you mean 'due_date'?",
            ),
            (
                vec!["stauts"],
                "columns: 'stauts' is not a column of the obligations frame; did you mean 'status'?",
            ),
            (vec!["rule", "rule"], "columns: 'rule' is asked for twice"),
            (vec![], "name at least one column of the obligations frame"),
        ] {
            options.columns = Some(columns.into_iter().map(String::from).collect());
            let err = score(&events(), &books, &options).unwrap_err().to_string();
            assert!(err.contains(message), "{err}");
        }
    }
}
