//! The canonical events frame: its schema, its validation, and timelines built from it.
//!
//! Required columns: `child_id` (String or integer), `event` (String), `date` (Date).
//! Optional columns: `episode_id` (String or integer), `qualifier` (String), and any others
//! (`authority`, `team`, `worker`, …), which are carried through by later stages.

use cinscope_domain::{build_timeline, RawEvent, Timeline, EVENTS};
use polars::prelude::*;

/// Names of the columns cinscope reads from an events frame.
pub mod columns {
    /// The child's id.
    pub const CHILD_ID: &str = "child_id";
    /// The event name.
    pub const EVENT: &str = "event";
    /// The event date.
    pub const DATE: &str = "date";
    /// The episode id (optional).
    pub const EPISODE_ID: &str = "episode_id";
    /// The qualifier (optional).
    pub const QUALIFIER: &str = "qualifier";
}

/// A schema problem with an events frame: a missing column or one of the wrong type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A required column is missing.
    #[error("the events frame has no column '{column}' (it has: {present}); {hint}")]
    Missing {
        /// The missing column.
        column: &'static str,
        /// The columns it does have.
        present: String,
        /// What to do.
        hint: String,
    },
    /// A column has a type cinscope cannot read.
    #[error("column '{column}' has dtype {found}; expected {expected}")]
    WrongType {
        /// The column.
        column: &'static str,
        /// Its dtype.
        found: String,
        /// What is accepted.
        expected: &'static str,
    },
}

fn closest_column(frame: &DataFrame, wanted: &str) -> Option<String> {
    frame
        .get_column_names()
        .into_iter()
        .map(|n| (cinscope_domain::event::edit_distance(&n.to_lowercase(), wanted), n.to_string()))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, n)| n)
}

/// Checks the events frame's schema; returns the first problem found.
pub fn check_schema(frame: &DataFrame) -> Result<(), SchemaError> {
    let present = || frame.get_column_names().iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    let want = [
        (columns::CHILD_ID, true, "String or integer"),
        (columns::EVENT, true, "String"),
        (columns::DATE, true, "Date"),
        (columns::EPISODE_ID, false, "String or integer"),
        (columns::QUALIFIER, false, "String"),
    ];
    for (name, required, expected) in want {
        let Ok(column) = frame.column(name) else {
            if required {
                let hint = match closest_column(frame, name) {
                    Some(close) => format!("did you mean '{close}'? rename it to '{name}'"),
                    None => format!("add or rename a column to '{name}'"),
                };
                return Err(SchemaError::Missing { column: name, present: present(), hint });
            }
            continue;
        };
        let dtype = column.dtype();
        let ok = match expected {
            "String" => matches!(dtype, DataType::String | DataType::Null),
            "Date" => matches!(dtype, DataType::Date),
            _ => matches!(dtype, DataType::String | DataType::Null) || dtype.is_integer(),
        };
        if !ok {
            return Err(SchemaError::WrongType { column: name, found: dtype.to_string(), expected });
        }
    }
    Ok(())
}

/// The columns of an events frame that cinscope reads (strings in the frame's own chunks, the
/// dates in one), and each row's event kind.
pub(crate) struct Columns {
    pub(crate) child: StringChunked,
    /// The event kind of each row, `u8::MAX` for a null or unknown name (see [`event_codes`]).
    pub(crate) codes: Vec<u8>,
    pub(crate) event: StringChunked,
    pub(crate) date: Int32Chunked,
    pub(crate) episode: Option<StringChunked>,
    pub(crate) qualifier: Option<StringChunked>,
    pub(crate) authority: Option<StringChunked>,
    pub(crate) carried: Vec<(String, StringChunked)>,
}

fn strings(frame: &DataFrame, name: &str) -> PolarsResult<Option<StringChunked>> {
    match frame.column(name) {
        // Kept in the frame's chunks: copying 16-byte views of millions of rows into one chunk
        // costs more than the few lookups by row that have to find their chunk.
        Ok(column) => Ok(Some(column.as_materialized_series().cast(&DataType::String)?.str()?.clone())),
        Err(_) => Ok(None),
    }
}

/// Columns carried from the anchor row into each obligation, when the frame has them.
pub const CARRIED: &[&str] = &["team", "worker"];

pub(crate) fn read_columns(frame: &DataFrame) -> PolarsResult<Columns> {
    check_schema(frame).map_err(|e| polars_err!(SchemaMismatch: "{e}"))?;
    let child = strings(frame, columns::CHILD_ID)?.unwrap_or_else(|| StringChunked::full_null("".into(), 0));
    let event = strings(frame, columns::EVENT)?.unwrap_or_else(|| StringChunked::full_null("".into(), 0));
    let date =
        frame.column(columns::DATE)?.as_materialized_series().date()?.physical().rechunk().into_owned();
    let mut carried = Vec::new();
    for name in CARRIED {
        if let Some(values) = strings(frame, name)? {
            carried.push(((*name).to_string(), values));
        }
    }
    let codes = event_codes(&event);
    Ok(Columns {
        child,
        codes,
        event,
        date,
        episode: strings(frame, columns::EPISODE_ID)?,
        qualifier: strings(frame, columns::QUALIFIER)?,
        authority: strings(frame, "authority")?,
        carried,
    })
}

