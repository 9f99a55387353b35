//! What the integration tests that run the built binary share: the
//! repository's paths and one way to run `heapdiff`. A test binary takes it
//! with `#[path = "../common/mod.rs"] mod common;`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path under `fixtures/`.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// Runs the built binary in `dir` with colours off and waits for it.
pub(crate) fn heapdiff(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Output bytes as text, invalid UTF-8 shown lossily.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
