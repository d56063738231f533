//! The built-in rulebooks: Working Together 2023 (`national`) and the five authorities whose
//! procedures cinscope starts from. Their TOML files live in `rulebooks/` beside this crate.

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

/// Resolves `extends` against the built-ins, and then files `<id>.toml` in a directory.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// Directory searched for user rulebooks, if any.
    pub directory: Option<PathBuf>,
}

impl Resolve for Resolver {
    fn resolve(&self, id: &str) -> Option<(String, String)> {
        if let Some((_, text)) = BUILTIN.iter().find(|(name, _)| *name == id) {
            return Some((format!("{id} (built-in)"), (*text).to_string()));
        }
        let path = self.directory.as_ref()?.join(format!("{id}.toml"));
        let text = std::fs::read_to_string(&path).ok()?;
        Some((path.display().to_string(), text))
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

/// Loads a rulebook file; `extends` may name a built-in or a file beside it.
pub fn from_file(path: &Path) -> Result<Rulebook, RulebookError> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| RulebookError::new(&file, format!("cannot read: {e}")))?;
    let resolver = Resolver { directory: path.parent().map(Path::to_path_buf) };
    load(&file, &text, &resolver)
}

/// Loads a rulebook from text (named `file` in errors); `extends` may name a built-in.
pub fn from_str(file: &str, text: &str) -> Result<Rulebook, RulebookError> {
    load(file, text, &Resolver::default())
}
