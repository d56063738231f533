//! The forward simulation of one child.
//!
//! An episode is a queue of pathway steps (each a delay after the previous step's actual date)
//! and an agenda of dated items: the next step, the placement of an event that an open
//! obligation asks for, a routine visit. Items are taken in date order, so events are placed in
//! date order. Placing an event may meet open obligations and may start new ones; each new
//! obligation is given its fate at once (on time, late by a drawn number of days, or left
//! undone) and its event put on the agenda. Obligations whose target is itself a pathway step
//! (the assessment, the conference, a plan's start) do not place events: they bend the date of
//! that step instead. When the episode ends, every obligation still open gets the status the
//! procedure gives it: cancelled if its plan or episode ended before it was due, overdue if
//! its due date has passed, pending otherwise. Period rules (drift, minimum length, a plan that
//! must end when another begins) are judged from the periods as they ended.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use chrono::{Duration, NaiveDate};
use cinscope_domain::{Calendar, Convention, EventKind, Interval};
use cinscope_rules::engine::created_by_ending;
use cinscope_rules::rulebook::{Scope, SpanKind};
use cinscope_rules::{Rule, RuleKind, Rulebook, Selector, Status};

use crate::random::Random;
use crate::{Breach, Options, Synth, SynthEvent};

/// The route an episode takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pathway {
    /// Assessed, no further action (closure RC8).
    NoFurtherAction,
    /// Assessed, stepped down to early help (closure RC9).
    EarlyHelp,
    /// A Child in Need plan that ends and closes.
    CinPlan,
    /// A plan, a section 47 enquiry, a conference and a child protection plan, then a
    /// step-down plan.
    StepUpChildProtection,
    /// A plan, then care, then a plan after a planned or unplanned return home.
    Care,
    /// A plan, care, and a care order discharged at court, then a plan.
    CareOrderDischarge,
    /// A plan made under a supervision order.
    SupervisionOrder,
    /// A plan ended by a move out of the area (closure RC5).
    MoveOut,
    /// A child in need moving in from another authority.
    TransferIn,
}

impl Pathway {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Pathway::NoFurtherAction => "no_further_action",
            Pathway::EarlyHelp => "early_help",
            Pathway::CinPlan => "cin_plan",
            Pathway::StepUpChildProtection => "step_up_child_protection",
            Pathway::Care => "care",
            Pathway::CareOrderDischarge => "care_order_discharge",
            Pathway::SupervisionOrder => "supervision_order",
            Pathway::MoveOut => "move_out",
            Pathway::TransferIn => "transfer_in",
        }
    }
}

/// How long after the previous step a step is proposed.
#[derive(Debug, Clone, Copy)]
enum Delay {
    /// Working days, drawn between the bounds.
    Working(i64, i64),
    /// Calendar days, drawn between the bounds.
    Days(i64, i64),
    /// The assessment: working days from a realistic distribution.
    Assessment,
    /// The length of the current Child in Need plan, drawn and then fitted to the rulebook's
    /// drift and minimum-length rules.
    PlanLength,
}

#[derive(Debug, Clone, Copy)]
struct Step {
    kind: EventKind,
    qualifier: Option<&'static str>,
    delay: Delay,
}

fn step(kind: EventKind, qualifier: Option<&'static str>, delay: Delay) -> Step {
    Step { kind, qualifier, delay }
}

/// Pathway steps: the events a service's own decisions produce, as opposed to the meetings,
/// visits and paperwork that rules ask for.
fn is_step_kind(kind: EventKind) -> bool {
    use EventKind as K;
    matches!(
        kind,
        K::Referral
            | K::Allocated
            | K::AssessmentStart
            | K::AssessmentAuthorised
            | K::CinPlanStart
            | K::CinPlanEnd
            | K::StrategyDiscussion
            | K::S47Start
            | K::Icpc
            | K::CpPlanStart
            | K::CpPlanEnd
            | K::LookedAfterStart
            | K::LookedAfterEnd
            | K::CareOrderDischarged
            | K::SupervisionOrderStart
            | K::SupervisionOrderEnd
            | K::MoveInNotified
            | K::MoveInResident
            | K::MoveOut
            | K::StepDown
            | K::Closure
            | K::CohortStart
            | K::CohortEnd
    )
}

fn selects(selectors: &[Selector], kind: EventKind, qualifier: Option<&str>) -> bool {
    selectors.iter().any(|s| s.kind == kind && s.matches_qualifier(qualifier))
}

/// The events that meet a rule's obligations: its targets, or a drift rule's required events.
/// `before` rules count too (their target is placed before each reference).
fn targets(rule: &Rule) -> Option<&[Selector]> {
    match &rule.kind {
        RuleKind::Deadline { target, .. }
        | RuleKind::Recurring { target, .. }
        | RuleKind::MaxGap { target, .. }
        | RuleKind::Before { target, .. } => Some(target),
        RuleKind::Drift { requires, .. } => Some(requires),
        RuleKind::MinDuration { .. } | RuleKind::Exclusivity { .. } => None,
    }
}

/// The model shared by all children: the rulebook, calendar and options.
pub(crate) struct Model<'a> {
    rulebook: &'a Rulebook,
    calendar: &'a Calendar,
    options: &'a Options,
    convention: Convention,
    start_window: (NaiveDate, NaiveDate),
    /// Whether a rule counts from the opening of the case to a team (`allocated`): only then
    /// are allocations generated, so that other rulebooks' histories stay as they were.
    allocates: bool,
}

impl<'a> Model<'a> {
    pub(crate) fn new(rulebook: &'a Rulebook, calendar: &'a Calendar, options: &'a Options) -> Self {
        let first = options
            .as_of
            .checked_sub_months(chrono::Months::new(options.years * 12))
            .unwrap_or(options.as_of);
        Model {
            rulebook,
            calendar,
            options,
            convention: options.convention,
            start_window: (first, options.as_of),
            allocates: rulebook.rules.iter().any(|r| match &r.kind {
                RuleKind::Deadline { anchor, .. }
                | RuleKind::Recurring { anchor, .. }
                | RuleKind::MaxGap { anchor, .. } => anchor.iter().any(|a| a.kind == EventKind::Allocated),
                _ => false,
            }),
        }
    }

