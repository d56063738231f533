//! Rulebooks: the TOML format, its validation, `extends`, and the compiled form the engine runs.
//!
//! A rulebook file looks like this (one `[[rules]]` table per rule):
//!
//! ```toml
//! id = "kent"
//! name = "Kent"
//! authority = "Kent County Council"
//! document = "Child in Need Plans and Meetings Policy"
//! extends = "national"
//!
//! [[rules]]
//! code = "KENT-MTG-01"
//! kind = "deadline"
//! title = "Initial Child in Need meeting within 10 working days of the assessment"
//! severity = "should"
//! anchor = "assessment_authorised"
//! target = "cin_initial_meeting"
//! within = "10 working days"
//! when = { episode_has = "cin_plan_start" }
//! citation = { section = "5. Child in Need Meetings", text = "The Child in Need Meeting should take place within 10 working days of completing a Child and Family Assessment ..." }
//! ```
//!
//! Durations are written as procedures state them ("10 working days", "6 weeks", "3 months") or
//! name a parameter (`"$first_review"`) that the rulebook declares and the user may set.
//! Parameter values (`[set]`, and `value` under `[parameters.NAME]`) are durations too, checked
//! when the file loads: at least 1 unit, at most ten years.
//!
//! `extends` names a built-in rulebook or a file `<name>.toml` in the rulebook's own folder (or
//! below it); a name that resolves outside that folder (`"../x"`, an absolute path, a link
//! leading out) is an error unless the caller allows it ([`crate::builtin::from_file_with`];
//! `allow_outside=True` in Python, `--allow-outside` on the command line). A chain holds at most
//! [`crate::builtin::MAX_EXTENDS_DEPTH`] rulebooks, and every file read must be a regular file of
//! at most [`crate::builtin::MAX_FILE_BYTES`]. A user's rulebook may not take a built-in's id.

use std::collections::{BTreeMap, BTreeSet};

use cinscope_domain::{EventKind, Interval, QualifierKind};
use serde::{Deserialize, Serialize};

use crate::error::{closest, RulebookError};

/// How binding a rule is, in the procedure's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// "must", "will", "is required": a requirement.
    Must,
    /// "should", "is expected": the expected standard.
    Should,
    /// "wherever possible", "it is good practice", "most plans will": a target or aspiration.
    GoodPractice,
}

impl Severity {
    /// The name used in files and frames.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Must => "must",
            Severity::Should => "should",
            Severity::GoodPractice => "good_practice",
        }
    }
}

/// Where a rule comes from: the procedure's section and the sentence that states the timescale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// The section of the procedure, as headed there.
    pub section: String,
    /// The sentence (or sentences) of the procedure the timescale comes from, verbatim.
    pub text: String,
}

/// A period a rule can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// A Child in Need plan.
    CinPlan,
    /// A child protection plan.
    CpPlan,
    /// A looked-after period.
    LookedAfter,
    /// A supervision order.
    SupervisionOrder,
}

impl SpanKind {
    /// The events that start and end such a period.
    pub fn events(self) -> (EventKind, EventKind) {
        match self {
            SpanKind::CinPlan => (EventKind::CinPlanStart, EventKind::CinPlanEnd),
            SpanKind::CpPlan => (EventKind::CpPlanStart, EventKind::CpPlanEnd),
            SpanKind::LookedAfter => (EventKind::LookedAfterStart, EventKind::LookedAfterEnd),
            SpanKind::SupervisionOrder => (EventKind::SupervisionOrderStart, EventKind::SupervisionOrderEnd),
        }
    }

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            SpanKind::CinPlan => "cin_plan",
            SpanKind::CpPlan => "cp_plan",
            SpanKind::LookedAfter => "looked_after",
            SpanKind::SupervisionOrder => "supervision_order",
        }
    }
}

/// What a rule's anchors belong to, and so what ending cancels its obligations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The referral-to-closure episode: closure cancels what is not yet due.
    Episode,
    /// A Child in Need plan: anchors must fall inside a plan, and the plan's end cancels.
    CinPlan,
}

/// An event kind, optionally restricted to some qualifier values: `visit[seen|seen_alone]`, or
/// excluding some: `looked_after_start[!short_breaks]` (any other value, or none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selector {
    /// The event kind.
    pub kind: EventKind,
    /// Allowed qualifier values; empty means any (including none).
    pub qualifiers: Vec<&'static str>,
    /// Whether `qualifiers` lists the values excluded rather than those allowed.
    pub negated: bool,
}

impl Selector {
    /// Whether an event matches.
    pub fn matches(&self, event: &cinscope_domain::Event) -> bool {
        event.kind == self.kind && self.matches_qualifier(event.qualifier_str())
    }

    /// Whether an event of the selector's kind with this qualifier matches.
    pub fn matches_qualifier(&self, qualifier: Option<&str>) -> bool {
        if self.qualifiers.is_empty() {
            return true;
        }
        let listed = qualifier.is_some_and(|q| self.qualifiers.contains(&q));
        listed != self.negated
    }

    fn parse(text: &str) -> Result<Selector, (String, Option<String>)> {
        let text = text.trim();
        let (name, qualifiers) = match text.split_once('[') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix(']').ok_or_else(|| {
                    (
                        format!("'{text}' has an unclosed '['"),
                        Some("write e.g. 'visit[seen|seen_alone]'".to_string()),
                    )
                })?;
                (name.trim(), inner.trim())
            }
            None => (text, ""),
        };
        let (negated, qualifiers) = match qualifiers.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, qualifiers),
        };
        let qualifiers: Vec<&str> = qualifiers.split('|').map(str::trim).filter(|q| !q.is_empty()).collect();
        if negated && qualifiers.is_empty() {
            return Err((
                format!("'{text}' excludes no qualifier"),
                Some("write e.g. 'looked_after_start[!short_breaks]'".to_string()),
            ));
        }
        let kind = EventKind::parse(name).ok_or_else(|| {
            let hint = EventKind::suggest(name).first().map(|s| format!("did you mean '{s}'?"));
            (format!("unknown event '{name}'"), hint)
        })?;
        let allowed = kind.spec().qualifier;
        let mut values = Vec::new();
        for q in qualifiers {
            let known = allowed.values().iter().find(|v| **v == q).copied();
            match known {
                Some(v) => values.push(v),
                None => {
                    let choices = if allowed.values().is_empty() || allowed == QualifierKind::FreeText {
                        format!("'{name}' takes no coded qualifier")
                    } else {
                        format!("allowed: {}", allowed.values().join(", "))
                    };
                    return Err((format!("unknown qualifier '{q}' for '{name}'"), Some(choices)));
                }
            }
        }
        Ok(Selector { kind, qualifiers: values, negated })
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.qualifiers.is_empty() {
            write!(f, "{}", self.kind.name())
        } else {
            let not = if self.negated { "!" } else { "" };
            write!(f, "{}[{not}{}]", self.kind.name(), self.qualifiers.join("|"))
        }
    }
}

