//! Streaming reader: XML bytes → [`Census`], in one pass, in memory bounded by the limits.
//!
//! DTDs are refused outright (so neither entity expansion nor external entities can happen),
//! only the five predefined entities and character references are resolved, text nodes and
//! nesting depth are capped, and malformed XML is an error that names the line and column.
//! Nothing is lost or merged silently: elements the schema does not know are skipped and
//! reported as [`ReadNote`]s; a second occurrence of an element the census holds once (a
//! second `<LAchildID>`, `<CINreferralDate>`, `<ChildIdentifiers>`...) is skipped with a note
//! and the first kept; a second `<Header>` or `<Children>`, or a second document after the
//! root element closes (two returns joined in one file), is an error; and elements the
//! return's own schema year does not have (CIN plan dates in a 2017 return, `<Sex>` before
//! 2025) are named in a note with the years that hold them.

use std::io::{BufRead, BufReader, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::model::{
    Assessment, Census, Child, CinPlan, CpPlan, Episode, Section47, SexElement, Text, PRE_PROCEEDINGS_FIELDS,
};
use crate::CensusError;

/// Caps that keep reading bounded on hostile input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest text content of one element, in bytes.
    pub max_text: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most children in one file.
    pub max_children: usize,
    /// Most notes kept (unknown elements, stray text); past this they are counted, and one
    /// last note says how many more there were.
    pub max_notes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_text: 64 * 1024, max_depth: 16, max_children: 20_000_000, max_notes: 10_000 }
    }
}

/// Something the reader skipped: an element the schema does not define, or stray text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadNote {
    /// 1-based line of the element or text.
    pub line: u64,
    /// The element path, e.g. `Message/Children/Child/ChildIdentifiers/Nickname`.
    pub path: String,
    /// What was skipped.
    pub message: String,
}

/// Counts lines in what the XML parser consumes, so errors can name a line and column.
/// It also caps how much the parser may read for one event (one tag, comment, text node...):
/// quick-xml buffers a whole event, so without a cap a single endless comment or tag would be
/// held in memory entire.
struct Lines<R> {
    inner: R,
    consumed: u64,
    newlines_before_last: u64,
    last_start: u64,
    last: Vec<u8>,
    /// Bytes consumed since the parser last returned an event.
    token: u64,
    /// Most bytes one event may take.
    max_token: u64,
    /// Set when `max_token` was passed (the parser then sees an I/O error).
    over: bool,
}

impl<R: BufRead> Lines<R> {
    fn new(inner: R, max_token: u64) -> Self {
        Lines {
            inner,
            consumed: 0,
            newlines_before_last: 0,
            last_start: 0,
            last: Vec::new(),
            token: 0,
            max_token,
            over: false,
        }
    }

    /// 1-based (line, column) of byte offset `pos`, exact when `pos` lies in the last chunk
    /// consumed (where parse errors are), else the start of that chunk.
    fn line_col(&self, pos: u64) -> (u64, u64) {
        let within = usize::try_from(pos.saturating_sub(self.last_start)).unwrap_or(usize::MAX);
        let head = self.last.get(..within.min(self.last.len())).unwrap_or(&[]);
        let line = self.newlines_before_last + count_newlines(head) + 1;
        let col = match head.iter().rposition(|&b| b == b'\n') {
            Some(i) => head.len() - i,
            None if self.newlines_before_last == 0 => {
                head.len() + 1 + usize::try_from(self.last_start).unwrap_or(0)
            }
            None => head.len() + 1,
        };
        (line, col as u64)
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: BufRead> Read for Lines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.token > self.max_token {
            self.over = true;
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "event too long"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = buf.get(..amt).unwrap_or(buf);
            self.newlines_before_last += count_newlines(&self.last);
            self.last_start = self.consumed;
            self.last.clear();
            self.last.extend_from_slice(taken);
        }
        self.consumed += amt as u64;
        self.token += amt as u64;
        self.inner.consume(amt);
    }
}

