//! Scanning a JSON text held in memory (a memory-mapped snapshot): skipping
//! values, reading strings, and the dedicated digit scanner for V8's big
//! unsigned integer arrays (formats §12.1).
//!
//! The digit scanner accepts exactly what V8 writes: unsigned decimal
//! integers separated by `,` and whitespace. A sign, fraction or exponent is
//! an error with its offset (DevTools would silently misread `-1` as `1`).

use crate::ParseError;

/// JSON whitespace.
#[inline]
pub(crate) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// Skips JSON whitespace from `pos`.
#[inline]
pub(crate) fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && is_ws(b[pos]) {
        pos += 1;
    }
    pos
}

fn syntax(section: &'static str, offset: usize, message: String) -> ParseError {
    ParseError::Syntax {
        section,
        offset: offset as u64,
        message,
    }
}

fn truncated(section: &'static str, b: &[u8]) -> ParseError {
    ParseError::Truncated {
        section,
        offset: b.len() as u64,
    }
}

/// Expects byte `c` (after whitespace) at `pos`; returns the position after it.
pub(crate) fn expect(
    b: &[u8],
    pos: usize,
    c: u8,
    section: &'static str,
    what: &str,
) -> Result<usize, ParseError> {
    let pos = skip_ws(b, pos);
    match b.get(pos) {
        Some(&x) if x == c => Ok(pos + 1),
        Some(&x) => Err(syntax(
            section,
            pos,
            format!("expected {what}, found {}", show(x)),
        )),
        None => Err(truncated(section, b)),
    }
}

pub(crate) fn show(x: u8) -> String {
    if x.is_ascii_graphic() {
        format!("`{}`", char::from(x))
    } else {
        format!("byte 0x{x:02x}")
    }
}

/// The end of the string whose opening quote is at `pos - 1` (position after
/// the closing quote), and whether it contains escapes.
pub(crate) fn string_end(
    b: &[u8],
    mut pos: usize,
    section: &'static str,
) -> Result<(usize, bool), ParseError> {
    let mut escaped = false;
    loop {
        match memchr::memchr2(b'"', b'\\', &b[pos.min(b.len())..]) {
            None => return Err(truncated(section, b)),
            Some(i) => {
                pos += i;
                if b[pos] == b'"' {
                    return Ok((pos + 1, escaped));
                }
                escaped = true;
                pos += 2;
                if pos > b.len() {
                    return Err(truncated(section, b));
                }
            }
        }
    }
}

