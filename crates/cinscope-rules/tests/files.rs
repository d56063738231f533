//! Rulebook files that are not what they seem (issue #26): an `extends` chain thousands of files
//! long, a FIFO, a device, a huge file, an `extends` leading out of the rulebook's folder,
//! parameter values that are no durations, a user rulebook under a built-in's id. Each is an
//! error naming the file (and the parameter or chain), never a crash, a hang or a silent load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::path::{Path, PathBuf};

use cinscope_rules::builtin::{MAX_EXTENDS_DEPTH, MAX_FILE_BYTES};
use cinscope_rules::{from_file, from_file_with, from_str};

/// A fresh, empty folder under the system's temporary folder.
fn folder(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("cinscope-rules-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

fn head(id: &str) -> String {
    format!("id = \"{id}\"\nname = \"n\"\nauthority = \"a\"\ndocument = \"d\"\n")
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

fn error_of(path: &Path) -> String {
    match from_file(path) {
        Ok(book) => panic!("{} loaded as '{}'", path.display(), book.id),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_extends_chain_thousands_of_files_long_is_refused_not_a_stack_overflow() {
    let dir = folder("chain");
    let n = 3000;
    for i in 0..n {
        let next = if i + 1 < n { format!("extends = \"r{}\"\n", i + 1) } else { String::new() };
        write(&dir.join(format!("r{i}.toml")), &format!("{}{next}", head(&format!("r{i}"))));
    }
    let message = error_of(&dir.join("r0.toml"));
    assert!(
        message.contains(&format!("'extends' chain is longer than {MAX_EXTENDS_DEPTH} rulebooks")),
        "{message}"
    );
    assert!(message.contains("r0 -> r1 -> r2"), "{message}");
    assert!(message.contains(&format!("r{}", MAX_EXTENDS_DEPTH)), "{message}");
    // A chain of the largest length allowed loads.
    let last = MAX_EXTENDS_DEPTH - 1;
    write(&dir.join(format!("r{last}.toml")), &head(&format!("r{last}")));
    let book = from_file(&dir.join("r0.toml")).unwrap();
    assert_eq!(book.id, "r0");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_refused_without_reading_it() {
    let dir = folder("fifo");
    let fifo = dir.join("pipe.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Opening a FIFO would block until something writes to it: the test would hang.
    let message = error_of(&fifo);
    assert!(message.contains("pipe.toml") && message.contains("is a FIFO, not a regular file"), "{message}");
    // The same when `extends` names it.
    write(&dir.join("mine.toml"), &format!("{}extends = \"pipe\"\n", head("mine")));
    let message = error_of(&dir.join("mine.toml"));
    assert!(message.contains("mine.toml: field 'extends'"), "{message}");
    assert!(message.contains("pipe.toml: is a FIFO"), "{message}");
    // `/dev/zero` never ends: it would be read until memory runs out.
    let message = error_of(Path::new("/dev/zero"));
    assert!(message.contains("/dev/zero: is a device, not a regular file"), "{message}");
    let message = error_of(&dir);
    assert!(message.contains("is a directory"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_over_the_size_cap_is_refused() {
    let dir = folder("big");
    let big = dir.join("big.toml");
    let mut text = head("big");
    text.push_str(&"# padding\n".repeat((MAX_FILE_BYTES / 10) as usize + 1));
    write(&big, &text);
    let message = error_of(&big);
    assert!(
        message.contains("big.toml: is ") && message.contains("at most 10485760 bytes (10 MiB)"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extends_may_not_leave_the_rulebook_folder_unless_allowed() {
    let root = folder("outside");
    let inner = root.join("books");
    std::fs::create_dir_all(inner.join("sub")).unwrap();
    write(&root.join("secret.toml"), &head("secret"));
    write(&inner.join("base.toml"), &head("base"));
    write(&inner.join("sub").join("nested.toml"), &head("nested"));
    let cases =
        [("up.toml", "../secret".to_string()), ("absolute.toml", root.join("secret").display().to_string())];
    for (name, extends) in &cases {
        let path = inner.join(name);
        write(&path, &format!("{}extends = \"{extends}\"\n", head("mine")));
        let message = error_of(&path);
        assert!(message.contains(&format!("{name}: field 'extends'")), "{message}");
        assert!(message.contains("outside the rulebook's folder"), "{message}");
        // The file it resolves to is named, as the operating system resolves it.
        let resolved = root.join("secret.toml").canonicalize().unwrap();
        assert!(message.contains(&resolved.display().to_string()), "{message}");
        assert!(message.contains("allow_outside=True") && message.contains("--allow-outside"), "{message}");
        let book = from_file_with(&path, true).unwrap();
        assert_eq!(book.extends.as_deref(), Some(extends.as_str()));
    }
    // A link inside the folder that leads out of it is outside too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("secret.toml"), inner.join("linked.toml")).unwrap();
        let path = inner.join("via-link.toml");
        write(&path, &format!("{}extends = \"linked\"\n", head("mine")));
        assert!(error_of(&path).contains("outside the rulebook's folder"));
    }
    // Files in the folder, and below it, may be extended.
    for extends in ["base", "sub/nested"] {
        let path = inner.join("ok.toml");
        write(&path, &format!("{}extends = \"{extends}\"\n", head("mine")));
        assert_eq!(from_file(&path).unwrap().extends.as_deref(), Some(extends));
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn parameter_values_must_be_positive_durations() {
    let llr = |value: &str| {
        format!(
            "{}extends = \"leicester-leicestershire-rutland\"\n[set]\nfirst_review = \"{value}\"\n",
            head("mine")
        )
    };
    for (value, fragment) in [
        ("-1 days", "'-1 days' is not a positive interval"),
        ("0 days", "'0 days' is not a positive interval"),
        ("3 monts", "cannot read the interval '3 monts'"),
        ("20 years", "'20 years' is longer than ten years"),
        ("$first_review", "cannot read the interval '$first_review'"),
    ] {
        let message = from_str("mine.toml", &llr(value)).unwrap_err().to_string();
        assert!(message.starts_with("mine.toml: field 'set.first_review': "), "{message}");
        assert!(message.contains(fragment), "{message}");
        assert!(message.contains("accepted forms: ") && message.contains("'3 months' ('3mo')"), "{message}");
    }
    assert!(from_str("mine.toml", &llr("3 months")).is_ok());
    let declared = format!("{}[parameters.gap]\ndescription = \"d\"\nvalue = \"3 monts\"\n", head("mine"));
    let message = from_str("mine.toml", &declared).unwrap_err().to_string();
    assert!(message.contains("field 'parameters.gap.value'") && message.contains("'3 monts'"), "{message}");
}

#[test]
fn a_user_rulebook_may_not_take_a_built_in_id() {
    let text = format!("{}extends = \"national\"\n", head("kent"));
    let message = from_str("mine.toml", &text).unwrap_err().to_string();
    assert!(
        message.contains("mine.toml: field 'id': id 'kent' is the id of a built-in rulebook"),
        "{message}"
    );
    assert!(message.contains("'kent-local'"), "{message}");
    let message = from_str("mine.toml", &head("national")).unwrap_err().to_string();
    assert!(message.contains("id 'national' is the id of a built-in rulebook"), "{message}");
    // Its own id, extending the built-in, is fine.
    let book = from_str("mine.toml", &format!("{}extends = \"kent\"\n", head("kent-local"))).unwrap();
    assert_eq!(book.id, "kent-local");
}