/// The event kind of every row (`u8::MAX` for a null or a name outside the vocabulary),
/// resolved in parallel chunk by chunk; consecutive rows with the same name are resolved once.
///
/// Each thread keeps a small table of names it has resolved, indexed by the name's length and
/// its first and last bytes: a name found there is confirmed by one comparison with the
/// vocabulary's own spelling, rather than looked up among every name of the vocabulary.
pub(crate) fn event_codes(event: &StringChunked) -> Vec<u8> {
    use cinscope_domain::{EventKind, EVENTS};
    use rayon::prelude::*;
    const SLOTS: usize = 256;
    let slot = |name: &str| {
        let bytes = name.as_bytes();
        let first = bytes.first().copied().unwrap_or(0) as usize;
        let last = bytes.last().copied().unwrap_or(0) as usize;
        (bytes.len().wrapping_mul(31) ^ first.wrapping_mul(7) ^ last.wrapping_mul(131)) % SLOTS
    };
    let mut codes = Vec::with_capacity(event.len());
    for array in event.downcast_iter() {
        let part: Vec<u8> = (0..array.len())
            .into_par_iter()
            .with_min_len(1 << 14)
            .map_init(
                || (None::<&str>, u8::MAX, [u8::MAX; SLOTS]),
                |(last_name, last_code, table), i| {
                    let name = array.get(i);
                    if last_name.is_some() && *last_name == name {
                        return *last_code;
                    }
                    let code = match name {
                        None => u8::MAX,
                        Some(name) => {
                            let at = slot(name);
                            let cached = table.get(at).copied().unwrap_or(u8::MAX);
                            match EVENTS.get(cached as usize) {
                                Some(spec) if spec.name == name => cached,
                                _ => {
                                    let code = EventKind::parse(name).map_or(u8::MAX, |k| k as u8);
                                    if code != u8::MAX {
                                        if let Some(entry) = table.get_mut(at) {
                                            *entry = code;
                                        }
                                    }
                                    code
                                }
                            }
                        }
                    };
                    (*last_name, *last_code) = (name, code);
                    code
                },
            )
            .collect();
        codes.extend(part);
    }
    codes
}

/// The value of a string column's rows, coded: row `r` holds `values[ids[r]]`, or null when
/// `ids[r]` is [`Coded::NULL`].
///
/// Scoring reads a child's episode ids and qualifiers in the child's order, which is not the
/// frame's: reading the strings there means a chunk search and a scattered read of a 16-byte
/// view for every event. Coding them first, in the frame's order and in parallel, leaves four
/// bytes a row to gather and a small table of distinct values (one per piece of the column, so
/// the pieces need no merging: a value may appear in the table more than once).
pub(crate) struct Coded<'c> {
    ids: Vec<u32>,
    values: Vec<&'c str>,
}

impl<'c> Coded<'c> {
    /// The id of a null.
    pub(crate) const NULL: u32 = u32::MAX;
    /// Rows coded with one table.
    const PIECE: usize = 1 << 18;

    /// Codes every row of `column`.
    pub(crate) fn new(column: &'c StringChunked) -> Self {
        Self::in_pieces(column, Self::PIECE)
    }

