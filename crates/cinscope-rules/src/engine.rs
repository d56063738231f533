//! The engine: evaluates a child's timeline against a rulebook at an as-of date.
//!
//! Each rule yields obligations: something due by a date, with the status it has at the as-of
//! date (see `docs/conventions.md`). Events dated after the as-of date are not yet known and are
//! ignored entirely: they create nothing, satisfy nothing and make no rule apply, so that
//! scoring at a past date gives what an extract taken that day would give.

use chrono::NaiveDate;
use cinscope_domain::{
    Calendar, CalendarError, Convention, Episode, Event, EventKind, Interval, Span, Timeline,
};
use serde::Serialize;

use crate::rulebook::{
    kind_bit, kinds_of, Duration, Pairing, Rule, RuleKind, Rulebook, Scope, Selector, SpanKind,
};

/// The status of an obligation at the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The expected event happened on or before the due date.
    Met,
    /// It happened after the due date (or, for a minimum duration, the period ended too soon).
    Late,
    /// It has not happened and the due date has passed.
    Overdue,
    /// It has not happened and is not yet due.
    Pending,
    /// The plan or episode that created it ended before the due date.
    Cancelled,
}

impl Status {
    /// The name used in frames.
    pub fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Late => "late",
            Status::Overdue => "overdue",
            Status::Pending => "pending",
            Status::Cancelled => "cancelled",
        }
    }

    /// Whether it counts in a compliance rate (met, late and overdue do).
    pub fn counts(self) -> bool {
        matches!(self, Status::Met | Status::Late | Status::Overdue)
    }
}

/// An event that an obligation refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventRef {
    /// Its kind.
    pub kind: EventKind,
    /// Its date.
    pub date: NaiveDate,
    /// Its source row. For an assumed anchor, the row that started the clock of the step that
    /// never happened (or the plan's start).
    pub row: u64,
    /// Whether the event never happened and stands at the date it was due (an anchor taken from
    /// the rule's fallback).
    pub assumed: bool,
}

impl EventRef {
    fn of(event: &Event) -> Self {
        EventRef { kind: event.kind, date: event.date, row: event.row, assumed: false }
    }
}

/// One thing due under one rule for one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// Index of the rule in the rulebook.
    pub rule: usize,
    /// Index of the episode in the timeline.
    pub episode: usize,
    /// Start of the Child in Need plan it belongs to, for plan-scoped rules.
    pub plan_start: Option<NaiveDate>,
    /// 1 for a one-off obligation; the cycle number for recurring ones.
    pub sequence: u32,
    /// What started the clock.
    pub anchor: EventRef,
    /// When it is due.
    pub due: NaiveDate,
    /// The event that met it (or that came late), if any.
    pub met_by: Option<EventRef>,
    /// Its status at the as-of date.
    pub status: Status,
    /// Calendar days late (late: event date − due; overdue: as-of − due; short of a minimum).
    pub days_late: Option<i64>,
    /// Working days late, counted as working days after the due date.
    pub working_days_late: Option<i64>,
}

/// A rule that could not be evaluated for a child, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalIssue {
    /// Index of the rule.
    pub rule: usize,
    /// The child.
    pub child: String,
    /// The source row involved, if any.
    pub row: Option<u64>,
    /// What went wrong.
    pub message: String,
}

/// Options of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The extract date: what has not happened by then is overdue or pending.
    pub as_of: NaiveDate,
    /// How working days are counted from an anchor.
    pub convention: Convention,
}

/// The result of evaluating one timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The obligations, rule by rule, in date order within a rule.
    pub obligations: Vec<Obligation>,
    /// Rules that could not be evaluated.
    pub issues: Vec<EvalIssue>,
}

struct Eval<'a> {
    timeline: &'a Timeline,
    calendar: &'a Calendar,
    options: Options,
    out: Evaluation,
    /// Lists used rule by rule, kept so that their memory is reused: each is taken out while in
    /// use (see [`Eval::rule`]) and put back emptied.
    scratch: Scratch<'a>,
}

/// The lists of [`Eval`] reused from rule to rule.
#[derive(Default)]
struct Scratch<'a> {
    targets: Vec<&'a Event>,
    contexts: Vec<Context<'a>>,
    anchors: Vec<EventRef>,
    used: Vec<bool>,
}

/// Evaluates a timeline against every rule of a rulebook. Rules with unset parameters are
/// skipped (see [`Rule::unset_parameters`]); nothing here panics on bad data.
pub fn evaluate(
    timeline: &Timeline,
    rulebook: &Rulebook,
    calendar: &Calendar,
    options: Options,
) -> Evaluation {
    let mut out = Evaluation::default();
    evaluate_into(timeline, rulebook, calendar, options, &mut out);
    out
}

/// [`evaluate`] into `out`, in place of what it held: a caller that evaluates many timelines in
/// turn keeps one [`Evaluation`], whose lists' memory is then reused.
pub fn evaluate_into(
    timeline: &Timeline,
    rulebook: &Rulebook,
    calendar: &Calendar,
    options: Options,
    out: &mut Evaluation,
) {
    out.obligations.clear();
    out.issues.clear();
    let out_lists = std::mem::take(out);
    let mut eval = Eval { timeline, calendar, options, out: out_lists, scratch: Scratch::default() };
    // The kinds of event each episode holds, so that rules with nothing to start them are
    // skipped without looking at the events.
    let present: Vec<u64> = timeline
        .episodes
        .iter()
        .map(|e| e.events.iter().fold(0u64, |mask, ev| mask | kind_bit(ev.kind)))
        .collect();
    let any = present.iter().fold(0u64, |all, mask| all | mask);
    for (index, rule) in rulebook.rules.iter().enumerate() {
        let trigger = rule.trigger_mask();
        if any & trigger == 0 || !rule.is_ready() {
            continue;
        }
        for ((episode_index, episode), kinds) in timeline.episodes.iter().enumerate().zip(&present) {
            if kinds & trigger == 0 {
                continue;
            }
            if episode.start().is_none_or(|start| start > options.as_of) {
                continue;
            }
            eval.rule(index, rule, episode_index, episode, *kinds);
        }
    }
    *out = eval.out;
}