/// Who a rule applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// The plan's origin must be one of these (plan-scoped rules only); empty means any.
    pub origin: Vec<&'static str>,
    /// The child must be in one of these cohorts on the anchor date; empty means any.
    pub cohort: Vec<&'static str>,
    /// The child must be in none of these cohorts on the anchor date.
    pub not_cohort: Vec<&'static str>,
    /// The episode must hold a matching event (e.g. the plan that the assessment led to) by the
    /// as-of date, otherwise the rule does not apply.
    pub episode_has: Option<Selector>,
    /// An anchor dated while a Child in Need plan is already open starts nothing (a
    /// re-assessment during a plan opens no new first-plan or first-meeting obligation).
    pub outside_plan: bool,
}

/// A duration in a rule: a fixed interval, or a parameter the user may have to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    /// As written in the file ("10 working days" or "$first_review").
    pub text: String,
    /// The interval, or `None` when it names a parameter that is not set.
    pub interval: Option<Interval>,
    /// The parameter named, if any.
    pub parameter: Option<String>,
}

/// The compiled kinds of rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    /// A target event within a duration of each anchor event.
    Deadline {
        /// What starts the clock (any of these).
        anchor: Vec<Selector>,
        /// What stops it (any of these).
        target: Vec<Selector>,
        /// How long there is.
        within: Duration,
    },
    /// First within `first` of the anchor, then each next within the following interval of the
    /// previous actual occurrence (`then` in turn, then `every` repeatedly).
    Recurring {
        /// What starts the cycle (normally the plan start; any of these).
        anchor: Vec<Selector>,
        /// What counts as an occurrence (any of these).
        target: Vec<Selector>,
        /// The first interval.
        first: Duration,
        /// Intervals after the first, before `every` takes over.
        then: Vec<Duration>,
        /// The repeating interval.
        every: Duration,
    },
    /// No more than `every` between consecutive occurrences while the scope is open, counted
    /// from the anchor for the first.
    MaxGap {
        /// What starts the clock (normally the plan start; any of these).
        anchor: Vec<Selector>,
        /// What counts as an occurrence.
        target: Vec<Selector>,
        /// The longest allowed gap.
        every: Duration,
    },
    /// A period open longer than `after` requires a target event by then (or, with no target,
    /// is flagged as drifting when it passes that point).
    Drift {
        /// The period.
        span: SpanKind,
        /// The threshold.
        after: Duration,
        /// What the procedure requires by then, if anything.
        requires: Vec<Selector>,
        /// How long before the threshold a required event may be held and still count (a
        /// review "when a plan reaches 12 months" is not met by one in its first month); `None`:
        /// any time since the period started.
        window: Option<Duration>,
    },
    /// A period that should last at least `at_least`.
    MinDuration {
        /// The period.
        span: SpanKind,
        /// The minimum.
        at_least: Duration,
    },
    /// A period that must end when one of `ends_when` happens while it is open.
    Exclusivity {
        /// The period.
        span: SpanKind,
        /// The events that end it.
        ends_when: Vec<Selector>,
    },
    /// A target event on or before each reference event, within `window` of it or, with no
    /// window, since the previous reference (or the start of the scope).
    Before {
        /// What must happen.
        target: Vec<Selector>,
        /// What it must happen before.
        reference: Selector,
        /// How long before, at most; `None` means since the previous reference.
        window: Option<Duration>,
    },
}

impl RuleKind {
    /// The kind's name in files.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::Deadline { .. } => "deadline",
            RuleKind::Recurring { .. } => "recurring",
            RuleKind::MaxGap { .. } => "max_gap",
            RuleKind::Drift { .. } => "drift",
            RuleKind::MinDuration { .. } => "min_duration",
            RuleKind::Exclusivity { .. } => "exclusivity",
            RuleKind::Before { .. } => "before",
        }
    }

    /// The durations of the rule, in order.
    pub fn durations(&self) -> Vec<&Duration> {
        match self {
            RuleKind::Deadline { within, .. } => vec![within],
            RuleKind::Recurring { first, then, every, .. } => {
                let mut all = vec![first];
                all.extend(then.iter());
                all.push(every);
                all
            }
            RuleKind::MaxGap { every, .. } => vec![every],
            RuleKind::Drift { after, window, .. } => {
                let mut all = vec![after];
                all.extend(window.iter());
                all
            }
            RuleKind::MinDuration { at_least, .. } => vec![at_least],
            RuleKind::Exclusivity { .. } => Vec::new(),
            RuleKind::Before { window, .. } => window.iter().collect(),
        }
    }
}