/// Decodes the JSON string body `raw` (between the quotes) into `out`.
/// Unpaired surrogate escapes become U+FFFD (formats §12.2).
pub(crate) fn decode_string(
    raw: &[u8],
    out: &mut String,
    at: usize,
    section: &'static str,
) -> Result<(), ParseError> {
    out.clear();
    let mut i = 0;
    let mut bytes: Vec<u8> = Vec::with_capacity(raw.len());
    while i < raw.len() {
        match memchr::memchr(b'\\', &raw[i..]) {
            None => {
                bytes.extend_from_slice(&raw[i..]);
                break;
            }
            Some(k) => {
                bytes.extend_from_slice(&raw[i..i + k]);
                i += k + 1;
                let Some(&e) = raw.get(i) else { break };
                i += 1;
                match e {
                    b'"' | b'\\' | b'/' => bytes.push(e),
                    b'b' => bytes.push(8),
                    b'f' => bytes.push(12),
                    b'n' => bytes.push(b'\n'),
                    b'r' => bytes.push(b'\r'),
                    b't' => bytes.push(b'\t'),
                    b'u' => {
                        let hex = |j: usize| -> Option<u32> {
                            let h = raw.get(j..j + 4)?;
                            u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
                        };
                        let Some(first) = hex(i) else {
                            return Err(syntax(
                                section,
                                at + i,
                                "expected 4 hex digits after `\\u`".into(),
                            ));
                        };
                        i += 4;
                        let c = if (0xD800..0xDC00).contains(&first) {
                            match (raw.get(i..i + 2), hex(i + 2)) {
                                (Some(b"\\u"), Some(second))
                                    if (0xDC00..0xE000).contains(&second) =>
                                {
                                    i += 6;
                                    char::from_u32(
                                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00),
                                    )
                                }
                                _ => None,
                            }
                        } else {
                            char::from_u32(first)
                        };
                        let mut buf = [0u8; 4];
                        bytes.extend_from_slice(
                            c.unwrap_or('\u{FFFD}').encode_utf8(&mut buf).as_bytes(),
                        );
                    }
                    _ => {
                        return Err(syntax(
                            section,
                            at + i - 1,
                            format!("unknown escape `\\{}`", char::from(e)),
                        ));
                    }
                }
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => *out = s,
        Err(e) => *out = String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
    Ok(())
}

/// The end of the JSON value starting at `pos` (after whitespace). Arrays of
/// plain numbers, the bulk of a snapshot, are skipped with `memchr`.
pub(crate) fn skip_value(b: &[u8], pos: usize, section: &'static str) -> Result<usize, ParseError> {
    let mut pos = skip_ws(b, pos);
    let mut depth = 0usize;
    loop {
        let Some(&c) = b.get(pos) else {
            return Err(truncated(section, b));
        };
        match c {
            b'"' => pos = string_end(b, pos + 1, section)?.0,
            b'{' | b'[' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    return Err(syntax(
                        section,
                        pos,
                        format!("expected a value, found {}", show(c)),
                    ));
                }
                depth -= 1;
                pos += 1;
            }
            _ if depth == 0 => {
                // A scalar value ends at the next separator.
                let end = b[pos..]
                    .iter()
                    .position(|&x| matches!(x, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'));
                return end.map(|k| pos + k).ok_or_else(|| truncated(section, b));
            }
            _ => {
                // Scalars inside a container: jump to the next structural
                // byte. Braces are looked for only before the next quote or
                // bracket, so a long number array is scanned once.
                // With no quote or bracket left (`0}}` closing the last
                // value of the file), the braces are looked for up to the
                // end; none at all is a truncation (at the loop's top).
                let k = memchr::memchr3(b'"', b'[', b']', &b[pos..]).unwrap_or(b.len() - pos);
                pos += memchr::memchr2(b'{', b'}', &b[pos..pos + k]).unwrap_or(k);
                continue;
            }
        }
        if depth == 0 {
            return Ok(pos);
        }
    }
}

/// Reads an array of unsigned integers starting at `pos` (the `[`), calling
/// `sink` with each value in order. Returns the position after `]`.
pub(crate) fn uint_array(
    b: &[u8],
    pos: usize,
    section: &'static str,
    mut sink: impl FnMut(u64) -> Result<(), ParseError>,
) -> Result<usize, ParseError> {
    let mut pos = expect(b, pos, b'[', section, "an array of numbers")?;
    let mut expect_value = true;
    let mut first = true;
    loop {
        let Some(&c) = b.get(pos) else {
            return Err(truncated(section, b));
        };
        match c {
            b'0'..=b'9' => {
                if !expect_value {
                    return Err(syntax(section, pos, "expected `,` between numbers".into()));
                }
                let start = pos;
                let mut v: u64 = 0;
                while let Some(&d) = b.get(pos) {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    v = v
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(u64::from(d - b'0')))
                        .ok_or_else(|| ParseError::BadNumber {
                            section,
                            offset: start as u64,
                            reason: "integer too large".into(),
                        })?;
                    pos += 1;
                }
                if pos == b.len() {
                    return Err(truncated(section, b));
                }
                if matches!(b[pos], b'.' | b'e' | b'E') {
                    return Err(ParseError::BadNumber {
                        section,
                        offset: start as u64,
                        reason: "expected an unsigned integer, found a fraction or exponent".into(),
                    });
                }
                sink(v)?;
                expect_value = false;
                first = false;
            }
            b',' if !expect_value => {
                expect_value = true;
                pos += 1;
            }
            b' ' | b'\n' | b'\r' | b'\t' => pos += 1,
            b']' if !expect_value || first => return Ok(pos + 1),
            b'-' => {
                return Err(ParseError::BadNumber {
                    section,
                    offset: pos as u64,
                    reason: "expected an unsigned integer, found a negative number".into(),
                });
            }
            other => {
                return Err(syntax(
                    section,
                    pos,
                    format!("expected a number, found {}", show(other)),
                ));
            }
        }
    }
}