fn interval(duration: &Duration) -> Option<Interval> {
    duration.interval
}

/// A context an anchor belongs to: the episode, or one plan of it.
#[derive(Clone, Copy)]
struct Context<'a> {
    plan: Option<&'a Span>,
    start: NaiveDate,
    /// The end, if it has ended by the as-of date.
    end: Option<NaiveDate>,
}

/// Where a rule is being evaluated: the rule, the episode, and the context within it (`'r`:
/// the rulebook and the lists of the rule; `'a`: the timeline).
#[derive(Clone, Copy)]
struct At<'r, 'a> {
    index: usize,
    rule: &'r Rule,
    episode_index: usize,
    episode: &'a Episode,
    context: Context<'a>,
    /// The episode's visible events that the rule looks for (its targets, the events it
    /// requires, or the events that end its period), in date order; the same in every context.
    targets: &'r [&'a Event],
}

impl<'a> Eval<'a> {
    fn visible(&self, event: &Event) -> bool {
        event.date <= self.options.as_of
    }

    fn ended(&self, end: Option<NaiveDate>) -> Option<NaiveDate> {
        end.filter(|e| *e <= self.options.as_of)
    }

    fn issue(&mut self, rule: usize, row: Option<u64>, error: CalendarError) {
        self.out.issues.push(EvalIssue {
            rule,
            child: self.timeline.child.clone(),
            row,
            message: format!("could not compute a due date: {error}"),
        });
    }

    fn due(&mut self, rule: usize, anchor: &EventRef, interval: Interval) -> Option<NaiveDate> {
        match interval.due_date(anchor.date, self.calendar, self.options.convention) {
            Ok(due) => Some(due),
            Err(error) => {
                self.issue(rule, Some(anchor.row), error);
                None
            }
        }
    }

    fn lateness(&self, due: NaiveDate, when: NaiveDate) -> (Option<i64>, Option<i64>) {
        if when <= due {
            return (None, None);
        }
        let days = (when - due).num_days();
        (Some(days), self.calendar.working_days_between(due, when).ok())
    }

    /// The contexts of a rule in an episode, added to `into`.
    fn contexts(&self, rule: &Rule, episode: &'a Episode, into: &mut Vec<Context<'a>>) {
        match rule.scope {
            Scope::Episode => into.extend(episode.start().map(|start| Context {
                plan: None,
                start,
                end: self.ended(episode.end()),
            })),
            Scope::CinPlan => into.extend(
                episode
                    .cin_plans
                    .iter()
                    .filter(|p| p.start <= self.options.as_of)
                    .filter(|p| {
                        rule.when.origin.is_empty()
                            || rule
                                .when
                                .origin
                                .contains(&p.label.as_ref().map_or("assessment", |l| l.as_str()))
                    })
                    .map(|p| Context { plan: Some(p), start: p.start, end: self.ended(p.end) }),
            ),
        }
    }

    /// Whether the rule's cohort conditions hold for an anchor on `anchor_date`.
    fn applies(&self, rule: &Rule, anchor_date: NaiveDate) -> bool {
        let when = &rule.when;
        if !when.cohort.is_empty() && !when.cohort.iter().any(|c| self.timeline.in_cohort(c, anchor_date)) {
            return false;
        }
        !when.not_cohort.iter().any(|c| self.timeline.in_cohort(c, anchor_date))
    }

    /// The first day after `from` (up to `to`, or the as-of date) on which the rule's cohort
    /// conditions come to hold (`applying`) or stop holding, as the cohort event of that day.
    fn cohort_change(
        &self,
        rule: &Rule,
        from: NaiveDate,
        to: Option<NaiveDate>,
        applying: bool,
    ) -> Option<EventRef> {
        let when = &rule.when;
        if when.cohort.is_empty() && when.not_cohort.is_empty() {
            return None;
        }
        let to = to.map_or(self.options.as_of, |t| t.min(self.options.as_of));
        let named = |s: &&Span| {
            s.label
                .as_ref()
                .is_some_and(|l| when.cohort.contains(&l.as_str()) || when.not_cohort.contains(&l.as_str()))
        };
        let mut changes: Vec<EventRef> = Vec::new();
        for span in self.timeline.cohorts.iter().filter(named) {
            changes.push(EventRef {
                kind: EventKind::CohortStart,
                date: span.start,
                row: span.start_row,
                assumed: false,
            });
            if let Some(day) = span.end.and_then(|end| end.succ_opt()) {
                let row = span.end_row.unwrap_or(span.start_row);
                changes.push(EventRef { kind: EventKind::CohortEnd, date: day, row, assumed: false });
            }
        }
        changes.sort_by_key(|c| c.date);
        changes
            .into_iter()
            .filter(|c| c.date > from && c.date <= to)
            .find(|c| self.applies(rule, c.date) == applying)
    }

