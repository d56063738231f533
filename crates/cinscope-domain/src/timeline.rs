//! Building a child's timeline from unordered events.
//!
//! A [`Timeline`] is one child's events split into episodes (referral to closure) with the spans
//! the rules need: Child in Need plans, child protection plans, looked-after periods,
//! supervision orders and cohort memberships. Building never fails and never drops a row: every
//! row either lands in the timeline or is named by a [`Finding`] that says what was done with it.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::event::{EventKind, QualifierKind};

/// One row of the events table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent<'a> {
    /// Row number in the source table (0-based), carried into findings.
    pub row: u64,
    /// The event name.
    pub event: &'a str,
    /// The event date; `None` for a missing date.
    pub date: Option<NaiveDate>,
    /// The episode id, when the source gives one.
    pub episode: Option<&'a str>,
    /// The qualifier, when the source gives one.
    pub qualifier: Option<&'a str>,
    /// The kind named by `event`, when the reader has already looked it up (a frame reader
    /// resolves each name once for all rows); `None` to have the name looked up here. When
    /// given, it is used and `event` serves only in messages.
    pub kind: Option<EventKind>,
}

/// A qualifier value that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum Qualifier {
    /// A value from a fixed code list.
    Code(&'static str),
    /// Free text kept as given.
    Text(String),
}

impl Qualifier {
    /// The value as text.
    pub fn as_str(&self) -> &str {
        match self {
            Qualifier::Code(code) => code,
            Qualifier::Text(text) => text,
        }
    }
}

/// A validated event of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Source row.
    pub row: u64,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub date: NaiveDate,
    /// Qualifier, if any.
    pub qualifier: Option<Qualifier>,
}

impl Event {
    /// The qualifier as text, if any.
    pub fn qualifier_str(&self) -> Option<&str> {
        self.qualifier.as_ref().map(Qualifier::as_str)
    }
}

/// A period with a start and, once it has ended, an end (a plan, an order, a cohort membership).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First day.
    pub start: NaiveDate,
    /// Last day, or `None` while open.
    pub end: Option<NaiveDate>,
    /// Row of the start event.
    pub start_row: u64,
    /// Row of the event that ended it: its own end event, the episode's closure, or the start
    /// of the next period of its kind (see `end_kind`).
    pub end_row: Option<u64>,
    /// The kind of the event that ended it, when that was not its own end event (the episode's
    /// closure, or the next period's start).
    pub end_kind: Option<EventKind>,
    /// The start event's qualifier (a plan's origin, a cohort's name).
    pub label: Option<Qualifier>,
    /// The end event's qualifier (why it ended), if any.
    pub end_label: Option<Qualifier>,
}

impl Span {
    /// Whether the span is open on `date` (started on or before it and not ended before it).
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }
}

/// One referral-to-closure episode of a child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Episode {
    /// The episode id from the source, or a derived one (`<child>#<n>`).
    pub id: String,
    /// The referral that opened it, if there was one.
    pub referral: Option<Event>,
    /// The closure that ended it, if it has closed.
    pub closure: Option<Event>,
    /// All of the episode's events in date order (same-day events in vocabulary order, with
    /// the referral first and the closure last).
    pub events: Vec<Event>,
    /// Child in Need plans.
    pub cin_plans: Vec<Span>,
    /// Child protection plans.
    pub cp_plans: Vec<Span>,
    /// Looked-after periods.
    pub looked_after: Vec<Span>,
    /// Supervision orders.
    pub supervision_orders: Vec<Span>,
}

impl Episode {
    /// The first day of the episode: its referral, or its earliest event.
    pub fn start(&self) -> Option<NaiveDate> {
        self.referral.as_ref().map(|e| e.date).or_else(|| self.events.first().map(|e| e.date))
    }

    /// The closure date, if closed.
    pub fn end(&self) -> Option<NaiveDate> {
        self.closure.as_ref().map(|e| e.date)
    }

    /// Events of one kind, in date order.
    pub fn of_kind(&self, kind: EventKind) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| e.kind == kind)
    }
}

/// A child's case history, built from their events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// The child's id.
    pub child: String,
    /// Episodes in date order.
    pub episodes: Vec<Episode>,
    /// Cohort memberships across episodes, labelled with the cohort.
    pub cohorts: Vec<Span>,
    /// Data-quality findings raised while building.
    pub findings: Vec<Finding>,
}

impl Timeline {
    /// Whether the child is in `cohort` on `date`.
    pub fn in_cohort(&self, cohort: &str, date: NaiveDate) -> bool {
        self.cohorts.iter().any(|s| s.label.as_ref().is_some_and(|l| l.as_str() == cohort) && s.covers(date))
    }
}