/// Read a census from any buffered source.
pub fn read<R: BufRead>(source: R, limits: Limits) -> Result<(Census, Vec<ReadNote>), CensusError> {
    // One event may hold the longest text allowed plus its markup.
    let max_token = u64::try_from(limits.max_text).unwrap_or(u64::MAX).saturating_add(64 * 1024);
    let mut reader = Reader::from_reader(Lines::new(source, max_token));
    // Values are trimmed whole when an element closes: trimming each text event would drop the
    // spaces around an entity (`A &amp; B` would become `A&B`).
    reader.config_mut().trim_text(false);
    let mut state = State { max_notes: limits.max_notes, ..State::default() };
    let mut buf = Vec::new();
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(_) if reader.get_ref().over => {
                let (line, _) = reader.get_ref().line_col(reader.buffer_position());
                return Err(state.limit(
                    line,
                    format!("a single tag, comment or text longer than {max_token} bytes (from line {line})"),
                ));
            }
            Err(e) => {
                let (line, column) = reader.get_ref().line_col(reader.error_position());
                return Err(CensusError::Xml { line, column, message: e.to_string() });
            }
        };
        reader.get_mut().token = 0;
        let at = reader.buffer_position();
        let line = || reader.get_ref().line_col(at).0;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if state.path.is_empty() {
                    state.check_namespace(&e, line());
                }
                if state.path.len() >= limits.max_depth {
                    return Err(
                        state.limit(line(), format!("elements nested deeper than {}", limits.max_depth))
                    );
                }
                state.open(name, line(), limits)?;
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                state.open(name, line(), limits)?;
                state.close(line());
            }
            Event::End(_) => state.close(line()),
            Event::Text(t) => {
                // Indentation between elements: nothing to keep (leading whitespace is trimmed
                // anyway; whitespace after some text is kept, as it may sit between entities).
                if state.text.is_empty() && t.iter().all(u8::is_ascii_whitespace) {
                    buf.clear();
                    continue;
                }
                let text = t.xml10_content().map_err(|err| state.bad(line(), err.to_string()))?;
                state.text(&text, line(), limits)?;
            }
            Event::CData(t) => {
                let text = t.xml10_content().map_err(|err| state.bad(line(), err.to_string()))?;
                state.text(&text, line(), limits)?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match r.as_ref() {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    }
                };
                match resolved {
                    Some(c) => state.text(c.encode_utf8(&mut [0u8; 4]), line(), limits)?,
                    None => {
                        let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                        let (l, column) = reader.get_ref().line_col(at);
                        return Err(CensusError::Xml {
                            line: l,
                            column,
                            message: format!("unknown entity &{name}; (only the five XML entities and character references are accepted)"),
                        });
                    }
                }
            }
            Event::DocType(_) => {
                let (l, column) = reader.get_ref().line_col(at);
                return Err(CensusError::Xml {
                    line: l,
                    column,
                    message: "a DOCTYPE declaration is not accepted in a census file (DTDs can expand entities or fetch external files)".into(),
                });
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
        buf.clear();
    }
    state.finish()
}

/// Read a census from a file.
pub fn read_path(path: &std::path::Path, limits: Limits) -> Result<(Census, Vec<ReadNote>), CensusError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CensusError::Io { path: path.display().to_string(), message: e.to_string() })?;
    read(BufReader::with_capacity(1 << 16, file), limits)
}

/// Read a census held in memory.
pub fn read_bytes(bytes: &[u8], limits: Limits) -> Result<(Census, Vec<ReadNote>), CensusError> {
    read(bytes, limits)
}

#[derive(Default)]
struct State {
    census: Census,
    path: Vec<String>,
    /// Depth at which an unknown element began; its whole subtree is skipped.
    skipping: Option<usize>,
    text: String,
    notes: Vec<ReadNote>,
    /// Most notes kept, and how many more were counted but not kept.
    max_notes: usize,
    dropped_notes: u64,
    saw_message: bool,
    saw_children: bool,
    header_seen: bool,
    /// A root element has been read and closed: anything after it is a second document.
    root_closed: bool,
    /// For each open element, the single-valued children seen so far (bits of [`slot`]).
    seen: Vec<u128>,
    /// A repeated leaf being skipped: its depth, line and path, and its text (for the note).
    repeat: Option<(usize, u64, String, String)>,
    /// Elements that only some schema years have: (parent, name) → (first line, count).
    by_year: Vec<(&'static str, &'static str, u64, u64)>,
}

impl State {
    fn path_str(&self) -> String {
        self.path.join("/")
    }

