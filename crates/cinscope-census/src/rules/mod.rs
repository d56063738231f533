//! The DfE Children in Need validation rules for 2024/25 and 2025/26 (unchanged between the
//! two years): 109 rules, one function each, grouped by the table they are about; then three
//! schema checks (`XSD-TYPE`, `XSD-REQUIRED`, `XSD-ELEMENT`) of every value and element
//! against the XSD of the return's own year.
//!
//! Each rule's behaviour follows the DfE specification as implemented by the open-source
//! reference validator (`csc-validator-be-cin`); where that implementation is demonstrably
//! wrong we follow the specification and the difference is pinned by a test in
//! `tests/reference_differences.rs`. Messages are written in our own words.

use chrono::NaiveDate;

use crate::model::{date, flag, Episode, Text};
use crate::validate::{Check, Kind, Rule};
use crate::write::ProblemKind;

mod assessments;
mod children;
mod cpp;
mod episodes;
mod plans;
mod returns;
mod s47;

pub use assessments::FACTORS;
pub use children::{DISABILITIES, ETHNICITIES};
pub use cpp::ABUSE_CATEGORIES;
pub use episodes::{CLOSURE_REASONS, PRIMARY_NEEDS, REFERRAL_SOURCES};

pub(crate) fn d(t: &Text) -> Option<NaiveDate> {
    date(t)
}

/// `ReferralNFA` says the referral led to no further action.
pub(crate) fn nfa(e: &Episode) -> bool {
    flag(&e.referral_nfa) == Some(true)
}

/// `ReferralNFA` says the referral went on to further action.
pub(crate) fn further_action(e: &Episode) -> bool {
    flag(&e.referral_nfa) == Some(false)
}

/// Whether a text value is present and in `codes` (exact match).
pub(crate) fn in_codes(t: &Text, codes: &[&str]) -> bool {
    t.as_deref().is_some_and(|v| codes.contains(&v))
}

const fn rule(
    code: &'static str,
    kind: Kind,
    message: &'static str,
    fields: &'static [&'static str],
    check: Check,
) -> Rule {
    Rule { code, kind, message, fields, check }
}