/// A compiled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable code, e.g. `KENT-MTG-01`.
    pub code: String,
    /// One line saying what is due.
    pub title: String,
    /// How binding it is.
    pub severity: Severity,
    /// Where it comes from.
    pub citation: Citation,
    /// The rulebook that defined it (differs from the rulebook's id when inherited).
    pub defined_in: String,
    /// The document of the rulebook that defined it.
    pub document: String,
    /// What the anchors belong to.
    pub scope: Scope,
    /// Who it applies to.
    pub when: Condition,
    /// What it requires.
    pub kind: RuleKind,
    /// Where the clock starts when the rule's anchor event never happened in its scope (a
    /// review cycle counted from an initial meeting that was never held): the date the named
    /// earlier rule's unmet obligation was due, or else the start of the plan. `None`: an
    /// obligation arises only from an anchor event.
    pub fallback: Option<Fallback>,
    /// How anchors and targets of a deadline are paired.
    pub pairing: Pairing,
    /// A deadline's target dated after the next of these events belongs to that event, not to
    /// the anchor (a case note after a later review is the review's, never the initial
    /// meeting's). Empty: only the rule's next anchor bounds the search.
    pub until_next: Vec<Selector>,
    /// A deadline's target held in the scope before its anchor meets it (a meeting that, as the
    /// procedure allows, took place before the assessment it follows was completed).
    pub met_before_anchor: bool,
    /// A deadline's anchor followed by a later anchor of the rule before any target is
    /// superseded by it and not scored (an assessment completed again before the plan or
    /// meeting that followed: the plan follows the later one).
    pub supersede: bool,
    /// Only a deadline's first anchor in its scope starts the clock; later ones (a case moved
    /// from one team to another) start nothing.
    pub first_anchor_only: bool,
    /// A `before` rule's window is a lead time: the target is due that long before the
    /// reference (held by then: met; after it but before the reference: late), rather than
    /// counting anywhere within it.
    pub lead: bool,
    /// A `min_duration` period that ended early when one of these happened in it (the child's
    /// needs escalated) is not held to the minimum (cancelled).
    pub unless_ended_by: Vec<Selector>,
    /// How cinscope reads an ambiguous sentence, when it had to choose.
    pub note: Option<String>,
}

/// The rule whose due date starts a clock whose own anchor event never happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// Its code.
    pub code: String,
    /// Its place in the rulebook's rules (always before the rule that falls back on it).
    pub index: usize,
}

/// How a deadline pairs its anchors with its targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pairing {
    /// Each anchor takes the earliest unused target on or after it, before the next anchor;
    /// an anchor with none is overdue or pending.
    #[default]
    Earliest,
    /// Each target is credited to the latest unpaired anchor on or before it (the one that led
    /// to it, as the enquiry that led to a conference); anchors that lead to no target are not
    /// scored.
    Latest,
}

impl Pairing {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Pairing::Earliest => "earliest",
            Pairing::Latest => "latest",
        }
    }
}

fn unique(kinds: Vec<EventKind>) -> Vec<EventKind> {
    let mut out: Vec<EventKind> = Vec::with_capacity(kinds.len());
    for k in kinds {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The bit of an event kind in a set of kinds (a `u64`: there are at most 64 kinds).
pub(crate) fn kind_bit(kind: EventKind) -> u64 {
    1u64 << (kind as u8)
}

/// The kinds of event that any of `selectors` may match, as a bit set (see [`kind_bit`]).
pub(crate) fn kinds_of(selectors: &[Selector]) -> u64 {
    selectors.iter().fold(0, |mask, s| mask | kind_bit(s.kind))
}

impl Rule {
    /// The event kinds that can start this rule's obligations, as a bit set over
    /// `EventKind as u8` (a rule none of whose kinds occur in an episode has nothing to say).
    pub fn trigger_mask(&self) -> u64 {
        // A rule with a fallback arises even where its anchor event never happened.
        if self.fallback.is_some() {
            return u64::MAX;
        }
        match &self.kind {
            RuleKind::Deadline { anchor, .. }
            | RuleKind::Recurring { anchor, .. }
            | RuleKind::MaxGap { anchor, .. } => kinds_of(anchor),
            RuleKind::Drift { span, .. } | RuleKind::MinDuration { span, .. } => kind_bit(span.events().0),
            RuleKind::Exclusivity { ends_when, .. } => kinds_of(ends_when),
            RuleKind::Before { reference, .. } => kind_bit(reference.kind),
        }
    }

    /// The kinds of event that start this rule's obligations (its anchors, the start of its
    /// period, or its reference date), in rule order without repeats. A source that holds
    /// none of them gives the rule nothing to score (unless it has a fallback).
    pub fn starts_on(&self) -> Vec<EventKind> {
        let kinds: Vec<EventKind> = match &self.kind {
            RuleKind::Deadline { anchor, .. }
            | RuleKind::Recurring { anchor, .. }
            | RuleKind::MaxGap { anchor, .. } => anchor.iter().map(|s| s.kind).collect(),
            RuleKind::Drift { span, .. } | RuleKind::MinDuration { span, .. } => vec![span.events().0],
            RuleKind::Exclusivity { ends_when, .. } => ends_when.iter().map(|s| s.kind).collect(),
            RuleKind::Before { reference, .. } => vec![reference.kind],
        };
        unique(kinds)
    }

    /// The kinds of event that meet this rule's obligations (its targets, the events a drift
    /// rule requires, or the end of the period it judges). A source that cannot hold any of
    /// them would show every obligation of the rule as unmet, so such a rule is not scorable
    /// from it.
    pub fn met_by(&self) -> Vec<EventKind> {
        let kinds: Vec<EventKind> = match &self.kind {
            RuleKind::Deadline { target, .. }
            | RuleKind::Recurring { target, .. }
            | RuleKind::MaxGap { target, .. }
            | RuleKind::Before { target, .. } => target.iter().map(|s| s.kind).collect(),
            RuleKind::Drift { requires, span, .. } if requires.is_empty() => vec![span.events().1],
            RuleKind::Drift { requires, .. } => requires.iter().map(|s| s.kind).collect(),
            RuleKind::MinDuration { span, .. } | RuleKind::Exclusivity { span, .. } => vec![span.events().1],
        };
        unique(kinds)
    }

    /// Whether every duration the rule needs is known (no unset parameter).
    pub fn is_ready(&self) -> bool {
        let ready = |d: &Duration| d.interval.is_some();
        match &self.kind {
            RuleKind::Deadline { within, .. } => ready(within),
            // An unset first interval leaves only the first occurrence unscored (see the engine).
            RuleKind::Recurring { then, every, .. } => then.iter().all(ready) && ready(every),
            RuleKind::MaxGap { every, .. } => ready(every),
            RuleKind::Drift { after, window, .. } => ready(after) && window.as_ref().is_none_or(ready),
            RuleKind::MinDuration { at_least, .. } => ready(at_least),
            RuleKind::Exclusivity { .. } => true,
            RuleKind::Before { window, .. } => window.as_ref().is_none_or(ready),
        }
    }

    /// Parameters this rule needs that are not set; the engine skips the rule until they are.
    pub fn unset_parameters(&self) -> Vec<&str> {
        self.kind
            .durations()
            .iter()
            .filter(|d| d.interval.is_none())
            .filter_map(|d| d.parameter.as_deref())
            .collect()
    }
}

/// A parameter a rulebook declares: a duration the procedure defers to local information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// What it is, and where the procedure defers it.
    pub description: String,
    /// Its value, if set ("20 working days"); unset parameters must be set by the user.
    #[serde(default)]
    pub value: Option<String>,
}

/// A timescale statement of a procedure that cinscope does not encode as a rule, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotEncoded {
    /// The section.
    pub section: String,
    /// The sentence.
    pub text: String,
    /// Why it is not a rule.
    pub reason: String,
}