    fn bad(&self, line: u64, message: String) -> CensusError {
        CensusError::Xml { line, column: 0, message }
    }

    /// The DfE census schemas have no target namespace: a root element with a prefix or a
    /// default namespace is read by local names, and a note says so.
    fn check_namespace(&mut self, root: &quick_xml::events::BytesStart<'_>, line: u64) {
        let mut declared: Vec<String> = root
            .attributes()
            .flatten()
            .filter(|a| a.key.as_ref() == b"xmlns" || a.key.as_ref().starts_with(b"xmlns:"))
            .map(|a| String::from_utf8_lossy(&a.value).into_owned())
            .collect();
        if root.name().prefix().is_some() && declared.is_empty() {
            declared.push(String::from_utf8_lossy(root.name().as_ref()).into_owned());
        }
        if !declared.is_empty() {
            let message = format!(
                "the root element declares namespace {}; the DfE census has none, so elements are read by their local names",
                declared.join(", ")
            );
            self.note(ReadNote { line, path: String::new(), message });
        }
    }

    /// Keeps a note, or past `max_notes` only counts it.
    fn note(&mut self, note: ReadNote) {
        if self.notes.len() < self.max_notes {
            self.notes.push(note);
        } else {
            self.dropped_notes += 1;
        }
    }

    fn limit(&self, line: u64, what: String) -> CensusError {
        CensusError::Limit { line, message: format!("{what} at {}", self.path_str()) }
    }

    fn parent(&self) -> &str {
        self.path.last().map_or("", String::as_str)
    }

    fn child(&mut self) -> Option<&mut Child> {
        self.census.children.last_mut()
    }

    fn episode(&mut self) -> Option<&mut Episode> {
        self.child()?.episodes.last_mut()
    }

    /// Text sitting directly inside a container element (not a leaf) is reported, not kept.
    fn stray_text(&mut self, line: u64) {
        let stray = self.text.trim();
        if !stray.is_empty() && self.skipping.is_none() {
            let message = format!("stray text {stray:?} inside <{}> ignored", self.parent());
            let note = ReadNote { line, path: self.path_str(), message };
            self.note(note);
        }
        self.text.clear();
    }

    fn open(&mut self, name: String, line: u64, limits: Limits) -> Result<(), CensusError> {
        self.stray_text(line);
        if self.skipping.is_some() {
            self.path.push(name);
            self.seen.push(0);
            return Ok(());
        }
        if self.path.is_empty() && self.root_closed {
            return Err(CensusError::Structure(format!(
                "a second root element <{name}> at line {line}: a census file holds one document \
                 (are two returns joined in one file?)"
            )));
        }
        let parent = self.parent().to_owned();
        if known(&parent, &name) {
            if matches!((parent.as_str(), name.as_str()), ("Message", "Header" | "Children"))
                && (name == "Children" && self.saw_children || name == "Header" && self.saw_header())
            {
                return Err(CensusError::Structure(format!(
                    "a second <{name}> at line {line} inside <Message>: a census holds one \
                     (are two returns merged in one file?)"
                )));
            }
            if let Some(bit) = slot(&parent, &name) {
                let seen = self.seen.last().copied().unwrap_or(0);
                if seen & bit != 0 {
                    return self.repeated(name, parent, line);
                }
                if let Some(s) = self.seen.last_mut() {
                    *s |= bit;
                }
            }
            self.count_by_year(&parent, &name, line);
        }
        let known = match (parent.as_str(), name.as_str()) {
            ("", "Message") => {
                self.saw_message = true;
                true
            }
            ("Message", "Header") => {
                self.header_seen = true;
                true
            }
            ("Header", "CollectionDetails" | "Source") => true,
            ("Message", "Children") => {
                self.saw_children = true;
                true
            }
            ("Children", "Child") => {
                if self.census.children.len() >= limits.max_children {
                    return Err(self.limit(line, format!("more than {} children", limits.max_children)));
                }
                self.census.children.push(Child::default());
                true
            }
            ("Child", "ChildIdentifiers" | "ChildCharacteristics") => true,
            ("ChildCharacteristics", "Disabilities") => {
                if let Some(c) = self.child() {
                    c.disabilities.get_or_insert_with(Vec::new);
                }
                true
            }
            ("Child", "CINdetails") => {
                if let Some(c) = self.child() {
                    c.episodes.push(Episode::default());
                }
                true
            }
            ("CINdetails", "Assessments") => {
                if let Some(e) = self.episode() {
                    e.assessments.push(Assessment::default());
                }
                true
            }
            ("Assessments", "FactorsIdentifiedAtAssessment") => {
                if let Some(a) = self.episode().and_then(|e| e.assessments.last_mut()) {
                    a.factors.get_or_insert_with(Vec::new);
                }
                true
            }
            ("CINdetails", "CINPlanDates") => {
                if let Some(e) = self.episode() {
                    e.cin_plans.push(CinPlan::default());
                }
                true
            }
            ("CINdetails", "Section47") => {
                if let Some(e) = self.episode() {
                    e.section47.push(Section47::default());
                }
                true
            }
            ("CINdetails", "ChildProtectionPlans") => {
                if let Some(e) = self.episode() {
                    e.cp_plans.push(CpPlan::default());
                }
                true
            }
            ("CINdetails", "PreProceedingsandFGDM") => {
                if let Some(e) = self.episode() {
                    e.pre_proceedings.push(Vec::new());
                }
                true
            }
            ("ChildProtectionPlans", "Reviews") => true,
            (p, n) => is_leaf(p, n),
        };
        if !known {
            let note = ReadNote {
                line,
                path: format!("{}/{}", self.path_str(), name),
                message: format!("element <{name}> is not part of the census schema inside <{parent}>; skipped with its contents"),
            };
            self.note(note);
            self.skipping = Some(self.path.len());
        }
        self.path.push(name);
        self.seen.push(0);
        Ok(())
    }

