//! Synthetic Child in Need case histories, seeded and deterministic, that follow one rulebook
//! and report the ground truth of every obligation they breach.
//!
//! No real child's data ships with cinscope; this crate gives every example, benchmark and test
//! realistic histories instead. Each child is simulated forward in time: a *pathway* (referral,
//! assessment, no further action or early help or a Child in Need plan, step-up to child
//! protection or care, step-down, transfers, closure, re-referral) proposes the next step, and
//! every rule of the rulebook that the events so far have started becomes an open obligation.
//! The simulation then does what a busy service does: most obligations are met on time, some
//! late by a drawn number of days, a few are left undone; plans drift past twelve months; some
//! workers' visits lapse. It records, as it goes, the status of every obligation it created, so
//! the [`Synth::breaches`] are known without asking the rules engine: a test can score the
//! events and require that the engine finds exactly these breaches and no others.
//!
//! The distributions follow published national figures (see [`Behaviour`] and
//! `docs/synthetic.md`); every event falls on a working day of the calendar; nothing is dated
//! after the as-of date.
//!
//! ```
//! use cinscope_domain::Calendar;
//! use cinscope_synth::{generate, Options};
//!
//! let calendar = Calendar::england_and_wales();
//! let rulebook = cinscope_rules::builtin("kent").unwrap();
//! let synth = generate(&rulebook, &calendar, &Options { children: 100, ..Options::default() }).unwrap();
//! assert!(synth.events.len() > 500);
//! // The same seed gives the same histories.
//! let again = generate(&rulebook, &calendar, &Options { children: 100, ..Options::default() }).unwrap();
//! assert_eq!(synth.events, again.events);
//! ```

mod random;
mod sim;

use chrono::NaiveDate;
use cinscope_domain::{Calendar, Convention, EventKind};
use cinscope_rules::{Rulebook, Status};
use rayon::prelude::*;

pub use sim::Pathway;

/// How the simulated service behaves. Shares are probabilities in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Behaviour {
    /// Probability that an obligation is met on time. The default, 0.86, is the national share
    /// of assessments completed within 45 working days (DfE, Characteristics of children in
    /// need 2023-24: 86.0%); other obligations are given the same share.
    pub on_time: f64,
    /// Mean calendar days late, when late (drawn from a geometric distribution, at least 1).
    pub late_days: f64,
    /// Probability that an obligation that is not met on time is left undone (overdue, or
    /// cancelled if the plan ends first) rather than done late.
    pub undone: f64,
    /// Share of Child in Need plans that run on past twelve months (drift).
    pub drift: f64,
    /// Share of workers whose visits lapse: every visit of theirs is late or missed.
    pub lapsing_workers: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour { on_time: 0.86, late_days: 12.0, undone: 0.15, drift: 0.12, lapsing_workers: 0.05 }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The seed: the same seed, options and rulebook give the same histories.
    pub seed: u64,
    /// How many children.
    pub children: u64,
    /// The number of the first child (children are numbered from here, so that several calls
    /// can make one cohort without clashing ids).
    pub first_child: u64,
    /// The extract date: nothing is dated after it; what is open then stays open.
    pub as_of: NaiveDate,
    /// Referrals fall in the `years` years before the as-of date.
    pub years: u32,
    /// How many teams.
    pub teams: u32,
    /// How many workers in each team.
    pub workers_per_team: u32,
    /// How the service behaves.
    pub behaviour: Behaviour,
    /// The working-day counting convention the service works to (and the truth is stated in).
    pub convention: Convention,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 2026,
            children: 1000,
            first_child: 0,
            as_of: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
            years: 3,
            teams: 8,
            workers_per_team: 6,
            behaviour: Behaviour::default(),
            convention: Convention::ExcludeAnchor,
        }
    }
}

/// One generated event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthEvent {
    /// The child's number.
    pub child: u64,
    /// The child's episode, from 1.
    pub episode: u32,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub date: NaiveDate,
    /// Its qualifier, if any.
    pub qualifier: Option<&'static str>,
    /// The child's team, from 0.
    pub team: u32,
    /// The child's worker within the team, from 0.
    pub worker: u32,
}

/// One obligation the simulation left late or overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Breach {
    /// The child's number.
    pub child: u64,
    /// The episode, from 1.
    pub episode: u32,
    /// The rule's index in the rulebook.
    pub rule: usize,
    /// The date of the event that started the clock.
    pub anchor_date: NaiveDate,
    /// When it was due.
    pub due: NaiveDate,
    /// Late or overdue (at the as-of date).
    pub status: Status,
    /// The event that came late, if any.
    pub date: Option<NaiveDate>,
}

/// Generated histories and their ground truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synth {
    /// The events, child by child and in date order within a child.
    pub events: Vec<SynthEvent>,
    /// Every obligation left late or overdue, child by child.
    pub breaches: Vec<Breach>,
    /// How many episodes followed each pathway.
    pub pathways: Vec<(Pathway, u64)>,
}

/// Why generation could not run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SynthError {
    /// An option is out of range.
    #[error("invalid option {option}: {message}")]
    Option {
        /// The option.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
}