/// A compiled rulebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rulebook {
    /// Its id (the file stem of a built-in).
    pub id: String,
    /// Short display name.
    pub name: String,
    /// The authority (or authorities) whose procedure it encodes.
    pub authority: String,
    /// The procedure document.
    pub document: String,
    /// The rulebook it extends, if any.
    pub extends: Option<String>,
    /// Its rules, inherited ones first, in file order.
    pub rules: Vec<Rule>,
    /// Declared parameters with their values.
    pub parameters: BTreeMap<String, Parameter>,
    /// Statements deliberately not encoded, with reasons.
    pub not_encoded: Vec<NotEncoded>,
}

impl Rulebook {
    /// A rule by code.
    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.code == code)
    }
}

// ---------------------------------------------------------------------------------------------
// The file format.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    id: String,
    name: String,
    authority: String,
    document: String,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    drop: Vec<String>,
    #[serde(default)]
    parameters: BTreeMap<String, Parameter>,
    #[serde(default)]
    set: BTreeMap<String, String>,
    #[serde(default)]
    overrides: BTreeMap<String, toml::Table>,
    #[serde(default)]
    rules: Vec<toml::Table>,
    #[serde(default)]
    not_encoded: Vec<NotEncoded>,
}

const COMMON_KEYS: &[&str] = &["code", "kind", "title", "severity", "citation", "when", "scope", "note"];
const OVERRIDABLE: &[&str] =
    &["title", "severity", "within", "first", "then", "every", "after", "at_least", "window", "when", "note"];

fn kind_keys(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "deadline" => &[
            "anchor",
            "target",
            "within",
            "fallback",
            "pairing",
            "until_next",
            "met_before_anchor",
            "supersede",
            "first_anchor_only",
        ],
        "recurring" => &["anchor", "target", "first", "then", "every", "fallback"],
        "max_gap" => &["anchor", "target", "every", "fallback"],
        "drift" => &["span", "after", "requires", "window"],
        "min_duration" => &["span", "at_least", "unless_ended_by"],
        "exclusivity" => &["span", "ends_when"],
        "before" => &["target", "reference", "window", "lead"],
        _ => return None,
    })
}

const KINDS: &[&str] =
    &["deadline", "recurring", "max_gap", "drift", "min_duration", "exclusivity", "before"];

/// Finds the text of a rulebook named by `extends`: a built-in, or a file beside the first.
pub trait Resolve {
    /// The (file name, text) of rulebook `id`, or `None` if unknown.
    fn resolve(&self, id: &str) -> Option<(String, String)>;
    /// As [`Resolve::resolve`], or why rulebook `id` exists but may not or cannot be read (a file
    /// outside the rulebook's folder, not a regular file, too large), naming the file.
    fn resolve_checked(&self, id: &str) -> Result<Option<(String, String)>, String> {
        Ok(self.resolve(id))
    }
    /// Ids that could be resolved, for suggestions.
    fn known(&self) -> Vec<String>;
}

/// Loads a rulebook from TOML text, resolving `extends` through `resolver`.
pub fn load(file: &str, text: &str, resolver: &dyn Resolve) -> Result<Rulebook, RulebookError> {
    let mut chain = Vec::new();
    load_chain(file, text, resolver, &mut chain)
}