    /// Codes every row of `column`, `piece` rows (at least one) to a table.
    fn in_pieces(column: &'c StringChunked, piece: usize) -> Self {
        use rayon::prelude::*;
        let coded: Vec<(Vec<u32>, Vec<&'c str>)> = pieces_of(column, piece)
            .par_iter()
            .map(|(array, start, end, _)| {
                let mut ids = Vec::with_capacity(end - start);
                let mut values: Vec<&'c str> = Vec::new();
                let mut seen: PlHashMap<&'c str, u32> = PlHashMap::default();
                let mut last: Option<(&'c str, u32)> = None;
                for i in *start..*end {
                    let id = match array.get(i) {
                        None => Self::NULL,
                        Some(value) => match last {
                            Some((previous, id)) if previous == value => id,
                            _ => {
                                let id = *seen.entry(value).or_insert_with(|| {
                                    values.push(value);
                                    (values.len() - 1) as u32
                                });
                                last = Some((value, id));
                                id
                            }
                        },
                    };
                    ids.push(id);
                }
                (ids, values)
            })
            .collect();
        let mut ids = Vec::with_capacity(column.len());
        let mut values = Vec::new();
        for (piece_ids, piece_values) in coded {
            let offset = values.len() as u32;
            ids.extend(piece_ids.iter().map(|id| if *id == Self::NULL { Self::NULL } else { id + offset }));
            values.extend(piece_values);
        }
        Coded { ids, values }
    }

    /// The ids of `rows`, in that order.
    fn gather(&self, rows: &[u32]) -> Vec<u32> {
        gather_by(rows, |r| self.ids.get(r).copied().unwrap_or(Self::NULL))
    }

    /// The value of an id.
    #[cfg(test)]
    fn value(&self, id: u32) -> Option<&'c str> {
        self.values.get(id as usize).copied()
    }
}

/// A null date among gathered dates (no date can be that many days from 1970).
const NO_DATE: i32 = i32::MIN;

/// `value(row)` for each of `rows`, in order, computed in parallel.
fn gather_by<T: Send>(rows: &[u32], value: impl Fn(usize) -> T + Sync) -> Vec<T> {
    use rayon::prelude::*;
    rows.par_iter().with_min_len(1 << 16).map(|r| value(*r as usize)).collect()
}

/// An events frame's rows in child order: each child's rows are one run of `order`, with their
/// event kinds, dates, episode ids and qualifiers (coded, see [`Coded`]) gathered beside it so
/// that scoring reads them sequentially.
pub(crate) struct Gathered<'c> {
    source: &'c Columns,
    /// The children and their rows: `groups.rows` is the original row of each gathered
    /// position, and `groups.starts` the start of each child's run.
    pub(crate) groups: ChildRows<'c>,
    /// Event kind of each gathered position; `u8::MAX` for a name outside the vocabulary.
    kinds: Vec<u8>,
    /// Date of each gathered position, in days since 1970-01-01; [`NO_DATE`] for a null.
    date: Vec<i32>,
    /// Episode ids and qualifiers: each column's distinct values and the id of each gathered
    /// position's value (see [`Coded`]).
    episode: Option<(Vec<&'c str>, Vec<u32>)>,
    qualifier: Option<(Vec<&'c str>, Vec<u32>)>,
}

impl<'c> Gathered<'c> {
    /// Gathers `cols` by the row groups of `group_by_child`, which it keeps.
    pub(crate) fn new(cols: &'c Columns, groups: ChildRows<'c>) -> PolarsResult<Self> {
        let order = groups.rows.as_slice();
        // Event names were resolved in the frame's own order; gather their codes.
        let kinds = gather_by(order, |r| cols.codes.get(r).copied().unwrap_or(u8::MAX));
        let date = {
            let arrays: Vec<_> = cols.date.downcast_iter().collect();
            match arrays.as_slice() {
                [array] => gather_by(order, |r| array.get(r).unwrap_or(NO_DATE)),
                _ => gather_by(order, |r| cols.date.get(r).unwrap_or(NO_DATE)),
            }
        };
        // Coded in row order, then the ids gathered; the ids in row order are not kept.
        let coded = |column: &'c Option<StringChunked>| {
            column.as_ref().map(|c| {
                let coded = Coded::new(c);
                let ids = coded.gather(order);
                (coded.values, ids)
            })
        };
        let (episode, qualifier) = (coded(&cols.episode), coded(&cols.qualifier));
        Ok(Gathered { source: cols, groups, kinds, date, episode, qualifier })
    }

    /// The rows of child `group` as raw events, in place of what `into` held (its memory is
    /// reused from child to child).
    pub(crate) fn raw_events_into(&self, group: usize, into: &mut Vec<RawEvent<'c>>) {
        into.clear();
        let positions = self.groups.positions(group..group + 1);
        let read = |column: &Option<(Vec<&'c str>, Vec<u32>)>, pos: usize| {
            column
                .as_ref()
                .and_then(|(values, ids)| ids.get(pos).and_then(|id| values.get(*id as usize).copied()))
        };
        into.extend(positions.map(|pos| {
            let row = self.groups.rows.get(pos).copied().unwrap_or(0);
            let spec = self.kinds.get(pos).and_then(|code| cinscope_domain::EVENTS.get(*code as usize));
            let event = match spec {
                Some(spec) => spec.name,
                None => self.source.event.get(row as usize).unwrap_or(""),
            };
            RawEvent {
                row: u64::from(row),
                event,
                kind: spec.map(|spec| spec.kind),
                date: self.date.get(pos).copied().filter(|d| *d != NO_DATE).and_then(crate::to_date),
                episode: read(&self.episode, pos),
                qualifier: read(&self.qualifier, pos),
            }
        }));
    }
}

/// The rows of each child, children in order of first appearance, and the rows whose child id is
/// null.
pub fn group_by_child(child: &StringChunked) -> PolarsResult<ChildRows<'_>> {
    // Extracts usually hold each child's rows together: then one pass finds the groups.
    match contiguous_children(child) {
        Some(grouped) => Ok(grouped),
        None => hashed_children(child),
    }
}

/// A piece of a string column: (its array, first row in the array, one past the last, the
/// array's first row in the column).
type Piece<'a> = (&'a polars_arrow::array::Utf8ViewArray, usize, usize, u32);

/// `column` cut into pieces of `piece` rows (at least one), never across its chunks. The
/// column has fewer than 2^32 rows (checked by the callers).
fn pieces_of(column: &StringChunked, piece: usize) -> Vec<Piece<'_>> {
    let piece = piece.max(1);
    let mut pieces = Vec::new();
    let mut offset = 0u32;
    for array in column.downcast_iter() {
        for start in (0..array.len()).step_by(piece) {
            pieces.push((array, start, (start + piece).min(array.len()), offset));
        }
        offset += array.len() as u32;
    }
    pieces
}

/// Rows of a string column hashed into one partition per value of the hash's top byte.
const PARTITIONS: usize = 256;

/// A piece of the child id column: for each partition its rows with their ids' views, then
/// its null rows.
type PieceBuckets = (Vec<Vec<(u32, polars_arrow::array::View)>>, Vec<u64>);

