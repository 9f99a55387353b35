//! A pull tokenizer over a `Read`, through one fixed buffer.
//!
//! No slice of the buffer outlives a call, so a refill simply overwrites the
//! buffer; strings are copied out into a caller's scratch vector. The hot
//! paths (string bodies, digit runs) scan the buffered bytes directly.

use std::io::{self, Read, Seek, SeekFrom};

use crate::ParseError;
use crate::scan::is_ws;

const BUF_LEN: usize = 1 << 20;

/// The longest string accepted, decoded: no function name, URL or key
/// comes near it, and a longer one is a corrupt or hostile file.
pub(crate) const MAX_STRING: usize = 64 << 20;

/// A JSON number as written, classified without losing integer precision.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    /// A non-negative integer without fraction or exponent.
    Unsigned(u64),
    /// Anything else: negative, fractional, exponent, or beyond `u64`.
    Float(f64),
}

pub(crate) struct Cursor<R> {
    src: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// The section being read, for error messages.
    pub(crate) section: &'static str,
}

impl<R: Read> Cursor<R> {
    pub(crate) fn new(src: R) -> Self {
        Self::with_buffer_len(src, BUF_LEN)
    }

    /// A cursor with a buffer of `len` bytes (at least one, at most the
    /// usual 1 MiB): a short input needs no more than its own length.
    pub(crate) fn with_buffer_len(src: R, len: usize) -> Self {
        Self {
            src,
            buf: vec![0; len.clamp(1, BUF_LEN)].into_boxed_slice(),
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            section: "top level",
        }
    }