fn load_chain(
    file: &str,
    text: &str,
    resolver: &dyn Resolve,
    chain: &mut Vec<String>,
) -> Result<Rulebook, RulebookError> {
    let spec: FileSpec = toml::from_str(text).map_err(|e| toml_error(file, &e, text))?;
    if chain.contains(&spec.id) {
        chain.push(spec.id.clone());
        return Err(RulebookError::new(file, format!("'extends' makes a cycle: {}", chain.join(" -> ")))
            .field("extends"));
    }
    chain.push(spec.id.clone());
    // A user's rulebook under a built-in's id would be reported as the built-in one.
    if let Some((id, _)) =
        crate::builtin::BUILTIN.iter().find(|(id, builtin)| *id == spec.id && *builtin != text)
    {
        return Err(RulebookError::new(file, format!("id '{id}' is the id of a built-in rulebook"))
            .field("id")
            .help(format!(
                "give this rulebook an id of its own, such as '{id}-local', so that reports never show the \
                 built-in '{id}' for it; it may still extend '{id}'"
            )));
    }
    check_parameter_values(file, &spec)?;

    let mut parent = match &spec.extends {
        Some(parent_id) => {
            if chain.len() >= crate::builtin::MAX_EXTENDS_DEPTH {
                return Err(RulebookError::new(
                    file,
                    format!(
                        "'extends' chain is longer than {} rulebooks: {} -> {parent_id}",
                        crate::builtin::MAX_EXTENDS_DEPTH,
                        chain.join(" -> ")
                    ),
                )
                .field("extends")
                .help("extend a built-in rulebook, or merge the files of the chain"));
            }
            let resolved = resolver
                .resolve_checked(parent_id)
                .map_err(|message| RulebookError::new(file, message).field("extends"))?;
            let Some((parent_file, parent_text)) = resolved else {
                let known = resolver.known();
                let mut error = RulebookError::new(file, format!("extends unknown rulebook '{parent_id}'"))
                    .field("extends")
                    .suggest(parent_id, known.iter().map(String::as_str));
                if error.help.is_none() {
                    error = error.help(format!("known rulebooks: {}", known.join(", ")));
                }
                return Err(error);
            };
            Some(load_chain(&parent_file, &parent_text, resolver, chain)?)
        }
        None => None,
    };

    let mut parameters = parent.as_ref().map(|p| p.parameters.clone()).unwrap_or_default();
    for (name, parameter) in &spec.parameters {
        parameters.insert(name.clone(), parameter.clone());
    }
    for (name, value) in &spec.set {
        let Some(parameter) = parameters.get_mut(name) else {
            return Err(RulebookError::new(file, format!("sets unknown parameter '{name}'"))
                .field("set")
                .suggest(name, spec.parameters.keys().map(String::as_str)));
        };
        parameter.value = Some(value.clone());
    }

    let mut rules: Vec<Rule> = Vec::new();
    let mut not_encoded = Vec::new();
    if let Some(parent) = parent.take() {
        for code in &spec.drop {
            if parent.rule(code).is_none() {
                return Err(RulebookError::new(file, format!("drops unknown rule '{code}'"))
                    .field("drop")
                    .suggest(code, parent.rules.iter().map(|r| r.code.as_str())));
            }
        }
        rules.extend(parent.rules.into_iter().filter(|r| !spec.drop.contains(&r.code)));
        not_encoded.extend(parent.not_encoded);
    } else if let Some(code) = spec.drop.first() {
        return Err(
            RulebookError::new(file, format!("drops rule '{code}' but extends no rulebook")).field("drop")
        );
    }
    not_encoded.extend(spec.not_encoded.iter().cloned());

    let context = Context { file, id: &spec.id, document: &spec.document, parameters: &parameters };
    // Overrides re-compile an inherited rule from its table with some fields replaced.
    let mut own_codes = BTreeSet::new();
    // Where each code is in `rules`, so that a rulebook of many rules loads in linear time.
    let mut position: std::collections::HashMap<String, usize> =
        rules.iter().enumerate().map(|(i, r)| (r.code.clone(), i)).collect();
    for table in &spec.rules {
        let rule = compile_rule(&context, table)?;
        if !own_codes.insert(rule.code.clone()) {
            return Err(RulebookError::new(file, "duplicate rule code").rule(&rule.code).field("code"));
        }
        match position.get(&rule.code).and_then(|&i| rules.get_mut(i)) {
            Some(existing) => *existing = rule,
            None => {
                position.insert(rule.code.clone(), rules.len());
                rules.push(rule);
            }
        }
    }
    for (code, table) in &spec.overrides {
        let Some(existing) = position.get(code).and_then(|&i| rules.get_mut(i)) else {
            let known: Vec<String> = rules.iter().map(|r| r.code.clone()).collect();
            return Err(RulebookError::new(file, format!("overrides unknown rule '{code}'"))
                .field("overrides")
                .suggest(code, known.iter().map(String::as_str)));
        };
        apply_override(&context, existing, table)?;
    }
    // Re-resolve parameter values for inherited rules (a child rulebook may set them).
    for rule in &mut rules {
        refresh_parameters(rule, &parameters);
    }
    resolve_fallbacks(file, &mut rules)?;

    Ok(Rulebook {
        id: spec.id.clone(),
        name: spec.name,
        authority: spec.authority,
        document: spec.document,
        extends: spec.extends,
        rules,
        parameters,
        not_encoded,
    })
}

/// The forms a duration may take, for error messages.
const DURATION_FORMS: &str = "a whole number of at least 1 and a unit: '20 working days' (or '20wd'), \
                              '10 days' ('10d'), '6 weeks' ('6w'), '3 months' ('3mo') or '1 year' ('1y'), \
                              at most ten years";

/// Reads a duration that must be positive and at most ten years: the interval, or what is wrong
/// and, when it helps, what to do.
fn parse_positive(text: &str) -> Result<Interval, (String, Option<String>)> {
    let interval: Interval =
        text.parse().map_err(|e: cinscope_domain::CalendarError| (e.to_string(), None))?;
    if interval.count <= 0 {
        return Err((
            format!("'{text}' is not a positive interval"),
            Some("intervals must be at least 1 day, week, month or working day".to_string()),
        ));
    }
    if interval.approx_calendar_days() > 3660.0 {
        return Err((format!("'{text}' is longer than ten years"), Some("check the unit".to_string())));
    }
    Ok(interval)
}

/// Checks every parameter value a file gives (`[set]` and `[parameters.NAME] value`): a value
/// that is not a positive duration would otherwise load, and the rules using it never score.
fn check_parameter_values(file: &str, spec: &FileSpec) -> Result<(), RulebookError> {
    let given = spec.set.iter().map(|(name, value)| (format!("set.{name}"), value)).chain(
        spec.parameters.iter().filter_map(|(name, parameter)| {
            parameter.value.as_ref().map(|value| (format!("parameters.{name}.value"), value))
        }),
    );
    for (field, value) in given {
        if let Err((message, _)) = parse_positive(value) {
            return Err(RulebookError::new(file, message)
                .field(&field)
                .help(format!("a parameter is a duration; accepted forms: {DURATION_FORMS}")));
        }
    }
    Ok(())
}

fn toml_error(file: &str, error: &toml::de::Error, text: &str) -> RulebookError {
    let location = error.span().map(|span| {
        let before = text.get(..span.start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}: ")
    });
    RulebookError::new(file, format!("{}{}", location.unwrap_or_default(), error.message().trim()))
}

struct Context<'a> {
    file: &'a str,
    id: &'a str,
    document: &'a str,
    parameters: &'a BTreeMap<String, Parameter>,
}

impl Context<'_> {
    fn error(&self, code: &str, field: &str, message: impl Into<String>) -> RulebookError {
        RulebookError::new(self.file, message).rule(code).field(field)
    }
}

fn get_str<'t>(
    ctx: &Context<'_>,
    code: &str,
    table: &'t toml::Table,
    key: &str,
) -> Result<&'t str, RulebookError> {
    match table.get(key) {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.as_str()),
        Some(toml::Value::String(_)) => Err(ctx.error(code, key, "must not be empty")),
        Some(other) => Err(ctx.error(code, key, format!("must be a string, not {}", other.type_str()))),
        None => Err(ctx.error(code, key, "is missing")),
    }
}

fn get_strings(
    ctx: &Context<'_>,
    code: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Vec<String>, RulebookError> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(toml::Value::String(s)) => Ok(vec![s.clone()]),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(ctx.error(code, key, format!("must hold strings, not {}", other.type_str()))),
            })
            .collect(),
        Some(other) => Err(ctx.error(
            code,
            key,
            format!("must be a string or a list of strings, not {}", other.type_str()),
        )),
    }
}

