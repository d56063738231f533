//! The event vocabulary: every kind of event a case history may hold, defined once.
//!
//! The canonical input of cinscope is a long events table, one row per event, whose `event`
//! column holds one of the names below. Some events carry a `qualifier` (the reason a case
//! closed, where a plan came from, whether a child was seen alone); its allowed values are
//! listed with the event. `EVENTS` is the single source of the vocabulary: the documentation and
//! the Python `cinscope.event_vocabulary()` frame are generated from it.

use serde::{Deserialize, Serialize};

/// What an event's qualifier means, and which values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualifierKind {
    /// The event takes no qualifier.
    None,
    /// DfE reason for closure, `RC1` to `RC9`.
    ClosureReason,
    /// Where a Child in Need plan came from.
    PlanOrigin,
    /// Whether the child was seen, and seen alone, at a visit.
    VisitOutcome,
    /// Why a looked-after period ended.
    LookedAfterEnd,
    /// What kind of looked-after period starts: short-break (respite) care, or other care.
    LookedAfterStart,
    /// A cohort or pathway that rules distinguish.
    Cohort,
    /// Whether a move was planned.
    MoveType,
    /// Free text kept as given (e.g. a plan end reason).
    FreeText,
}

impl QualifierKind {
    /// The values allowed, or an empty slice when any text (or none) is accepted.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            QualifierKind::None | QualifierKind::FreeText => &[],
            QualifierKind::ClosureReason => CLOSURE_REASONS,
            QualifierKind::PlanOrigin => PLAN_ORIGINS,
            QualifierKind::VisitOutcome => VISIT_OUTCOMES,
            QualifierKind::LookedAfterEnd => LOOKED_AFTER_ENDS,
            QualifierKind::LookedAfterStart => LOOKED_AFTER_STARTS,
            QualifierKind::Cohort => COHORTS,
            QualifierKind::MoveType => MOVE_TYPES,
        }
    }

    /// The value taken when an event of this kind has no qualifier, where the vocabulary
    /// documents one: a visit with no outcome recorded was a visit at which the child was seen,
    /// and a plan with no origin came from an assessment.
    pub fn default_value(self) -> Option<&'static str> {
        match self {
            QualifierKind::VisitOutcome => Some("seen"),
            QualifierKind::PlanOrigin => Some("assessment"),
            _ => None,
        }
    }

    /// The allowed value that `text` names: exactly, or ignoring case and writing spaces and
    /// hyphens as underscores (`"Seen Alone"`, `"seen-alone"`), as case systems export them.
    pub fn lookup(self, text: &str) -> Option<&'static str> {
        let values = self.values();
        values.iter().find(|v| v.eq_ignore_ascii_case(text)).copied().or_else(|| {
            let folded: String = text
                .chars()
                .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
                .collect();
            values.iter().find(|v| v.eq_ignore_ascii_case(&folded)).copied()
        })
    }

    /// Whether `value` is allowed for this qualifier kind.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            QualifierKind::None => false,
            QualifierKind::FreeText => true,
            other => other.values().contains(&value),
        }
    }
}

/// DfE reasons for closure of a CIN episode (RC1–RC9; RC9 from 2023).
pub const CLOSURE_REASONS: &[&str] = &["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"];

/// Origins of a Child in Need plan that the procedures treat differently.
pub const PLAN_ORIGINS: &[&str] = &[
    "assessment",
    "step_down_cp",
    "transfer_in",
    "return_home_planned",
    "return_home_unplanned",
    "care_order_discharge",
    "supervision_order",
    "private_law",
];

/// Outcomes of a visit.
pub const VISIT_OUTCOMES: &[&str] = &["seen", "seen_alone", "not_seen"];

/// Why a looked-after period ended.
pub const LOOKED_AFTER_ENDS: &[&str] = &["return_home_planned", "return_home_unplanned", "other"];

/// What kind of looked-after period starts: short breaks (respite) do not end a Child in Need
/// plan, other care does.
pub const LOOKED_AFTER_STARTS: &[&str] = &["short_breaks", "other"];

/// Whether a move out of the area was planned.
pub const MOVE_TYPES: &[&str] = &["planned", "unplanned"];

/// Cohorts and pathways that rules distinguish. `disability_support_only`: complex needs that
/// arise from a disability or health condition, met through long-term practical support, with no
/// other additional needs or concerns (narrower than `disabled_children`: Portsmouth's exception).
pub const COHORTS: &[&str] = &[
    "disabled_children",
    "direct_payments",
    "short_breaks",
    "private_fostering",
    "complex_needs",
    "disability_support_only",
];