    /// A cursor over `src`, whose first byte is byte `base` of the input:
    /// offsets in errors count from the start of the whole input.
    pub(crate) fn starting_at(src: R, base: u64) -> Self {
        Self {
            base,
            ..Self::new(src)
        }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least one byte available; false at end of input.
    #[inline(always)]
    fn fill(&mut self) -> Result<bool, ParseError> {
        if self.pos < self.end {
            return Ok(true);
        }
        self.refill()
    }

    /// Reads the next block of input into the emptied buffer: once a
    /// megabyte, so kept out of line of the callers of [`Self::fill`].
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Result<bool, ParseError> {
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.src.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(ParseError::Io {
                        offset: self.base,
                        source,
                    });
                }
            }
        }
    }

    /// Makes at least `n` bytes available (at most the buffer's length),
    /// moving the unread ones to the front first; fewer only at end of
    /// input.
    pub(crate) fn fill_at_least(&mut self, n: usize) -> Result<(), ParseError> {
        if self.end - self.pos >= n || self.eof {
            return Ok(());
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.pos = 0;
        let want = n.min(self.buf.len());
        while self.end < want {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(got) => self.end += got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(ParseError::Io {
                        offset: self.base + self.end as u64,
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    /// The next byte, not consumed; `None` at end of input.
    #[inline]
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, ParseError> {
        if self.fill()? {
            Ok(Some(self.buf[self.pos]))
        } else {
            Ok(None)
        }
    }

    /// Skips a UTF-8 byte order mark at the very start.
    pub(crate) fn skip_bom(&mut self) -> Result<(), ParseError> {
        for &b in b"\xEF\xBB\xBF" {
            if self.peek()? != Some(b) {
                return Ok(());
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Skips whitespace and returns the next byte without consuming it;
    /// end of input is a truncation error.
    #[inline(always)]
    pub(crate) fn peek_token(&mut self) -> Result<u8, ParseError> {
        loop {
            if !self.fill()? {
                return Err(self.truncated());
            }
            let b = self.buf[self.pos];
            if !is_ws(b) {
                return Ok(b);
            }
            self.pos += 1;
        }
    }

    /// Skips whitespace; true when only whitespace remains.
    pub(crate) fn at_end(&mut self) -> Result<bool, ParseError> {
        loop {
            if !self.fill()? {
                return Ok(true);
            }
            if !is_ws(self.buf[self.pos]) {
                return Ok(false);
            }
            self.pos += 1;
        }
    }

    #[inline]
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// Consumes `expected` after optional whitespace.
    #[inline]
    pub(crate) fn expect(&mut self, expected: u8, what: &str) -> Result<(), ParseError> {
        let b = self.peek_token()?;
        if b == expected {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(b, what))
        }
    }

    /// Consumes `,` and returns true, or `close` and returns false.
    #[inline]
    pub(crate) fn comma_or(&mut self, close: u8) -> Result<bool, ParseError> {
        let b = self.peek_token()?;
        self.pos += 1;
        match b {
            b',' => Ok(true),
            b if b == close => Ok(false),
            b => {
                self.pos -= 1;
                Err(self.unexpected(
                    b,
                    if close == b'}' {
                        "`,` or `}`"
                    } else {
                        "`,` or `]`"
                    },
                ))
            }
        }
    }

    /// Reads an object key and its `:` into `out`; returns the offset of
    /// the key's opening quote.
    #[inline]
    pub(crate) fn key(&mut self, out: &mut Vec<u8>) -> Result<u64, ParseError> {
        self.expect(b'"', "a quoted object key")?;
        let at = self.offset() - 1;
        self.string_body(out)?;
        self.expect(b':', "`:` after an object key")?;
        Ok(at)
    }

    /// Reads a string value (opening quote not yet consumed) into `out`.
    pub(crate) fn string(&mut self, out: &mut Vec<u8>, what: &str) -> Result<(), ParseError> {
        self.expect(b'"', what)?;
        self.string_body(out)
    }

    /// Reads the rest of a string after its opening quote, decoding escapes.
    /// Unpaired surrogate escapes become U+FFFD (formats §12.2). Raw control
    /// characters, which JSON forbids in strings, and strings longer than
    /// [`MAX_STRING`] are errors.
    fn string_body(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        out.clear();
        let start = self.offset() - 1;
        loop {
            if !self.fill()? {
                return Err(self.truncated());
            }
            let chunk = &self.buf[self.pos..self.end];
            let stop = string_stop(chunk);
            let body = stop.unwrap_or(chunk.len());
            if let Some(&b) = chunk.get(body).filter(|&&b| b < 0x20) {
                self.pos += body;
                return Err(self.control_character(b));
            }
            self.append(out, body, start)?;
            if stop.is_none() {
                continue;
            }
            let quote = self.buf[self.pos] == b'"';
            self.pos += 1;
            if quote {
                return Ok(());
            }
            self.escape(out)?;
        }
    }

    /// The error for the raw control character `b` in a string, at the
    /// cursor.
    #[cold]
    fn control_character(&self, b: u8) -> ParseError {
        self.syntax(format!(
            "raw control character 0x{b:02x} in a string (JSON allows it only escaped)"
        ))
    }

    /// Moves the next `len` buffered bytes to `out`, the string that began
    /// at `start`: an error if it grows beyond [`MAX_STRING`] or memory for
    /// it cannot be had.
    fn append(&mut self, out: &mut Vec<u8>, len: usize, start: u64) -> Result<(), ParseError> {
        let too_long = || ParseError::Syntax {
            section: self.section,
            offset: start,
            message: format!(
                "the string that begins here is longer than {} MiB",
                MAX_STRING >> 20
            ),
        };
        if out.len() + len > MAX_STRING {
            return Err(too_long());
        }
        if out.try_reserve(len).is_err() {
            return Err(ParseError::Syntax {
                section: self.section,
                offset: start,
                message: format!(
                    "out of memory for the string that begins here ({} bytes)",
                    out.len() + len
                ),
            });
        }
        out.extend_from_slice(&self.buf[self.pos..self.pos + len]);
        self.pos += len;
        Ok(())
    }

    fn next_byte(&mut self) -> Result<u8, ParseError> {
        if !self.fill()? {
            return Err(self.truncated());
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        let b = self.next_byte()?;
        let simple = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(out),
            _ => {
                self.pos -= 1;
                let escape = if b.is_ascii_graphic() {
                    format!("`\\{}`", char::from(b))
                } else {
                    format!("`\\` followed by byte 0x{b:02x}")
                };
                return Err(self.syntax(format!("unknown escape {escape} in a string")));
            }
        };
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let b = self.next_byte()?;
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.syntax("expected 4 hex digits after `\\u`".into())),
            };
            v = (v << 4) | u16::from(d);
        }
        Ok(v)
    }

    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        let mut first = self.hex4()?;
        loop {
            if !(0xD800..0xDC00).contains(&first) {
                push_char(out, char::from_u32(u32::from(first)).unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            // A high surrogate: pair it with a following `\uDC00..DFFF`.
            if self.peek()? != Some(b'\\') {
                push_char(out, '\u{FFFD}');
                return Ok(());
            }
            self.pos += 1;
            if self.next_byte()? != b'u' {
                // `\` followed by another escape: undo and emit U+FFFD.
                self.pos -= 1;
                push_char(out, '\u{FFFD}');
                return self.escape(out);
            }
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let c =
                    0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00);
                push_char(out, char::from_u32(c).unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            // The high surrogate is unpaired; the second escape starts over,
            // as it may be the high half of a pair itself.
            push_char(out, '\u{FFFD}');
            first = second;
        }
    }

    /// The fast path for the records V8 writes in its own key order and
    /// without whitespace, such as `{"size":72,"nodeId":7,"ordinal":108}`:
    /// when the buffer holds the whole record and it matches `keys` exactly,
    /// returns the three integers and consumes the record; otherwise
    /// consumes nothing and returns `None`, and the caller takes the general
    /// path. Values are limited to 15 digits, well inside the 2^53 cap the
    /// parser enforces, so no overflow check is needed.
    #[inline(always)]
    pub(crate) fn fast_record3(&mut self, keys: [&[u8]; 3]) -> Option<[u64; 3]> {
        let window = &self.buf[self.pos..self.end];
        if window.len() < 128 {
            return None;
        }
        // Written out per key (not a loop) so that, inlined with constant
        // keys, each compare has a known length: a word compare, not a
        // call to `memcmp`.
        let (a, at) = fast_field(window, 0, keys[0])?;
        let (b, at) = fast_field(window, at, keys[1])?;
        let (c, at) = fast_field(window, at, keys[2])?;
        if window.get(at) != Some(&b'}') {
            return None;
        }
        self.pos += at + 1;
        Some([a, b, c])
    }

    /// Reads a JSON number.
    #[inline]
    pub(crate) fn number(&mut self) -> Result<Number, ParseError> {
        let start = self.offset();
        let b = self.peek_token()?;
        if !(b.is_ascii_digit() || b == b'-') {
            return Err(self.unexpected(b, "a number"));
        }
        // Fast path: a run of digits, the only thing V8 writes for sizes and ids.
        let mut value: u64 = 0;
        let mut n_digits = 0u32;
        let mut overflow = false;
        loop {
            if !self.fill()? {
                break;
            }
            let b = self.buf[self.pos];
            if !b.is_ascii_digit() {
                break;
            }
            match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
            {
                Some(v) => value = v,
                None => overflow = true,
            }
            n_digits += 1;
            self.pos += 1;
        }
        if b == b'0' && n_digits > 1 {
            return Err(leading_zero(self.section, start));
        }
        let next = self.peek()?;
        if n_digits > 0 && !overflow && !matches!(next, Some(b'.' | b'e' | b'E')) {
            return Ok(Number::Unsigned(value));
        }
        self.slow_number(start, value, n_digits, overflow)
    }

    /// The general number grammar, for the rare non-plain numbers.
    fn slow_number(
        &mut self,
        start: u64,
        value: u64,
        n_digits: u32,
        overflow: bool,
    ) -> Result<Number, ParseError> {
        let mut text = String::new();
        if n_digits > 0 && !overflow {
            text.push_str(&value.to_string());
        } else if n_digits > 0 {
            return Err(ParseError::Syntax {
                section: self.section,
                offset: start,
                message: "integer too large".into(),
            });
        }
        while let Some(b) = self.peek()? {
            if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E') {
                text.push(char::from(b));
                self.pos += 1;
            } else {
                break;
            }
            if text.len() > 64 {
                break;
            }
        }
        if self.eof && self.pos >= self.end && !text.is_empty() {
            // A number running into end of input means the file was cut.
            return Err(self.truncated());
        }
        let unsigned = text.strip_prefix('-').unwrap_or(&text).as_bytes();
        if unsigned.len() > 1 && unsigned[0] == b'0' && unsigned[1].is_ascii_digit() {
            return Err(leading_zero(self.section, start));
        }
        text.parse::<f64>()
            .map(Number::Float)
            .map_err(|_| ParseError::Syntax {
                section: self.section,
                offset: start,
                message: format!("malformed number `{text}`"),
            })
    }

    /// Skips any JSON value, iteratively: an explicit stack of open
    /// containers (true = object) instead of recursion on deep nesting.
    pub(crate) fn skip_value(&mut self, scratch: &mut Vec<u8>) -> Result<(), ParseError> {
        let mut open: Vec<bool> = Vec::new();
        loop {
            // Read one value start.
            let b = self.peek_token()?;
            match b {
                b'{' | b'[' => {
                    self.pos += 1;
                    let is_object = b == b'{';
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek_token()? == close {
                        self.pos += 1;
                    } else {
                        open.push(is_object);
                        if is_object {
                            self.key(scratch)?;
                        }
                        continue;
                    }
                }
                b'"' => self.string(scratch, "a string")?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => self.skip_number()?,
            }
            // After a complete value: close containers or go to the next item.
            loop {
                let Some(&is_object) = open.last() else {
                    return Ok(());
                };
                let close = if is_object { b'}' } else { b']' };
                if self.comma_or(close)? {
                    if is_object {
                        self.key(scratch)?;
                    }
                    break;
                }
                open.pop();
            }
        }
    }

    /// Skips a number in JSON's grammar, of any length: the value of an
    /// unknown key need not fit `u64`, nor the 64 characters that
    /// [`Self::number`] reads.
    fn skip_number(&mut self) -> Result<(), ParseError> {
        let start = self.offset();
        let b = self.peek_token()?;
        if !(b.is_ascii_digit() || b == b'-') {
            return Err(self.unexpected(b, "a number"));
        }
        if b == b'-' {
            self.pos += 1;
        }
        if self.peek()? == Some(b'0') {
            self.pos += 1;
            if matches!(self.peek()?, Some(b'0'..=b'9')) {
                return Err(leading_zero(self.section, start));
            }
        } else {
            self.skip_digits(start)?;
        }
        if self.peek()? == Some(b'.') {
            self.pos += 1;
            self.skip_digits(start)?;
        }
        if matches!(self.peek()?, Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek()?, Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.skip_digits(start)?;
        }
        Ok(())
    }

    /// Skips the one or more digits that must come next in the number that
    /// starts at `start`.
    fn skip_digits(&mut self, start: u64) -> Result<(), ParseError> {
        let mut any = false;
        while let Some(b) = self.peek()? {
            if !b.is_ascii_digit() {
                break;
            }
            self.pos += 1;
            any = true;
        }
        if any {
            Ok(())
        } else if self.peek()?.is_none() {
            Err(self.truncated())
        } else {
            Err(ParseError::Syntax {
                section: self.section,
                offset: start,
                message: "malformed number: expected a digit".into(),
            })
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ParseError> {
        for &w in word {
            let b = self.next_byte()?;
            if b != w {
                self.pos -= 1;
                return Err(self.unexpected(b, "a JSON value"));
            }
        }
        Ok(())
    }

    /// The next byte, consumed, if it is `b`.
    #[inline]
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        let hit = self.buf[self.pos..self.end].first() == Some(&b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub(crate) fn truncated(&self) -> ParseError {
        ParseError::Truncated {
            section: self.section,
            offset: self.offset(),
        }
    }

    pub(crate) fn syntax(&self, message: String) -> ParseError {
        ParseError::Syntax {
            section: self.section,
            offset: self.offset(),
            message,
        }
    }

    pub(crate) fn unexpected(&self, found: u8, expected: &str) -> ParseError {
        let shown = if found.is_ascii_graphic() {
            format!("`{}`", char::from(found))
        } else {
            format!("byte 0x{found:02x}")
        };
        self.syntax(format!("expected {expected}, found {shown}"))
    }
}

impl<R: Read + Seek> Cursor<R> {
    /// Goes on reading at byte `offset` of the input: what is buffered is
    /// dropped.
    pub(crate) fn seek_to(&mut self, offset: u64) -> Result<(), ParseError> {
        self.src
            .seek(SeekFrom::Start(offset))
            .map_err(|source| ParseError::Io { offset, source })?;
        self.base = offset;
        self.pos = 0;
        self.end = 0;
        self.eof = false;
        Ok(())
    }
}

/// One `key` and its value of [`Cursor::fast_record3`] at `window[at..]`:
/// the value and the offset after it, or `None` for the general path.
#[inline(always)]
fn fast_field(window: &[u8], at: usize, key: &[u8]) -> Option<(u64, usize)> {
    const MAX_DIGITS: usize = 15;
    if !window[at..].starts_with(key) {
        return None;
    }
    let at = at + key.len();
    let digits = window[at..]
        .iter()
        .take(MAX_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    // A leading zero is left to the general path, which rejects it.
    if digits == 0 || digits > MAX_DIGITS || (digits > 1 && window[at] == b'0') {
        return None;
    }
    let value = window[at..at + digits]
        .iter()
        .fold(0u64, |v, &b| v * 10 + u64::from(b - b'0'));
    Some((value, at + digits))
}

/// JSON writes no leading zeros (`01`, `-007`).
fn leading_zero(section: &'static str, offset: u64) -> ParseError {
    ParseError::Syntax {
        section,
        offset,
        message: "malformed number: a leading zero".into(),
    }
}

/// The position of the first byte in `bytes` that ends a run of a
/// string's plain text: `"`, `\\` or a raw control character (below 0x20,
/// an error). One pass, eight bytes at a time: in each word, a byte is
/// flagged when it equals `"` or `\\` (a zero after the XOR) or is below
/// 0x20. A borrow can flag a byte only above a flagged one, so the lowest
/// flag is exact.
#[inline]
fn string_stop(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("invariant: chunks of 8 bytes"));
        let hits = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| base + i)
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::string_stop;

    fn naive(bytes: &[u8]) -> Option<usize> {
        bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
    }

    /// Every stop byte at every position of a run, behind every other byte
    /// value (bytes that a word-wide borrow could confuse: 0x00, 0x1f, 0x20,
    /// 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x80, 0xff among them), and with
    /// a second stop later in the same word.
    #[test]
    fn string_stop_finds_the_first_stop_byte() {
        let stops = [b'"', b'\\', 0x00, 0x01, 0x0a, 0x1f];
        for len in 0..20 {
            for filler in 0x20..=0xffu8 {
                if filler == b'"' || filler == b'\\' {
                    continue;
                }
                let plain = vec![filler; len];
                assert_eq!(string_stop(&plain), None, "{filler:#x} × {len}");
                for at in 0..len {
                    for &stop in &stops {
                        let mut bytes = plain.clone();
                        bytes[at] = stop;
                        if at + 1 < len {
                            bytes[len - 1] = 0;
                        }
                        assert_eq!(string_stop(&bytes), naive(&bytes), "{bytes:?}");
                        assert_eq!(string_stop(&bytes), Some(at), "{bytes:?}");
                    }
                }
            }
        }
    }
}