fn selector(ctx: &Context<'_>, code: &str, key: &str, text: &str) -> Result<Selector, RulebookError> {
    Selector::parse(text).map_err(|(message, help)| {
        let error = ctx.error(code, key, message);
        match help {
            Some(h) => error.help(h),
            None => error,
        }
    })
}

fn selectors(
    ctx: &Context<'_>,
    code: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Vec<Selector>, RulebookError> {
    let texts = get_strings(ctx, code, table, key)?;
    texts.iter().map(|t| selector(ctx, code, key, t)).collect()
}

fn required_selectors(
    ctx: &Context<'_>,
    code: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Vec<Selector>, RulebookError> {
    let list = selectors(ctx, code, table, key)?;
    if list.is_empty() {
        return Err(ctx.error(code, key, "is missing"));
    }
    Ok(list)
}

fn duration(ctx: &Context<'_>, code: &str, key: &str, text: &str) -> Result<Duration, RulebookError> {
    if let Some(name) = text.strip_prefix('$') {
        let Some(parameter) = ctx.parameters.get(name) else {
            return Err(ctx
                .error(code, key, format!("names unknown parameter '{name}'"))
                .suggest(name, ctx.parameters.keys().map(String::as_str))
                .help_if_none("declare it under [parameters]"));
        };
        let interval = match &parameter.value {
            Some(value) => Some(positive_interval(ctx, code, key, value)?),
            None => None,
        };
        return Ok(Duration { text: text.to_string(), interval, parameter: Some(name.to_string()) });
    }
    let interval = positive_interval(ctx, code, key, text)?;
    Ok(Duration { text: text.to_string(), interval: Some(interval), parameter: None })
}

fn positive_interval(
    ctx: &Context<'_>,
    code: &str,
    key: &str,
    text: &str,
) -> Result<Interval, RulebookError> {
    parse_positive(text).map_err(|(message, help)| {
        let error = ctx.error(code, key, message);
        match help {
            Some(help) => error.help(help),
            None => error,
        }
    })
}

trait HelpIfNone {
    fn help_if_none(self, help: &str) -> Self;
}

impl HelpIfNone for RulebookError {
    fn help_if_none(self, help: &str) -> Self {
        if self.help.is_none() {
            self.help(help)
        } else {
            self
        }
    }
}

fn severity(ctx: &Context<'_>, code: &str, table: &toml::Table) -> Result<Severity, RulebookError> {
    match get_str(ctx, code, table, "severity")? {
        "must" => Ok(Severity::Must),
        "should" => Ok(Severity::Should),
        "good_practice" => Ok(Severity::GoodPractice),
        other => Err(ctx
            .error(code, "severity", format!("unknown severity '{other}'"))
            .suggest(other, ["must", "should", "good_practice"])
            .help_if_none("expected must, should or good_practice")),
    }
}

fn optional_duration(
    ctx: &Context<'_>,
    code: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Option<Duration>, RulebookError> {
    match table.get(key) {
        None => Ok(None),
        Some(_) => duration(ctx, code, key, get_str(ctx, code, table, key)?).map(Some),
    }
}

fn required_duration(
    ctx: &Context<'_>,
    code: &str,
    table: &toml::Table,
    key: &str,
) -> Result<Duration, RulebookError> {
    duration(ctx, code, key, get_str(ctx, code, table, key)?)
}

fn span_kind(ctx: &Context<'_>, code: &str, table: &toml::Table) -> Result<SpanKind, RulebookError> {
    let text = get_str(ctx, code, table, "span")?;
    let all = [SpanKind::CinPlan, SpanKind::CpPlan, SpanKind::LookedAfter, SpanKind::SupervisionOrder];
    all.into_iter().find(|s| s.name() == text).ok_or_else(|| {
        ctx.error(code, "span", format!("unknown span '{text}'"))
            .suggest(text, all.iter().map(|s| s.name()))
            .help_if_none("expected cin_plan, cp_plan, looked_after or supervision_order")
    })
}

fn code_values(
    ctx: &Context<'_>,
    code: &str,
    key: &str,
    values: Vec<String>,
    allowed: &'static [&'static str],
) -> Result<Vec<&'static str>, RulebookError> {
    values
        .iter()
        .map(|v| {
            allowed.iter().find(|a| *a == v).copied().ok_or_else(|| {
                ctx.error(code, key, format!("unknown value '{v}'"))
                    .suggest(v, allowed.iter().copied())
                    .help_if_none(&format!("allowed: {}", allowed.join(", ")))
            })
        })
        .collect()
}

fn condition(ctx: &Context<'_>, code: &str, table: &toml::Table) -> Result<Condition, RulebookError> {
    let Some(value) = table.get("when") else {
        return Ok(Condition::default());
    };
    let Some(when) = value.as_table() else {
        return Err(ctx.error(code, "when", format!("must be a table, not {}", value.type_str())));
    };
    for key in when.keys() {
        let known = ["origin", "cohort", "not_cohort", "episode_has", "outside_plan"];
        if !known.contains(&key.as_str()) {
            return Err(ctx
                .error(code, &format!("when.{key}"), "unknown key")
                .suggest(key, known)
                .help_if_none("allowed: origin, cohort, not_cohort, episode_has, outside_plan"));
        }
    }
    use cinscope_domain::event::{COHORTS, PLAN_ORIGINS};
    let origin =
        code_values(ctx, code, "when.origin", get_strings(ctx, code, when, "origin")?, PLAN_ORIGINS)?;
    let cohort = code_values(ctx, code, "when.cohort", get_strings(ctx, code, when, "cohort")?, COHORTS)?;
    let not_cohort =
        code_values(ctx, code, "when.not_cohort", get_strings(ctx, code, when, "not_cohort")?, COHORTS)?;
    let episode_has = match when.get("episode_has") {
        Some(_) => Some(selector(ctx, code, "when.episode_has", get_str(ctx, code, when, "episode_has")?)?),
        None => None,
    };
    let outside_plan = match when.get("outside_plan") {
        None => false,
        Some(toml::Value::Boolean(value)) => *value,
        Some(other) => {
            return Err(ctx.error(
                code,
                "when.outside_plan",
                format!("must be true or false, not {}", other.type_str()),
            ))
        }
    };
    Ok(Condition { origin, cohort, not_cohort, episode_has, outside_plan })
}

fn compile_rule(ctx: &Context<'_>, table: &toml::Table) -> Result<Rule, RulebookError> {
    let code = match table.get("code") {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            return Err(RulebookError::new(ctx.file, "a rule has no code")
                .field("code")
                .help("every [[rules]] table needs code = \"...\", e.g. \"KENT-MTG-01\""))
        }
    };
    if !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
        return Err(ctx.error(&code, "code", "codes use capital letters, digits and '-' only"));
    }
    let kind_name = get_str(ctx, &code, table, "kind")?;
    let Some(specific) = kind_keys(kind_name) else {
        return Err(ctx
            .error(&code, "kind", format!("unknown rule kind '{kind_name}'"))
            .suggest(kind_name, KINDS.iter().copied())
            .help_if_none(&format!("kinds: {}", KINDS.join(", "))));
    };
    for key in table.keys() {
        if !COMMON_KEYS.contains(&key.as_str()) && !specific.contains(&key.as_str()) {
            let candidates = COMMON_KEYS.iter().chain(specific.iter()).copied();
            return Err(ctx
                .error(&code, key, format!("unknown key for a '{kind_name}' rule"))
                .suggest(key, candidates)
                .help_if_none(&format!("keys of a '{kind_name}' rule: {}", specific.join(", "))));
        }
    }
    let title = get_str(ctx, &code, table, "title")?.to_string();
    let severity = severity(ctx, &code, table)?;
    let citation = match table.get("citation") {
        None => {
            return Err(ctx
                .error(&code, "citation", "is missing")
                .help("every rule cites its section and sentence"))
        }
        Some(value) => {
            let citation: Citation = value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| ctx.error(&code, "citation", e.message().trim().to_string()))?;
            if citation.section.trim().is_empty() {
                return Err(ctx.error(&code, "citation.section", "must not be empty"));
            }
            if citation.text.trim().is_empty() {
                return Err(ctx.error(&code, "citation.text", "must not be empty"));
            }
            citation
        }
    };
    let kind = match kind_name {
        "deadline" => RuleKind::Deadline {
            anchor: required_selectors(ctx, &code, table, "anchor")?,
            target: required_selectors(ctx, &code, table, "target")?,
            within: required_duration(ctx, &code, table, "within")?,
        },
        "recurring" => {
            let then = get_strings(ctx, &code, table, "then")?
                .iter()
                .map(|t| duration(ctx, &code, "then", t))
                .collect::<Result<Vec<_>, _>>()?;
            let every = required_duration(ctx, &code, table, "every")?;
            RuleKind::Recurring {
                anchor: required_selectors(ctx, &code, table, "anchor")?,
                target: required_selectors(ctx, &code, table, "target")?,
                first: optional_duration(ctx, &code, table, "first")?.unwrap_or_else(|| every.clone()),
                then,
                every,
            }
        }
        "max_gap" => RuleKind::MaxGap {
            anchor: required_selectors(ctx, &code, table, "anchor")?,
            target: required_selectors(ctx, &code, table, "target")?,
            every: required_duration(ctx, &code, table, "every")?,
        },
        "drift" => RuleKind::Drift {
            span: span_kind(ctx, &code, table)?,
            after: required_duration(ctx, &code, table, "after")?,
            requires: selectors(ctx, &code, table, "requires")?,
            window: optional_duration(ctx, &code, table, "window")?,
        },
        "min_duration" => RuleKind::MinDuration {
            span: span_kind(ctx, &code, table)?,
            at_least: required_duration(ctx, &code, table, "at_least")?,
        },
        "exclusivity" => RuleKind::Exclusivity {
            span: span_kind(ctx, &code, table)?,
            ends_when: required_selectors(ctx, &code, table, "ends_when")?,
        },
        _ => RuleKind::Before {
            target: required_selectors(ctx, &code, table, "target")?,
            reference: selector(ctx, &code, "reference", get_str(ctx, &code, table, "reference")?)?,
            window: optional_duration(ctx, &code, table, "window")?,
        },
    };
    let anchor_is_plan = match &kind {
        RuleKind::Deadline { anchor, .. }
        | RuleKind::Recurring { anchor, .. }
        | RuleKind::MaxGap { anchor, .. } => anchor.iter().any(|a| a.kind == EventKind::CinPlanStart),
        RuleKind::Drift { span, .. }
        | RuleKind::MinDuration { span, .. }
        | RuleKind::Exclusivity { span, .. } => *span == SpanKind::CinPlan,
        RuleKind::Before { .. } => false,
    };
    let scope = match table.get("scope") {
        None if anchor_is_plan => Scope::CinPlan,
        None => Scope::Episode,
        Some(_) => match get_str(ctx, &code, table, "scope")? {
            "episode" => Scope::Episode,
            "cin_plan" => Scope::CinPlan,
            other => {
                return Err(ctx
                    .error(&code, "scope", format!("unknown scope '{other}'"))
                    .suggest(other, ["episode", "cin_plan"])
                    .help_if_none("expected episode or cin_plan"))
            }
        },
    };
    let when = condition(ctx, &code, table)?;
    if !when.origin.is_empty() && scope != Scope::CinPlan {
        return Err(ctx
            .error(&code, "when.origin", "a plan origin needs a plan: the rule's scope is the episode")
            .help("set scope = \"cin_plan\", or use when.episode_has = \"cin_plan_start[<origin>]\""));
    }
    let note = match table.get("note") {
        Some(_) => Some(get_str(ctx, &code, table, "note")?.to_string()),
        None => None,
    };
    // Resolved to a place in the rulebook once every rule is known (see `resolve_fallbacks`).
    let fallback = match table.get("fallback") {
        Some(_) => Some(Fallback {
            code: get_str(ctx, &code, table, "fallback")?.trim().to_string(),
            index: usize::MAX,
        }),
        None => None,
    };
    let pairing = match table.get("pairing") {
        None => Pairing::default(),
        Some(_) => match get_str(ctx, &code, table, "pairing")? {
            "earliest" => Pairing::Earliest,
            "latest" => Pairing::Latest,
            other => {
                return Err(ctx
                    .error(&code, "pairing", format!("unknown pairing '{other}'"))
                    .suggest(other, ["earliest", "latest"])
                    .help_if_none("expected earliest (each anchor takes the first target after it) or latest (each target goes to the last anchor before it)"))
            }
        },
    };
    let until_next = selectors(ctx, &code, table, "until_next")?;
    let flag = |key: &str| -> Result<bool, RulebookError> {
        match table.get(key) {
            None => Ok(false),
            Some(toml::Value::Boolean(value)) => Ok(*value),
            Some(other) => {
                Err(ctx.error(&code, key, format!("must be true or false, not {}", other.type_str())))
            }
        }
    };
    let met_before_anchor = flag("met_before_anchor")?;
    let supersede = flag("supersede")?;
    let first_anchor_only = flag("first_anchor_only")?;
    let lead = flag("lead")?;
    let unless_ended_by = selectors(ctx, &code, table, "unless_ended_by")?;
    Ok(Rule {
        code,
        title,
        severity,
        citation,
        defined_in: ctx.id.to_string(),
        document: ctx.document.to_string(),
        scope,
        when,
        kind,
        fallback,
        pairing,
        until_next,
        met_before_anchor,
        supersede,
        first_anchor_only,
        lead,
        unless_ended_by,
        note,
    })
}