/// Codes of data-quality findings. Codes are stable: never reused or renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum FindingCode {
    /// An event name outside the vocabulary.
    DQ001,
    /// A qualifier value not allowed for its event, or given to an event that takes none.
    DQ002,
    /// A row that repeats another (same event, date, qualifier and episode).
    DQ003,
    /// An episode with events but no referral.
    DQ004,
    /// An event dated after its episode's closure.
    DQ005,
    /// An end dated before its start (closure before referral, plan end before plan start).
    DQ006,
    /// An end with no open period to end.
    DQ007,
    /// Two starts of the same kind of period on the same day.
    DQ008,
    /// A period starting while another of the same kind is still open.
    DQ009,
    /// A missing (null) date.
    DQ010,
    /// A second referral while an episode is open.
    DQ011,
    /// More than one closure in an episode.
    DQ012,
    /// A period still open after its episode closed.
    DQ013,
    /// An event dated before its episode's referral.
    DQ014,
    /// An event dated after the as-of date of scoring: not counted (reported when scoring, not
    /// when building timelines, which know no as-of date).
    DQ015,
    /// An event with no qualifier where the vocabulary documents a default (a visit is taken
    /// as `seen`, a plan's origin as `assessment`): the default is used and the rows are listed.
    DQ016,
}

impl FindingCode {
    /// A short title of what the code means.
    pub fn title(self) -> &'static str {
        match self {
            FindingCode::DQ001 => "unknown event name",
            FindingCode::DQ002 => "qualifier not allowed for this event",
            FindingCode::DQ003 => "duplicate row",
            FindingCode::DQ004 => "episode without a referral",
            FindingCode::DQ005 => "event after closure",
            FindingCode::DQ006 => "end before start",
            FindingCode::DQ007 => "end without a start",
            FindingCode::DQ008 => "duplicate start",
            FindingCode::DQ009 => "overlapping periods",
            FindingCode::DQ010 => "missing date",
            FindingCode::DQ011 => "referral while an episode is open",
            FindingCode::DQ012 => "more than one closure",
            FindingCode::DQ013 => "period open after closure",
            FindingCode::DQ014 => "event before referral",
            FindingCode::DQ015 => "event after the as-of date (not counted)",
            FindingCode::DQ016 => "qualifier missing: the documented default is used",
        }
    }

    /// Every code, in order.
    pub const ALL: [FindingCode; 16] = [
        FindingCode::DQ001,
        FindingCode::DQ002,
        FindingCode::DQ003,
        FindingCode::DQ004,
        FindingCode::DQ005,
        FindingCode::DQ006,
        FindingCode::DQ007,
        FindingCode::DQ008,
        FindingCode::DQ009,
        FindingCode::DQ010,
        FindingCode::DQ011,
        FindingCode::DQ012,
        FindingCode::DQ013,
        FindingCode::DQ014,
        FindingCode::DQ015,
        FindingCode::DQ016,
    ];
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// A data-quality problem found while building a timeline, and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The finding's code.
    pub code: FindingCode,
    /// The child.
    pub child: String,
    /// The episode id, when the problem belongs to one.
    pub episode: Option<String>,
    /// The source rows involved.
    pub rows: Vec<u64>,
    /// What is wrong and what cinscope did, in plain words.
    pub message: String,
}

/// Ordering of same-day events: the referral first, ends of periods before starts of new
/// ones, the closure last.
fn same_day_rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::Referral => 0,
        EventKind::Closure => 3,
        _ => 1,
    }
}

struct Builder<'c> {
    child: &'c str,
    findings: Vec<Finding>,
    /// Rows given their event's default qualifier, with the kind, reported together at the end.
    defaulted: Vec<(EventKind, u64)>,
}