    fn saw_header(&self) -> bool {
        self.header_seen
    }

    /// A second occurrence of an element the census holds once: skipped, with a note (a leaf's
    /// note, made when it closes, gives the value skipped).
    fn repeated(&mut self, name: String, parent: String, line: u64) -> Result<(), CensusError> {
        let path = format!("{}/{}", self.path_str(), name);
        self.skipping = Some(self.path.len());
        if is_leaf(&parent, &name) {
            self.repeat = Some((self.path.len(), line, path, String::new()));
        } else {
            let message = format!(
                "a second <{name}> inside one <{parent}>, where the census holds one: skipped with its \
                 contents; the first is kept"
            );
            self.note(ReadNote { line, path, message });
        }
        self.path.push(name);
        self.seen.push(0);
        Ok(())
    }

    /// Counts an element that only some schema years have (see [`by_year_pairs`]).
    fn count_by_year(&mut self, parent: &str, name: &str, line: u64) {
        let Some(&(p, n)) = by_year_pairs().iter().find(|(p, n)| *p == parent && *n == name) else { return };
        match self.by_year.iter_mut().find(|(a, b, _, _)| *a == p && *b == n) {
            Some((_, _, _, count)) => *count += 1,
            None => self.by_year.push((p, n, line, 1)),
        }
    }

    fn text(&mut self, text: &str, line: u64, limits: Limits) -> Result<(), CensusError> {
        if self.skipping.is_some() {
            let depth = self.path.len();
            if let Some((at, _, _, held)) = &mut self.repeat {
                if *at + 1 == depth && held.len() + text.len() <= limits.max_text {
                    held.push_str(text);
                }
            }
            return Ok(());
        }
        if self.text.len() + text.len() > limits.max_text {
            return Err(self.limit(line, format!("text longer than {} bytes", limits.max_text)));
        }
        self.text.push_str(text);
        Ok(())
    }

    fn close(&mut self, line: u64) {
        let Some(name) = self.path.pop() else { return };
        self.seen.pop();
        if self.path.is_empty() {
            self.root_closed = true;
        }
        if let Some(depth) = self.skipping {
            if self.path.len() == depth {
                self.skipping = None;
                if let Some((_, at, path, held)) = self.repeat.take() {
                    let parent = self.parent().to_owned();
                    let message = format!(
                        "a second <{name}> ({:?}) inside one <{parent}>, where the census holds one: \
                         skipped; the first is kept",
                        held.trim()
                    );
                    self.note(ReadNote { line: at, path, message });
                }
            }
            self.text.clear();
            return;
        }
        let parent = self.parent().to_owned();
        if !is_leaf(&parent, &name) {
            self.path.push(name);
            self.stray_text(line);
            self.path.pop();
            return;
        }
        let value = std::mem::take(&mut self.text);
        {
            let trimmed = value.trim();
            // An empty element (`<UPN/>`) is the same as an absent one, as in the DfE's tools.
            let v: Text = (!trimmed.is_empty()).then(|| trimmed.to_owned());
            self.assign(&parent, &name, v);
        }
    }