/// Gives each rule's fallback its place in the rulebook: the rule it names must come earlier,
/// so that its obligations are known when the rule that falls back on it is evaluated.
fn resolve_fallbacks(file: &str, rules: &mut [Rule]) -> Result<(), RulebookError> {
    if rules.iter().all(|r| r.fallback.is_none()) {
        return Ok(());
    }
    let codes: Vec<String> = rules.iter().map(|r| r.code.clone()).collect();
    let position: std::collections::HashMap<&str, usize> =
        codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    for (index, rule) in rules.iter_mut().enumerate() {
        let Some(fallback) = rule.fallback.as_mut() else { continue };
        match position.get(fallback.code.as_str()).copied() {
            Some(at) if at < index => fallback.index = at,
            Some(at) if at == index => {
                return Err(RulebookError::new(file, "falls back on itself")
                    .rule(&rule.code)
                    .field("fallback")
                    .help("name the earlier rule whose due date should start this rule's clock"))
            }
            Some(_) => {
                return Err(RulebookError::new(
                    file,
                    format!("falls back on '{}', which comes after it", fallback.code),
                )
                .rule(&rule.code)
                .field("fallback")
                .help("define the rule it falls back on first"))
            }
            None => {
                return Err(RulebookError::new(
                    file,
                    format!("falls back on unknown rule '{}'", fallback.code),
                )
                .rule(&rule.code)
                .field("fallback")
                .suggest(&fallback.code, codes.iter().map(String::as_str)))
            }
        }
    }
    Ok(())
}