impl Builder<'_> {
    fn find(&mut self, code: FindingCode, episode: Option<&str>, rows: Vec<u64>, message: String) {
        self.findings.push(Finding {
            code,
            child: self.child.to_string(),
            episode: episode.map(str::to_string),
            rows,
            message,
        });
    }

    /// One finding per kind of event given its default qualifier, naming every row.
    fn report_defaults(&mut self) {
        if self.defaulted.is_empty() {
            return;
        }
        let mut defaulted = std::mem::take(&mut self.defaulted);
        defaulted.sort_unstable();
        for run in defaulted.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(kind, _)) = run.first() else { continue };
            let spec = kind.spec();
            let value = spec.qualifier.default_value().unwrap_or_default();
            let rows: Vec<u64> = run.iter().map(|(_, row)| *row).collect();
            let message = match rows.as_slice() {
                [row] => format!(
                    "row {row}: '{}' has no qualifier; taken as '{value}', the documented default",
                    spec.name
                ),
                _ => format!(
                    "{} '{}' rows have no qualifier; each is taken as '{value}', the documented default",
                    rows.len(),
                    spec.name
                ),
            };
            self.find(FindingCode::DQ016, None, rows, message);
        }
    }

    /// Validates one row into an event, or reports why it cannot be used.
    fn validate(&mut self, raw: &RawEvent<'_>) -> Option<Event> {
        let Some(kind) = raw.kind.or_else(|| EventKind::parse(raw.event)) else {
            let hints = EventKind::suggest(raw.event);
            let hint = if hints.is_empty() {
                String::new()
            } else {
                format!(
                    "; did you mean {}?",
                    hints.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(" or ")
                )
            };
            self.find(
                FindingCode::DQ001,
                raw.episode,
                vec![raw.row],
                format!("row {}: unknown event '{}'{hint}; the row is not used", raw.row, raw.event),
            );
            return None;
        };
        let Some(date) = raw.date else {
            self.find(
                FindingCode::DQ010,
                raw.episode,
                vec![raw.row],
                format!("row {}: event '{}' has no date; the row is not used", raw.row, raw.event),
            );
            return None;
        };
        let spec = kind.spec();
        let qualifier = match raw.qualifier.map(str::trim).filter(|q| !q.is_empty()) {
            None => spec.qualifier.default_value().map(|value| {
                self.defaulted.push((kind, raw.row));
                Qualifier::Code(value)
            }),
            Some(text) => match spec.qualifier {
                QualifierKind::FreeText => Some(Qualifier::Text(text.to_string())),
                QualifierKind::None => {
                    self.find(
                        FindingCode::DQ002,
                        raw.episode,
                        vec![raw.row],
                        format!("row {}: event '{}' takes no qualifier but has '{text}'; the qualifier is ignored", raw.row, spec.name),
                    );
                    None
                }
                coded => {
                    let known = coded.lookup(text);
                    if known.is_none() {
                        self.find(
                            FindingCode::DQ002,
                            raw.episode,
                            vec![raw.row],
                            format!(
                                "row {}: qualifier '{text}' is not allowed for '{}' (allowed: {}); {}",
                                raw.row,
                                spec.name,
                                coded.values().join(", "),
                                match coded.default_value() {
                                    // An unreadable outcome is not taken to be the default:
                                    // 'not seen' misspelt must not count as a visit that saw the child.
                                    Some(_) => "the event is kept without a qualifier and counts only for rules that name none",
                                    None => "the qualifier is ignored",
                                }
                            ),
                        );
                    }
                    known.map(Qualifier::Code)
                }
            },
        };
        Some(Event { row: raw.row, kind, date, qualifier })
    }
}