fn check(options: &Options, calendar: &Calendar) -> Result<(), SynthError> {
    let share = |name: &'static str, value: f64| {
        if (0.0..=1.0).contains(&value) {
            Ok(())
        } else {
            Err(SynthError::Option {
                option: name,
                message: format!("{value} is not a share between 0 and 1"),
            })
        }
    };
    let b = &options.behaviour;
    share("on_time", b.on_time)?;
    share("undone", b.undone)?;
    share("drift", b.drift)?;
    share("lapsing_workers", b.lapsing_workers)?;
    if !(b.late_days.is_finite() && b.late_days >= 1.0 && b.late_days <= 365.0) {
        return Err(SynthError::Option {
            option: "late_days",
            message: format!("{} is not a number of days between 1 and 365", b.late_days),
        });
    }
    if options.years == 0 || options.years > 20 {
        return Err(SynthError::Option {
            option: "years",
            message: format!("{} is not between 1 and 20", options.years),
        });
    }
    if options.teams == 0 || options.workers_per_team == 0 {
        return Err(SynthError::Option {
            option: "teams",
            message: "teams and workers_per_team must be at least 1".to_string(),
        });
    }
    if options.children > 50_000_000 {
        return Err(SynthError::Option {
            option: "children",
            message: format!("{} is more than 50,000,000", options.children),
        });
    }
    // The histories reach back `years` (and a little more for the first assessment) and
    // obligations reach a year or two past the as-of date.
    let earliest = options.as_of.checked_sub_months(chrono::Months::new(options.years * 12 + 1));
    let latest = options.as_of.checked_add_months(chrono::Months::new(30));
    match (earliest, latest) {
        (Some(e), Some(l)) if e >= calendar.first_date() && l <= calendar.last_date() => Ok(()),
        _ => Err(SynthError::Option {
            option: "as_of",
            message: format!(
                "{} with {} years of history needs a calendar from {} years before to 30 months after it; \
                 the calendar covers {} to {}",
                options.as_of,
                options.years,
                options.years,
                calendar.first_date(),
                calendar.last_date()
            ),
        }),
    }
}

/// Whether the generator's ground truth covers this rule: whether it models how the engine
/// scores it. It models the procedures as written on clean histories, not the readings made for
/// messy ones: a cycle counted from when a missing step was due (`fallback`), paperwork that
/// belongs to a later meeting (`until_next`), meetings held before the assessment
/// (`met_before_anchor`), assessments completed again before the plan (`supersede`), lead
/// times before an order expires (`lead`), plans ended early by escalation
/// (`unless_ended_by`), conferences paired with the last enquiry
/// (`pairing`), twelve-month reviews held near the twelve-month day (a drift `window`), a
/// plan's deadline met only while the plan is open, and a first review left to an unset local
/// parameter. Breaches of the other
/// rules are left out of [`Synth::breaches`]; those readings are tested against an independent
/// implementation on messy histories instead.
pub fn models(rule: &cinscope_rules::Rule) -> bool {
    use cinscope_rules::rulebook::Scope;
    use cinscope_rules::{Pairing, RuleKind};
    rule.fallback.is_none()
        && rule.until_next.is_empty()
        && !rule.met_before_anchor
        && !rule.supersede
        && !rule.lead
        && rule.unless_ended_by.is_empty()
        && rule.pairing == Pairing::Earliest
        && rule.unset_parameters().is_empty()
        && !matches!(rule.kind, RuleKind::Drift { window: Some(_), .. })
        && !(rule.scope == Scope::CinPlan && matches!(rule.kind, RuleKind::Deadline { .. }))
}

/// Generates `options.children` children under `rulebook`. Children are simulated in parallel;
/// each has its own random stream derived from the seed and its number, so the result does not
/// depend on the number of threads.
pub fn generate(rulebook: &Rulebook, calendar: &Calendar, options: &Options) -> Result<Synth, SynthError> {
    check(options, calendar)?;
    let model = sim::Model::new(rulebook, calendar, options);
    let first = options.first_child;
    let last = first.saturating_add(options.children);
    // Children in fixed chunks, each filling its own buffers (sized for a typical child), so
    // that the output does not depend on how rayon splits the work.
    const CHUNK: u64 = 4096;
    let starts: Vec<u64> = (first..last).step_by(CHUNK as usize).collect();
    let parts: Vec<Synth> = starts
        .into_par_iter()
        .map(|start| {
            let end = start.saturating_add(CHUNK).min(last);
            let n = usize::try_from(end - start).unwrap_or(0);
            let mut acc = Synth {
                events: Vec::with_capacity(n * 24),
                breaches: Vec::with_capacity(n * 4),
                pathways: Vec::new(),
            };
            for child in start..end {
                model.child(child, &mut acc);
            }
            acc
        })
        .collect();
    let mut out = Synth::default();
    let modelled: Vec<bool> = rulebook.rules.iter().map(models).collect();
    // Reserve once: growing a vector of millions of events by doubling copies it many times.
    out.events.reserve_exact(parts.iter().map(|p| p.events.len()).sum());
    out.breaches.reserve_exact(parts.iter().map(|p| p.breaches.len()).sum());
    let mut counts = std::collections::BTreeMap::new();
    // collect keeps the order of the chunks.
    for part in parts {
        out.events.extend(part.events);
        out.breaches
            .extend(part.breaches.into_iter().filter(|b| modelled.get(b.rule).copied().unwrap_or(false)));
        for (pathway, n) in part.pathways {
            *counts.entry(pathway).or_insert(0) += n;
        }
    }
    out.pathways = counts.into_iter().collect();
    Ok(out)
}