fn apply_override(ctx: &Context<'_>, rule: &mut Rule, table: &toml::Table) -> Result<(), RulebookError> {
    let code = rule.code.clone();
    for key in table.keys() {
        if !OVERRIDABLE.contains(&key.as_str()) {
            return Err(ctx
                .error(&code, key, "cannot be overridden")
                .suggest(key, OVERRIDABLE.iter().copied())
                .help_if_none(&format!("overridable: {}", OVERRIDABLE.join(", "))));
        }
    }
    if table.get("title").is_some() {
        rule.title = get_str(ctx, &code, table, "title")?.to_string();
    }
    if table.get("note").is_some() {
        rule.note = Some(get_str(ctx, &code, table, "note")?.to_string());
    }
    if table.get("severity").is_some() {
        rule.severity = severity(ctx, &code, table)?;
    }
    if table.get("when").is_some() {
        rule.when = condition(ctx, &code, table)?;
    }
    let set = |slot: &mut Duration, key: &str| -> Result<(), RulebookError> {
        if let Some(d) = optional_duration(ctx, &code, table, key)? {
            *slot = d;
        }
        Ok(())
    };
    let kind_name = rule.kind.name();
    let mismatch = |key: &str| ctx.error(&code, key, format!("does not apply to a '{kind_name}' rule"));
    for key in ["within", "first", "every", "after", "at_least", "window", "then"] {
        if table.get(key).is_none() {
            continue;
        }
        match (&mut rule.kind, key) {
            (RuleKind::Deadline { within, .. }, "within") => set(within, key)?,
            (RuleKind::Recurring { first, .. }, "first") => set(first, key)?,
            (RuleKind::Recurring { every, .. } | RuleKind::MaxGap { every, .. }, "every") => set(every, key)?,
            (RuleKind::Recurring { then, .. }, "then") => {
                *then = get_strings(ctx, &code, table, "then")?
                    .iter()
                    .map(|t| duration(ctx, &code, "then", t))
                    .collect::<Result<Vec<_>, _>>()?;
            }
            (RuleKind::Drift { after, .. }, "after") => set(after, key)?,
            (RuleKind::MinDuration { at_least, .. }, "at_least") => set(at_least, key)?,
            (RuleKind::Before { window, .. }, "window") => {
                *window = optional_duration(ctx, &code, table, key)?
            }
            _ => return Err(mismatch(key)),
        }
    }
    rule.defined_in =
        format!("{} (overridden by {})", rule.defined_in.split(" (").next().unwrap_or(""), ctx.id);
    Ok(())
}

fn refresh_parameters(rule: &mut Rule, parameters: &BTreeMap<String, Parameter>) {
    let refresh = |d: &mut Duration| {
        if let Some(name) = &d.parameter {
            d.interval = parameters.get(name).and_then(|p| p.value.as_deref()).and_then(|v| v.parse().ok());
        }
    };
    match &mut rule.kind {
        RuleKind::Deadline { within, .. } => refresh(within),
        RuleKind::Recurring { first, then, every, .. } => {
            refresh(first);
            then.iter_mut().for_each(refresh);
            refresh(every);
        }
        RuleKind::MaxGap { every, .. } => refresh(every),
        RuleKind::Drift { after, window, .. } => {
            refresh(after);
            if let Some(w) = window {
                refresh(w);
            }
        }
        RuleKind::MinDuration { at_least, .. } => refresh(at_least),
        RuleKind::Exclusivity { .. } => {}
        RuleKind::Before { window, .. } => window.iter_mut().for_each(refresh),
    }
}

/// Suggests a close known id for an unknown one (used by callers resolving by name).
pub fn suggest_id<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest(wanted, known)
}