/// Builds one child's timeline from their rows, in any order.
pub fn build_timeline(child: &str, rows: &[RawEvent<'_>]) -> Timeline {
    let mut builder = Builder { child, findings: Vec::new(), defaulted: Vec::new() };

    // Validate, keeping the episode id beside each event.
    let mut events: Vec<(Option<&str>, Event)> =
        rows.iter().filter_map(|raw| builder.validate(raw).map(|event| (raw.episode, event))).collect();
    builder.report_defaults();
    let order = |(ea, a): &(Option<&str>, Event), (eb, b): &(Option<&str>, Event)| {
        (a.date, same_day_rank(a.kind), a.kind, &a.qualifier, ea, a.row).cmp(&(
            b.date,
            same_day_rank(b.kind),
            b.kind,
            &b.qualifier,
            eb,
            b.row,
        ))
    };
    // Extracts often list a child's rows in order already: then one look says so.
    if !events.is_sorted_by(|a, b| order(a, b).is_le()) {
        events.sort_by(order);
    }

    // Duplicate rows: the first is kept, the others are reported (in place: a row repeats the
    // row kept just before it, since the sort puts equal rows together).
    events.dedup_by(|(episode, event), (kept_episode, kept)| {
        let repeat = *kept_episode == *episode
            && kept.kind == event.kind
            && kept.date == event.date
            && kept.qualifier == event.qualifier;
        if repeat {
            let message = format!(
                "row {} repeats row {} ('{}' on {}); counted once",
                event.row,
                kept.row,
                event.kind.name(),
                event.date
            );
            builder.find(FindingCode::DQ003, *episode, vec![kept.row, event.row], message);
        }
        repeat
    });

    // Cohort memberships are the child's, not an episode's.
    let is_cohort = |e: &Event| matches!(e.kind, EventKind::CohortStart | EventKind::CohortEnd);
    let mut cohort_events: Vec<Event> = Vec::new();
    if events.iter().any(|(_, e)| is_cohort(e)) {
        let (cohort, other): (Vec<_>, Vec<_>) = events.into_iter().partition(|(_, e)| is_cohort(e));
        cohort_events = cohort.into_iter().map(|(_, e)| e).collect();
        events = other;
    }
    let mut cohorts = Vec::new();
    for cohort in crate::event::COHORTS.iter().filter(|_| !cohort_events.is_empty()) {
        let mine = cohort_events.iter().filter(|e| e.qualifier_str() == Some(cohort));
        cohorts.extend(pair_spans(
            &mut builder,
            None,
            mine,
            EventKind::CohortStart,
            EventKind::CohortEnd,
            "cohort membership",
        ));
    }
    for event in cohort_events.iter().filter(|e| e.qualifier.is_none()) {
        builder.find(
            FindingCode::DQ002,
            None,
            vec![event.row],
            format!(
                "row {}: '{}' needs a cohort qualifier ({}); the row is not used",
                event.row,
                event.kind.name(),
                crate::event::COHORTS.join(", ")
            ),
        );
    }

    let has_ids = events.iter().any(|(episode, _)| episode.is_some());
    let groups =
        if has_ids { group_by_id(&mut builder, events) } else { group_by_dates(&mut builder, events) };
    let episodes = groups.into_iter().map(|(id, events)| finish_episode(&mut builder, id, events)).collect();
    Timeline { child: child.to_string(), episodes, cohorts, findings: builder.findings }
}

/// Episodes from explicit ids, in order of their first event. Rows without an id join the
/// episode whose dates cover them, else the nearest earlier one, and are reported.
fn group_by_id(builder: &mut Builder<'_>, events: Vec<(Option<&str>, Event)>) -> Vec<(String, Vec<Event>)> {
    let mut groups: Vec<(String, Vec<Event>)> = Vec::new();
    // Where each id's group is: found by a look through the few groups most children have, and
    // through a map once there are many, so that a child with many episodes costs no more per row.
    const FEW: usize = 8;
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut orphans = Vec::new();
    for (episode, event) in events {
        let Some(id) = episode else {
            orphans.push(event);
            continue;
        };
        let found = if groups.len() <= FEW {
            groups.iter().position(|(known, _)| known == id)
        } else {
            if index.is_empty() {
                index.extend(groups.iter().enumerate().map(|(i, (known, _))| (known.clone(), i)));
            }
            index.get(id).copied()
        };
        let at = found.unwrap_or_else(|| {
            groups.push((id.to_string(), Vec::new()));
            if !index.is_empty() {
                index.insert(id.to_string(), groups.len() - 1);
            }
            groups.len() - 1
        });
        if let Some((_, list)) = groups.get_mut(at) {
            list.push(event);
        }
    }
    for event in orphans {
        let target = groups
            .iter()
            .rposition(|(_, list)| list.first().is_some_and(|first| first.date <= event.date))
            .unwrap_or(0);
        if let Some((id, list)) = groups.get_mut(target) {
            let message = format!(
                "row {}: '{}' on {} has no episode id; placed in episode '{id}'",
                event.row,
                event.kind.name(),
                event.date
            );
            builder.find(FindingCode::DQ004, Some(id.as_str()), vec![event.row], message);
            let at = list.partition_point(|e| {
                (e.date, same_day_rank(e.kind)) <= (event.date, same_day_rank(event.kind))
            });
            list.insert(at, event);
        }
    }
    groups
}

/// Episodes derived from dates: a referral opens one, a closure ends it.
fn group_by_dates(
    builder: &mut Builder<'_>,
    events: Vec<(Option<&str>, Event)>,
) -> Vec<(String, Vec<Event>)> {
    use std::fmt::Write;
    let mut groups: Vec<(String, Vec<Event>)> = Vec::new();
    // A referral starts an episode, so each episode is a run of the events in date order: from
    // a referral (or, for the first, the first event) up to the next referral. Each run is
    // measured before it is moved, so that its list is allocated once.
    let mut rest = events.into_iter();
    while let Some((_, head)) = rest.as_slice().first() {
        let len = 1 + rest
            .as_slice()
            .iter()
            .skip(1)
            .position(|(_, e)| e.kind == EventKind::Referral)
            .unwrap_or(rest.len() - 1);
        if head.kind == EventKind::Referral {
            if let Some((id, list)) = groups.last() {
                if !list.iter().any(|e| e.kind == EventKind::Closure) {
                    let message = format!(
                        "row {}: referral on {} while episode '{id}' has no closure; a new episode starts here",
                        head.row, head.date
                    );
                    let id = id.clone();
                    builder.find(FindingCode::DQ011, Some(&id), vec![head.row], message);
                }
            }
        }
        let mut id = String::with_capacity(builder.child.len() + 4);
        id.push_str(builder.child);
        let _ = write!(id, "#{}", groups.len() + 1);
        let list: Vec<Event> = rest.by_ref().take(len).map(|(_, event)| event).collect();
        groups.push((id, list));
    }
    groups
}

fn finish_episode(builder: &mut Builder<'_>, id: String, events: Vec<Event>) -> Episode {
    // The first referral and closure are used; the rows of all are listed only when there are
    // more than one.
    let of_kind = |kind: EventKind| events.iter().filter(move |e| e.kind == kind);
    let mut all = of_kind(EventKind::Referral);
    let referral = all.next().cloned();
    let referrals = usize::from(referral.is_some()) + all.count();
    if referrals > 1 {
        let rows = of_kind(EventKind::Referral).map(|e| e.row).collect();
        builder.find(
            FindingCode::DQ011,
            Some(&id),
            rows,
            format!("episode '{id}' has {referrals} referrals; the first is used"),
        );
    }
    if referral.is_none() {
        let rows = events.iter().map(|e| e.row).take(20).collect();
        builder.find(
            FindingCode::DQ004,
            Some(&id),
            rows,
            format!("episode '{id}' has no referral; it is taken to start at its first event"),
        );
    }
    let mut all = of_kind(EventKind::Closure);
    let mut closure = all.next().cloned();
    let closures = usize::from(closure.is_some()) + all.count();
    if closures > 1 {
        let rows = of_kind(EventKind::Closure).map(|e| e.row).collect();
        builder.find(
            FindingCode::DQ012,
            Some(&id),
            rows,
            format!("episode '{id}' has {closures} closures; the first is used"),
        );
    }
    if let (Some(r), Some(c)) = (&referral, &closure) {
        if c.date < r.date {
            builder.find(
                FindingCode::DQ006,
                Some(&id),
                vec![r.row, c.row],
                format!(
                    "episode '{id}' closes on {} before its referral on {}; the closure is ignored",
                    c.date, r.date
                ),
            );
            closure = None;
        }
    }
    if let Some(r) = &referral {
        for event in events.iter().filter(|e| e.date < r.date) {
            let message = format!(
                "row {}: '{}' on {} is before the referral on {}",
                event.row,
                event.kind.name(),
                event.date,
                r.date
            );
            builder.find(FindingCode::DQ014, Some(&id), vec![event.row], message);
        }
    }
    // An event after the closure (other than the paperwork that follows one) belongs to no open
    // case: it is reported and not scored. A case that reopened needs a new referral.
    let after_closure = |e: &Event, c: &Event| {
        e.date > c.date && e.kind != EventKind::Closure && !e.kind.may_follow_closure()
    };
    let mut events = events;
    if let Some(c) = &closure {
        events.retain(|event| {
            if !after_closure(event, c) {
                return true;
            }
            let message = format!(
                "row {}: '{}' on {} is after the closure on {}; it is not scored (a case that reopened needs a new referral)",
                event.row,
                event.kind.name(),
                event.date,
                c.date
            );
            builder.find(FindingCode::DQ005, Some(&id), vec![event.row], message);
            false
        });
    }

    let mut spans = |start: EventKind, end: EventKind, what: &str| {
        let mut list = pair_spans(builder, Some(&id), events.iter(), start, end, what);
        if let Some(c) = &closure {
            for span in list.iter_mut().filter(|s| s.end.is_none() && s.start <= c.date) {
                let message = format!("{what} started on {} is still open when the episode closes on {}; it is taken to end then", span.start, c.date);
                builder.find(FindingCode::DQ013, Some(&id), vec![span.start_row, c.row], message);
                span.end = Some(c.date);
                span.end_row = Some(c.row);
                span.end_kind = Some(EventKind::Closure);
            }
        }
        list
    };
    let cin_plans = spans(EventKind::CinPlanStart, EventKind::CinPlanEnd, "Child in Need plan");
    let cp_plans = spans(EventKind::CpPlanStart, EventKind::CpPlanEnd, "child protection plan");
    let looked_after = spans(EventKind::LookedAfterStart, EventKind::LookedAfterEnd, "looked-after period");
    let supervision_orders =
        spans(EventKind::SupervisionOrderStart, EventKind::SupervisionOrderEnd, "supervision order");
    Episode { id, referral, closure, events, cin_plans, cp_plans, looked_after, supervision_orders }
}

/// Pairs start and end events (already in date order) into spans, reporting what does not pair.
fn pair_spans<'e>(
    builder: &mut Builder<'_>,
    episode: Option<&str>,
    events: impl Iterator<Item = &'e Event> + Clone,
    start: EventKind,
    end: EventKind,
    what: &str,
) -> Vec<Span> {
    let starts = events.clone().filter(|e| e.kind == start);
    let ends = events.filter(|e| e.kind == end);
    let mut spans: Vec<Span> = Vec::new();
    for s in starts {
        if let Some(previous) = spans.last() {
            if previous.start == s.date {
                let message = format!(
                    "{what} starts twice on {} (rows {} and {}); counted once",
                    s.date, previous.start_row, s.row
                );
                let rows = vec![previous.start_row, s.row];
                builder.find(FindingCode::DQ008, episode, rows, message);
                continue;
            }
        }
        spans.push(Span {
            start: s.date,
            end: None,
            start_row: s.row,
            end_row: None,
            end_kind: None,
            label: s.qualifier.clone(),
            end_label: None,
        });
    }
    // Each end closes the latest span that started on or before it and is still open; an end on
    // the same day as a later span's start closes the earlier span. Spans are in start order and
    // ends in date order, so `open` (the indices of spans started by the end's date and not yet
    // ended, in start order) is kept as the ends go by and stays short.
    let mut open: Vec<usize> = Vec::new();
    let mut started = 0;
    for e in ends {
        while spans.get(started).is_some_and(|s| s.start <= e.date) {
            open.push(started);
            started += 1;
        }
        let mut candidate = open.len().checked_sub(1);
        // On a transition day (one plan ends, the next starts) the end belongs to the earlier
        // plan, whatever order the rows came in.
        if let Some(at) = candidate {
            let starts_today = open.get(at).and_then(|&i| spans.get(i)).is_some_and(|s| s.start == e.date);
            if starts_today && at > 0 {
                candidate = Some(at - 1);
            }
        }
        match candidate.filter(|&at| at < open.len()) {
            Some(at) => {
                // Only the latest span open on that date may take it; an earlier open span means overlap.
                let index = open.remove(at);
                if let Some(span) = spans.get_mut(index) {
                    span.end = Some(e.date);
                    span.end_row = Some(e.row);
                    span.end_label = e.qualifier.clone();
                }
            }
            None => {
                let before_all = spans.iter().all(|s| s.start > e.date);
                if before_all && !spans.is_empty() {
                    let first = spans.first().map(|s| (s.start, s.start_row));
                    if let Some((first_start, first_row)) = first {
                        let message = format!(
                            "{what} ends on {} before it starts on {}; the end is ignored",
                            e.date, first_start
                        );
                        builder.find(FindingCode::DQ006, episode, vec![first_row, e.row], message);
                    }
                } else {
                    let message = format!(
                        "{what} ends on {} (row {}) but none is open; the end is ignored",
                        e.date, e.row
                    );
                    builder.find(FindingCode::DQ007, episode, vec![e.row], message);
                }
            }
        }
    }
    // A span still open when the next one starts overlaps it: it is taken to end that day.
    let len = spans.len();
    for i in 1..len {
        let (head, tail) = spans.split_at_mut(i);
        if let (Some(previous), Some(next)) = (head.last_mut(), tail.first()) {
            if previous.end.is_none_or(|end| end > next.start) {
                let message = format!(
                    "{what} started on {} is still open when another starts on {}; the first is taken to end then",
                    previous.start, next.start
                );
                builder.find(FindingCode::DQ009, episode, vec![previous.start_row, next.start_row], message);
                previous.end = Some(next.start);
                previous.end_row = Some(next.start_row);
                previous.end_kind = Some(start);
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }

    fn raw<'a>(row: u64, event: &'a str, date: &str) -> RawEvent<'a> {
        RawEvent { row, event, date: d(date), episode: None, qualifier: None, kind: None }
    }

    fn codes(t: &Timeline) -> Vec<FindingCode> {
        t.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn clean_history_builds_without_findings() {
        let rows = vec![
            RawEvent { qualifier: Some("assessment"), ..raw(3, "cin_plan_start", "2025-03-01") },
            raw(0, "referral", "2025-01-06"),
            raw(1, "assessment_start", "2025-01-07"),
            raw(2, "assessment_authorised", "2025-02-20"),
            raw(5, "closure", "2025-09-30"),
            raw(4, "cin_plan_end", "2025-09-30"),
        ];
        let t = build_timeline("C1", &rows);
        assert!(t.findings.is_empty(), "{:?}", t.findings);
        assert_eq!(t.episodes.len(), 1);
        let e = &t.episodes[0];
        assert_eq!(e.referral.as_ref().map(|r| r.row), Some(0));
        assert_eq!(e.closure.as_ref().map(|r| r.row), Some(5));
        assert_eq!(e.events.first().map(|r| r.row), Some(0));
        assert_eq!(e.events.last().map(|r| r.row), Some(5));
        assert_eq!(e.cin_plans.len(), 1);
        assert_eq!(e.cin_plans[0].end, d("2025-09-30"));
    }

    #[test]
    fn every_problem_is_reported_and_no_row_vanishes() {
        let mut rows = vec![
            raw(0, "referral", "2025-01-06"),
            raw(1, "referal", "2025-01-07"),
            RawEvent { row: 2, event: "visit", date: None, episode: None, qualifier: None, kind: None },
            raw(3, "cin_plan_start", "2025-02-01"),
            RawEvent {
                row: 4,
                event: "cin_plan_start",
                date: d("2025-02-01"),
                episode: None,
                qualifier: Some("step_down_cp"),
                kind: None,
            },
            raw(5, "cin_plan_start", "2025-03-01"),
            raw(6, "cin_plan_end", "2025-01-20"),
            raw(7, "closure", "2025-06-30"),
            raw(8, "visit", "2025-07-02"),
            raw(9, "visit", "2025-07-02"),
        ];
        rows.push(RawEvent {
            row: 10,
            event: "visit",
            date: d("2025-05-01"),
            episode: None,
            qualifier: Some("seen_together"),
            kind: None,
        });
        let t = build_timeline("C2", &rows);
        let found = codes(&t);
        for code in [
            FindingCode::DQ001,
            FindingCode::DQ010,
            FindingCode::DQ008,
            FindingCode::DQ006,
            FindingCode::DQ009,
            FindingCode::DQ013,
            FindingCode::DQ005,
            FindingCode::DQ003,
            FindingCode::DQ002,
        ] {
            assert!(found.contains(&code), "{code:?} missing from {found:?}");
        }
        // Every row is either in an episode or named by a finding.
        let mut seen: Vec<u64> = t.episodes.iter().flat_map(|e| e.events.iter().map(|x| x.row)).collect();
        seen.extend(t.findings.iter().flat_map(|f| f.rows.iter().copied()));
        for row in 0..=10 {
            assert!(seen.contains(&row), "row {row} vanished");
        }
        let unknown = t.findings.iter().find(|f| f.code == FindingCode::DQ001).map(|f| f.message.clone());
        assert_eq!(
            unknown.as_deref(),
            Some("row 1: unknown event 'referal'; did you mean 'referral'?; the row is not used")
        );
    }

    #[test]
    fn episodes_by_dates_and_by_ids() {
        let rows = vec![
            raw(0, "referral", "2024-01-02"),
            raw(1, "closure", "2024-03-01"),
            raw(2, "referral", "2024-06-03"),
            raw(3, "referral", "2024-09-02"),
        ];
        let t = build_timeline("C3", &rows);
        assert_eq!(t.episodes.len(), 3);
        assert_eq!(codes(&t), vec![FindingCode::DQ011]);
        assert_eq!(t.episodes[1].id, "C3#2");

        let with_ids = vec![
            RawEvent {
                row: 0,
                event: "referral",
                date: d("2024-01-02"),
                episode: Some("E1"),
                qualifier: None,
                kind: None,
            },
            RawEvent {
                row: 1,
                event: "referral",
                date: d("2024-01-10"),
                episode: Some("E2"),
                qualifier: None,
                kind: None,
            },
            RawEvent {
                row: 2,
                event: "closure",
                date: d("2024-02-01"),
                episode: Some("E1"),
                qualifier: Some("rc1"),
                kind: None,
            },
            RawEvent {
                row: 3,
                event: "visit",
                date: d("2024-01-20"),
                episode: None,
                qualifier: None,
                kind: None,
            },
        ];
        let t = build_timeline("C4", &with_ids);
        assert_eq!(t.episodes.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["E1", "E2"]);
        assert_eq!(t.episodes[0].closure.as_ref().and_then(|c| c.qualifier_str()), Some("RC1"));
        // The visit has no episode id (DQ004) and no outcome, taken as seen (DQ016).
        assert_eq!(codes(&t), vec![FindingCode::DQ016, FindingCode::DQ004]);
        assert!(t.episodes[1].events.iter().any(|e| e.row == 3));
    }

    #[test]
    fn defaults_are_applied_and_reported_once_per_kind() {
        let rows = vec![
            raw(0, "referral", "2024-01-08"),
            raw(1, "cin_plan_start", "2024-01-08"),
            raw(2, "visit", "2024-01-15"),
            RawEvent { qualifier: Some("  "), ..raw(3, "visit", "2024-01-22") },
            RawEvent { qualifier: Some("Seen Alone"), ..raw(4, "visit", "2024-01-29") },
            RawEvent { qualifier: Some("NOT-SEEN"), ..raw(5, "visit", "2024-02-05") },
        ];
        let t = build_timeline("C8", &rows);
        let qualifiers: Vec<Option<&str>> = t.episodes[0].events.iter().map(|e| e.qualifier_str()).collect();
        assert_eq!(
            qualifiers,
            vec![None, Some("assessment"), Some("seen"), Some("seen"), Some("seen_alone"), Some("not_seen")]
        );
        let found: Vec<(FindingCode, Vec<u64>)> =
            t.findings.iter().map(|f| (f.code, f.rows.clone())).collect();
        assert_eq!(found, vec![(FindingCode::DQ016, vec![1]), (FindingCode::DQ016, vec![2, 3])]);
        assert!(t.findings[1].message.contains("2 'visit' rows have no qualifier; each is taken as 'seen'"));
    }

    #[test]
    fn events_after_closure_are_not_scored_and_ended_spans_name_what_ended_them() {
        let rows = vec![
            raw(0, "referral", "2024-01-08"),
            RawEvent { qualifier: Some("assessment"), ..raw(1, "cin_plan_start", "2024-01-08") },
            RawEvent { qualifier: Some("RC1"), ..raw(2, "closure", "2024-03-01") },
            RawEvent { qualifier: Some("seen"), ..raw(3, "visit", "2024-03-10") },
            raw(4, "case_note", "2024-03-04"),
        ];
        let t = build_timeline("C9", &rows);
        let episode = &t.episodes[0];
        assert!(!episode.events.iter().any(|e| e.row == 3), "the visit after closure is not scored");
        assert!(episode.events.iter().any(|e| e.row == 4), "paperwork after closure is kept");
        let after = t.findings.iter().find(|f| f.code == FindingCode::DQ005).map(|f| f.message.as_str());
        assert_eq!(
            after,
            Some("row 3: 'visit' on 2024-03-10 is after the closure on 2024-03-01; it is not scored (a case that reopened needs a new referral)")
        );
        let plan = &episode.cin_plans[0];
        assert_eq!((plan.end_row, plan.end_kind), (Some(2), Some(EventKind::Closure)));
    }

    #[test]
    fn many_episode_ids_each_keep_their_own_rows() {
        // Twenty episodes, more than are looked up without a map, each a referral; then a visit
        // in each after all the referrals, so that every id recurs once all twenty are known.
        // The rows are listed visits first, in reverse.
        let ids: Vec<String> = (0..20).map(|i| format!("E{i:02}")).collect();
        let date = |i: usize, days: u64| {
            d("2020-01-06").and_then(|start| start.checked_add_days(chrono::Days::new(60 * i as u64 + days)))
        };
        let mut rows = Vec::new();
        for (i, id) in ids.iter().enumerate().rev() {
            let visit = RawEvent {
                row: 100 + i as u64,
                event: "visit",
                date: date(20, 7 * i as u64),
                episode: Some(id),
                qualifier: None,
                kind: None,
            };
            rows.push(visit);
        }
        for (i, id) in ids.iter().enumerate() {
            rows.push(RawEvent {
                row: i as u64,
                event: "referral",
                date: date(i, 0),
                episode: Some(id),
                qualifier: None,
                kind: None,
            });
        }
        let t = build_timeline("C6", &rows);
        // Only the visits' missing outcomes are reported (taken as seen).
        assert!(t.findings.iter().all(|f| f.code == FindingCode::DQ016), "{:?}", t.findings);
        assert_eq!(t.episodes.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), ids);
        for (i, episode) in t.episodes.iter().enumerate() {
            let rows: Vec<u64> = episode.events.iter().map(|e| e.row).collect();
            assert_eq!(rows, vec![i as u64, 100 + i as u64], "episode {}", episode.id);
        }
    }

    #[test]
    fn a_kind_looked_up_by_the_reader_is_used_as_given() {
        let rows = vec![
            RawEvent { kind: Some(EventKind::Referral), ..raw(0, "referral", "2024-01-02") },
            RawEvent { kind: Some(EventKind::Closure), ..raw(1, "closure", "2024-02-01") },
            raw(2, "not_an_event", "2024-01-10"),
        ];
        let t = build_timeline("C7", &rows);
        let episode = &t.episodes[0];
        assert_eq!(episode.referral.as_ref().map(|e| e.row), Some(0));
        assert_eq!(episode.closure.as_ref().map(|e| e.row), Some(1));
        // A name not looked up is still checked here.
        assert_eq!(codes(&t), vec![FindingCode::DQ001]);
    }

    #[test]
    fn cohorts_span_episodes() {
        let rows = vec![
            raw(0, "referral", "2024-01-02"),
            RawEvent {
                row: 1,
                event: "cohort_start",
                date: d("2024-01-02"),
                episode: None,
                qualifier: Some("disabled_children"),
                kind: None,
            },
            RawEvent {
                row: 2,
                event: "cohort_end",
                date: d("2024-05-01"),
                episode: None,
                qualifier: Some("disabled_children"),
                kind: None,
            },
        ];
        let t = build_timeline("C5", &rows);
        assert!(t.findings.is_empty(), "{:?}", t.findings);
        assert!(t.in_cohort("disabled_children", d("2024-03-01").unwrap_or_default()));
        assert!(!t.in_cohort("disabled_children", d("2024-05-02").unwrap_or_default()));
        assert!(!t.in_cohort("short_breaks", d("2024-03-01").unwrap_or_default()));
    }
}