    fn assign(&mut self, parent: &str, name: &str, v: Text) {
        let h = &mut self.census.header;
        match (parent, name) {
            ("CollectionDetails", "Collection") => h.collection = v,
            ("CollectionDetails", "Year") => h.year = v,
            ("CollectionDetails", "ReferenceDate") => h.reference_date = v,
            ("Source", "SourceLevel") => h.source_level = v,
            ("Source", "LEA") => h.lea = v,
            ("Source", "SoftwareCode") => h.software_code = v,
            ("Source", "Release") => h.release = v,
            ("Source", "SerialNo") => h.serial_no = v,
            ("Source", "DateTime") => h.date_time = v,
            ("ChildIdentifiers", _) => {
                let Some(c) = self.child() else { return };
                match name {
                    "LAchildID" => c.la_child_id = v,
                    "UPN" => c.upn = v,
                    "FormerUPN" => c.former_upn = v,
                    "UPNunknown" => c.upn_unknown = v,
                    "PersonBirthDate" => c.birth_date = v,
                    "ExpectedPersonBirthDate" => c.expected_birth_date = v,
                    "Sex" => {
                        c.sex = v;
                        c.sex_element = SexElement::Sex;
                    }
                    "GenderCurrent" => {
                        c.sex = v;
                        c.sex_element = SexElement::GenderCurrent;
                    }
                    "PersonDeathDate" => c.death_date = v,
                    _ => {}
                }
            }
            ("ChildCharacteristics", "Ethnicity") => {
                if let Some(c) = self.child() {
                    c.ethnicity = v;
                }
            }
            ("Disabilities", "Disability") => {
                if let Some(d) = self.child().and_then(|c| c.disabilities.as_mut()) {
                    d.push(v);
                }
            }
            ("CINdetails", _) => {
                let Some(e) = self.episode() else { return };
                match name {
                    "CINreferralDate" => e.referral_date = v,
                    "ReferralSource" => e.referral_source = v,
                    "PrimaryNeedCode" => e.primary_need = v,
                    "CINclosureDate" => e.closure_date = v,
                    "ReasonForClosure" => e.closure_reason = v,
                    "DateOfInitialCPC" => e.initial_cpc = v,
                    "ReferralNFA" => e.referral_nfa = v,
                    _ => {}
                }
            }
            ("Assessments", _) => {
                let Some(a) = self.episode().and_then(|e| e.assessments.last_mut()) else { return };
                match name {
                    "AssessmentActualStartDate" => a.start = v,
                    "AssessmentInternalReviewDate" => a.internal_review = v,
                    "AssessmentAuthorisationDate" => a.authorised = v,
                    _ => {}
                }
            }
            ("FactorsIdentifiedAtAssessment", "AssessmentFactors") => {
                if let Some(f) =
                    self.episode().and_then(|e| e.assessments.last_mut()).and_then(|a| a.factors.as_mut())
                {
                    f.push(v);
                }
            }
            ("CINPlanDates", _) => {
                let Some(p) = self.episode().and_then(|e| e.cin_plans.last_mut()) else { return };
                match name {
                    "CINPlanStartDate" => p.start = v,
                    "CINPlanEndDate" => p.end = v,
                    _ => {}
                }
            }
            ("Section47", _) => {
                let Some(s) = self.episode().and_then(|e| e.section47.last_mut()) else { return };
                match name {
                    "S47ActualStartDate" => s.start = v,
                    "InitialCPCtarget" => s.icpc_target = v,
                    "DateOfInitialCPC" => s.initial_cpc = v,
                    "ICPCnotRequired" => s.icpc_not_required = v,
                    _ => {}
                }
            }
            ("ChildProtectionPlans", _) => {
                let Some(p) = self.episode().and_then(|e| e.cp_plans.last_mut()) else { return };
                match name {
                    "CPPstartDate" => p.start = v,
                    "CPPendDate" => p.end = v,
                    "InitialCategoryOfAbuse" => p.initial_category = v,
                    "LatestCategoryOfAbuse" => p.latest_category = v,
                    "NumberOfPreviousCPP" => p.previous_plans = v,
                    _ => {}
                }
            }
            ("Reviews", "CPPreviewDate") => {
                if let Some(p) = self.episode().and_then(|e| e.cp_plans.last_mut()) {
                    p.reviews.push(v);
                }
            }
            ("PreProceedingsandFGDM", _) => {
                if let Some(b) = self.episode().and_then(|e| e.pre_proceedings.last_mut()) {
                    b.push((name.to_owned(), v.unwrap_or_default()));
                }
            }
            _ => {}
        }
    }