    /// Whether the episode holds what the rule requires of it (`episode_has`) by the as-of
    /// date. It does not depend on the anchor, so it is checked once per rule and episode.
    fn episode_qualifies(&self, rule: &Rule, episode: &Episode, kinds: u64) -> bool {
        rule.when.episode_has.as_ref().is_none_or(|required| {
            kinds & kind_bit(required.kind) != 0
                && episode.events.iter().any(|e| self.visible(e) && required.matches(e))
        })
    }

    /// The visible events of `events` that one of `selectors` matches; events of a kind that no
    /// selector names are passed over on one test of a bit.
    fn matching<'s>(
        &'s self,
        events: &'a [Event],
        selectors: &'s [Selector],
    ) -> impl Iterator<Item = &'a Event> + 's {
        let kinds = kinds_of(selectors);
        events
            .iter()
            .filter(move |e| kinds & kind_bit(e.kind) != 0)
            .filter(move |e| self.visible(e) && selectors.iter().any(|s| s.matches(e)))
    }

    /// The anchors of a context, added to `into`: matching visible events inside it, in date
    /// order. When none falls inside a plan, the last one held between the plan's start and the
    /// end of the plan before it (an initial meeting recorded the day before the plan's start)
    /// anchors it; when there is still none and the rule has a fallback, the clock starts on
    /// the date the fallback rule's unmet obligation was due, or else on the plan's start.
    fn anchors(&self, at: &At<'_, 'a>, selectors: &[Selector], into: &mut Vec<EventRef>) {
        let (episode, context) = (at.episode, &at.context);
        let events = match context.plan {
            Some(plan) => between(&episode.events, plan.start, plan.end),
            None => &episode.events,
        };
        into.extend(
            self.matching(events, selectors)
                // A plan's own start event anchors it; other anchors must fall inside it.
                .filter(|e| {
                    context
                        .plan
                        .is_none_or(|plan| e.kind != EventKind::CinPlanStart || e.row == plan.start_row)
                })
                .map(EventRef::of),
        );
        if !into.is_empty() {
            return;
        }
        let Some(plan) = context.plan else {
            into.extend(self.fallback_anchor(at, selectors));
            return;
        };
        if selectors.iter().any(|s| s.kind == EventKind::CinPlanStart) {
            return;
        }
        let previous_end = Self::previous_plan_end(episode, plan);
        let before = between(
            &episode.events,
            previous_end.map_or(NaiveDate::MIN, |d| d + chrono::Days::new(1)),
            Some(plan.start),
        );
        let early = self.matching(before, selectors).filter(|e| e.date < plan.start).last();
        match early {
            Some(event) => into.push(EventRef::of(event)),
            None => into.extend(self.fallback_anchor(at, selectors)),
        }
    }

    /// The end of the latest plan of the episode that ended before `plan` started.
    fn previous_plan_end(episode: &Episode, plan: &Span) -> Option<NaiveDate> {
        episode
            .cin_plans
            .iter()
            .filter(|p| p.start < plan.start)
            .filter_map(|p| p.end)
            .max()
            .filter(|end| *end < plan.start)
    }

    /// The assumed anchor of a context whose anchor event never happened: at the due date of
    /// the fallback rule's first unmet obligation in the same episode (and plan, when that rule
    /// is plan-scoped), or else at the start of the plan (for an episode's rule, of its first
    /// plan).
    fn fallback_anchor(&self, at: &At<'_, 'a>, selectors: &[Selector]) -> Option<EventRef> {
        let fallback = at.rule.fallback.as_ref()?;
        let kind = selectors.first()?.kind;
        let plan_start = at.context.plan.map(|p| p.start);
        let mut unmet = self.out.obligations.iter().filter(|o| {
            o.rule == fallback.index
                && o.episode == at.episode_index
                && o.met_by.is_none()
                && (o.plan_start.is_none() || o.plan_start == plan_start)
        });
        // For a plan, the step whose clock started last on or before the plan's start and after
        // the previous plan ended (the assessment that led to it), or else the first to start
        // after it (a step counted from a date that is itself assumed); for an episode, its
        // first.
        let due = match at.context.plan {
            Some(plan) => {
                let previous_end = Self::previous_plan_end(at.episode, plan);
                let candidates: Vec<&Obligation> =
                    unmet.filter(|o| previous_end.is_none_or(|end| o.anchor.date > end)).collect();
                candidates
                    .iter()
                    .filter(|o| o.anchor.date <= plan.start)
                    .max_by_key(|o| o.anchor.date)
                    .or_else(|| {
                        candidates.iter().filter(|o| o.anchor.date > plan.start).min_by_key(|o| o.anchor.date)
                    })
                    .copied()
            }
            None => unmet.next(),
        };
        match (due, at.context.plan) {
            (Some(o), _) => Some(EventRef { kind, date: o.due, row: o.anchor.row, assumed: true }),
            (None, Some(plan)) => {
                Some(EventRef { kind, date: plan.start, row: plan.start_row, assumed: true })
            }
            // An episode's step whose own earlier step never arose (no opening to a team was
            // recorded, so no interim plan was due): from the start of the episode's first plan.
            (None, None) => at
                .episode
                .cin_plans
                .iter()
                .filter(|p| p.start <= self.options.as_of)
                .min_by_key(|p| p.start)
                .map(|p| EventRef { kind, date: p.start, row: p.start_row, assumed: true }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        at: &At<'_, 'a>,
        sequence: u32,
        anchor: EventRef,
        due: NaiveDate,
        met_by: Option<EventRef>,
        status: Status,
    ) {
        let (days_late, working_days_late) = match (status, met_by) {
            (Status::Late, Some(event)) => self.lateness(due, event.date),
            (Status::Overdue, _) => self.lateness(due, self.options.as_of),
            _ => (None, None),
        };
        self.out.obligations.push(Obligation {
            rule: at.index,
            episode: at.episode_index,
            plan_start: at.context.plan.map(|p| p.start),
            sequence,
            anchor,
            due,
            met_by,
            status,
            days_late,
            working_days_late,
        });
    }

    /// The status of something due by `due` that has not happened, given how its context ended.
    /// An obligation that an ending itself created (anchored on the closure, the plan's end or
    /// a move out of the area) is never cancelled by it.
    fn unmet(&self, anchor: &EventRef, due: NaiveDate, context_end: Option<NaiveDate>) -> Status {
        let created_by_ending = created_by_ending(anchor.kind);
        match context_end {
            Some(end) if end < due && !created_by_ending => Status::Cancelled,
            _ if due < self.options.as_of => Status::Overdue,
            _ => Status::Pending,
        }
    }

    /// Evaluates a rule in an episode that holds the kinds of event in the mask `kinds`.
    fn rule(&mut self, index: usize, rule: &Rule, episode_index: usize, episode: &'a Episode, kinds: u64) {
        if !self.episode_qualifies(rule, episode, kinds) {
            return;
        }
        let sought: &[Selector] = match &rule.kind {
            RuleKind::Deadline { target, .. }
            | RuleKind::Recurring { target, .. }
            | RuleKind::MaxGap { target, .. }
            | RuleKind::Before { target, .. } => target,
            RuleKind::Drift { requires, .. } => requires,
            RuleKind::Exclusivity { ends_when, .. } => ends_when,
            RuleKind::MinDuration { .. } => &[],
        };
        // The lists are taken out of the scratch while the rule is evaluated, and put back.
        let mut targets = std::mem::take(&mut self.scratch.targets);
        if kinds & kinds_of(sought) != 0 {
            targets.extend(self.matching(&episode.events, sought));
        }
        let mut contexts = std::mem::take(&mut self.scratch.contexts);
        self.contexts(rule, episode, &mut contexts);
        for context in contexts.iter().copied() {
            let at = At { index, rule, episode_index, episode, context, targets: &targets };
            match &rule.kind {
                RuleKind::Deadline { anchor, within, .. } => {
                    if let Some(within) = interval(within) {
                        self.deadline(&at, anchor, within);
                    }
                }
                RuleKind::Recurring { anchor, first, then, every, .. } => {
                    // first, then each of `then`, then `every` repeatedly (all set: is_ready).
                    let cycle = |step: usize| match step {
                        0 => interval(first),
                        n => then.get(n - 1).map_or_else(|| interval(every), interval),
                    };
                    self.recurring(&at, anchor, &cycle, false);
                }
                RuleKind::MaxGap { anchor, every, .. } => {
                    self.recurring(&at, anchor, &|_| interval(every), true);
                }
                RuleKind::Drift { span, after, requires, window } => {
                    if let Some(after) = interval(after) {
                        let window = window.as_ref().and_then(interval);
                        self.drift(&at, *span, after, !requires.is_empty(), window);
                    }
                }
                RuleKind::MinDuration { span, at_least } => {
                    if let Some(at_least) = interval(at_least) {
                        self.min_duration(&at, *span, at_least);
                    }
                }
                RuleKind::Exclusivity { span, .. } => {
                    self.exclusivity(&at, *span);
                }
                RuleKind::Before { reference, window, .. } => {
                    let window = match window {
                        Some(d) => match interval(d) {
                            Some(i) => Some(i),
                            None => break,
                        },
                        None => None,
                    };
                    self.before(&at, reference, window);
                }
            }
        }
        targets.clear();
        contexts.clear();
        self.scratch.targets = targets;
        self.scratch.contexts = contexts;
    }

    fn deadline(&mut self, at: &At<'_, 'a>, anchor: &[Selector], within: Interval) {
        let mut anchors = std::mem::take(&mut self.scratch.anchors);
        self.anchors(at, anchor, &mut anchors);
        // Anchors that start nothing (a re-assessment during a plan) neither bound, supersede
        // nor pair with anything.
        if at.rule.when.outside_plan {
            anchors.retain(|a| !self.during_earlier_plan(at, a));
        }
        if at.rule.first_anchor_only {
            anchors.truncate(1);
        }
        let mut used = std::mem::take(&mut self.scratch.used);
        used.resize(at.targets.len(), false);
        match at.rule.pairing {
            Pairing::Earliest => self.deadline_earliest(at, &anchors, within, &mut used),
            Pairing::Latest => self.deadline_latest(at, &anchors, within),
        }
        anchors.clear();
        used.clear();
        self.scratch.anchors = anchors;
        self.scratch.used = used;
    }

    /// Each anchor takes the earliest unused target on or after it and before the next anchor
    /// of the same rule (after the last anchor, any later target).
    fn deadline_earliest(
        &mut self,
        at: &At<'_, 'a>,
        anchors: &[EventRef],
        within: Interval,
        used: &mut [bool],
    ) {
        let targets = at.targets;
        // In a plan, only what happens while the plan is open meets its obligations.
        let plan_end = at.context.plan.and_then(|p| p.end);
        // Paperwork that normally follows a closure (minutes, case notes) is still owed when
        // the episode closes before it is due.
        let owed_after_closure = at.context.plan.is_none()
            && matches!(&at.rule.kind, RuleKind::Deadline { target, .. }
                if target.iter().all(|t| t.kind.may_follow_closure()));
        for (i, a) in anchors.iter().enumerate() {
            if !self.applies(at.rule, a.date) {
                continue;
            }
            let Some(due) = self.due(at.index, a, within) else { continue };
            let next_anchor = anchors.get(i + 1).map(|n| n.date).filter(|d| *d > a.date);
            let next_event = (!at.rule.until_next.is_empty())
                .then(|| {
                    self.matching(&at.episode.events, &at.rule.until_next)
                        .find(|e| e.date > a.date)
                        .map(|e| e.date)
                })
                .flatten();
            let bound = match (next_anchor, next_event) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            let since = if at.rule.met_before_anchor || a.assumed { at.context.start } else { a.date };
            let from = first_from(targets, since);
            let found = targets
                .iter()
                .enumerate()
                .skip(from)
                .take_while(|(_, e)| {
                    bound.is_none_or(|n| e.date < n) && plan_end.is_none_or(|end| e.date <= end)
                })
                .find(|(t, e)| !used.get(*t).copied().unwrap_or(true) && (a.assumed || e.row != a.row));
            match found {
                Some((t, event)) => {
                    if let Some(slot) = used.get_mut(t) {
                        *slot = true;
                    }
                    let status = if event.date <= due { Status::Met } else { Status::Late };
                    self.push(at, 1, *a, due, Some(EventRef::of(event)), status);
                }
                // Completed again before anything followed: the later anchor stands for it.
                None if at.rule.supersede && next_anchor.is_some() => {}
                None => {
                    let end = if owed_after_closure { None } else { at.context.end };
                    let status = self.unmet(a, due, end);
                    self.push(at, 1, *a, due, None, status);
                }
            }
        }
    }

    /// Whether the rule starts nothing from this anchor because a Child in Need plan that began
    /// before it is still open on its date (`when.outside_plan`).
    fn during_earlier_plan(&self, at: &At<'_, 'a>, anchor: &EventRef) -> bool {
        at.rule.when.outside_plan
            && at.episode.cin_plans.iter().any(|p| {
                p.start < anchor.date
                    && p.start <= self.options.as_of
                    && self.ended(p.end).is_none_or(|end| anchor.date < end)
            })
    }

    /// Each target is credited to the latest unpaired anchor on or before it; anchors that no
    /// target follows are not scored.
    fn deadline_latest(&mut self, at: &At<'_, 'a>, anchors: &[EventRef], within: Interval) {
        let mut paired = vec![false; anchors.len()];
        for target in at.targets {
            let before = anchors.partition_point(|a| a.date <= target.date);
            let Some(i) = (0..before).rev().find(|&i| {
                !paired.get(i).copied().unwrap_or(true) && anchors.get(i).is_some_and(|a| a.row != target.row)
            }) else {
                continue;
            };
            let Some(a) = anchors.get(i).copied() else { continue };
            if let Some(slot) = paired.get_mut(i) {
                *slot = true;
            }
            if !self.applies(at.rule, a.date) {
                continue;
            }
            let Some(due) = self.due(at.index, &a, within) else { continue };
            let status = if target.date <= due { Status::Met } else { Status::Late };
            self.push(at, 1, a, due, Some(EventRef::of(target)), status);
        }
    }

    fn recurring(
        &mut self,
        at: &At<'_, 'a>,
        anchor: &[Selector],
        cycle: &dyn Fn(usize) -> Option<Interval>,
        first_inclusive: bool,
    ) {
        let index = at.index;
        let rule = at.rule;
        let context = &at.context;
        let mut anchors = std::mem::take(&mut self.scratch.anchors);
        self.anchors(at, anchor, &mut anchors);
        let targets = at.targets;
        // A cycle runs from its anchor to the context's end (or the next anchor of the rule); a
        // cycle without a due date ends the rule here.
        'anchors: for (i, a) in anchors.iter().enumerate() {
            let stop = anchors.get(i + 1).map(|n| n.date).filter(|d| *d > a.date);
            let last_day = match (context.end, stop) {
                (Some(end), Some(next)) => Some(end.min(next)),
                (end, next) => end.or(next),
            };
            // A child who joins (or leaves) the rule's cohort during the scope is under the
            // rule from that day: the cycle starts there.
            let (a, joined) = if self.applies(rule, a.date) {
                (*a, false)
            } else {
                match self.cohort_change(rule, a.date, last_day, true) {
                    Some(change) => (change, true),
                    None => continue,
                }
            };
            // An assumed anchor stands at a date by which nothing may have been due: what
            // happened in the scope before it still counts as the first occurrence.
            let mut lower = if a.assumed { context.start.min(a.date) } else { a.date };
            // ... but not what happened while the child was outside the rule's cohort.
            if a.assumed && !self.applies(rule, lower) {
                lower = self.cohort_change(rule, lower, Some(a.date), true).map_or(a.date, |c| c.date);
            }
            let from = first_from(targets, lower);
            let to = last_day.map_or(targets.len(), |l| targets.partition_point(|e| e.date <= l));
            let window = targets.get(from..to.max(from)).unwrap_or_default();
            let mut previous = a;
            let mut cursor = 0usize;
            let mut sequence = 0u32;
            // A first interval left to a local parameter that is not set: the first occurrence
            // cannot be scored, but the cycle still runs from it once it has happened.
            if cycle(0).is_none() {
                let Some(p) = window.iter().position(|e| e.date > a.date && (a.assumed || e.row != a.row))
                else {
                    continue;
                };
                let Some(event) = window.get(p) else { continue };
                previous = EventRef::of(event);
                cursor = p + 1;
                sequence = 1;
            }
            loop {
                sequence += 1;
                let step = usize::try_from(sequence - 1).unwrap_or(usize::MAX);
                let Some(interval) = cycle(step) else { break 'anchors };
                let Some(due) = self.due(index, &previous, interval) else { break 'anchors };
                let first = sequence == 1;
                // What happens on the day the child comes under the rule counts for it.
                let inclusive = first && (first_inclusive || a.assumed || joined);
                let since = if first { lower } else { previous.date };
                // The day the child leaves the rule's cohort (or joins one it excludes), if
                // that happens in this cycle: nothing is due under the rule from then.
                let leaves = self.cohort_change(rule, previous.date, last_day, false).map(|e| e.date);
                let next = window
                    .iter()
                    .skip(cursor)
                    .take_while(|e| leaves.is_none_or(|l| e.date < l))
                    .position(|e| {
                        (a.assumed || e.row != a.row)
                            && if inclusive { e.date >= since } else { e.date > since }
                    })
                    .map(|p| p + cursor);
                match next.and_then(|p| window.get(p).map(|e| (p, *e))) {
                    Some((p, event)) => {
                        let status = if event.date <= due { Status::Met } else { Status::Late };
                        let met = EventRef::of(event);
                        self.push(at, sequence, previous, due, Some(met), status);
                        previous = met;
                        cursor = p + 1;
                    }
                    None => {
                        let end = match (context.end, stop) {
                            (Some(end), _) => Some(end),
                            (None, Some(next)) if next <= self.options.as_of => Some(next),
                            _ => None,
                        };
                        // Leaving the rule's cohort ends the cycle as the plan's end would.
                        let end = match (end, leaves) {
                            (Some(e), Some(l)) => Some(e.min(l.pred_opt().unwrap_or(l))),
                            (None, Some(l)) => Some(l.pred_opt().unwrap_or(l)),
                            (e, None) => e,
                        };
                        let status = self.unmet(&previous, due, end);
                        self.push(at, sequence, previous, due, None, status);
                        break;
                    }
                }
                if sequence > 10_000 {
                    break;
                }
            }
        }
        anchors.clear();
        self.scratch.anchors = anchors;
    }

    fn spans<'e>(&self, kind: SpanKind, episode: &'e Episode, context: &Context<'e>) -> Vec<&'e Span> {
        let all: &'e [Span] = match kind {
            SpanKind::CinPlan => &episode.cin_plans,
            SpanKind::CpPlan => &episode.cp_plans,
            SpanKind::LookedAfter => &episode.looked_after,
            SpanKind::SupervisionOrder => &episode.supervision_orders,
        };
        match context.plan {
            // In a plan's context, the plan itself (its start is on or before the as-of date).
            Some(plan) if kind == SpanKind::CinPlan => vec![plan],
            _ => all.iter().filter(|s| s.start <= self.options.as_of).collect(),
        }
    }

    fn span_start(span: &Span, kind: SpanKind) -> EventRef {
        EventRef { kind: kind.events().0, date: span.start, row: span.start_row, assumed: false }
    }

    fn span_end(span: &Span, kind: SpanKind, date: NaiveDate) -> EventRef {
        // A period ended by the episode's closure or by the next period's start names that row.
        EventRef {
            kind: span.end_kind.unwrap_or(kind.events().1),
            date,
            row: span.end_row.unwrap_or(span.start_row),
            assumed: false,
        }
    }

    /// The periods of a kind that the rule applies to, each with its start as an event and the
    /// date `interval` after it.
    fn span_points(
        &mut self,
        at: &At<'_, 'a>,
        kind: SpanKind,
        interval: Interval,
    ) -> Vec<(&'a Span, EventRef, NaiveDate)> {
        let mut points = Vec::new();
        for span in self.spans(kind, at.episode, &at.context) {
            if !self.applies(at.rule, span.start) {
                continue;
            }
            let anchor = Self::span_start(span, kind);
            if let Some(date) = self.due(at.index, &anchor, interval) {
                points.push((span, anchor, date));
            }
        }
        points
    }

    /// A period that should end by `after`, or (`requires`) by which one of the rule's
    /// required events should have happened.
    fn drift(
        &mut self,
        at: &At<'_, 'a>,
        kind: SpanKind,
        after: Interval,
        requires: bool,
        window: Option<Interval>,
    ) {
        let targets = at.targets;
        for (span, anchor, threshold) in self.span_points(at, kind, after) {
            let end = self.ended(span.end);
            if !requires {
                // The period itself should have ended by the threshold.
                let (status, met) = match end {
                    Some(e) if e <= threshold => (Status::Met, Some(Self::span_end(span, kind, e))),
                    Some(e) => (Status::Late, Some(Self::span_end(span, kind, e))),
                    None if threshold < self.options.as_of => (Status::Overdue, None),
                    None => (Status::Pending, None),
                };
                self.push(at, 1, anchor, threshold, met, status);
                continue;
            }
            // With a window, only what is held from that long before the threshold counts.
            let opens = window
                .and_then(|w| {
                    Interval::new(-w.count, w.unit)
                        .due_date(threshold, self.calendar, self.options.convention)
                        .ok()
                })
                .map_or(span.start, |d| d.max(span.start));
            let found = targets
                .get(first_from(targets, opens)..)
                .unwrap_or_default()
                .iter()
                .copied()
                .find(|e| end.is_none_or(|x| e.date <= x));
            match found {
                Some(event) => {
                    let status = if event.date <= threshold { Status::Met } else { Status::Late };
                    self.push(at, 1, anchor, threshold, Some(EventRef::of(event)), status);
                }
                // A period that ended by the threshold did not run beyond it: nothing was due.
                None if end.is_some_and(|e| e <= threshold) => {
                    self.push(at, 1, anchor, threshold, None, Status::Cancelled);
                }
                None => {
                    let status = self.unmet(&anchor, threshold, end);
                    self.push(at, 1, anchor, threshold, None, status);
                }
            }
        }
    }

    fn min_duration(&mut self, at: &At<'_, 'a>, kind: SpanKind, at_least: Interval) {
        let index = at.index;
        let episode_index = at.episode_index;
        let context = &at.context;
        for (span, anchor, minimum) in self.span_points(at, kind, at_least) {
            match self.ended(span.end) {
                Some(e) if e >= minimum => {
                    self.push(at, 1, anchor, minimum, Some(Self::span_end(span, kind, e)), Status::Met)
                }
                // Ended because the child's needs escalated (a child protection plan, care):
                // the minimum no longer applies.
                Some(e)
                    if !at.rule.unless_ended_by.is_empty()
                        && self
                            .matching(
                                between(&at.episode.events, span.start, Some(e)),
                                &at.rule.unless_ended_by,
                            )
                            .next()
                            .is_some() =>
                {
                    self.push(at, 1, anchor, minimum, Some(Self::span_end(span, kind, e)), Status::Cancelled)
                }
                Some(e) => {
                    // Ended too soon: "late" by the days it fell short of the minimum.
                    let met = Self::span_end(span, kind, e);
                    self.out.obligations.push(Obligation {
                        rule: index,
                        episode: episode_index,
                        plan_start: context.plan.map(|p| p.start),
                        sequence: 1,
                        anchor,
                        due: minimum,
                        met_by: Some(met),
                        status: Status::Late,
                        days_late: Some((minimum - e).num_days()),
                        working_days_late: self.calendar.working_days_between(e, minimum).ok(),
                    });
                }
                None if minimum <= self.options.as_of => self.push(at, 1, anchor, minimum, None, Status::Met),
                None => self.push(at, 1, anchor, minimum, None, Status::Pending),
            }
        }
    }

    fn exclusivity(&mut self, at: &At<'_, 'a>, kind: SpanKind) {
        let rule = at.rule;
        let episode = at.episode;
        let context = &at.context;
        let triggers = at.targets;
        for span in self.spans(kind, episode, context) {
            let end = self.ended(span.end);
            let after_start = span.start.succ_opt().unwrap_or(span.start);
            let trigger = triggers
                .get(first_from(triggers, after_start)..)
                .unwrap_or_default()
                .iter()
                .copied()
                .find(|e| e.date > span.start && span.end.is_none_or(|x| e.date <= x));
            let Some(trigger) = trigger else { continue };
            if !self.applies(rule, trigger.date) {
                continue;
            }
            let anchor = EventRef::of(trigger);
            let due = trigger.date;
            let (status, met) = match end {
                Some(e) if e <= due => (Status::Met, Some(Self::span_end(span, kind, e))),
                Some(e) => (Status::Late, Some(Self::span_end(span, kind, e))),
                None if due < self.options.as_of => (Status::Overdue, None),
                None => (Status::Pending, None),
            };
            self.push(at, 1, anchor, due, met, status);
        }
    }

    fn before(&mut self, at: &At<'_, 'a>, reference: &Selector, window: Option<Interval>) {
        let index = at.index;
        let rule = at.rule;
        let episode = at.episode;
        let context = &at.context;
        let events = match context.plan {
            Some(plan) => between(&episode.events, plan.start, plan.end),
            None => &episode.events,
        };
        let references: Vec<&Event> =
            events.iter().filter(|e| self.visible(e) && reference.matches(e)).collect();
        let targets = at.targets;
        let mut previous: Option<NaiveDate> = None;
        for r in references {
            let since = previous.replace(r.date);
            if !self.applies(rule, r.date) {
                continue;
            }
            let anchor = EventRef::of(r);
            if let (true, Some(window)) = (rule.lead, window) {
                self.lead_time(at, r, since, window);
                continue;
            }
            let opens = match window {
                Some(window) => {
                    let back = Interval::new(-window.count, window.unit);
                    let Some(opens) = self.due(index, &anchor, back) else { continue };
                    opens
                }
                // Since the previous reference (exclusive) or the scope's start (inclusive).
                None => since.and_then(|d| d.succ_opt()).unwrap_or(context.start),
            };
            // The latest that qualifies: the child was last seen alone on that day before the review.
            let found = targets
                .get(first_from(targets, opens)..)
                .unwrap_or_default()
                .iter()
                .take_while(|e| e.date <= r.date)
                .filter(|e| e.row != r.row)
                .last();
            let status = match found {
                Some(_) => Status::Met,
                None if r.date < self.options.as_of => Status::Overdue,
                None => Status::Pending,
            };
            self.push(at, 1, anchor, r.date, found.map(|e| EventRef::of(e)), status);
        }
    }

    /// A target due `window` before the reference (`lead`): met by one held since the previous
    /// reference (or the scope's start) and by the due date, late if held after it but still
    /// before the reference.
    fn lead_time(&mut self, at: &At<'_, 'a>, r: &Event, since: Option<NaiveDate>, window: Interval) {
        let anchor = EventRef::of(r);
        let back = Interval::new(-window.count, window.unit);
        let Some(due) = self.due(at.index, &anchor, back) else { return };
        let opens = since.and_then(|d| d.succ_opt()).unwrap_or(at.context.start);
        let held: Vec<&Event> = at
            .targets
            .get(first_from(at.targets, opens)..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(|e| e.date <= r.date)
            .filter(|e| e.row != r.row)
            .collect();
        let (status, met) = match (held.iter().rev().find(|e| e.date <= due), held.first()) {
            (Some(on_time), _) => (Status::Met, Some(EventRef::of(on_time))),
            (None, Some(after)) => (Status::Late, Some(EventRef::of(after))),
            (None, None) if due < self.options.as_of => (Status::Overdue, None),
            (None, None) => (Status::Pending, None),
        };
        self.push(at, 1, anchor, due, met, status);
    }
}

/// The events (in date order) dated from `start` to `end` inclusive; to the last if `end` is
/// `None`. Found by binary search, so that a long history costs no more than its window.
fn between(events: &[Event], start: NaiveDate, end: Option<NaiveDate>) -> &[Event] {
    let from = events.partition_point(|e| e.date < start);
    let to = end.map_or(events.len(), |end| events.partition_point(|e| e.date <= end));
    events.get(from..to.max(from)).unwrap_or_default()
}

/// The position of the first event (in date order) dated on or after `date`.
fn first_from(events: &[&Event], date: NaiveDate) -> usize {
    events.partition_point(|e| e.date < date)
}

/// Whether obligations anchored on this event arise from an ending (a closure, a plan's end, a
/// move out), so that the ending cannot cancel them.
pub fn created_by_ending(kind: EventKind) -> bool {
    matches!(kind, EventKind::Closure | EventKind::CinPlanEnd | EventKind::MoveOut)
}

/// A plain-words explanation of an obligation, as a user sees it.
pub fn explain(obligation: &Obligation, rulebook: &Rulebook, options: Options) -> String {
    let Some(rule) = rulebook.rules.get(obligation.rule) else {
        return String::from("unknown rule");
    };
    let anchor = if obligation.anchor.assumed {
        format!(
            "{} (none held; counted from when it was due) on {}",
            obligation.anchor.kind.name(),
            obligation.anchor.date
        )
    } else {
        format!("{} on {}", obligation.anchor.kind.name(), obligation.anchor.date)
    };
    let what = match &rule.kind {
        RuleKind::Deadline { within, .. } => format!("due within {} of {anchor}", within.text),
        RuleKind::Recurring { .. } => {
            let intervals = rule.kind.durations();
            let step = usize::try_from(obligation.sequence.saturating_sub(1)).unwrap_or(usize::MAX);
            let interval = intervals.get(step).or(intervals.last()).map_or("", |d| d.text.as_str());
            if obligation.sequence == 1 {
                format!("occurrence 1 due within {interval} of {anchor}")
            } else {
                format!(
                    "occurrence {} due within {interval} of the previous one, {anchor}",
                    obligation.sequence
                )
            }
        }
        RuleKind::MaxGap { every, .. } if obligation.sequence == 1 => {
            format!("occurrence 1 due within {} of {anchor}", every.text)
        }
        RuleKind::MaxGap { every, .. } => {
            format!(
                "occurrence {} due within {} of the previous one, {anchor}",
                obligation.sequence, every.text
            )
        }
        RuleKind::Drift { after, requires, .. } if requires.is_empty() => {
            format!("period started by {anchor} expected to end within {}", after.text)
        }
        RuleKind::Drift { after, .. } => {
            format!("required once the period started by {anchor} runs {}", after.text)
        }
        RuleKind::MinDuration { at_least, .. } => {
            format!("period started by {anchor} to last at least {}", at_least.text)
        }
        RuleKind::Exclusivity { .. } => format!("period to end when {anchor} happened"),
        RuleKind::Before { window: Some(window), .. } if rule.lead => {
            format!("due {} before {anchor}", window.text)
        }
        RuleKind::Before { window: Some(window), .. } => {
            format!("due within {} before {anchor}", window.text)
        }
        RuleKind::Before { window: None, .. } => format!("due before {anchor}, since the previous one"),
    };
    let outcome = match (obligation.status, obligation.met_by) {
        (Status::Met, Some(e)) => format!("met by {} on {}", e.kind.name(), e.date),
        (Status::Met, None) => String::from("met"),
        (Status::Late, Some(e)) => format!(
            "late: {} on {}, {} days ({} working days) after the due date",
            e.kind.name(),
            e.date,
            obligation.days_late.unwrap_or(0),
            obligation.working_days_late.unwrap_or(0)
        ),
        (Status::Late, None) => String::from("late"),
        (Status::Overdue, _) => format!(
            "overdue at {}: {} days ({} working days) past the due date",
            options.as_of,
            obligation.days_late.unwrap_or(0),
            obligation.working_days_late.unwrap_or(0)
        ),
        (Status::Pending, _) => format!("pending at {}", options.as_of),
        (Status::Cancelled, _) => String::from("cancelled: the plan or episode ended before it was due"),
    };
    format!(
        "{} ({}): {}; {what}, so by {}; {outcome} [{}]. Source: {}, {}: \"{}\"",
        rule.code,
        rule.severity.name(),
        rule.title,
        obligation.due,
        options.convention.name(),
        rule.document,
        rule.citation.section,
        rule.citation.text
    )
}