use Kind::{Error as E, Query as Q};

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    rule("100", E, "The reference date is missing or is not 31 March of the collection year.", &["ReferenceDate", "Year"], Check::Header(returns::r100)),
    rule("1103", E, "An assessment starts before the referral of its episode.", &["AssessmentActualStartDate", "CINreferralDate"], Check::Child(assessments::r1103)),
    rule("1104", E, "An initial child protection conference is dated before the referral of its episode.", &["DateOfInitialCPC", "CINreferralDate"], Check::Child(s47::r1104)),
    rule("1105", E, "A child protection plan starts before the referral of its episode.", &["CPPstartDate", "CINreferralDate"], Check::Child(cpp::r1105)),
    rule("1510", E, "The UPN's check letter (character 1) does not match its digits.", &["UPN"], Check::Child(children::r1510)),
    rule("1520", E, "Two or more children share the same UPN.", &["UPN"], Check::Children(children::r1520)),
    rule("1530", E, "Characters 2-4 of the UPN are not a known local authority code.", &["UPN"], Check::Child(children::r1530)),
    rule("1540", E, "Characters 5-12 of the UPN are not all digits.", &["UPN"], Check::Child(children::r1540)),
    rule("1550", E, "Character 13 of the UPN is not an allowed letter or digit.", &["UPN"], Check::Child(children::r1550)),
    rule("1560Q", Q, "The former UPN is not 13 characters of a letter followed by digits.", &["FormerUPN"], Check::Child(children::r1560q)),
    rule("1570", E, "The LA child ID is longer than 20 characters.", &["LAchildID"], Check::Child(children::r1570)),
    rule("1580", E, "The LA child ID contains characters that are not letters or digits.", &["LAchildID"], Check::Child(children::r1580)),
    rule("2883", E, "More child protection plans start in the year than initial conferences are recorded.", &["CPPstartDate", "DateOfInitialCPC"], Check::Return(returns::r2883)),
    rule("2884", E, "An initial child protection conference is recorded both on the episode and on a section 47 enquiry.", &["DateOfInitialCPC"], Check::Child(s47::r2884)),
    rule("2885", E, "A child protection plan starts on a different day from every initial conference of its episode.", &["CPPstartDate", "DateOfInitialCPC"], Check::Child(cpp::r2885)),
    rule("2886Q", Q, "More than 2% of children (unborn excluded) have no sex recorded: missing, not known (Sex U, GenderCurrent 0) or not a sex code of the return's year.", &["Sex", "ExpectedPersonBirthDate"], Check::Return(returns::r2886q)),
    rule("2887Q", Q, "Fewer than 8 different disability codes are used across the return.", &["Disability"], Check::Return(returns::r2887q)),
    rule("2888Q", Q, "No child has more than one disability recorded: multiple disabilities should all be recorded.", &["Disability"], Check::Return(returns::r2888q)),
    rule("2889", E, "A section 47 enquiry starts before the referral of its episode.", &["S47ActualStartDate", "CINreferralDate"], Check::Child(s47::r2889)),
    rule("2990", E, "Activity is recorded on an episode closed after assessment with no further action or referral to early help (RC8/RC9).", &["ReasonForClosure", "DateOfInitialCPC", "CPPstartDate", "S47ActualStartDate", "CINPlanStartDate"], Check::Child(episodes::r2990)),
    rule("2991Q", Q, "A section 47 enquiry is recorded on an episode with no assessment.", &["S47ActualStartDate"], Check::Child(s47::r2991q)),
    rule("4000", E, "CIN plan dates are recorded on a referral with no further action.", &["CINPlanStartDate", "ReferralNFA"], Check::Child(plans::r4000)),
    rule("4001", E, "An open CIN plan runs at the same time as an open child protection plan in the same episode.", &["CINPlanEndDate", "CPPendDate"], Check::Child(plans::r4001)),
    rule("4003", E, "A child protection review is dated while a CIN plan is open.", &["CPPreviewDate", "CINPlanStartDate", "CINPlanEndDate"], Check::Child(plans::r4003)),
    rule("4004", E, "An episode has more than one open CIN plan.", &["CINPlanEndDate"], Check::Child(plans::r4004)),
    rule("4008", E, "A CIN plan starts after the child's date of death.", &["CINPlanStartDate", "PersonDeathDate"], Check::Child(plans::r4008)),
    rule("4009Q", Q, "A CIN plan ends after the child's date of death.", &["CINPlanEndDate", "PersonDeathDate"], Check::Child(plans::r4009q)),
    rule("4010", E, "A CIN plan start date is missing or after the census year.", &["CINPlanStartDate"], Check::Child(plans::r4010)),
    rule("4011", E, "A CIN plan ends before it starts.", &["CINPlanStartDate", "CINPlanEndDate"], Check::Child(plans::r4011)),
    rule("4012Q", Q, "A CIN plan starts and ends on the same day.", &["CINPlanStartDate", "CINPlanEndDate"], Check::Child(plans::r4012q)),
    rule("4013", E, "A CIN plan end date falls outside the census year.", &["CINPlanEndDate"], Check::Child(plans::r4013)),
    rule("4014", E, "The child's CIN plans overlap.", &["CINPlanStartDate", "CINPlanEndDate"], Check::Child(plans::r4014)),
    rule("4015", E, "A CIN plan starts before the referral of its episode.", &["CINPlanStartDate", "CINreferralDate"], Check::Child(plans::r4015)),
    rule("4016", E, "A CIN plan starts while a child protection plan is open.", &["CINPlanStartDate", "CPPstartDate", "CPPendDate"], Check::Child(plans::r4016)),
    rule("4017", E, "A child protection plan starts while a CIN plan is open.", &["CPPstartDate", "CINPlanStartDate", "CINPlanEndDate"], Check::Child(plans::r4017)),
    rule("4180", E, "Sex is missing or is not M, F or U.", &["Sex"], Check::Child(children::r4180)),
    rule("4220", E, "Ethnicity is missing or not in the ethnicity code list.", &["Ethnicity"], Check::Child(children::r4220)),
    rule("8500", E, "The LA child ID is missing.", &["LAchildID"], Check::Child(children::r8500)),
    rule("8510", E, "Two or more children share the same LA child ID.", &["LAchildID"], Check::Children(children::r8510)),
    rule("8520", E, "The date of birth is after the end of the census year.", &["PersonBirthDate"], Check::Child(children::r8520)),
    rule("8525Q", Q, "Exactly one of date of birth and expected date of birth should be given.", &["PersonBirthDate", "ExpectedPersonBirthDate"], Check::Child(children::r8525q)),
    rule("8530Q", Q, "The expected date of birth is not between 30 days before and 9 months after the reference date.", &["ExpectedPersonBirthDate"], Check::Child(children::r8530q)),
    rule("8535Q", Q, "The date of death is before the date of birth, or there is no date of birth.", &["PersonDeathDate", "PersonBirthDate"], Check::Child(children::r8535q)),
    rule("8540", E, "The child's disability is missing or not in the disability code list.", &["Disability"], Check::Child(children::r8540)),
    rule("8545Q", Q, "The date of death is outside the census year.", &["PersonDeathDate"], Check::Child(children::r8545q)),
    rule("8555Q", Q, "The child is referred after their recorded date of death.", &["CINreferralDate", "PersonDeathDate"], Check::Child(episodes::r8555q)),
    rule("8565", E, "Activity is dated after the episode was closed.", &["CINclosureDate", "DateOfInitialCPC", "AssessmentActualStartDate", "AssessmentAuthorisationDate", "S47ActualStartDate", "CPPendDate", "CINPlanStartDate", "CINPlanEndDate"], Check::Child(episodes::r8565)),
    rule("8568", E, "The referral-no-further-action flag is missing or not 0/1/true/false.", &["ReferralNFA"], Check::Child(episodes::r8568)),
    rule("8569Q", Q, "A referral from before the first working day of the census year is flagged as no further action.", &["CINreferralDate", "ReferralNFA"], Check::Child(episodes::r8569q)),
    rule("8585Q", Q, "An episode is closed because the child died (RC2) but no date of death is recorded.", &["ReasonForClosure", "PersonDeathDate"], Check::Child(episodes::r8585q)),
    rule("8590", E, "The child has no CIN episode.", &["LAchildID"], Check::Child(children::r8590)),
    rule("8600", E, "The referral date is missing or after the census year.", &["CINreferralDate"], Check::Child(episodes::r8600)),
    rule("8606", E, "The referral is more than 40 weeks before the date of birth or expected date of birth.", &["CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"], Check::Child(episodes::r8606)),
    rule("8608", E, "An assessment starts after it was authorised.", &["AssessmentActualStartDate", "AssessmentAuthorisationDate"], Check::Child(assessments::r8608)),
    rule("8610", E, "The primary need code is missing on a referral that led to further action.", &["PrimaryNeedCode", "ReferralNFA"], Check::Child(episodes::r8610)),
    rule("8614", E, "Assessment factors are recorded on an assessment that is not authorised.", &["AssessmentAuthorisationDate", "AssessmentFactors"], Check::Child(assessments::r8614)),
    rule("8615", E, "A section 47 enquiry has no start date while it has a conference date, or starts after its conference.", &["S47ActualStartDate", "DateOfInitialCPC"], Check::Child(s47::r8615)),
    rule("8620", E, "The closure date is outside the census year.", &["CINclosureDate"], Check::Child(episodes::r8620)),
    rule("8630", E, "The closure date is before the referral date.", &["CINclosureDate", "CINreferralDate"], Check::Child(episodes::r8630)),
    rule("8640", E, "The reason for closure is not in the code list (RC1-RC9).", &["ReasonForClosure"], Check::Child(episodes::r8640)),
    rule("8650", E, "The primary need code is not in the code list (N0-N9).", &["PrimaryNeedCode"], Check::Child(episodes::r8650)),
    rule("8670Q", Q, "An assessment started more than 45 working days before the end of the census year but is not authorised.", &["AssessmentActualStartDate", "AssessmentAuthorisationDate"], Check::Child(assessments::r8670q)),
    rule("8675Q", Q, "A section 47 enquiry started more than 15 working days before the end of the census year but has no conference and no 'not required' flag.", &["S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"], Check::Child(s47::r8675q)),
    rule("8696", E, "An assessment's authorisation date is outside the census year.", &["AssessmentAuthorisationDate"], Check::Child(assessments::r8696)),
    rule("8715", E, "An initial child protection conference (section 47) is outside the census year.", &["DateOfInitialCPC"], Check::Child(s47::r8715)),
    rule("8720", E, "A child protection plan start date is missing or after the census year.", &["CPPstartDate"], Check::Child(cpp::r8720)),
    rule("8730", E, "The number of previous child protection plans is missing or not a whole number of 0 or more.", &["NumberOfPreviousCPP"], Check::Child(cpp::r8730)),
    rule("8736", E, "An assessment that is not authorised starts outside the census year.", &["AssessmentActualStartDate"], Check::Child(assessments::r8736)),
    rule("8740", E, "A section 47 enquiry still awaiting its conference starts outside the census year.", &["S47ActualStartDate"], Check::Child(s47::r8740)),
    rule("8750", E, "An unborn child's sex must be U.", &["Sex", "PersonBirthDate", "ExpectedPersonBirthDate"], Check::Child(children::r8750)),
    rule("8770Q", Q, "A school-age child with further action has no UPN and no valid reason (UN2-UN7) for it.", &["UPN", "UPNunknown", "PersonBirthDate"], Check::Child(children::r8770q)),
    rule("8772", E, "The UPN-unknown reason is UN7 (referral with no further action) but an episode went on to further action.", &["UPNunknown", "ReferralNFA"], Check::Child(children::r8772)),
    rule("8775Q", Q, "The child is over 25 years old.", &["PersonBirthDate", "CINclosureDate"], Check::Child(children::r8775q)),
    rule("8790", E, "Disabilities include NONE together with other codes.", &["Disability"], Check::Child(children::r8790)),
    rule("8794", E, "The same disability code is recorded twice.", &["Disability"], Check::Child(children::r8794)),
    rule("8805", E, "An episode has a closure date but no reason for closure.", &["CINclosureDate", "ReasonForClosure"], Check::Child(episodes::r8805)),
    rule("8810", E, "An episode has a reason for closure but no closure date.", &["ReasonForClosure", "CINclosureDate"], Check::Child(episodes::r8810)),
    rule("8815", E, "The child has more than one open episode that went on to further action.", &["CINclosureDate", "ReferralNFA"], Check::Child(episodes::r8815)),
    rule("8816", E, "An open episode with further action is not the child's latest episode.", &["CINreferralDate", "CINclosureDate", "ReferralNFA"], Check::Child(episodes::r8816)),
    rule("8820", E, "The child's episodes overlap.", &["CINreferralDate", "CINclosureDate"], Check::Child(episodes::r8820)),
    rule("8825Q", Q, "An episode closed after assessment (RC8/RC9) has no assessment.", &["ReasonForClosure"], Check::Child(episodes::r8825q)),
    rule("8831", E, "Assessment or section 47 activity is recorded on a referral with no further action.", &["ReferralNFA", "AssessmentActualStartDate", "AssessmentAuthorisationDate", "S47ActualStartDate", "DateOfInitialCPC"], Check::Child(episodes::r8831)),
    rule("8832", E, "A child protection plan is recorded on a referral with no further action.", &["CPPstartDate", "ReferralNFA"], Check::Child(cpp::r8832)),
    rule("8839", E, "An episode has two or more section 47 enquiries still awaiting their conference.", &["DateOfInitialCPC", "ICPCnotRequired"], Check::Child(s47::r8839)),
    rule("8840", E, "A child protection plan starts and ends on the same day.", &["CPPstartDate", "CPPendDate"], Check::Child(cpp::r8840)),
    rule("8841", E, "A child protection review is on or before the plan's start date.", &["CPPreviewDate", "CPPstartDate"], Check::Child(cpp::r8841)),
    rule("8842Q", Q, "A child protection review has no date.", &["CPPreviewDate"], Check::Child(cpp::r8842q)),
    rule("8863Q", Q, "An assessment starts while another assessment in the episode is still open.", &["AssessmentActualStartDate", "AssessmentAuthorisationDate"], Check::Child(assessments::r8863q)),
    rule("8866", E, "The referral source is missing or not in the code list.", &["ReferralSource", "CINreferralDate"], Check::Child(episodes::r8866)),
    rule("8867", E, "A closed episode has an assessment that is not authorised.", &["CINclosureDate", "AssessmentAuthorisationDate"], Check::Child(assessments::r8867)),
    rule("8868", E, "A closed episode has a section 47 enquiry with neither a conference date nor a 'not required' flag (or both).", &["CINclosureDate", "DateOfInitialCPC", "ICPCnotRequired"], Check::Child(s47::r8868)),
    rule("8869", E, "Assessment factor 21 (no factors identified) is used together with other factors.", &["AssessmentFactors"], Check::Child(assessments::r8869)),
    rule("8870Q", Q, "The target date for the initial child protection conference is a weekend.", &["InitialCPCtarget"], Check::Child(s47::r8870q)),
    rule("8873Q", Q, "The episode's only assessment found no factors (21) but the episode was not closed after assessment (RC8/RC9).", &["AssessmentFactors", "ReasonForClosure"], Check::Child(assessments::r8873q)),
    rule("8875", E, "The initial child protection conference (section 47) is on a weekend.", &["DateOfInitialCPC"], Check::Child(s47::r8875)),
    rule("8890", E, "A section 47 enquiry starts while another in the episode is still open.", &["S47ActualStartDate", "DateOfInitialCPC"], Check::Child(s47::r8890)),
    rule("8896", E, "An episode has two or more assessments that are not authorised.", &["AssessmentAuthorisationDate"], Check::Child(assessments::r8896)),
    rule("8897Q", Q, "An assessment authorised in the census year has no valid assessment factors.", &["AssessmentFactors", "AssessmentAuthorisationDate"], Check::Child(assessments::r8897q)),
    rule("8898", E, "An assessment records the same factor code twice.", &["AssessmentFactors"], Check::Child(assessments::r8898)),
    rule("8905", E, "The initial category of abuse is missing or not in the code list.", &["InitialCategoryOfAbuse"], Check::Child(cpp::r8905)),
    rule("8910", E, "The latest category of abuse is missing or not in the code list.", &["LatestCategoryOfAbuse"], Check::Child(cpp::r8910)),
    rule("8915", E, "A child protection plan starts after the child's date of death.", &["CPPstartDate", "PersonDeathDate"], Check::Child(cpp::r8915)),
    rule("8920", E, "A child protection plan ends after the child's date of death.", &["CPPendDate", "PersonDeathDate"], Check::Child(cpp::r8920)),
    rule("8925", E, "A child protection plan ends before it starts.", &["CPPstartDate", "CPPendDate"], Check::Child(cpp::r8925)),
    rule("8930", E, "A child protection plan end date is outside the census year.", &["CPPendDate"], Check::Child(cpp::r8930)),
    rule("8935", E, "The child has more than one open child protection plan.", &["CPPendDate"], Check::Child(cpp::r8935)),
    rule("8940", E, "The child's child protection plans overlap.", &["CPPstartDate", "CPPendDate"], Check::Child(cpp::r8940)),
    rule("8945Q", Q, "Assessment factor 18A is retired: use 18B or 18C.", &["AssessmentFactors"], Check::Child(assessments::r8945q)),
    rule("8950Q", Q, "Assessment factor 19A is retired: use 19B or 19C.", &["AssessmentFactors"], Check::Child(assessments::r8950q)),
    // Not DfE rules but the schema the DfE loads the file against, for the return's year.
    rule("XSD-TYPE", E, "A value is not of its type in the schema of the return's year (a date not written YYYY-MM-DD, a code not in that year's list, a wrong pattern, length or minimum, a character XML cannot hold): the DfE refuses such a file.", &[], Check::Schema(ProblemKind::Type)),
    rule("XSD-REQUIRED", E, "An element the schema of the return's year requires is missing, or a list element is empty: the DfE refuses such a file.", &[], Check::Schema(ProblemKind::Missing)),
    rule("XSD-ELEMENT", E, "An element the schema of the return's year does not have (another year's schema may hold it): the DfE refuses such a file.", &[], Check::Schema(ProblemKind::NotInYear)),
];