    fn finish(mut self) -> Result<(Census, Vec<ReadNote>), CensusError> {
        self.note_elements_not_in_year();
        if !self.saw_message {
            return Err(CensusError::Structure(
                "the file has no <Message> root element: is it a CIN census?".into(),
            ));
        }
        if !self.saw_children {
            return Err(CensusError::Structure("the file has no <Children> element".into()));
        }
        if !self.path.is_empty() {
            return Err(CensusError::Structure(format!(
                "the file ends inside <{}>: is it truncated?",
                self.path_str()
            )));
        }
        let mut notes = self.notes;
        if self.dropped_notes > 0 {
            let line = notes.last().map_or(0, |n| n.line);
            notes.push(ReadNote {
                line,
                path: String::new(),
                message: format!(
                    "{} further notes not kept (only the first {} are)",
                    self.dropped_notes, self.max_notes
                ),
            });
        }
        Ok((self.census, notes))
    }
}

impl State {
    /// One note per element the return's schema year does not have, naming the years that do.
    fn note_elements_not_in_year(&mut self) {
        let Some(year) = self.census.schema_year() else { return };
        let Some(schema) = crate::schema::schema(year) else { return };
        let found = std::mem::take(&mut self.by_year);
        for (parent, name, line, count) in found {
            if schema.element(parent, name).is_some() {
                continue;
            }
            let years = crate::schema::years_with(parent, name);
            let holders = if years.is_empty() {
                "no schema year 2017–2026 has it".to_string()
            } else {
                format!("the {} schemas have it", crate::schema::describe_years(&years))
            };
            let message = format!(
                "the return's schema year is {year} (from its header), but it holds <{name}> inside \
                 <{parent}> {count} time(s), which the {year} schema does not have; {holders}. It is read; \
                 writing the return for {year} will fail on it"
            );
            self.note(ReadNote { line, path: format!("{parent}/{name}"), message });
        }
    }
}

/// (parent, element) pairs that only some schema years have, among containers every year has
/// (so a `CINPlanDates` counts once, not once more for each date inside it).
fn by_year_pairs() -> &'static [(&'static str, &'static str)] {
    static PAIRS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let all = crate::schema::all();
        let mut out: Vec<(&'static str, &'static str)> = Vec::new();
        for s in all {
            for (parent, e) in s.pairs() {
                let everywhere = all.iter().all(|o| o.element(parent, &e.name).is_some());
                let parent_everywhere = all.iter().all(|o| !o.children(parent).is_empty());
                if !everywhere && parent_everywhere {
                    if let (Some(p), Some(n)) = (static_str(parent), static_str(&e.name)) {
                        if !out.contains(&(p, n)) {
                            out.push((p, n));
                        }
                    }
                }
            }
        }
        // No year has the pre-proceedings block; it is read all the same.
        out.push(("CINdetails", "PreProceedingsandFGDM"));
        out
    })
}