/// The groups of [`group_by_child`] when a child's rows are spread through the frame: hashed
/// and partitioned in parallel, then grouped partition by partition in parallel.
///
/// 1. The column is cut into pieces (never across chunks); each piece's rows are hashed and
///    their numbers put in one bucket per partition (the top byte of the hash), in row order.
/// 2. Each partition reads its buckets piece by piece, so its rows come in row order, and
///    groups them by id (a hash map of the ids, which compares the strings themselves, so a
///    collision of hashes never merges two children).
/// 3. The groups of all partitions are ordered by their first row.
///
/// Each row moves with its 16-byte view, which holds an id of up to twelve bytes whole: such
/// ids are grouped without a second, scattered read of the column.
fn hashed_children(child: &StringChunked) -> PolarsResult<ChildRows<'_>> {
    use polars_arrow::array::{Array, View};
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    const PIECE: usize = 1 << 16;
    let hasher = PlSeedableRandomStateQuality::fixed();
    let rows = u32::try_from(child.len())
        .map_err(|_| polars_err!(ComputeError: "an events frame of {} rows is too long: at most 2^32 - 1", child.len()))?;
    let pieces = pieces_of(child, PIECE);
    debug_assert_eq!(pieces.last().map_or(0, |(_, _, end, offset)| offset + *end as u32), rows);

    // 1. Each piece: its rows by partition, each with its id's view, and its null rows. The
    // partitions are counted first so that each bucket is allocated once, at its size.
    let buckets: Vec<PieceBuckets> = pieces
        .par_iter()
        .map(|(array, start, end, offset)| {
            let views = array.views();
            let mut counts = vec![0usize; PARTITIONS];
            let mut nulls = Vec::new();
            let part_of: Vec<Option<u8>> = (*start..*end)
                .map(|i| match (array.is_valid(i), views.get(i)) {
                    (true, Some(view)) => {
                        let id = view
                            .get_inlined_slice()
                            .unwrap_or_else(|| array.get(i).unwrap_or_default().as_bytes());
                        let part = (hasher.hash_one(id) >> 56) as u8;
                        if let Some(count) = counts.get_mut(usize::from(part)) {
                            *count += 1;
                        }
                        Some(part)
                    }
                    _ => {
                        nulls.push(u64::from(offset + i as u32));
                        None
                    }
                })
                .collect();
            let mut parts: Vec<Vec<(u32, View)>> = counts.iter().map(|n| Vec::with_capacity(*n)).collect();
            for ((i, part), view) in (*start..*end).zip(part_of).zip(views.iter().skip(*start)) {
                if let Some(bucket) = part.and_then(|p| parts.get_mut(usize::from(p))) {
                    bucket.push((offset + i as u32, *view));
                }
            }
            (parts, nulls)
        })
        .collect();

    // 2. Each partition: its groups, as ids and their rows one after another. An id of up to
    // twelve bytes is whole in its view, so those are compared without reading the column
    // again. Each row's group is found first and the groups counted, then each row put in its
    // place.
    let groups: Vec<ChildRows<'_>> = (0..PARTITIONS)
        .into_par_iter()
        .map(|part| {
            let mut index: PlHashMap<&[u8], u32> = PlHashMap::default();
            let mut ids: Vec<&str> = Vec::new();
            let mut counts: Vec<u32> = Vec::new();
            let rows_here: usize = buckets.iter().map(|(parts, _)| parts.get(part).map_or(0, Vec::len)).sum();
            let mut group_of: Vec<u32> = Vec::with_capacity(rows_here);
            for ((array, _, _, offset), (parts, _)) in pieces.iter().zip(&buckets) {
                for (row, view) in parts.get(part).into_iter().flatten() {
                    let local = (row - offset) as usize;
                    let id = view
                        .get_inlined_slice()
                        .unwrap_or_else(|| array.get(local).unwrap_or_default().as_bytes());
                    let at = *index.entry(id).or_insert_with(|| {
                        ids.push(array.get(local).unwrap_or_default());
                        counts.push(0);
                        (ids.len() - 1) as u32
                    });
                    if let Some(count) = counts.get_mut(at as usize) {
                        *count += 1;
                    }
                    group_of.push(at);
                }
            }
            // Each group's start, then each row at the next free place of its group.
            let mut starts: Vec<u32> = Vec::with_capacity(counts.len() + 1);
            let mut total = 0u32;
            for n in &counts {
                starts.push(total);
                total += n;
            }
            starts.push(total);
            let mut next = starts.clone();
            let mut placed = vec![0u32; rows_here];
            let rows = buckets.iter().flat_map(|(parts, _)| parts.get(part).into_iter().flatten());
            for ((row, _), at) in rows.zip(group_of) {
                if let Some(cursor) = next.get_mut(at as usize) {
                    if let Some(slot) = placed.get_mut(*cursor as usize) {
                        *slot = *row;
                    }
                    *cursor += 1;
                }
            }
            ChildRows { ids, starts, rows: placed, nulls: Vec::new() }
        })
        .collect();

    // 3. All groups, in order of their first row.
    let mut order: Vec<(u32, u32, u32)> = Vec::new();
    for (p, part) in groups.iter().enumerate() {
        order.extend(
            (0..part.len())
                .map(|g| (part.rows_of(g).first().copied().unwrap_or(u32::MAX), p as u32, g as u32)),
        );
    }
    order.par_sort_unstable();
    let mut out = ChildRows {
        ids: Vec::with_capacity(order.len()),
        starts: Vec::with_capacity(order.len() + 1),
        rows: Vec::with_capacity(groups.iter().map(|g| g.rows.len()).sum()),
        nulls: buckets.into_iter().flat_map(|(_, nulls)| nulls).collect(),
    };
    for (_, p, g) in order {
        if let Some(part) = groups.get(p as usize) {
            out.push(part.ids.get(g as usize).copied().unwrap_or_default(), part.rows_of(g as usize));
        }
    }
    out.starts.push(out.rows.len() as u32);
    Ok(out)
}

/// The groups of [`group_by_child`] when every child's rows are contiguous (nulls may fall
/// anywhere); `None` when a child's rows turn out to be split.
///
/// 0. A look at the first rows, one by one, finds a repeat at once in rows that are not grouped.
/// 1. The column is cut into pieces (never across chunks); each piece's runs of one id and its
///    null rows are found in parallel.
/// 2. The pieces' runs are joined in order, a run that crosses into the next piece made one.
/// 3. The runs' ids must all differ: they are hashed and sorted by hash in parallel, and ids of
///    equal hash compared, so a collision never counts as a repeat.
fn contiguous_children(child: &StringChunked) -> Option<ChildRows<'_>> {
    contiguous_in_pieces(child, 1 << 16, 1 << 16)
}