/// Families of events, for documentation and grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventGroup {
    /// Referral, closure and step-down of an episode.
    Episode,
    /// Single assessment.
    Assessment,
    /// Child in Need plans and their paperwork.
    Plan,
    /// Planning, network and review meetings and their records.
    Meeting,
    /// Visits to the child.
    Visit,
    /// Child protection: strategy discussion, section 47, conference, plan.
    ChildProtection,
    /// Looked-after periods and orders.
    LookedAfter,
    /// Moves between local authorities.
    Transfer,
    /// Cohort and pathway membership.
    Cohort,
}

macro_rules! events {
    ($( $variant:ident = $name:literal, $group:ident, $qualifier:ident, $doc:literal; )*) => {
        /// A kind of event in a case history.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EventKind {
            $( #[doc = $doc] $variant, )*
        }

        impl EventKind {
            /// Looks up an event kind by its exact name.
            pub fn parse(name: &str) -> Option<EventKind> {
                match name {
                    $( $name => Some(EventKind::$variant), )*
                    _ => None,
                }
            }
        }

        /// Every event kind with its name, group, qualifier and description, in a stable order.
        pub const EVENTS: &[EventSpec] = &[
            $( EventSpec {
                kind: EventKind::$variant,
                name: $name,
                group: EventGroup::$group,
                qualifier: QualifierKind::$qualifier,
                description: $doc,
            }, )*
        ];
    };
}

events! {
    Referral = "referral", Episode, None,
        "A referral accepted by children's social care; opens an episode (census ReferralDate).";
    Allocated = "allocated", Episode, None,
        "The case is opened (allocated) to a team after the front door, e.g. a locality team after the MASH; the team goes in the `team` column.";
    Closure = "closure", Episode, ClosureReason,
        "The episode closes (census CINclosureDate); qualifier: the DfE reason for closure RC1-RC9.";
    ClosureNotification = "closure_notification", Episode, None,
        "Formal notification of closure sent to the family and agencies.";
    StepDown = "step_down", Episode, None,
        "The case is stepped down to early help or a team around the child.";
    StepDownMeeting = "step_down_meeting", Episode, None,
        "A multi-agency step-down or team-around-the-child meeting.";
    RecordsUpdated = "records_updated", Episode, None,
        "Case summary, chronology and recordings brought up to date (at closure or an unplanned move).";
    AssessmentStart = "assessment_start", Assessment, None,
        "A single (child and family) assessment starts (census AssessmentActualStartDate).";
    AssessmentAuthorised = "assessment_authorised", Assessment, None,
        "The assessment is completed and signed off by a manager (census AssessmentAuthorisationDate).";
    InterimPlan = "interim_plan", Plan, None,
        "An interim plan agreed with the family before the assessment completes.";
    OutlinePlan = "outline_plan", Plan, None,
        "An outline Child in Need plan agreed (at a conference, looked-after review or court hearing).";
    OutlinePlanDistributed = "outline_plan_distributed", Plan, None,
        "The outline Child in Need plan is distributed.";
    CinPlanStart = "cin_plan_start", Plan, PlanOrigin,
        "A Child in Need plan starts (census CINPlanStartDate); qualifier: where the plan came from (default 'assessment').";
    CinPlanEnd = "cin_plan_end", Plan, FreeText,
        "A Child in Need plan ends (census CINPlanEndDate); qualifier: the reason, as free text.";
    PlanDistributed = "plan_distributed", Plan, None,
        "A copy of the (new or amended) plan is given to the family and agencies.";
    PlanAuthorised = "plan_authorised", Plan, None,
        "The plan is authorised by a team manager and placed on the child's file.";
    InitialMeeting = "cin_initial_meeting", Meeting, None,
        "The initial Child in Need planning or network meeting.";
    Review = "cin_review", Meeting, None,
        "A Child in Need review (meeting or, for some pathways, a package review).";
    NetworkMeeting = "network_meeting", Meeting, None,
        "A family network / Child in Need network meeting between reviews.";
    CaseNote = "case_note", Meeting, None,
        "A case note of a meeting (chair, decision, next date) placed on the child's file.";
    MinutesDistributed = "minutes_distributed", Meeting, None,
        "Minutes of a meeting distributed to those present.";
    ReviewReportDistributed = "review_report_distributed", Meeting, None,
        "The report for a review provided to the chair and all involved.";
    SeniorReview = "senior_review", Meeting, None,
        "A specific review chaired by a senior manager about continuing a plan (e.g. beyond 12 months).";
    PanelReferral = "panel_referral", Meeting, None,
        "A referral to a complex needs or resource panel.";
    Visit = "visit", Visit, VisitOutcome,
        "A visit to the child; qualifier: 'seen' (default), 'seen_alone' or 'not_seen'.";
    StrategyDiscussion = "strategy_discussion", ChildProtection, None,
        "A strategy discussion or meeting.";
    S47Start = "s47_start", ChildProtection, None,
        "A section 47 enquiry starts (census S47ActualStartDate).";
    S47End = "s47_end", ChildProtection, None,
        "A section 47 enquiry is completed (its outcome authorised).";
    Icpc = "icpc", ChildProtection, None,
        "An initial child protection conference (census DateOfInitialCPC).";
    CpPlanStart = "cp_plan_start", ChildProtection, None,
        "A child protection plan starts (census CPPstartDate).";
    CpReview = "cp_review", ChildProtection, None,
        "A child protection review conference (census CPPreviewDate); not a Child in Need review.";
    CpPlanEnd = "cp_plan_end", ChildProtection, None,
        "A child protection plan ends (census CPPendDate).";
    LookedAfterStart = "looked_after_start", LookedAfter, LookedAfterStart,
        "The child becomes looked after; qualifier: 'short_breaks' for short-break (respite) care, else 'other' (or none).";
    LookedAfterEnd = "looked_after_end", LookedAfter, LookedAfterEnd,
        "The child ceases to be looked after; qualifier: planned or unplanned return home, or other.";
    CareOrderDischarged = "care_order_discharged", LookedAfter, None,
        "A care order (section 31) is discharged at a court hearing.";
    SupervisionOrderStart = "supervision_order_start", LookedAfter, None,
        "A supervision order is made.";
    SupervisionOrderEnd = "supervision_order_end", LookedAfter, None,
        "A supervision order expires or is revoked (its expiry date when known in advance).";
    MoveInNotified = "move_in_notified", Transfer, None,
        "The authority is notified that a child in need is moving, or has moved, into its area.";
    MoveInResident = "move_in_resident", Transfer, None,
        "The family becomes resident in the authority's area.";
    TransferIn = "transfer_in", Transfer, None,
        "Case responsibility formally transfers in.";
    MoveOut = "move_out", Transfer, MoveType,
        "The child moves out of the authority's area (or the move becomes known); qualifier: 'planned' or 'unplanned'.";
    MoveOutNotified = "move_out_notified", Transfer, None,
        "The receiving authority is notified of a move out.";
    TransferInformationSent = "transfer_information_sent", Transfer, None,
        "The information the receiving authority requires is sent.";
    CohortStart = "cohort_start", Cohort, Cohort,
        "The child joins a cohort or pathway from this date; qualifier: the cohort.";
    CohortEnd = "cohort_end", Cohort, Cohort,
        "The child leaves a cohort or pathway on this date; qualifier: the cohort.";
}

