//! `--report out.md|out.html|out.json`: gathers what the report needs that
//! only the CLI knows (file sizes and hashes, the command line, the
//! warnings printed) and writes the file in the format its name asks for.

use std::fs::File;
use std::io::{self, Read as _};
use std::path::Path;

use anyhow::{Context as _, bail};
use heapdiff_analyzer::report_doc::{CheckSection, InputInfo, ReportBody, ReportDocument};
use heapdiff_renderer as renderer;
use sha2::{Digest as _, Sha256};

/// Size and SHA-256 of a file, with what kind of input it is.
pub(crate) fn input_info(path: &Path, kind: &str, detail: String) -> anyhow::Result<InputInfo> {
    let shown = path.display();
    // A pipe or standard input cannot be read again: it was hashed as it
    // was read.
    if let Some((bytes, sha256)) = crate::input::streamed_digest(path) {
        return Ok(InputInfo {
            name: shown.to_string(),
            kind: kind.to_string(),
            bytes,
            sha256,
            detail,
        });
    }
    let mut file = File::open(path).with_context(|| format!("cannot open '{shown}'"))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n_bytes = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read '{shown}'"))?;
        if n == 0 {
            break;
        }
        n_bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(InputInfo {
        name: shown.to_string(),
        kind: kind.to_string(),
        bytes: n_bytes,
        sha256,
        detail,
    })
}

/// The command line that reproduces this run, shell-quoted.
pub(crate) fn command_line() -> String {
    let mut args = std::env::args_os().skip(1).peekable();
    let mut out = String::from("heapdiff");
    while let Some(a) = args.next() {
        // The thread count never changes the output; leaving it out keeps
        // reports byte-identical across machines.
        if a == "--threads" {
            args.next();
            continue;
        }
        if a.to_str().is_some_and(|a| a.starts_with("--threads=")) {
            continue;
        }
        out.push(' ');
        out.push_str(&shell_quoted(&a));
    }
    out
}

/// One argument as a POSIX shell reads it back. An argument that is not
/// UTF-8 or holds control or bidirectional characters is written in the
/// `$'…'` form with `\xHH` escapes, so that no such byte reaches the report.
fn shell_quoted(arg: &std::ffi::OsStr) -> String {
    let hazard =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    match arg.to_str() {
        Some(a)
            if !a.is_empty()
                && a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./=:%@,+".contains(&b)) =>
        {
            a.to_string()
        }
        Some(a) if !a.chars().any(hazard) => format!("'{}'", a.replace('\'', "'\\''")),
        _ => {
            let mut out = String::from("$'");
            for &b in arg.as_encoded_bytes() {
                match b {
                    b'\'' | b'\\' => {
                        out.push('\\');
                        out.push(char::from(b));
                    }
                    b' '..=b'~' => out.push(char::from(b)),
                    _ => out.push_str(&format!("\\x{b:02x}")),
                }
            }
            out.push('\'');
            out
        }
    }
}

/// A report on this run: `body` with the command line that reproduces it
/// and the warnings about the inputs.
pub(crate) fn document(
    title: String,
    inputs: Vec<InputInfo>,
    body: ReportBody,
    check: Option<CheckSection>,
) -> ReportDocument {
    ReportDocument {
        schema_version: 1,
        kind: "report",
        title,
        command: command_line(),
        inputs,
        warnings: crate::input::warnings(),
        body,
        check,
    }
}

/// Writes the report as Markdown, HTML or JSON, by the file's extension.
pub(crate) fn write(path: &Path, inputs: &[&Path], doc: &ReportDocument) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let write: fn(&mut dyn io::Write, &ReportDocument) -> io::Result<()> = match ext.as_str() {
        "md" | "markdown" => renderer::report_md::write,
        "html" | "htm" => renderer::report_html::write,
        "json" => |out, doc| renderer::json::write(out, doc),
        _ => bail!(
            "--report '{}': the name must end in .md, .html or .json",
            path.display()
        ),
    };
    let with_maps = with_source_maps(doc);
    crate::output::to_file(path, inputs, |out| write(out, &with_maps))
}

/// The document with the source maps applied in this run listed among
/// its inputs (path, size, SHA-256 and the script each was applied to).
fn with_source_maps(doc: &ReportDocument) -> ReportDocument {
    let mut doc = doc.clone();
    doc.inputs
        .extend(crate::sourcemap::applied().into_iter().map(|a| InputInfo {
            name: a.map,
            kind: "source map".to_string(),
            bytes: a.bytes,
            sha256: a.sha256,
            detail: format!("applied to {}", a.script),
        }));
    doc
}