/// Whether an id among the first `rows` rows comes back after another id.
fn repeats_early(child: &StringChunked, rows: usize) -> bool {
    let mut seen: PlHashSet<&str> = PlHashSet::default();
    let mut last: Option<&str> = None;
    for id in child.iter().take(rows).flatten() {
        if last != Some(id) && !seen.insert(id) {
            return true;
        }
        last = Some(id);
    }
    false
}

/// [`contiguous_children`] with pieces of `piece` rows (at least one), after a look at the first
/// `early` rows.
fn contiguous_in_pieces(child: &StringChunked, piece: usize, early: usize) -> Option<ChildRows<'_>> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let piece = piece.max(1);
    u32::try_from(child.len()).ok()?;
    if repeats_early(child, early) {
        return None;
    }
    let pieces = pieces_of(child, piece);
    // A run of one id: (id, its first row, one past its last row).
    type Runs<'a> = Vec<(&'a str, u32, u32)>;
    let found: Vec<(Runs<'_>, Vec<u64>)> = pieces
        .par_iter()
        .map(|(array, start, end, offset)| {
            let mut runs: Runs<'_> = Vec::new();
            let mut nulls = Vec::new();
            for i in *start..*end {
                let row = offset + i as u32;
                match (array.get(i), runs.last_mut()) {
                    (None, _) => nulls.push(u64::from(row)),
                    (Some(id), Some((current, _, end))) if *current == id => *end = row + 1,
                    (Some(id), _) => runs.push((id, row, row + 1)),
                }
            }
            (runs, nulls)
        })
        .collect();
    let mut runs: Runs<'_> = Vec::with_capacity(found.iter().map(|(r, _)| r.len()).sum());
    let mut nulls = Vec::new();
    for (piece_runs, piece_nulls) in found {
        let mut rest = piece_runs.into_iter();
        if let (Some(last), Some(first)) = (runs.last_mut(), rest.as_slice().first()) {
            // Null rows between them do not split a child's rows.
            if last.0 == first.0 {
                last.2 = first.2;
                rest.next();
            }
        }
        runs.extend(rest);
        nulls.extend(piece_nulls);
    }
    let hasher = PlSeedableRandomStateQuality::fixed();
    let mut hashed: Vec<(u64, u32)> = runs
        .par_iter()
        .enumerate()
        .map(|(i, (id, _, _))| (hasher.hash_one(id.as_bytes()), i as u32))
        .collect();
    hashed.par_sort_unstable();
    // Ids of equal hash (almost always one alone) compared with each other.
    let id = |i: &u32| runs.get(*i as usize).map(|r| r.0);
    let repeated = hashed.chunk_by(|a, b| a.0 == b.0).filter(|same| same.len() > 1).any(|same| {
        same.iter().enumerate().any(|(k, (_, a))| same.iter().skip(k + 1).any(|(_, b)| id(a) == id(b)))
    });
    if repeated {
        return None;
    }
    drop(hashed);
    let has_nulls = !nulls.is_empty();
    let mut out = ChildRows {
        ids: Vec::with_capacity(runs.len()),
        starts: Vec::with_capacity(runs.len() + 1),
        rows: Vec::with_capacity(child.len().saturating_sub(nulls.len())),
        nulls: Vec::new(),
    };
    for (id, first, end) in runs {
        out.ids.push(id);
        out.starts.push(out.rows.len() as u32);
        if has_nulls {
            // The null rows are in order: skip those inside the run.
            out.rows.extend((first..end).filter(|r| nulls.binary_search(&u64::from(*r)).is_err()));
        } else {
            out.rows.extend(first..end);
        }
    }
    out.starts.push(out.rows.len() as u32);
    out.nulls = nulls;
    Some(out)
}

/// The rows of each child of an events frame, children in order of first appearance and each
/// child's rows in row order, held in one list (child after child) with where each child's
/// start; then the rows whose child id is null.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildRows<'a> {
    /// Each child's id.
    pub ids: Vec<&'a str>,
    /// Where each child's rows start in `rows`, then the length of `rows`: one more entry than
    /// children.
    pub starts: Vec<u32>,
    /// The rows of every child, child after child.
    pub rows: Vec<u32>,
    /// The rows whose child id is null, in order.
    pub nulls: Vec<u64>,
}

impl<'a> ChildRows<'a> {
    /// From each child's id and rows, in order, and the null rows.
    pub fn from_groups<R: AsRef<[u32]>>(
        groups: impl IntoIterator<Item = (&'a str, R)>,
        nulls: Vec<u64>,
    ) -> Self {
        let mut out = ChildRows { nulls, ..ChildRows::default() };
        for (id, rows) in groups {
            out.push(id, rows.as_ref());
        }
        out.starts.push(out.rows.len() as u32);
        out
    }

    /// Adds a child (before the closing entry of `starts` is pushed).
    fn push(&mut self, id: &'a str, rows: &[u32]) {
        self.ids.push(id);
        self.starts.push(self.rows.len() as u32);
        self.rows.extend_from_slice(rows);
    }

    /// The number of children.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no children.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The rows of child `child` (none past the last child).
    pub fn rows_of(&self, child: usize) -> &[u32] {
        self.rows.get(self.positions(child..child + 1)).unwrap_or_default()
    }

    /// Where the rows of the children `children` are in `rows` (empty past the last child).
    pub fn positions(&self, children: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.starts.get(children.start).map_or(0, |s| *s as usize);
        let end = self.starts.get(children.end).map_or(start, |s| *s as usize);
        start..end.max(start)
    }

    /// Each child's id and rows, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &[u32])> + '_ {
        self.ids.iter().enumerate().map(|(i, id)| (*id, self.rows_of(i)))
    }
}

