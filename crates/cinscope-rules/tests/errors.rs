//! Invalid rulebooks give errors that name the file, the rule and the field, with a suggestion
//! where one is obvious. The messages are snapshot-tested exactly as a user sees them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use cinscope_rules::rulebook::{load, Resolve};
use cinscope_rules::{builtin, from_str};

const HEAD: &str = "id = \"mine\"\nname = \"Mine\"\nauthority = \"A\"\ndocument = \"D\"\n";

fn rule(body: &str) -> String {
    format!(
        "{HEAD}[[rules]]\ncode = \"MINE-01\"\nkind = \"deadline\"\ntitle = \"t\"\nseverity = \"must\"\n\
         anchor = \"referral\"\ntarget = \"assessment_authorised\"\nwithin = \"10 working days\"\n\
         citation = {{ section = \"1\", text = \"Within 10 working days.\" }}\n{body}"
    )
}

fn error(text: &str) -> String {
    match from_str("mine.toml", text) {
        Ok(_) => "loaded without error".to_string(),
        Err(e) => e.to_string(),
    }
}

struct Files(Vec<(&'static str, String)>);

impl Resolve for Files {
    fn resolve(&self, id: &str) -> Option<(String, String)> {
        self.0.iter().find(|(name, _)| *name == id).map(|(name, text)| (format!("{name}.toml"), text.clone()))
    }
    fn known(&self) -> Vec<String> {
        self.0.iter().map(|(name, _)| name.to_string()).collect()
    }
}

#[test]
fn invalid_rulebooks() {
    let replace = |from: &str, to: &str| rule("").replace(from, to);
    let cases: Vec<(&str, String)> = vec![
        ("valid", rule("")),
        ("toml syntax", format!("{HEAD}[[rules]\ncode = 1")),
        ("unknown top-level key", format!("{HEAD}extend = \"national\"\n")),
        ("unknown rule key", rule("withinn = \"3 days\"\n")),
        ("key of another kind", rule("every = \"3 days\"\n")),
        ("unknown fallback rule", rule("fallback = \"MINE-02\"\n")),
        ("fallback on itself", rule("fallback = \"MINE-01\"\n")),
        ("unknown pairing", rule("pairing = \"lastest\"\n")),
        ("exclusion of nothing", replace("anchor = \"referral\"", "anchor = \"visit[!]\"")),
        ("exclusion of an unknown value", replace("anchor = \"referral\"", "anchor = \"visit[!unseen]\"")),
        ("flag not a boolean", rule("supersede = \"yes\"\n")),
        ("when flag not a boolean", rule("when = { outside_plan = 1 }\n")),
        ("unknown kind", replace("kind = \"deadline\"", "kind = \"deadlin\"")),
        ("unknown event", replace("target = \"assessment_authorised\"", "target = \"assesment_authorised\"")),
        ("unknown qualifier", replace("anchor = \"referral\"", "anchor = \"visit[seen_together]\"")),
        ("zero interval", replace("within = \"10 working days\"", "within = \"0 days\"")),
        ("negative interval", replace("within = \"10 working days\"", "within = \"-3 weeks\"")),
        ("absurd interval", replace("within = \"10 working days\"", "within = \"400 months\"")),
        ("unreadable interval", replace("within = \"10 working days\"", "within = \"3 fortnights\"")),
        ("wrong type", replace("within = \"10 working days\"", "within = 10")),
        (
            "missing citation",
            replace("citation = { section = \"1\", text = \"Within 10 working days.\" }", ""),
        ),
        ("empty citation text", replace("text = \"Within 10 working days.\"", "text = \"\"")),
        ("missing code", replace("code = \"MINE-01\"\n", "")),
        ("bad code", replace("code = \"MINE-01\"", "code = \"mine 01\"")),
        ("unknown severity", replace("severity = \"must\"", "severity = \"mst\"")),
        ("unknown parameter", replace("within = \"10 working days\"", "within = \"$first_reveiw\"")),
        ("origin without a plan", rule("when = { origin = \"step_down_cp\" }\n")),
        ("unknown cohort", rule("when = { cohort = \"disabled_child\" }\n")),
        ("unknown condition", rule("when = { cohorts = \"disabled_children\" }\n")),
        ("duplicate code", format!("{}{}", rule(""), rule("").trim_start_matches(HEAD))),
        ("extends unknown", format!("{}extends = \"kentt\"\n", HEAD)),
        ("extends unknown, no close name", format!("{}extends = \"nowhere\"\n", HEAD)),
        ("drop unknown rule", format!("{HEAD}extends = \"national\"\ndrop = [\"NAT-ASMT-1\"]\n")),
        (
            "override unknown rule",
            format!("{HEAD}extends = \"national\"\n[overrides.NAT-ASMT-02]\nwithin = \"40 working days\"\n"),
        ),
        (
            "override a field of another kind",
            format!("{HEAD}extends = \"national\"\n[overrides.NAT-ASMT-01]\nevery = \"4 weeks\"\n"),
        ),
        (
            "set unknown parameter",
            format!("{HEAD}extends = \"national\"\n[set]\nfirst_review = \"3 months\"\n"),
        ),
    ];
    let mut out = String::new();
    for (name, text) in &cases {
        out.push_str(&format!("{name}: {}\n", error(text)));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn extends_cycles_are_reported() {
    let files = Files(vec![
        ("a", format!("{}extends = \"b\"\n", HEAD.replace("mine", "a"))),
        ("b", format!("{}extends = \"a\"\n", HEAD.replace("mine", "b"))),
    ]);
    let (file, text) = files.resolve("a").unwrap();
    let error = load(&file, &text, &files).unwrap_err().to_string();
    assert_eq!(error, "a.toml: field 'extends': 'extends' makes a cycle: a -> b -> a");
}

#[test]
fn extending_overrides_drops_and_sets() {
    let text = format!(
        "{HEAD}extends = \"leicester-leicestershire-rutland\"\ndrop = [\"NAT-CP-01\"]\n\
         [set]\nfirst_review = \"3 months\"\n[overrides.LLR-ASMT-01]\nwithin = \"35 working days\"\nseverity = \"must\"\n"
    );
    let book = from_str("mine.toml", &text).unwrap();
    let parent = builtin("leicester-leicestershire-rutland").unwrap();
    assert_eq!(book.rules.len(), parent.rules.len() - 1);
    assert!(book.rule("NAT-CP-01").is_none());
    let asmt = book.rule("LLR-ASMT-01").unwrap();
    assert_eq!(asmt.severity.name(), "must");
    assert_eq!(
        cinscope_rules::reference::requirement(asmt).split(" (").next(),
        Some("`assessment_authorised` within 35 working days")
    );
    assert_eq!(asmt.defined_in, "leicester-leicestershire-rutland (overridden by mine)");
    assert!(book.rule("LLR-REV-01").unwrap().unset_parameters().is_empty());
    assert_eq!(parent.rule("LLR-REV-01").unwrap().unset_parameters(), vec!["first_review"]);
}
