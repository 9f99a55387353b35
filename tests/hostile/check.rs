//! What a clean rejection is: exit 2 within the time limit and a bounded
//! amount of memory, no panic, nothing on stdout, and exactly one error
//! line on stderr (warnings aside) that names the file, says `byte N` when
//! the failure is at a place in the input, and holds no raw control
//! characters. A quirk of real files is accepted instead: exit 0 with one
//! warning line.

use crate::corpus::{Case, Expect, Offset};
use crate::run::{CPU_LIMIT, Outcome};

/// Peak resident memory allowed to the child.
const MAX_RSS_KIB: u64 = 512 * 1024;
/// An error line longer than this is not a readable message (it quotes
/// the input at length).
const MAX_LINE: usize = 1000;

/// Everything wrong with how the binary handled `case`.
pub(crate) fn problems(case: &Case, out: &Outcome) -> Vec<String> {
    let mut found = Vec::new();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.timed_out {
        found.push(format!(
            "hang: killed after {} s of CPU time",
            CPU_LIMIT.as_secs()
        ));
    } else if let Some(signal) = out.signal {
        found.push(format!("killed by signal {signal}"));
    }
    if out.peak_rss_kib > MAX_RSS_KIB {
        found.push(format!("peak RSS {} MiB", out.peak_rss_kib / 1024));
    }
    if out.code == Some(101) || stderr.contains("panicked") {
        found.push("panic".into());
    }
    if case.expect == Expect::Warned {
        found.extend(warning_problems(case, out, &stderr));
        return found;
    }
    if let Some(code) = out.code.filter(|&c| c != 2) {
        found.push(format!("exit {code} instead of 2"));
    }
    if !out.stdout.is_empty() {
        found.push(format!("{} bytes on stdout", out.stdout.len()));
    }
    if out.code.is_some() {
        found.extend(message_problems(case, &stderr));
    }
    found
}

/// A quirk DevTools opens: exit 0 and one warning line naming the file.
fn warning_problems(case: &Case, out: &Outcome, stderr: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(code) = out.code.filter(|&c| c != 0) {
        found.push(format!("exit {code} instead of 0"));
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let warned = lines.len() == 1
        && lines[0].starts_with("heapdiff: warning:")
        && lines[0].contains(&case.shown);
    if !warned {
        found.push(format!(
            "{} stderr lines instead of one warning",
            lines.len()
        ));
    }
    if stderr.chars().any(|c| c.is_control() && c != '\n') {
        found.push("raw control character on stderr".into());
    }
    found
}

fn message_problems(case: &Case, stderr: &str) -> Vec<String> {
    let mut found = Vec::new();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("heapdiff: warning:"))
        .collect();
    if errors.len() != 1 {
        found.push(format!("{} error lines instead of 1", errors.len()));
    }
    if let Some(c) = stderr.chars().find(|&c| c.is_control() && c != '\n') {
        found.push(format!(
            "raw control character U+{:04X} on stderr",
            c as u32
        ));
    }
    let Some(line) = errors.first() else {
        return found;
    };
    if line.len() > MAX_LINE {
        found.push(format!("error line of {} bytes", line.len()));
    }
    if !line.contains(&case.shown) {
        found.push("does not name the file".into());
    }
    if let Offset::Required { max } = case.offset {
        match byte_offset(line) {
            None => found.push("no byte offset".into()),
            Some(n) if n > max => found.push(format!("byte {n} is beyond the input ({max})")),
            Some(_) => {}
        }
    }
    found
}

/// The N of the first `byte N` in `line`.
fn byte_offset(line: &str) -> Option<u64> {
    line.match_indices("byte ").find_map(|(at, _)| {
        let digits: String = line[at + 5..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}