/// Builds one timeline per child from an events frame, children in order of first appearance.
///
/// Rows with a null `child_id` cannot belong to a timeline; they are returned separately so the
/// caller can report or reject them.
pub fn timelines(frame: &DataFrame) -> PolarsResult<(Vec<Timeline>, Vec<u64>)> {
    let cols = read_columns(frame)?;
    let gathered = Gathered::new(&cols, group_by_child(&cols.child)?)?;
    let mut raw = Vec::new();
    let out = gathered
        .groups
        .ids
        .iter()
        .enumerate()
        .map(|(g, id)| {
            gathered.raw_events_into(g, &mut raw);
            build_timeline(id, &raw)
        })
        .collect();
    Ok((out, gathered.groups.nulls))
}

/// The data-quality findings of an events frame as a frame: one row per finding with its code,
/// title, child, episode, the rows involved and a message. Rows with a null `child_id` are
/// reported under code `DQ000`.
pub fn findings_frame(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let (timelines, null_children) = timelines(frame)?;
    let unused: Vec<Unused> = null_children
        .into_iter()
        .map(|row| {
            (row, None, format!("row {row}: child_id is null; the row cannot be placed in any timeline"))
        })
        .collect();
    findings_table(timelines.iter().flat_map(|t| t.findings.iter()), &unused)
}

/// A row not used: its number, its child (when known) and why.
pub type Unused = (u64, Option<String>, String);

/// The findings table: rows not used at all (code `DQ000`, with their messages) first, then the
/// timelines' findings.
pub fn findings_table<'a>(
    findings: impl Iterator<Item = &'a cinscope_domain::Finding>,
    unused: &'a [Unused],
) -> PolarsResult<DataFrame> {
    let mut code: Vec<String> = Vec::new();
    let mut title: Vec<&str> = Vec::new();
    let mut child: Vec<Option<&str>> = Vec::new();
    let mut episode: Vec<Option<&str>> = Vec::new();
    let mut first_row: Vec<u64> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    let mut message: Vec<&str> = Vec::new();
    for (row, who, text) in unused {
        code.push("DQ000".to_string());
        title.push("row not used");
        child.push(who.as_deref());
        episode.push(None);
        first_row.push(*row);
        rows.push(row.to_string());
        message.push(text);
    }
    for finding in findings {
        code.push(finding.code.to_string());
        title.push(finding.code.title());
        child.push(Some(finding.child.as_str()));
        episode.push(finding.episode.as_deref());
        first_row.push(finding.rows.iter().copied().min().unwrap_or_default());
        rows.push(finding.rows.iter().map(u64::to_string).collect::<Vec<_>>().join(","));
        message.push(finding.message.as_str());
    }
    DataFrame::new_infer_height(vec![
        Column::new("code".into(), code),
        Column::new("title".into(), title),
        Column::new("child_id".into(), child),
        Column::new("episode_id".into(), episode),
        Column::new("row".into(), first_row),
        Column::new("rows".into(), rows),
        Column::new("message".into(), message),
    ])
}

/// Every period of every child as a frame: one row per Child in Need plan, child protection
/// plan, looked-after period and supervision order, with its start, its end (null while open),
/// its origin or end qualifier, and the episode it belongs to.
pub fn periods_frame(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let (timelines, _) = timelines(frame)?;
    let mut child: Vec<&str> = Vec::new();
    let mut episode: Vec<&str> = Vec::new();
    let mut kind: Vec<&str> = Vec::new();
    let mut start: Vec<i32> = Vec::new();
    let mut end: Vec<Option<i32>> = Vec::new();
    let mut label: Vec<Option<&str>> = Vec::new();
    let mut end_label: Vec<Option<&str>> = Vec::new();
    for timeline in &timelines {
        for e in &timeline.episodes {
            let lists = [
                ("cin_plan", &e.cin_plans),
                ("cp_plan", &e.cp_plans),
                ("looked_after", &e.looked_after),
                ("supervision_order", &e.supervision_orders),
            ];
            for (name, spans) in lists {
                for span in spans {
                    child.push(timeline.child.as_str());
                    episode.push(e.id.as_str());
                    kind.push(name);
                    start.push(crate::to_days(span.start));
                    end.push(span.end.map(crate::to_days));
                    label.push(span.label.as_ref().map(|l| l.as_str()));
                    end_label.push(span.end_label.as_ref().map(|l| l.as_str()));
                }
            }
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("child_id".into(), child),
        Column::new("episode_id".into(), episode),
        Column::new("period".into(), kind),
        Column::new("start".into(), start).cast(&DataType::Date)?,
        Column::new("end".into(), end).cast(&DataType::Date)?,
        Column::new("origin".into(), label),
        Column::new("end_reason".into(), end_label),
    ])
}