// Rules keep sets of event kinds as bits of a u64.
const _: () = assert!(EVENTS.len() <= 64, "the event vocabulary must stay within 64 kinds");

/// The description of one event kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpec {
    /// The kind.
    pub kind: EventKind,
    /// Its name in the events table.
    pub name: &'static str,
    /// Its family.
    pub group: EventGroup,
    /// What its qualifier means.
    pub qualifier: QualifierKind,
    /// One sentence saying what it records.
    pub description: &'static str,
}

impl EventGroup {
    /// The group's name.
    pub fn name(self) -> &'static str {
        match self {
            EventGroup::Episode => "episode",
            EventGroup::Assessment => "assessment",
            EventGroup::Plan => "plan",
            EventGroup::Meeting => "meeting",
            EventGroup::Visit => "visit",
            EventGroup::ChildProtection => "child_protection",
            EventGroup::LookedAfter => "looked_after",
            EventGroup::Transfer => "transfer",
            EventGroup::Cohort => "cohort",
        }
    }
}

impl EventKind {
    /// The spec of this kind.
    pub fn spec(self) -> &'static EventSpec {
        // EVENTS is generated in declaration order, so the discriminant is the index.
        let index = self as usize;
        EVENTS.get(index).unwrap_or(&FALLBACK_SPEC)
    }

    /// The name in the events table.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Whether the event normally follows the closure of its episode (paperwork sent after a
    /// case closes or a child moves), so that it is not reported as an event after closure.
    pub fn may_follow_closure(self) -> bool {
        matches!(
            self,
            EventKind::ClosureNotification
                | EventKind::RecordsUpdated
                | EventKind::CaseNote
                | EventKind::MinutesDistributed
                | EventKind::PlanDistributed
                | EventKind::PlanAuthorised
                | EventKind::ReviewReportDistributed
                | EventKind::MoveOutNotified
                | EventKind::TransferInformationSent
        )
    }

    /// The known names closest to an unknown one, best first (for "did you mean" hints).
    pub fn suggest(name: &str) -> Vec<&'static str> {
        let wanted = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let mut scored: Vec<(usize, &'static str)> = EVENTS
            .iter()
            .map(|spec| (edit_distance(&wanted, spec.name), spec.name))
            .filter(|(distance, candidate)| {
                *distance <= (candidate.len().max(wanted.len()) / 3).max(2)
                    || candidate.contains(wanted.as_str())
            })
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, n)| n).collect()
    }
}