    fn working(&self, date: NaiveDate) -> bool {
        self.calendar.is_working_day(date).unwrap_or(false)
    }

    /// The first working day on or after `date`.
    fn next_working(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        for _ in 0..30 {
            if self.working(d) {
                return d;
            }
            d = d.succ_opt().unwrap_or(d);
        }
        date
    }

    /// A working day in [lo, hi], leaning towards hi; `hi` itself when there is none.
    fn on_time_day(&self, random: &mut Random, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
        if hi < lo {
            return hi;
        }
        let span = (hi - lo).num_days();
        // One in ten on the due date itself (the boundary), the rest leaning late.
        let offset =
            if random.chance(0.1) { span } else { (random.unit().powf(0.5) * (span + 1) as f64) as i64 };
        let mut d = lo + Duration::days(offset.min(span));
        // Walk back, then forward, to a working day inside the range.
        while d > lo && !self.working(d) {
            d = d.pred_opt().unwrap_or(lo);
        }
        if !self.working(d) {
            let mut e = d;
            while e < hi && !self.working(e) {
                e = e.succ_opt().unwrap_or(hi);
            }
            d = e;
        }
        d
    }

    fn due(&self, anchor: NaiveDate, interval: Interval) -> Option<NaiveDate> {
        interval.due_date(anchor, self.calendar, self.convention).ok()
    }

    /// Simulates one child, appending its events and breaches.
    pub(crate) fn child(&self, child: u64, out: &mut Synth) {
        let mut random = Random::for_child(self.options.seed, child);
        let options = self.options;
        let team = u32::try_from(random.between(0, i64::from(options.teams) - 1)).unwrap_or(0);
        let worker = u32::try_from(random.between(0, i64::from(options.workers_per_team) - 1)).unwrap_or(0);
        // Whether this worker's visits lapse is a property of the worker, not the child.
        let lapsing = Random::for_child(options.seed ^ 0x5EED, u64::from(team) << 32 | u64::from(worker))
            .chance(options.behaviour.lapsing_workers);
        let cohorts = self.cohorts(&mut random);
        let (from, to) = self.start_window;
        let days = (to - from).num_days().max(1);
        let mut referral = self.next_working(from + Duration::days(random.between(0, days - 1)));
        let mut episode = 1u32;
        let first_event = out.events.len();
        loop {
            if referral > options.as_of {
                break;
            }
            let mut sim = Episode::new(self, &mut random, child, episode, &cohorts, lapsing);
            if episode == 1 {
                for cohort in &cohorts {
                    sim.events.push((EventKind::CohortStart, Some(*cohort), referral));
                }
            }
            let pathway = sim.run(referral);
            let closed = sim.closed;
            let (events, breaches) = sim.finish();
            for (kind, qualifier, date) in events {
                out.events.push(SynthEvent { child, episode, kind, date, qualifier, team, worker });
            }
            out.breaches.extend(breaches);
            match out.pathways.iter_mut().find(|(p, _)| *p == pathway) {
                Some((_, n)) => *n += 1,
                None => out.pathways.push((pathway, 1)),
            }
            // About a fifth of referrals are re-referrals within 12 months of a previous one
            // (DfE 2023-24: 22.4%).
            match closed {
                Some(date) if episode < 4 && random.chance(0.42) => {
                    referral = self.next_working(date + Duration::days(random.between(14, 280)));
                    episode += 1;
                }
                _ => break,
            }
        }
        // Events of one child in date order (stable: same-day events keep their order).
        if let Some(events) = out.events.get_mut(first_event..) {
            events.sort_by_key(|e| (e.date, e.episode));
        }
    }

    fn cohorts(&self, random: &mut Random) -> Vec<&'static str> {
        let mut cohorts = Vec::new();
        // About one child in ten in need has a disability recorded; some of those receive
        // direct payments or short breaks.
        if random.chance(0.10) {
            cohorts.push("disabled_children");
            if random.chance(0.3) {
                cohorts.push("direct_payments");
            } else if random.chance(0.4) {
                cohorts.push("short_breaks");
            }
        } else if random.chance(0.03) {
            cohorts.push("complex_needs");
        }
        if random.chance(0.01) {
            cohorts.push("private_fostering");
        }
        cohorts
    }
}

/// A placed event: its kind, qualifier and date.
type Placed = (EventKind, Option<&'static str>, NaiveDate);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Episode,
    Plan(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Deadline,
    /// A recurring or maximum-gap cycle, at its `step`th interval.
    Cycle {
        step: usize,
        inclusive: bool,
    },
    /// A drift rule's required event, within a period.
    Require {
        span: usize,
    },
}

#[derive(Debug, Clone, Copy)]
struct Open {
    rule: usize,
    mode: Mode,
    context: Context,
    anchor_kind: EventKind,
    anchor_date: NaiveDate,
    /// The cycle's anchor (for cycles), whose next anchor ends the cycle.
    cycle_anchor: NaiveDate,
    /// The previous occurrence, for cycles.
    previous: NaiveDate,
    due: NaiveDate,
    done: bool,
    /// The date a later anchor of the same rule closed its window, if any.
    closed_at: Option<NaiveDate>,
    /// The date of the event that met it.
    met_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy)]
struct Period {
    kind: SpanKind,
    start: NaiveDate,
    end: Option<NaiveDate>,
    origin: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Step,
    Place(usize),
    Visit,
}

