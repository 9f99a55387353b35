//! Writes a [`SyntheticProfile`] as `.heapprofile` JSON: V8's own compact
//! layout by default, or the variations the formats spec allows (pretty
//! whitespace, any key order, `\u` escapes, numeric script ids).
//!
//! The tree is written with an explicit stack, so deep chains are fine.

use crate::synth::{SynthFrame, SyntheticProfile};

/// How the JSON text is laid out. The default is what `node --heap-prof`
/// writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JsonOptions {
    /// Newlines and two-space indentation, as `JSON.stringify(p, null, 2)`.
    pub pretty: bool,
    /// `samples` before `head`, `callFrame` after `children`, and every
    /// object's keys in reverse order.
    pub reorder_keys: bool,
    /// Every non-ASCII character as a `\uXXXX` escape (surrogate pairs
    /// beyond the BMP), and `/` as `\/`.
    pub escape_non_ascii: bool,
    /// `"scriptId": 12` instead of `"scriptId": "12"`.
    pub numeric_script_ids: bool,
}

impl JsonOptions {
    /// V8's own layout.
    #[must_use]
    pub fn v8() -> Self {
        Self::default()
    }

    /// All variations at once.
    #[must_use]
    pub fn everything() -> Self {
        Self {
            pretty: true,
            reorder_keys: true,
            escape_non_ascii: true,
            numeric_script_ids: true,
        }
    }
}

impl SyntheticProfile {
    /// The profile as `.heapprofile` JSON text.
    #[must_use]
    pub fn to_json(&self, opts: &JsonOptions) -> Vec<u8> {
        // About 45 bytes per sample and 170 per node in V8's layout.
        let mut w = Writer::new(opts, 45 * self.samples.len() + 170 * self.nodes.len());
        w.begin(b'{');
        if opts.reorder_keys {
            self.write_samples(&mut w);
            self.write_head(&mut w);
        } else {
            self.write_head(&mut w);
            self.write_samples(&mut w);
        }
        w.end(b'}');
        if opts.pretty {
            w.out.push(b'\n');
        }
        w.out
    }

    fn write_head(&self, w: &mut Writer<'_>) {
        enum Step {
            Open(u32),
            Close(u32),
        }
        let children = self.children();
        w.key("head");
        let mut todo = vec![Step::Open(0)];
        while let Some(step) = todo.pop() {
            match step {
                Step::Open(i) => {
                    if i != 0 {
                        w.item();
                    }
                    let n = &self.nodes[i as usize];
                    w.begin(b'{');
                    if w.opts.reorder_keys {
                        w.key("id");
                        w.uint(n.id);
                        w.key("selfSize");
                        w.uint(n.self_size);
                    } else {
                        self.write_call_frame(w, i as usize);
                        w.key("selfSize");
                        w.uint(n.self_size);
                        w.key("id");
                        w.uint(n.id);
                    }
                    w.key("children");
                    w.begin(b'[');
                    todo.push(Step::Close(i));
                    todo.extend(children[i as usize].iter().rev().map(|&c| Step::Open(c)));
                }
                Step::Close(i) => {
                    w.end(b']');
                    if w.opts.reorder_keys {
                        self.write_call_frame(w, i as usize);
                    }
                    w.end(b'}');
                }
            }
        }
    }

