//! The `case.toml` format of a fixture directory.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// A fixture case: what it exercises, where its input came from, and the
/// command runs to check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    #[allow(dead_code)]
    pub(crate) description: String,
    #[allow(dead_code)]
    pub(crate) source: String,
    #[serde(default)]
    pub(crate) run: Vec<Run>,
}

/// One invocation of the binary, in the case directory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Run {
    /// Arguments; `{tmp}` is a fresh temporary directory.
    pub(crate) args: Vec<String>,
    /// Expected standard output file.
    pub(crate) stdout: Option<String>,
    /// Expected standard error file (otherwise stderr must be empty on
    /// success, unless `allow_stderr`).
    pub(crate) stderr: Option<String>,
    #[serde(default)]
    pub(crate) allow_stderr: bool,
    /// Expected exit code.
    #[serde(default)]
    pub(crate) exit: i32,
    /// Files written under `{tmp}` → expected file.
    #[serde(default)]
    pub(crate) files: BTreeMap<String, String>,
    /// Substrings standard output must contain (for facts a reader checks).
    #[serde(default)]
    pub(crate) contains: Vec<String>,
    /// Also run with `--threads 1` and `--threads 4` and compare.
    #[serde(default = "yes")]
    pub(crate) threads: bool,
}

fn yes() -> bool {
    true
}

impl Case {
    pub(crate) fn load(path: &Path) -> Case {
        let text = std::fs::read_to_string(path).unwrap();
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}