struct Episode<'m, 'r> {
    model: &'m Model<'m>,
    random: &'r mut Random,
    child: u64,
    number: u32,
    cohorts: &'r [&'static str],
    lapsing: bool,
    events: Vec<Placed>,
    open: Vec<Open>,
    periods: Vec<Period>,
    closed: Option<NaiveDate>,
    cursor: NaiveDate,
    agenda: BinaryHeap<Reverse<(NaiveDate, u32, Item)>>,
    order: u32,
    steps: VecDeque<Step>,
    breaches: Vec<Breach>,
}

impl<'m, 'r> Episode<'m, 'r> {
    fn new(
        model: &'m Model<'m>,
        random: &'r mut Random,
        child: u64,
        number: u32,
        cohorts: &'r [&'static str],
        lapsing: bool,
    ) -> Self {
        Episode {
            model,
            random,
            child,
            number,
            cohorts,
            lapsing,
            events: Vec::with_capacity(64),
            open: Vec::with_capacity(32),
            periods: Vec::new(),
            closed: None,
            cursor: NaiveDate::MIN,
            agenda: BinaryHeap::new(),
            order: 0,
            steps: VecDeque::new(),
            breaches: Vec::new(),
        }
    }

    fn rules(&self) -> &'m [Rule] {
        &self.model.rulebook.rules
    }

    fn schedule(&mut self, date: NaiveDate, item: Item) {
        if date > self.model.options.as_of {
            return;
        }
        self.order += 1;
        self.agenda.push(Reverse((date, self.order, item)));
    }

    fn choose_pathway(&mut self) -> Pathway {
        use Pathway as P;
        // First the route to a decision, then what the plan leads to. Roughly: half of
        // assessments end with no further action or early help; of plans, most end and close,
        // some step up to child protection or care, a few move away.
        let start = self.random.pick(&[(0u8, 0.95), (1, 0.05)]).unwrap_or(0);
        if start == 1 {
            return P::TransferIn;
        }
        self.random
            .pick(&[
                (P::NoFurtherAction, 0.38),
                (P::EarlyHelp, 0.12),
                (P::CinPlan, 0.36),
                (P::StepUpChildProtection, 0.06),
                (P::Care, 0.025),
                (P::CareOrderDischarge, 0.01),
                (P::SupervisionOrder, 0.015),
                (P::MoveOut, 0.02),
            ])
            .unwrap_or(P::CinPlan)
    }

    fn closure_reason(&mut self) -> &'static str {
        self.random
            .pick(&[("RC8", 0.55), ("RC9", 0.25), ("RC3", 0.06), ("RC4", 0.04), ("RC7", 0.06), ("RC6", 0.04)])
            .unwrap_or("RC8")
    }

    fn plan_steps(&mut self, pathway: Pathway) {
        use Delay as D;
        use EventKind as K;
        let close = self.closure_reason();
        let end_and_close = |steps: &mut VecDeque<Step>| {
            steps.push_back(step(K::CinPlanEnd, None, D::PlanLength));
            steps.push_back(step(K::Closure, Some(close), D::Working(0, 10)));
        };
        let mut s = VecDeque::new();
        match pathway {
            Pathway::CinPlan | Pathway::TransferIn => end_and_close(&mut s),
            Pathway::StepUpChildProtection => {
                s.push_back(step(K::StrategyDiscussion, None, D::Working(15, 100)));
                s.push_back(step(K::S47Start, None, D::Working(0, 1)));
                s.push_back(step(K::Icpc, None, D::Working(5, 15)));
                s.push_back(step(K::CinPlanEnd, None, D::Working(0, 0)));
                s.push_back(step(K::CpPlanStart, None, D::Working(0, 0)));
                s.push_back(step(K::CpPlanEnd, None, D::Days(120, 420)));
                s.push_back(step(K::CinPlanStart, Some("step_down_cp"), D::Working(0, 0)));
                end_and_close(&mut s);
            }
            Pathway::Care | Pathway::CareOrderDischarge => {
                s.push_back(step(K::CinPlanEnd, None, D::Working(20, 140)));
                s.push_back(step(K::LookedAfterStart, None, D::Working(0, 0)));
                if pathway == Pathway::Care {
                    let how =
                        if self.random.chance(0.7) { "return_home_planned" } else { "return_home_unplanned" };
                    s.push_back(step(K::LookedAfterEnd, Some(how), D::Days(60, 400)));
                    s.push_back(step(K::CinPlanStart, Some(how), D::Working(0, 0)));
                } else {
                    s.push_back(step(K::CareOrderDischarged, None, D::Days(200, 700)));
                    s.push_back(step(K::LookedAfterEnd, Some("other"), D::Working(0, 0)));
                    s.push_back(step(K::CinPlanStart, Some("care_order_discharge"), D::Working(0, 0)));
                }
                end_and_close(&mut s);
            }
            Pathway::SupervisionOrder => {
                s.push_back(step(K::SupervisionOrderStart, None, D::Working(20, 140)));
                s.push_back(step(K::CinPlanEnd, None, D::Working(0, 0)));
                s.push_back(step(K::CinPlanStart, Some("supervision_order"), D::Working(0, 0)));
                s.push_back(step(K::SupervisionOrderEnd, None, D::Days(180, 330)));
                s.push_back(step(K::CinPlanEnd, None, D::Working(0, 15)));
                s.push_back(step(K::Closure, Some(close), D::Working(0, 10)));
            }
            Pathway::MoveOut => {
                s.push_back(step(K::MoveOut, None, D::Working(20, 200)));
                s.push_back(step(K::CinPlanEnd, None, D::Working(0, 0)));
                s.push_back(step(K::Closure, Some("RC5"), D::Working(7, 10)));
            }
            Pathway::NoFurtherAction | Pathway::EarlyHelp => {}
        }
        self.steps.extend(s);
    }

    /// Runs the episode from its referral; returns the pathway it took.
    fn run(&mut self, referral: NaiveDate) -> Pathway {
        use Delay as D;
        use EventKind as K;
        let pathway = self.choose_pathway();
        self.steps.push_back(step(K::Referral, None, D::Working(0, 0)));
        match pathway {
            Pathway::TransferIn => {
                self.steps.push_back(step(K::MoveInNotified, None, D::Working(0, 0)));
                self.steps.push_back(step(K::CinPlanStart, Some("transfer_in"), D::Working(3, 15)));
            }
            _ => {
                if self.model.allocates {
                    // The front door (MASH) holds the case for a few days before a team opens it.
                    self.steps.push_back(step(K::Allocated, None, D::Working(0, 4)));
                }
                self.steps.push_back(step(K::AssessmentStart, None, D::Working(0, 2)));
                self.steps.push_back(step(K::AssessmentAuthorised, None, D::Assessment));
                match pathway {
                    Pathway::NoFurtherAction => {
                        self.steps.push_back(step(K::Closure, Some("RC8"), D::Working(0, 5)));
                    }
                    Pathway::EarlyHelp => {
                        self.steps.push_back(step(K::StepDown, None, D::Working(0, 5)));
                        self.steps.push_back(step(K::Closure, Some("RC9"), D::Working(0, 0)));
                    }
                    _ => self.steps.push_back(step(K::CinPlanStart, Some("assessment"), D::Working(1, 12))),
                }
            }
        }
        self.plan_steps(pathway);
        self.schedule(referral, Item::Step);
        while let Some(Reverse((date, _, item))) = self.agenda.pop() {
            match item {
                Item::Step => self.take_step(date),
                Item::Place(index) => self.place_for(index, date),
                Item::Visit => self.routine_visit(date),
            }
        }
        pathway
    }

    fn take_step(&mut self, date: NaiveDate) {
        let Some(current) = self.steps.pop_front() else { return };
        self.place(current.kind, current.qualifier, date);
        if current.kind == EventKind::CinPlanStart {
            let first = date + Duration::days(self.random.between(5, 30));
            self.schedule(first, Item::Visit);
        }
        let Some(next) = self.steps.front().copied() else { return };
        let proposal = self.propose(date, next);
        self.schedule(proposal, Item::Step);
    }

    /// The date of the next step: its delay after `date`, bent by any obligation that the
    /// step's event would meet.
    fn propose(&mut self, date: NaiveDate, next: Step) -> NaiveDate {
        let model = self.model;
        let base = match next.delay {
            Delay::Working(lo, hi) => {
                let n = self.random.between(lo, hi);
                if n == 0 {
                    date
                } else {
                    model.calendar.add_working_days(date, n).unwrap_or(date)
                }
            }
            Delay::Days(lo, hi) => model.next_working(date + Duration::days(self.random.between(lo, hi))),
            Delay::Assessment => {
                // Median about 30 working days (national median 2023-24: 33 working days from
                // referral, which includes the days before the assessment starts).
                let n = self.random.lognormal(30.0, 0.35).clamp(3.0, 44.0) as i64;
                model.calendar.add_working_days(date, n).unwrap_or(date)
            }
            Delay::PlanLength => self.plan_end(date),
        };
        let rules = self.rules();
        let earliest_due = self
            .open
            .iter()
            .filter(|o| !o.done && o.mode == Mode::Deadline && o.closed_at.is_none())
            .filter(|o| {
                rules.get(o.rule).is_some_and(|r| match &r.kind {
                    RuleKind::Deadline { target, .. } => selects(target, next.kind, next.qualifier),
                    _ => false,
                })
            })
            .map(|o| o.due)
            .min();
        let Some(due) = earliest_due else { return base };
        if self.random.chance(model.options.behaviour.on_time) {
            if base <= due {
                base
            } else {
                model.on_time_day(self.random, date, due).max(date)
            }
        } else {
            let late = due + Duration::days(self.random.geometric(model.options.behaviour.late_days));
            model.next_working(late.max(base))
        }
    }

    /// When the open plan should end: a drawn length, fitted to the rulebook's drift and
    /// minimum-length rules unless this plan is one that drifts.
    fn plan_end(&mut self, date: NaiveDate) -> NaiveDate {
        let model = self.model;
        let Some(plan) = self.periods.iter().rposition(|p| p.kind == SpanKind::CinPlan && p.end.is_none())
        else {
            return date;
        };
        let Some(period) = self.periods.get(plan).copied() else { return date };
        let drifts = self.random.chance(model.options.behaviour.drift);
        let days = if drifts {
            self.random.between(372, 900)
        } else {
            // About half of the episodes that end last three months or less (most of those
            // are assessments that end without a plan); plans themselves run a few months.
            self.random.lognormal(140.0, 0.55).clamp(20.0, 340.0) as i64
        };
        let mut end = period.start + Duration::days(days);
        for rule in self.rules() {
            if !rule.is_ready() || !self.origin_ok(rule, period.origin) || !self.cohort_ok(rule) {
                continue;
            }
            match &rule.kind {
                RuleKind::Drift { span: SpanKind::CinPlan, after, requires, .. }
                    if requires.is_empty() && !drifts =>
                {
                    if let Some(limit) = after.interval.and_then(|i| model.due(period.start, i)) {
                        end = end.min(limit);
                    }
                }
                RuleKind::MinDuration { span: SpanKind::CinPlan, at_least } => {
                    if let Some(minimum) = at_least.interval.and_then(|i| model.due(period.start, i)) {
                        end = end.max(minimum);
                    }
                }
                _ => {}
            }
        }
        let end = end.max(date);
        // A working day, without crossing a drift limit by moving forward.
        let forward = model.next_working(end);
        if forward == end || drifts {
            forward
        } else {
            model.on_time_day(self.random, date, end)
        }
    }

    fn routine_visit(&mut self, date: NaiveDate) {
        let open_plan = self.periods.iter().any(|p| p.kind == SpanKind::CinPlan && p.end.is_none());
        if !open_plan || self.closed.is_some() || self.lapsing {
            return;
        }
        let date = self.model.next_working(date.max(self.cursor));
        let qualifier =
            self.random.pick(&[("seen", 0.6), ("seen_alone", 0.3), ("not_seen", 0.1)]).unwrap_or("seen");
        self.place(EventKind::Visit, Some(qualifier), date);
        let next = date + Duration::days(self.random.between(25, 60));
        self.schedule(next, Item::Visit);
    }

    fn context_end(&self, context: Context) -> Option<NaiveDate> {
        match context {
            Context::Episode => self.closed,
            Context::Plan(i) => self.periods.get(i).and_then(|p| p.end),
        }
    }

    /// Places the event an obligation asked for, if it can still happen.
    fn place_for(&mut self, index: usize, date: NaiveDate) {
        let Some(open) = self.open.get(index).copied() else { return };
        if open.done {
            return;
        }
        let Some(rule) = self.rules().get(open.rule) else { return };
        let Some((kind, qualifier)) = self.target_of(rule) else { return };
        if self.closed.is_some_and(|c| date > c) && !kind.may_follow_closure() {
            return;
        }
        if matches!(open.mode, Mode::Cycle { .. } | Mode::Require { .. })
            && self.context_end(open.context).is_some_and(|end| date > end)
        {
            return;
        }
        if let Mode::Require { span } = open.mode {
            if self.periods.get(span).and_then(|p| p.end).is_some_and(|end| date > end) {
                return;
            }
        }
        self.place(kind, qualifier, date.max(self.cursor));
    }

    /// The event to place for a rule: its first target (for visits, seen or seen alone).
    fn target_of(&mut self, rule: &Rule) -> Option<(EventKind, Option<&'static str>)> {
        let first = targets(rule)?.first()?;
        let qualifier = match first.qualifiers.as_slice() {
            _ if first.negated => None,
            [] if first.kind == EventKind::Visit => {
                Some(if self.random.chance(0.7) { "seen" } else { "seen_alone" })
            }
            [] => None,
            [only] => Some(*only),
            many => {
                let i = usize::try_from(self.random.between(0, many.len() as i64 - 1)).unwrap_or(0);
                many.get(i).copied()
            }
        };
        Some((first.kind, qualifier))
    }

    fn cohort_ok(&self, rule: &Rule) -> bool {
        let when = &rule.when;
        (when.cohort.is_empty() || when.cohort.iter().any(|c| self.cohorts.contains(c)))
            && !when.not_cohort.iter().any(|c| self.cohorts.contains(c))
    }

    fn origin_ok(&self, rule: &Rule, origin: &str) -> bool {
        rule.scope != Scope::CinPlan || rule.when.origin.is_empty() || rule.when.origin.contains(&origin)
    }

    /// Places an event and lets it meet, close and open obligations.
    fn place(&mut self, kind: EventKind, qualifier: Option<&'static str>, date: NaiveDate) {
        let date = date.max(self.cursor);
        // The same event twice on one day is one event (a duplicate row to the timeline).
        if self.events.iter().rev().take_while(|e| e.2 == date).any(|e| e.0 == kind && e.1 == qualifier) {
            return;
        }
        self.before_rules(kind, qualifier, date);
        self.events.push((kind, qualifier, date));
        self.cursor = date;
        self.periods_on(kind, qualifier, date);
        self.meet(kind, qualifier, date, 0);
        let first_new = self.open.len();
        self.anchor(kind, qualifier, date, None);
        self.same_day(kind, date, first_new);
    }

    /// Events earlier on the same day count as if simultaneous: a new plan covers the meeting
    /// held the day it started, and a new obligation may be met by an event of that day.
    fn same_day(&mut self, kind: EventKind, date: NaiveDate, first_new: usize) {
        let earlier: Vec<(EventKind, Option<&'static str>)> =
            self.events.iter().rev().skip(1).take_while(|e| e.2 == date).map(|e| (e.0, e.1)).collect();
        if earlier.is_empty() {
            return;
        }
        if kind == EventKind::CinPlanStart {
            let plan = self.periods.len().saturating_sub(1);
            for (k, q) in earlier.iter().rev() {
                self.anchor(*k, *q, date, Some(plan));
            }
        }
        for (k, q) in earlier.iter().rev() {
            self.meet(*k, *q, date, first_new);
        }
    }

    fn periods_on(&mut self, kind: EventKind, qualifier: Option<&'static str>, date: NaiveDate) {
        use EventKind as K;
        const SPANS: [SpanKind; 4] =
            [SpanKind::CinPlan, SpanKind::CpPlan, SpanKind::LookedAfter, SpanKind::SupervisionOrder];
        if let Some(span) = SPANS.into_iter().find(|s| s.events().0 == kind) {
            let origin = if span == SpanKind::CinPlan { qualifier.unwrap_or("assessment") } else { "" };
            self.periods.push(Period { kind: span, start: date, end: None, origin });
            self.require_on_start(self.periods.len() - 1);
        }
        if let Some(span) = SPANS.into_iter().find(|s| s.events().1 == kind) {
            if let Some(p) = self.periods.iter_mut().rev().find(|p| p.kind == span && p.end.is_none()) {
                p.end = Some(date);
            }
        }
        if kind == K::Closure {
            self.closed = Some(date);
        }
    }

    /// A drift rule that requires an event (a panel, a senior review) opens an obligation when
    /// its period starts.
    fn require_on_start(&mut self, span: usize) {
        let Some(period) = self.periods.get(span).copied() else { return };
        for (index, rule) in self.rules().iter().enumerate() {
            let RuleKind::Drift { span: kind, after, requires, .. } = &rule.kind else { continue };
            if *kind != period.kind || requires.is_empty() || !rule.is_ready() {
                continue;
            }
            if !self.cohort_ok(rule)
                || (period.kind == SpanKind::CinPlan && !self.origin_ok(rule, period.origin))
            {
                continue;
            }
            let Some(threshold) = after.interval.and_then(|i| self.model.due(period.start, i)) else {
                continue;
            };
            let context = if rule.scope == Scope::CinPlan { Context::Plan(span) } else { Context::Episode };
            self.open_obligation(Open {
                rule: index,
                mode: Mode::Require { span },
                context,
                anchor_kind: kind.events().0,
                anchor_date: period.start,
                cycle_anchor: period.start,
                previous: period.start,
                due: threshold,
                done: false,
                closed_at: None,
                met_on: None,
            });
        }
    }

    /// `before` rules: a reference event (a review) needs a target (a visit seen alone) since
    /// the previous reference; placed the same day unless this one is missed.
    fn before_rules(&mut self, kind: EventKind, qualifier: Option<&'static str>, date: NaiveDate) {
        for rule in self.rules() {
            let RuleKind::Before { target, reference, window } = &rule.kind else { continue };
            if !rule.is_ready() || !selects(std::slice::from_ref(reference), kind, qualifier) {
                continue;
            }
            let contexts: Vec<(NaiveDate, Option<usize>)> = match rule.scope {
                Scope::Episode => self.events.first().map(|e| (e.2, None)).into_iter().collect(),
                Scope::CinPlan => self
                    .periods
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        p.kind == SpanKind::CinPlan
                            && p.start <= date
                            && p.end.is_none_or(|e| date <= e)
                            && self.origin_ok(rule, p.origin)
                    })
                    .map(|(i, p)| (p.start, Some(i)))
                    .collect(),
            };
            for (start, plan) in contexts {
                if !self.cohort_ok(rule) {
                    continue;
                }
                let opens = match window {
                    Some(w) => {
                        match w.interval.and_then(|i| self.model.due(date, Interval::new(-i.count, i.unit))) {
                            Some(d) => d,
                            None => continue,
                        }
                    }
                    None => {
                        let previous = self
                            .events
                            .iter()
                            .filter(|e| selects(std::slice::from_ref(reference), e.0, e.1))
                            .filter(|e| plan.and_then(|i| self.periods.get(i)).is_none_or(|p| p.start <= e.2))
                            .map(|e| e.2)
                            .max();
                        previous.and_then(|d| d.succ_opt()).unwrap_or(start)
                    }
                };
                let found =
                    self.events.iter().any(|e| selects(target, e.0, e.1) && e.2 >= opens && e.2 <= date);
                if found {
                    continue;
                }
                if self.random.chance(self.model.options.behaviour.on_time) {
                    if let Some((k, q)) = self.target_of(rule) {
                        // Placed directly: a target cannot itself be a reference here.
                        self.events.push((k, q, date));
                        self.meet(k, q, date, 0);
                        self.anchor(k, q, date, None);
                    }
                }
                // Whether it was missed is judged when the episode ends, when every event of
                // the day and every plan covering it are known.
            }
        }
    }

    fn resolve(&mut self, index: usize, date: NaiveDate) {
        let Some(open) = self.open.get_mut(index) else { return };
        open.done = true;
        open.met_on = Some(date);
        let open = *open;
        if date > open.due {
            self.breaches.push(Breach {
                child: self.child,
                episode: self.number,
                rule: open.rule,
                anchor_date: open.anchor_date,
                due: open.due,
                status: Status::Late,
                date: Some(date),
            });
        }
    }

    /// Open obligations that this event meets.
    fn meet(&mut self, kind: EventKind, qualifier: Option<&'static str>, date: NaiveDate, from: usize) {
        let rules = self.rules();
        let mut met_rules: Vec<(usize, Context)> = Vec::new();
        let count = self.open.len();
        for index in from..count {
            let Some(open) = self.open.get(index).copied() else { continue };
            if open.done {
                continue;
            }
            let Some(rule) = rules.get(open.rule) else { continue };
            // Open obligations come only from deadline, cycle and drift rules.
            let Some(wanted) = targets(rule) else { continue };
            if !selects(wanted, kind, qualifier) {
                continue;
            }
            match open.mode {
                Mode::Deadline => {
                    // One target per anchor within a rule; later anchors close earlier windows.
                    if date < open.anchor_date
                        || open.closed_at.is_some_and(|c| date >= c)
                        || met_rules.contains(&(open.rule, open.context))
                    {
                        continue;
                    }
                    met_rules.push((open.rule, open.context));
                    self.resolve(index, date);
                }
                Mode::Cycle { step, inclusive } => {
                    let after_previous = if inclusive { date >= open.previous } else { date > open.previous };
                    if !after_previous
                        || self.context_end(open.context).is_some_and(|end| date > end)
                        || open.closed_at.is_some_and(|c| date > c)
                    {
                        continue;
                    }
                    self.resolve(index, date);
                    let intervals: Vec<Interval> =
                        rule.kind.durations().into_iter().filter_map(|d| d.interval).collect();
                    let next_step = (step + 1).min(intervals.len().saturating_sub(1));
                    let Some(interval) = intervals.get(next_step).copied() else { continue };
                    let Some(due) = self.model.due(date, interval) else { continue };
                    self.open_obligation(Open {
                        rule: open.rule,
                        mode: Mode::Cycle { step: next_step, inclusive: false },
                        context: open.context,
                        anchor_kind: kind,
                        anchor_date: date,
                        cycle_anchor: open.cycle_anchor,
                        previous: date,
                        due,
                        done: false,
                        closed_at: open.closed_at,
                        met_on: None,
                    });
                }
                Mode::Require { span } => {
                    let inside = self
                        .periods
                        .get(span)
                        .is_some_and(|p| p.start <= date && p.end.is_none_or(|e| date <= e));
                    if inside {
                        self.resolve(index, date);
                    }
                }
            }
        }
    }

    /// Contexts in which an anchor of a rule falls.
    fn anchor_contexts(&self, rule: &Rule, kind: EventKind, date: NaiveDate) -> Vec<Context> {
        match rule.scope {
            Scope::Episode => vec![Context::Episode],
            Scope::CinPlan => self
                .periods
                .iter()
                .enumerate()
                .filter(|(_, p)| p.kind == SpanKind::CinPlan && self.origin_ok(rule, p.origin))
                .filter(|(i, p)| {
                    if kind == EventKind::CinPlanStart {
                        // A plan's own start anchors it: the plan just opened.
                        *i + 1 == self.periods.len() && p.start == date
                    } else {
                        p.start <= date && p.end.is_none_or(|e| date <= e)
                    }
                })
                .map(|(i, _)| Context::Plan(i))
                .collect(),
        }
    }

    /// Obligations this event starts (and earlier windows of the same rules it closes).
    fn anchor(
        &mut self,
        kind: EventKind,
        qualifier: Option<&'static str>,
        date: NaiveDate,
        only_plan: Option<usize>,
    ) {
        let rules = self.rules();
        for (index, rule) in rules.iter().enumerate() {
            if !rule.is_ready() {
                continue;
            }
            let (anchors, cycle): (&[Selector], bool) = match &rule.kind {
                RuleKind::Deadline { anchor, .. } => (anchor, false),
                RuleKind::Recurring { anchor, .. } | RuleKind::MaxGap { anchor, .. } => (anchor, true),
                _ => continue,
            };
            // Most rules are not anchored by this event: look no further (and allocate nothing).
            if !selects(anchors, kind, qualifier) {
                continue;
            }
            let intervals: Vec<Interval> = match &rule.kind {
                RuleKind::Deadline { within, .. } => within.interval.into_iter().collect(),
                _ => rule.kind.durations().into_iter().filter_map(|d| d.interval).collect(),
            };
            for context in self.anchor_contexts(rule, kind, date) {
                if only_plan.is_some_and(|p| context != Context::Plan(p)) {
                    continue;
                }
                // A later anchor closes the window of earlier ones of the same rule. A deadline
                // met earlier today is not met after all: its target must come before the
                // next anchor, and today's event belongs to the new one.
                let mut reopened = Vec::new();
                for open in self.open.iter_mut() {
                    if open.rule != index || open.context != context || open.closed_at.is_some() {
                        continue;
                    }
                    let start = if cycle { open.cycle_anchor } else { open.anchor_date };
                    if start >= date {
                        continue;
                    }
                    if !open.done {
                        open.closed_at = Some(date);
                    } else if !cycle && open.met_on == Some(date) {
                        open.done = false;
                        open.met_on = None;
                        open.closed_at = Some(date);
                        reopened.push((open.anchor_date, open.due));
                    }
                }
                for (anchor_date, due) in reopened {
                    self.breaches.retain(|b| {
                        !(b.rule == index
                            && b.anchor_date == anchor_date
                            && b.due == due
                            && b.date == Some(date))
                    });
                }
                if !self.cohort_ok(rule) {
                    continue;
                }
                let Some(first) = intervals.first().copied() else { continue };
                let Some(due) = self.model.due(date, first) else { continue };
                let inclusive = matches!(rule.kind, RuleKind::MaxGap { .. });
                self.open_obligation(Open {
                    rule: index,
                    mode: if cycle { Mode::Cycle { step: 0, inclusive } } else { Mode::Deadline },
                    context,
                    anchor_kind: kind,
                    anchor_date: date,
                    cycle_anchor: date,
                    previous: date,
                    due,
                    done: false,
                    closed_at: None,
                    met_on: None,
                });
            }
        }
    }

    /// Records an obligation and decides its fate: on time, late, or undone. Obligations whose
    /// target is a pathway step place nothing: the step's date is bent instead.
    fn open_obligation(&mut self, open: Open) {
        let index = self.open.len();
        self.open.push(open);
        let Some(rule) = self.rules().get(open.rule) else { return };
        let Some(kind) = targets(rule).and_then(|t| t.first()).map(|s| s.kind) else { return };
        if is_step_kind(kind) {
            return;
        }
        let behaviour = self.model.options.behaviour;
        let visits = kind == EventKind::Visit;
        let lapses = visits && self.lapsing;
        if !lapses && self.random.chance(behaviour.on_time) {
            let lo = match open.mode {
                Mode::Cycle { inclusive: false, .. } => open.previous.succ_opt().unwrap_or(open.previous),
                _ => open.anchor_date,
            };
            let lo = lo.max(self.cursor);
            let day = self.model.on_time_day(self.random, lo, open.due);
            self.schedule(day, Item::Place(index));
        } else if !lapses && self.random.chance(behaviour.undone) {
            // Left undone.
        } else {
            let days =
                if lapses { self.random.between(14, 70) } else { self.random.geometric(behaviour.late_days) };
            let day = self.model.next_working(open.due + Duration::days(days));
            self.schedule(day, Item::Place(index));
        }
    }

    /// The status the procedure gives something not done: cancelled if its plan or episode
    /// ended before it was due (unless an ending created it), overdue once due, else pending.
    fn unmet(&self, anchor_kind: EventKind, due: NaiveDate, end: Option<NaiveDate>) -> Status {
        match end {
            Some(end) if end < due && !created_by_ending(anchor_kind) => Status::Cancelled,
            _ if due < self.model.options.as_of => Status::Overdue,
            _ => Status::Pending,
        }
    }

    fn breach(
        &mut self,
        rule: usize,
        anchor_date: NaiveDate,
        due: NaiveDate,
        status: Status,
        date: Option<NaiveDate>,
    ) {
        if matches!(status, Status::Late | Status::Overdue) {
            self.breaches.push(Breach {
                child: self.child,
                episode: self.number,
                rule,
                anchor_date,
                due,
                status,
                date,
            });
        }
    }

    /// Gives every open obligation its final status, judges the period rules, and drops
    /// breaches of rules whose `episode_has` condition the episode does not meet.
    fn finish(mut self) -> (Vec<Placed>, Vec<Breach>) {
        let as_of = self.model.options.as_of;
        for open in self.open.clone() {
            if open.done {
                continue;
            }
            // Paperwork that follows a closure is still owed when the episode closes first.
            let owed_after_closure = open.context == Context::Episode
                && self.rules().get(open.rule).is_some_and(|r| {
                    matches!(&r.kind, RuleKind::Deadline { target, .. }
                        if target.iter().all(|t| t.kind.may_follow_closure()))
                });
            let end = match open.mode {
                Mode::Deadline if owed_after_closure => None,
                Mode::Deadline => self.context_end(open.context),
                Mode::Cycle { .. } => {
                    self.context_end(open.context).or(open.closed_at.filter(|c| *c <= as_of))
                }
                Mode::Require { span } => self.periods.get(span).and_then(|p| p.end),
            };
            let status = self.unmet(open.anchor_kind, open.due, end);
            self.breach(open.rule, open.anchor_date, open.due, status, None);
        }
        self.judge_periods();
        self.judge_before();
        let events = std::mem::take(&mut self.events);
        let rules = self.rules();
        let breaches = std::mem::take(&mut self.breaches)
            .into_iter()
            .filter(|b| {
                rules.get(b.rule).and_then(|r| r.when.episode_has.as_ref()).is_none_or(|needed| {
                    events.iter().any(|e| selects(std::slice::from_ref(needed), e.0, e.1))
                })
            })
            .collect();
        (events, breaches)
    }

    /// `before` rules: each reference needs a target on or before it, within the window or
    /// since the previous reference in the same context.
    fn judge_before(&mut self) {
        let as_of = self.model.options.as_of;
        let rules = self.rules();
        let start = self.events.iter().find(|e| e.0 == EventKind::Referral).map(|e| e.2);
        for (index, rule) in rules.iter().enumerate() {
            let RuleKind::Before { target, reference, window } = &rule.kind else { continue };
            if !rule.is_ready() || !self.cohort_ok(rule) {
                continue;
            }
            let contexts: Vec<(NaiveDate, Option<Period>)> = match rule.scope {
                Scope::Episode => start.map(|d| (d, None)).into_iter().collect(),
                Scope::CinPlan => self
                    .periods
                    .iter()
                    .filter(|p| p.kind == SpanKind::CinPlan && self.origin_ok(rule, p.origin))
                    .map(|p| (p.start, Some(*p)))
                    .collect(),
            };
            for (context_start, plan) in contexts {
                let references: Vec<NaiveDate> = self
                    .events
                    .iter()
                    .filter(|e| selects(std::slice::from_ref(reference), e.0, e.1))
                    .filter(|e| plan.is_none_or(|p| p.start <= e.2 && p.end.is_none_or(|x| e.2 <= x)))
                    .map(|e| e.2)
                    .collect();
                let mut previous: Option<NaiveDate> = None;
                for r in references {
                    let since = previous.replace(r);
                    let opens = match window {
                        Some(w) => {
                            match w.interval.and_then(|i| self.model.due(r, Interval::new(-i.count, i.unit)))
                            {
                                Some(d) => d,
                                None => continue,
                            }
                        }
                        None => since.and_then(|d| d.succ_opt()).unwrap_or(context_start),
                    };
                    let found =
                        self.events.iter().any(|e| selects(target, e.0, e.1) && e.2 >= opens && e.2 <= r);
                    if !found && r < as_of {
                        self.breach(index, r, r, Status::Overdue, None);
                    }
                }
            }
        }
    }

    fn judge_periods(&mut self) {
        let as_of = self.model.options.as_of;
        let rules = self.rules();
        for (index, rule) in rules.iter().enumerate() {
            if !rule.is_ready() || !self.cohort_ok(rule) {
                continue;
            }
            let (kind, limit) = match &rule.kind {
                RuleKind::Drift { span, after, requires, .. } if requires.is_empty() => {
                    (*span, after.interval)
                }
                RuleKind::MinDuration { span, at_least } => (*span, at_least.interval),
                RuleKind::Exclusivity { span, .. } => (*span, None),
                _ => continue,
            };
            let periods: Vec<Period> = self
                .periods
                .iter()
                .filter(|p| p.kind == kind)
                .filter(|p| kind != SpanKind::CinPlan || self.origin_ok(rule, p.origin))
                .copied()
                .collect();
            for period in periods {
                match &rule.kind {
                    RuleKind::Drift { .. } => {
                        let Some(threshold) = limit.and_then(|i| self.model.due(period.start, i)) else {
                            continue;
                        };
                        let status = match period.end {
                            Some(e) if e <= threshold => Status::Met,
                            Some(_) => Status::Late,
                            None if threshold < as_of => Status::Overdue,
                            None => Status::Pending,
                        };
                        self.breach(index, period.start, threshold, status, period.end);
                    }
                    RuleKind::MinDuration { .. } => {
                        let Some(minimum) = limit.and_then(|i| self.model.due(period.start, i)) else {
                            continue;
                        };
                        if period.end.is_some_and(|e| e < minimum) {
                            self.breach(index, period.start, minimum, Status::Late, period.end);
                        }
                    }
                    RuleKind::Exclusivity { ends_when, .. } => {
                        let trigger = self
                            .events
                            .iter()
                            .find(|e| {
                                selects(ends_when, e.0, e.1)
                                    && e.2 > period.start
                                    && period.end.is_none_or(|x| e.2 <= x)
                            })
                            .map(|e| e.2);
                        let Some(due) = trigger else { continue };
                        let status = match period.end {
                            Some(e) if e <= due => Status::Met,
                            Some(_) => Status::Late,
                            None if due < as_of => Status::Overdue,
                            None => Status::Pending,
                        };
                        self.breach(index, due, due, status, period.end);
                    }
                    _ => {}
                }
            }
        }
    }
}
