//! The built-in rulebooks: Working Together 2023 (`national`) and the five authorities whose
//! procedures cinscope starts from. Their TOML files live in `rulebooks/` beside this crate.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::RulebookError;
use crate::rulebook::{load, Resolve, Rulebook};

/// (id, file text) of every built-in rulebook, `national` first.
pub const BUILTIN: &[(&str, &str)] = &[
    ("national", include_str!("../rulebooks/national.toml")),
    ("leicester-leicestershire-rutland", include_str!("../rulebooks/leicester-leicestershire-rutland.toml")),
    ("portsmouth", include_str!("../rulebooks/portsmouth.toml")),
    ("kent", include_str!("../rulebooks/kent.toml")),
    ("south-west", include_str!("../rulebooks/south-west.toml")),
    ("brighton-and-hove", include_str!("../rulebooks/brighton-and-hove.toml")),
];

/// Ids of the built-in rulebooks.
pub fn builtin_ids() -> Vec<&'static str> {
    BUILTIN.iter().map(|(id, _)| *id).collect()
}

/// The largest rulebook file read: 10 MiB, far more than any procedure needs (the largest
/// built-in is a few dozen KiB). A larger file, or `/dev/zero`, is refused rather than read until
/// memory runs out.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// How many rulebooks an `extends` chain may hold, the first included. Each link is loaded
/// within the previous one, so a chain thousands of files long would overflow the stack.
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// What kind of file `path` is, for an error saying it is not a regular file.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Reads a rulebook file, refusing what is not a regular file (a FIFO would block forever, a
/// device such as `/dev/zero` never ends) and files over [`MAX_FILE_BYTES`]. Errors name the
/// file.
pub fn read_file(path: &Path) -> Result<String, RulebookError> {
    let file = path.display().to_string();
    let error = |message: String| RulebookError::new(&file, message);
    let not_regular =
        |kind: &str| error(format!("is {kind}, not a regular file: a rulebook must be a .toml file"));
    let too_big = |bytes: u64| {
        error(format!(
            "is {bytes} bytes long; a rulebook file may be at most {MAX_FILE_BYTES} bytes (10 MiB)"
        ))
    };
    // Checked before opening: opening a FIFO blocks until something writes to it.
    let metadata = std::fs::metadata(path).map_err(|e| error(format!("cannot read: {e}")))?;
    if !metadata.is_file() {
        return Err(not_regular(kind_of(metadata.file_type())));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_big(metadata.len()));
    }
    let handle = std::fs::File::open(path).map_err(|e| error(format!("cannot read: {e}")))?;
    // Checked again on the file opened, in case the path was replaced in between.
    let opened = handle.metadata().map_err(|e| error(format!("cannot read: {e}")))?;
    if !opened.is_file() {
        return Err(not_regular(kind_of(opened.file_type())));
    }
    let mut bytes = Vec::new();
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        error(format!(
            "cannot read: the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Resolves `extends` against the built-ins, and then files `<id>.toml` in a directory.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// Directory searched for user rulebooks, if any.
    pub directory: Option<PathBuf>,
    /// Whether `extends` may name a file outside `directory` (`"../x"`, an absolute path, or a
    /// link leading out of it). Off by default: a rulebook cannot make cinscope read a file
    /// elsewhere on the machine unless the user says so.
    pub allow_outside: bool,
}

impl Resolver {
    /// The file `id` names in the directory, if it exists: checked to lie inside the directory
    /// unless `allow_outside`, then read with [`read_file`].
    fn file(&self, id: &str) -> Result<Option<(String, String)>, String> {
        let Some(directory) = &self.directory else {
            return Ok(None);
        };
        let directory = if directory.as_os_str().is_empty() { Path::new(".") } else { directory.as_path() };
        let path = directory.join(format!("{id}.toml"));
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        if !self.allow_outside {
            let folder = directory
                .canonicalize()
                .map_err(|e| format!("cannot read the folder {}: {e}", directory.display()))?;
            let resolved = path.canonicalize().map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if !resolved.starts_with(&folder) {
                return Err(format!(
                    "extends '{id}', which resolves to {}, outside the rulebook's folder {}; a rulebook may \
                     extend only a built-in one or a file in its own folder, unless that is allowed \
                     (allow_outside=True in Python, --allow-outside on the command line)",
                    resolved.display(),
                    folder.display()
                ));
            }
        }
        read_file(&path).map(|text| Some((path.display().to_string(), text))).map_err(|e| e.to_string())
    }
}

impl Resolve for Resolver {
    fn resolve(&self, id: &str) -> Option<(String, String)> {
        self.resolve_checked(id).ok().flatten()
    }

    fn resolve_checked(&self, id: &str) -> Result<Option<(String, String)>, String> {
        if let Some((_, text)) = BUILTIN.iter().find(|(name, _)| *name == id) {
            return Ok(Some((format!("{id} (built-in)"), (*text).to_string())));
        }
        self.file(id)
    }

    fn known(&self) -> Vec<String> {
        let mut ids: Vec<String> = builtin_ids().into_iter().map(str::to_string).collect();
        if let Some(dir) = &self.directory {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "toml") {
                        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                            ids.push(stem.to_string());
                        }
                    }
                }
            }
        }
        ids
    }
}

/// Loads a built-in rulebook by id.
pub fn builtin(id: &str) -> Result<Rulebook, RulebookError> {
    let resolver = Resolver::default();
    match resolver.resolve(id) {
        Some((file, text)) => load(&file, &text, &resolver),
        None => {
            let list = format!("built-in rulebooks: {}", builtin_ids().join(", "));
            let help = match crate::error::closest(id, builtin_ids()) {
                Some(best) => format!("did you mean '{best}'? {list}"),
                None => list,
            };
            Err(RulebookError::new(id, format!("no built-in rulebook '{id}'")).help(help))
        }
    }
}

/// Loads a rulebook file; `extends` may name a built-in or a file in the same folder (see
/// [`from_file_with`] to allow files elsewhere). The file must be a regular file of at most
/// [`MAX_FILE_BYTES`].
pub fn from_file(path: &Path) -> Result<Rulebook, RulebookError> {
    from_file_with(path, false)
}

/// Loads a rulebook file, as [`from_file`]; with `allow_outside`, `extends` may also name a file
/// outside the rulebook's folder (`"../common/base"`, an absolute path).
pub fn from_file_with(path: &Path, allow_outside: bool) -> Result<Rulebook, RulebookError> {
    let file = path.display().to_string();
    let text = read_file(path)?;
    let resolver = Resolver { directory: path.parent().map(Path::to_path_buf), allow_outside };
    load(&file, &text, &resolver)
}

/// Loads a rulebook from text (named `file` in errors); `extends` may name a built-in.
pub fn from_str(file: &str, text: &str) -> Result<Rulebook, RulebookError> {
    load(file, text, &Resolver::default())
}