/// Elements the census holds once in their parent, each with its bit; `Sex` and
/// `GenderCurrent` share one (a child has one sex). `None` for elements that repeat.
fn slot(parent: &str, name: &str) -> Option<u128> {
    const SINGLE: &[&str] = &[
        "Header",
        "CollectionDetails",
        "Collection",
        "Year",
        "ReferenceDate",
        "Source",
        "SourceLevel",
        "LEA",
        "SoftwareCode",
        "Release",
        "SerialNo",
        "DateTime",
        "Children",
        "ChildIdentifiers",
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "PersonDeathDate",
        "ChildCharacteristics",
        "Ethnicity",
        "Disabilities",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
        "CINPlanStartDate",
        "CINPlanEndDate",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "ICPCnotRequired",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ];
    if parent == "PreProceedingsandFGDM" {
        let i = PRE_PROCEEDINGS_FIELDS.iter().position(|f| *f == name)?;
        return 1u128.checked_shl(u32::try_from(SINGLE.len() + i).ok()?);
    }
    let name = if name == "GenderCurrent" { "Sex" } else { name };
    let i = SINGLE.iter().position(|f| *f == name)?;
    1u128.checked_shl(u32::try_from(i).ok()?)
}

/// The `'static` copy of a known element name.
fn static_str(name: &str) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "Message",
        "Header",
        "CollectionDetails",
        "Source",
        "Children",
        "Child",
        "ChildIdentifiers",
        "ChildCharacteristics",
        "Disabilities",
        "CINdetails",
        "Assessments",
        "FactorsIdentifiedAtAssessment",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
        "Reviews",
        "PreProceedingsandFGDM",
        "Sex",
        "GenderCurrent",
        "CINPlanStartDate",
        "CINPlanEndDate",
    ];
    NAMES.iter().find(|n| **n == name).copied()
}

/// Whether `name` is an element the reader knows inside `parent` (a container or a leaf).
fn known(parent: &str, name: &str) -> bool {
    let container = matches!(
        (parent, name),
        ("", "Message")
            | ("Message", "Header" | "Children")
            | ("Header", "CollectionDetails" | "Source")
            | ("Children", "Child")
            | ("Child", "ChildIdentifiers" | "ChildCharacteristics" | "CINdetails")
            | ("ChildCharacteristics", "Disabilities")
            | (
                "CINdetails",
                "Assessments"
                    | "CINPlanDates"
                    | "Section47"
                    | "ChildProtectionPlans"
                    | "PreProceedingsandFGDM"
            )
            | ("Assessments", "FactorsIdentifiedAtAssessment")
            | ("ChildProtectionPlans", "Reviews")
    );
    container || is_leaf(parent, name)
}

/// Whether `name` is a leaf element the schema allows inside `parent`.
fn is_leaf(parent: &str, name: &str) -> bool {
    match parent {
        "CollectionDetails" => matches!(name, "Collection" | "Year" | "ReferenceDate"),
        "Source" => {
            matches!(name, "SourceLevel" | "LEA" | "SoftwareCode" | "Release" | "SerialNo" | "DateTime")
        }
        "ChildIdentifiers" => matches!(
            name,
            "LAchildID"
                | "UPN"
                | "FormerUPN"
                | "UPNunknown"
                | "PersonBirthDate"
                | "ExpectedPersonBirthDate"
                | "Sex"
                | "GenderCurrent"
                | "PersonDeathDate"
        ),
        "ChildCharacteristics" => name == "Ethnicity",
        "Disabilities" => name == "Disability",
        "CINdetails" => matches!(
            name,
            "CINreferralDate"
                | "ReferralSource"
                | "PrimaryNeedCode"
                | "CINclosureDate"
                | "ReasonForClosure"
                | "DateOfInitialCPC"
                | "ReferralNFA"
        ),
        "Assessments" => matches!(
            name,
            "AssessmentActualStartDate" | "AssessmentInternalReviewDate" | "AssessmentAuthorisationDate"
        ),
        "FactorsIdentifiedAtAssessment" => name == "AssessmentFactors",
        "CINPlanDates" => matches!(name, "CINPlanStartDate" | "CINPlanEndDate"),
        "Section47" => {
            matches!(name, "S47ActualStartDate" | "InitialCPCtarget" | "DateOfInitialCPC" | "ICPCnotRequired")
        }
        "ChildProtectionPlans" => matches!(
            name,
            "CPPstartDate"
                | "CPPendDate"
                | "InitialCategoryOfAbuse"
                | "LatestCategoryOfAbuse"
                | "NumberOfPreviousCPP"
        ),
        "Reviews" => name == "CPPreviewDate",
        "PreProceedingsandFGDM" => PRE_PROCEEDINGS_FIELDS.contains(&name),
        _ => false,
    }
}