const FALLBACK_SPEC: EventSpec = EventSpec {
    kind: EventKind::Referral,
    name: "referral",
    group: EventGroup::Episode,
    qualifier: QualifierKind::None,
    description: "",
};

/// Levenshtein distance between two short ASCII strings.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            let delete = row.get(j + 1).copied().unwrap_or(usize::MAX).saturating_add(1);
            let insert = row.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            previous = row.get(j + 1).copied().unwrap_or(0);
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = substitute.min(delete).min(insert);
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The event vocabulary as a Markdown page (the source of `docs/events.md`).
pub fn vocabulary_markdown() -> String {
    let mut out = String::from(
        "# Event vocabulary\n\n\
         <!-- Generated from crates/cinscope-domain/src/event.rs by \
         `CINSCOPE_BLESS=1 cargo test --test docs`; do not edit by hand. -->\n\n\
         The canonical input of cinscope is a long events table with one row per event:\n\n\
         | column | dtype | required | meaning |\n\
         | --- | --- | --- | --- |\n\
         | `child_id` | String or integer | yes | the child |\n\
         | `event` | String (Categorical accepted) | yes | one of the event names below |\n\
         | `date` | Date | yes | when it happened |\n\
         | `episode_id` | String or integer | no | the episode, when the source has one; otherwise episodes are derived from referral and closure dates |\n\
         | `qualifier` | String (Categorical accepted) | no | extra detail some events take (below) |\n\n\
         Any other columns (`authority`, `team`, `worker`, ...) are allowed and carried through.\n",
    );
    let groups = [
        EventGroup::Episode,
        EventGroup::Assessment,
        EventGroup::Plan,
        EventGroup::Meeting,
        EventGroup::Visit,
        EventGroup::ChildProtection,
        EventGroup::LookedAfter,
        EventGroup::Transfer,
        EventGroup::Cohort,
    ];
    for group in groups {
        out.push_str(&format!(
            "\n## {}\n\n| event | qualifier | meaning |\n| --- | --- | --- |\n",
            group.name()
        ));
        for spec in EVENTS.iter().filter(|s| s.group == group) {
            let qualifier = match spec.qualifier {
                QualifierKind::None => "none".to_string(),
                QualifierKind::FreeText => "free text".to_string(),
                kind => kind.values().iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "),
            };
            out.push_str(&format!("| `{}` | {} | {} |\n", spec.name, qualifier, spec.description));
        }
    }
    out.push_str(
        "\n## Data-quality findings\n\n\
         Building a child's timeline never fails and never drops a row silently: each problem is a \
         finding that names the rows involved and says what was done.\n\n\
         | code | meaning |\n| --- | --- |\n\
         | `DQ000` | row not used: a null child id (the row cannot be placed in any timeline), or, when scoring, a row that could not be scored |\n",
    );
    for code in crate::timeline::FindingCode::ALL {
        out.push_str(&format!("| `{code}` | {} |\n", code.title()));
    }
    let follow: Vec<String> =
        EVENTS.iter().filter(|s| s.kind.may_follow_closure()).map(|s| format!("`{}`", s.name)).collect();
    out.push_str(&format!(
        "\nPaperwork that normally follows a closure or a move ({}) is not reported as an event after \
         closure (`DQ005`).\n",
        follow.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_in_declaration_order_and_names_unique() {
        for (index, spec) in EVENTS.iter().enumerate() {
            assert_eq!(spec.kind as usize, index, "{}", spec.name);
            assert_eq!(spec.kind.spec().name, spec.name);
            assert_eq!(EventKind::parse(spec.name), Some(spec.kind));
            assert!(!spec.description.is_empty());
        }
        let mut names: Vec<_> = EVENTS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len());
    }

    #[test]
    fn suggestions() {
        assert_eq!(EventKind::suggest("cin_plan_strat").first(), Some(&"cin_plan_start"));
        assert_eq!(EventKind::suggest("Referal").first(), Some(&"referral"));
        // Both reviews are offered: a child protection review is the closer spelling.
        let reviews = EventKind::suggest("review");
        assert!(reviews.contains(&"cin_review") && reviews.contains(&"cp_review"), "{reviews:?}");
        assert!(EventKind::suggest("zzzzzzzzzzzzzzzz").is_empty());
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }
}
