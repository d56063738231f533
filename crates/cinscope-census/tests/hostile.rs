//! Hostile and broken census files: each is refused with a clear error, or read with notes, in
//! bounded memory. Endless inputs are generated on the fly, so a reader that buffered them would
//! never finish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::io::{BufRead, BufReader, Read};

use cinscope_census::{generate, read, read_bytes, write_string, CensusError, Limits};

const HEAD: &str = "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>\
<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails></Header><Children>";

/// `head`, then `unit` repeated for ever (or `times` times), then `tail`.
struct Endless {
    head: Vec<u8>,
    unit: Vec<u8>,
    tail: Vec<u8>,
    times: Option<u64>,
    pos: usize,
    stage: u8,
    served: u64,
}

impl Endless {
    fn new(head: &str, unit: &str, tail: &str, times: Option<u64>) -> BufReader<Endless> {
        let e = Endless {
            head: head.into(),
            unit: unit.into(),
            tail: tail.into(),
            times,
            pos: 0,
            stage: 0,
            served: 0,
        };
        BufReader::with_capacity(1 << 16, e)
    }
}

impl Read for Endless {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            let part = match self.stage {
                0 => &self.head,
                1 => &self.unit,
                2 => &self.tail,
                _ => return Ok(n),
            };
            let left = &part[self.pos..];
            let k = left.len().min(out.len() - n);
            out[n..n + k].copy_from_slice(&left[..k]);
            n += k;
            self.pos += k;
            if self.pos == part.len() {
                self.pos = 0;
                match self.stage {
                    1 => {
                        self.served += 1;
                        if self.times.is_some_and(|t| self.served >= t) {
                            self.stage = 2;
                        }
                    }
                    _ => self.stage += 1,
                }
            }
        }
        Ok(n)
    }
}

fn refused(source: impl BufRead) -> CensusError {
    match read(source, Limits::default()) {
        Ok(_) => panic!("expected the file to be refused"),
        Err(e) => e,
    }
}

#[test]
fn entity_expansion_and_external_entities_are_refused() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Message><Children>&lol3;</Children></Message>"#;
    let e = refused(laughs.as_bytes());
    assert!(matches!(e, CensusError::Xml { .. }), "{e}");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");

    let external = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>"#;
    assert!(refused(external.as_bytes()).to_string().contains("DOCTYPE"));

    // An entity used without a DOCTYPE is refused by name, with its line.
    let undeclared = format!("{HEAD}\n<Child>&x;</Child></Children></Message>");
    let e = refused(undeclared.as_bytes());
    assert!(e.to_string().contains("unknown entity &x;") && e.to_string().contains("line 2"), "{e}");
}

#[test]
fn malformed_and_truncated_files_name_the_line() {
    let e = refused(format!("{HEAD}\n<Child>\n<ChildIdentifiers></Child>").as_bytes());
    assert!(matches!(e, CensusError::Xml { line: 3, .. }), "{e}");

    let census = generate(20, 1, 2025, 0.0);
    let xml = write_string(&census, 2025).unwrap();
    let cut = &xml.as_bytes()[..xml.len() / 2];
    let e = read_bytes(cut, Limits::default()).unwrap_err();
    assert!(e.to_string().contains("truncated") || matches!(e, CensusError::Xml { .. }), "{e}");

    let e = refused("not xml at all".as_bytes());
    assert!(e.to_string().contains("no <Message> root"), "{e}");
    let e = refused(&[0xff, 0xfe, 0x00, 0x3c][..]);
    assert!(!e.to_string().is_empty());
}

#[test]
fn an_endless_comment_or_tag_is_cut_off() {
    // A 2 GB (here: endless) comment would otherwise be buffered whole by the parser.
    let e = refused(Endless::new(HEAD, "<!-- ", "", Some(1)).chain(Endless::new("", "lol ", "", None)));
    assert!(matches!(e, CensusError::Limit { .. }), "{e}");
    assert!(e.to_string().contains("longer than"), "{e}");

    let e = refused(Endless::new("<Message><Child a=\"", "x", "", None));
    assert!(matches!(e, CensusError::Limit { .. }), "{e}");

    let e = refused(Endless::new(&format!("{HEAD}<Child><ChildIdentifiers><LAchildID>"), "7", "", None));
    assert!(matches!(e, CensusError::Limit { .. }) && e.to_string().contains("text longer than"), "{e}");
}

#[test]
fn deep_nesting_is_refused() {
    let e = refused(Endless::new(HEAD, "<a>", "", None));
    assert!(matches!(e, CensusError::Limit { .. }) && e.to_string().contains("nested deeper"), "{e}");
}

#[test]
fn millions_of_unknown_elements_keep_a_bounded_list_of_notes() {
    // About 2 GB would take minutes here; a million unknown elements show the same bound.
    let n = 1_000_000;
    let (census, notes) = read(
        Endless::new(HEAD, "<Nickname>x</Nickname>", "</Children></Message>", Some(n)),
        Limits::default(),
    )
    .unwrap();
    assert!(census.children.is_empty());
    assert_eq!(notes.len(), 10_001);
    let last = notes.last().unwrap();
    assert!(last.message.contains(&format!("{} further notes not kept", n - 10_000)), "{}", last.message);
}

#[test]
fn a_namespace_is_noted_and_unknown_elements_are_skipped_with_a_note() {
    let census = generate(3, 1, 2025, 0.0);
    let xml = write_string(&census, 2025).unwrap();
    let xml = xml.replacen("<Message>", "<Message xmlns=\"urn:example:not-the-dfe\">", 1);
    let xml = xml.replacen("<ChildIdentifiers>", "<ChildIdentifiers><Nickname>Bob</Nickname>", 1);
    let (again, notes) = read_bytes(xml.as_bytes(), Limits::default()).unwrap();
    assert_eq!(again.children.len(), 3);
    assert!(notes.iter().any(|n| n.message.contains("urn:example:not-the-dfe")), "{notes:?}");
    assert!(notes.iter().any(|n| n.path.ends_with("ChildIdentifiers/Nickname")), "{notes:?}");
}