    fn write_call_frame(&self, w: &mut Writer<'_>, i: usize) {
        let f: &SynthFrame = self.frame_of(i);
        w.key("callFrame");
        w.begin(b'{');
        let script = |w: &mut Writer<'_>| {
            w.key("scriptId");
            match f.script_id.parse::<u64>() {
                Ok(v) if w.opts.numeric_script_ids && v.to_string() == f.script_id => w.uint(v),
                _ => w.string(&f.script_id),
            }
        };
        if w.opts.reorder_keys {
            w.key("columnNumber");
            w.int(f.column.into());
            w.key("lineNumber");
            w.int(f.line.into());
            w.key("url");
            w.string(&f.url);
            script(w);
            w.key("functionName");
            w.string(&f.name);
        } else {
            w.key("functionName");
            w.string(&f.name);
            script(w);
            w.key("url");
            w.string(&f.url);
            w.key("lineNumber");
            w.int(f.line.into());
            w.key("columnNumber");
            w.int(f.column.into());
        }
        w.end(b'}');
    }

    fn write_samples(&self, w: &mut Writer<'_>) {
        w.key("samples");
        w.begin(b'[');
        for s in &self.samples {
            w.item();
            w.begin(b'{');
            let fields = [
                ("size", s.size),
                ("nodeId", s.node_id),
                ("ordinal", s.ordinal),
            ];
            if w.opts.reorder_keys {
                for (k, v) in fields.iter().rev() {
                    w.key(k);
                    w.uint(*v);
                }
            } else {
                for (k, v) in fields {
                    w.key(k);
                    w.uint(v);
                }
            }
            w.end(b'}');
        }
        w.end(b']');
    }
}

/// A minimal JSON emitter: containers track whether they have items, which
/// is all that commas and pretty indentation need.
struct Writer<'a> {
    out: Vec<u8>,
    opts: &'a JsonOptions,
    /// One flag per open container: has it an item yet?
    has_items: Vec<bool>,
}

impl<'a> Writer<'a> {
    fn new(opts: &'a JsonOptions, capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
            opts,
            has_items: Vec::new(),
        }
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        let width = 2 * self.has_items.len();
        self.out.resize(self.out.len() + width, b' ');
    }

    fn begin(&mut self, open: u8) {
        self.out.push(open);
        self.has_items.push(false);
    }

    fn end(&mut self, close: u8) {
        let had_items = self
            .has_items
            .pop()
            .expect("invariant: balanced containers");
        if self.opts.pretty && had_items {
            self.newline();
        }
        self.out.push(close);
    }

    /// Starts an array element or an object member.
    fn item(&mut self) {
        let top = self
            .has_items
            .last_mut()
            .expect("invariant: inside a container");
        if std::mem::replace(top, true) {
            self.out.push(b',');
        }
        if self.opts.pretty {
            self.newline();
        }
    }

    fn key(&mut self, k: &str) {
        self.item();
        self.string(k);
        self.out.push(b':');
        if self.opts.pretty {
            self.out.push(b' ');
        }
    }

    fn uint(&mut self, mut v: u64) {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        loop {
            at -= 1;
            let digit = (v % 10) as u8;
            buf[at] = b'0' + digit;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&buf[at..]);
    }

    fn int(&mut self, v: i64) {
        if v < 0 {
            self.out.push(b'-');
        }
        self.uint(v.unsigned_abs());
    }

    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        let escape_more = self.opts.escape_non_ascii;
        let plain = |b: u8| {
            b >= 0x20 && b != b'"' && b != b'\\' && !(escape_more && (b >= 0x80 || b == b'/'))
        };
        if s.bytes().all(plain) {
            self.out.extend_from_slice(s.as_bytes());
        } else {
            for c in s.chars() {
                self.char(c);
            }
        }
        self.out.push(b'"');
    }

    fn char(&mut self, c: char) {
        let escaped: &[u8] = match c {
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            '\u{8}' => b"\\b",
            '\u{c}' => b"\\f",
            '/' if self.opts.escape_non_ascii => b"\\/",
            c if (c as u32) < 0x20 || (!c.is_ascii() && self.opts.escape_non_ascii) => {
                let mut units = [0u16; 2];
                for &u in c.encode_utf16(&mut units).iter() {
                    // Both hex cases occur in real files; surrogates get upper case.
                    let text = if u >= 0xD800 {
                        format!("\\u{u:04X}")
                    } else {
                        format!("\\u{u:04x}")
                    };
                    self.out.extend_from_slice(text.as_bytes());
                }
                return;
            }
            c => {
                let mut buf = [0u8; 4];
                self.out
                    .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return;
            }
        };
        self.out.extend_from_slice(escaped);
    }
}