/// The event vocabulary as a frame: name, group, qualifier kind, allowed qualifier values and
/// description, one row per event kind.
pub fn vocabulary_frame() -> PolarsResult<DataFrame> {
    let name: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
    let group: Vec<&str> = EVENTS.iter().map(|e| e.group.name()).collect();
    let qualifier: Vec<String> = EVENTS.iter().map(|e| format!("{:?}", e.qualifier).to_lowercase()).collect();
    let values: Vec<String> = EVENTS.iter().map(|e| e.qualifier.values().join(", ")).collect();
    let description: Vec<&str> = EVENTS.iter().map(|e| e.description).collect();
    DataFrame::new_infer_height(vec![
        Column::new("event".into(), name),
        Column::new("group".into(), group),
        Column::new("qualifier".into(), qualifier),
        Column::new("qualifier_values".into(), values),
        Column::new("description".into(), description),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(children: &[Option<&str>], events: &[&str], dates: &[&str]) -> DataFrame {
        let days: Vec<i32> = dates
            .iter()
            .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map(crate::to_days).unwrap_or(0))
            .collect();
        DataFrame::new_infer_height(vec![
            Column::new("child_id".into(), children.to_vec()),
            Column::new("event".into(), events.to_vec()),
            Column::new("date".into(), days).cast(&DataType::Date).unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn contiguous_children_are_grouped_as_polars_groups_them_in_pieces_of_any_size() {
        let cases: [&[Option<&str>]; 9] = [
            &[],
            &[Some("A"), Some("A"), Some("B"), Some("C"), Some("C")],
            &[None, Some("A"), None, Some("A"), Some("B"), None],
            &[None, None],
            &[Some("A"), Some("B"), Some("A")],
            &[Some("B"), None, Some("A"), Some("B")],
            &[Some("A"), Some("A"), Some("A"), None, None, Some("A"), Some("B")],
            &[Some("A"), Some("B"), Some("C"), Some("D"), Some("C")],
            &[
                Some("a-much-longer-child-id-1"),
                Some("a-much-longer-child-id-1"),
                Some("a-much-longer-child-id-2"),
            ],
        ];
        for values in cases {
            let child = StringChunked::from_iter_options("child_id".into(), values.iter().copied());
            let split =
                values.iter().flatten().enumerate().any(|(i, v)| {
                    values.iter().flatten().skip(i + 1).skip_while(|w| *w == v).any(|w| w == v)
                });
            // Pieces of every size up to past the whole column, so that runs, nulls and repeats
            // fall across the boundaries of pieces.
            // Without the early look, and with it.
            for (piece, early) in (1..=values.len() + 1).flat_map(|p| [(p, 0), (p, values.len())]) {
                match contiguous_in_pieces(&child, piece, early) {
                    Some(grouped) => {
                        assert!(!split, "{values:?}");
                        assert_eq!(grouped, polars_groups(&child), "{values:?} in pieces of {piece}");
                    }
                    None => assert!(split, "{values:?} in pieces of {piece}, early look {early}"),
                }
            }
            assert_eq!(group_by_child(&child).unwrap(), polars_groups(&child), "{values:?}");
        }
        // Runs across chunks join; an id back in a later chunk is a split.
        let chunked = |chunks: &[&[Option<&str>]]| {
            let mut column = StringChunked::full_null("child_id".into(), 0);
            for values in chunks {
                column
                    .append(&StringChunked::from_iter_options("child_id".into(), values.iter().copied()))
                    .unwrap();
            }
            column
        };
        let joined = chunked(&[&[Some("A"), Some("A")], &[Some("A"), Some("B")], &[None, Some("B")]]);
        assert_eq!(joined.chunks().len(), 3);
        assert_eq!(contiguous_in_pieces(&joined, 2, 0), Some(polars_groups(&joined)));
        assert_eq!(contiguous_in_pieces(&chunked(&[&[Some("A")], &[Some("B"), Some("A")]]), 2, 0), None);
    }

    /// The groups of [`group_by_child`] as Polars' own grouping finds them: the reference.
    fn polars_groups(child: &StringChunked) -> ChildRows<'_> {
        use polars::prelude::IntoGroupsType;
        let groups = child.group_tuples(true, true).unwrap().into_idx();
        let mut out = Vec::new();
        let mut nulls = Vec::new();
        for (first, rows) in groups {
            let rows: Vec<u32> = rows.iter().copied().collect();
            match child.get(first as usize) {
                Some(id) => out.push((id, rows)),
                None => nulls.extend(rows.iter().map(|r| u64::from(*r))),
            }
        }
        nulls.sort_unstable();
        ChildRows::from_groups(out, nulls)
    }

    #[test]
    fn hashed_grouping_equals_polars_grouping_across_chunks_nulls_and_pieces() {
        // Shuffled ids (short and longer than a view's twelve inline bytes), some null, in
        // several chunks, one longer than a piece.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut column = StringChunked::full_null("child_id".into(), 0);
        for size in [1usize, 70_000, 3, 0, 20_000] {
            let values: Vec<Option<String>> = (0..size)
                .map(|_| match next() % 50 {
                    0 => None,
                    r if r < 25 => Some(format!("C{}", next() % 5_000)),
                    _ => Some(format!("a-much-longer-child-id-{}", next() % 5_000)),
                })
                .collect();
            column.append(&StringChunked::from_iter_options("child_id".into(), values.into_iter())).unwrap();
        }
        assert!(column.chunks().len() >= 4);
        let ours = hashed_children(&column).unwrap();
        assert!(ours.len() > 5_000 && !ours.nulls.is_empty());
        assert_eq!(ours, polars_groups(&column));
        // A slice of the column (arrays that start part-way into their buffers).
        let sliced = column.slice(5, 80_000);
        assert_eq!(hashed_children(&sliced).unwrap(), polars_groups(&sliced));
        let coded = Coded::new(&sliced);
        let rows: Vec<u32> = (0..sliced.len() as u32).collect();
        let back: Vec<Option<&str>> = coded.gather(&rows).iter().map(|id| coded.value(*id)).collect();
        assert_eq!(back, sliced.iter().collect::<Vec<_>>());
        // And on the small cases.
        for values in [&[][..], &[None, None], &[Some("B"), None, Some("A"), Some("B")]] {
            let child = StringChunked::from_iter_options("child_id".into(), values.iter().copied());
            assert_eq!(hashed_children(&child).unwrap(), polars_groups(&child), "{values:?}");
        }
    }

    #[test]
    fn event_codes_equal_the_vocabulary_lookup_row_by_row() {
        // Every name of the vocabulary, near misses that share a name's length and first and
        // last bytes, an unknown name and nulls, repeated and interleaved, in two chunks.
        let mut names: Vec<Option<String>> = Vec::new();
        for round in 0..3 {
            for spec in cinscope_domain::EVENTS.iter().skip(round) {
                names.push(Some(spec.name.to_string()));
                let mut twin = spec.name.as_bytes().to_vec();
                if let Some(middle) = twin.get_mut(spec.name.len() / 2) {
                    *middle = b'x';
                }
                names.push(Some(String::from_utf8(twin).unwrap()));
                names.push(if round == 1 { None } else { Some(spec.name.to_string()) });
            }
            names.push(Some("not_an_event".to_string()));
        }
        let half = names.len() / 2;
        let mut column =
            StringChunked::from_iter_options("event".into(), names[..half].iter().map(|n| n.as_deref()));
        column
            .append(&StringChunked::from_iter_options(
                "event".into(),
                names[half..].iter().map(|n| n.as_deref()),
            ))
            .unwrap();
        assert_eq!(column.chunks().len(), 2);
        let expected: Vec<u8> = names
            .iter()
            .map(|n| n.as_deref().and_then(cinscope_domain::EventKind::parse).map_or(u8::MAX, |k| k as u8))
            .collect();
        assert!(expected.iter().filter(|c| **c != u8::MAX).count() > 100);
        assert_eq!(event_codes(&column), expected);
    }

    #[test]
    fn coded_strings_give_back_every_row_across_chunks_and_pieces() {
        let mut column = StringChunked::new("q".into(), [Some("seen"), None, Some("seen"), Some("RC1")]);
        column
            .append(&StringChunked::new("q".into(), [Some("RC1"), Some("a longer value than twelve"), None]))
            .unwrap();
        column.append(&StringChunked::new("q".into(), [Some("seen")])).unwrap();
        assert_eq!(column.chunks().len(), 3);
        let expected: Vec<Option<&str>> = column.iter().collect();
        for piece in [1, 2, 3, 1 << 18] {
            let coded = Coded::in_pieces(&column, piece);
            let rows: Vec<u32> = (0..column.len() as u32).rev().collect();
            let got: Vec<Option<&str>> =
                coded.gather(&rows).iter().map(|id| coded.value(*id)).rev().collect();
            assert_eq!(got, expected, "piece {piece}");
        }
        // A row past the end reads as null rather than failing.
        let coded = Coded::new(&column);
        assert_eq!(coded.gather(&[99]), vec![Coded::NULL]);
        assert_eq!(coded.value(Coded::NULL), None);
    }

    #[test]
    fn schema_errors_name_the_column() {
        let df = frame(&[Some("A")], &["referral"], &["2025-01-06"]);
        assert!(check_schema(&df).is_ok());
        let mut renamed = df.clone();
        renamed.rename("child_id", "childid".into()).unwrap();
        let err = check_schema(&renamed).unwrap_err().to_string();
        assert_eq!(
            err,
            "the events frame has no column 'child_id' (it has: childid, event, date); did you mean 'childid'? rename it to 'child_id'"
        );
        let mut wrong = df.clone();
        wrong.with_column(Column::new("date".into(), &["2025-01-06"])).unwrap();
        assert_eq!(
            check_schema(&wrong).unwrap_err().to_string(),
            "column 'date' has dtype str; expected Date"
        );
    }

    #[test]
    fn findings_frame_reports_every_problem_row() {
        let df = frame(
            &[Some("A"), Some("A"), None, Some("B"), Some("A")],
            &["referral", "closure", "visit", "visitt", "visit"],
            &["2025-01-06", "2025-03-01", "2025-01-07", "2025-01-08", "2025-04-01"],
        );
        let (timelines, nulls) = timelines(&df).unwrap();
        assert_eq!(timelines.len(), 2);
        assert_eq!(nulls, vec![2]);
        let found = findings_frame(&df).unwrap();
        let codes: Vec<&str> = found.column("code").unwrap().str().unwrap().iter().flatten().collect();
        // Row 4, a visit after the closure, has no outcome (taken as seen) and is not scored.
        assert_eq!(codes, vec!["DQ000", "DQ016", "DQ005", "DQ001"]);
        let rows: Vec<u64> = found.column("row").unwrap().u64().unwrap().iter().flatten().collect();
        assert_eq!(rows, vec![2, 4, 4, 3]);
    }

    #[test]
    fn periods_are_listed() {
        let df = frame(
            &[Some("A"), Some("A"), Some("A")],
            &["referral", "cin_plan_start", "cin_plan_end"],
            &["2025-01-06", "2025-02-03", "2025-05-30"],
        );
        let periods = periods_frame(&df).unwrap();
        assert_eq!(periods.height(), 1);
        assert_eq!(periods.column("period").unwrap().str().unwrap().get(0), Some("cin_plan"));
    }

    #[test]
    fn vocabulary_lists_every_event() {
        let vocab = vocabulary_frame().unwrap();
        assert_eq!(vocab.height(), EVENTS.len());
    }
}
