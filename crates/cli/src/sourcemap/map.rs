//! One parsed source map, flattened: index maps (`sections`) become one
//! token list, sorted by generated position, with a per-line index, so a
//! lookup is one binary search within a line. The VLQ `mappings` are
//! decoded by `oxc_sourcemap`; `sourcesContent` is skipped unread.

use std::sync::Arc;

use oxc_sourcemap::{JSONSourceMap, SourceMap};
use serde::Deserialize;

/// A source map as written: a plain map or an index map.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMap {
    version: u32,
    file: Option<String>,
    mappings: Option<String>,
    source_root: Option<String>,
    #[serde(default)]
    sources: Vec<Option<String>>,
    #[serde(default)]
    names: Vec<String>,
    sections: Option<Vec<RawSection>>,
}

#[derive(Deserialize)]
struct RawSection {
    offset: RawOffset,
    map: Box<RawMap>,
}

#[derive(Deserialize)]
struct RawOffset {
    line: u32,
    column: u32,
}

/// Only the `file` field, to match a map to its script without parsing
/// the mappings of a map that matches none.
#[derive(Deserialize)]
struct FileOnly {
    file: Option<String>,
}

/// The `file` field of a map, `None` when absent or unreadable (the full
/// parse reports what is wrong).
pub(crate) fn file_field(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<FileOnly>(bytes).ok()?.file
}

/// A mapping: a generated position and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) src_line: u32,
    pub(crate) src_column: u32,
    /// Index into `sources`; `NONE` for a mapping without a source.
    pub(crate) source: u32,
    /// Index into `names`; `NONE` when the mapping has no name.
    pub(crate) name: u32,
}

pub(crate) const NONE: u32 = u32::MAX;

/// A parsed, flattened source map.
#[derive(Debug, Default)]
pub(crate) struct ParsedMap {
    pub(crate) file: Option<String>,
    pub(crate) sources: Vec<Arc<str>>,
    pub(crate) names: Vec<Arc<str>>,
    /// Sorted by (line, column).
    pub(crate) mappings: Vec<Mapping>,
    /// `mappings[line_start[l]..line_start[l + 1]]` are those of line `l`.
    line_start: Vec<u32>,
}

impl ParsedMap {
    /// Parses a source map (plain or index map).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, String> {
        let raw: RawMap =
            serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
        let mut map = Self {
            file: raw.file.clone(),
            ..Self::default()
        };
        map.add(raw, 0, 0, 0)?;
        // Maps list each line's mappings in order almost always; sort only
        // when one does not.
        if !map.mappings.is_sorted_by_key(|m| (m.line, m.column)) {
            map.mappings.sort_by_key(|m| (m.line, m.column));
        }
        map.index_lines()?;
        Ok(map)
    }

    /// Adds a map's mappings, shifted by its section's offset.
    fn add(&mut self, raw: RawMap, line: u32, column: u32, depth: u32) -> Result<(), String> {
        if raw.version != 3 {
            return Err(format!("version {} is not 3", raw.version));
        }
        if let Some(sections) = raw.sections {
            if depth > 0 {
                return Err("a section of an index map is itself an index map".to_string());
            }
            for s in sections {
                self.add(*s.map, s.offset.line, s.offset.column, depth + 1)?;
            }
            return Ok(());
        }
        let Some(mappings) = raw.mappings else {
            return Err("it has neither `mappings` nor `sections`".to_string());
        };
        let root = raw.source_root.filter(|r| !r.is_empty());
        let sources: Vec<String> = raw
            .sources
            .into_iter()
            .map(|s| join_root(root.as_deref(), &s.unwrap_or_default()))
            .collect();
        // The sources and names move into the decoder, which keeps them as
        // shared strings; they are taken back from it, not copied.
        let decoded = SourceMap::from_json(JSONSourceMap {
            version: 3,
            file: None,
            mappings,
            source_root: None,
            sources,
            sources_content: None,
            names: raw.names,
            debug_id: None,
            x_google_ignore_list: None,
        })
        .map_err(|e| format!("bad `mappings`: {e}"))?;
        let (source_base, name_base) = (count(&self.sources)?, count(&self.names)?);
        self.mappings.extend(decoded.get_tokens().map(|t| {
            let shifted_line = t.get_dst_line().saturating_add(line);
            let shifted_column = if t.get_dst_line() == 0 {
                t.get_dst_col().saturating_add(column)
            } else {
                t.get_dst_col()
            };
            Mapping {
                line: shifted_line,
                column: shifted_column,
                src_line: t.get_src_line(),
                src_column: t.get_src_col(),
                source: t.get_source_id().map_or(NONE, |s| s + source_base),
                name: t.get_name_id().map_or(NONE, |n| n + name_base),
            }
        }));
        self.sources.extend(decoded.get_sources().cloned());
        self.names.extend(decoded.get_names().cloned());
        Ok(())
    }

    fn index_lines(&mut self) -> Result<(), String> {
        let lines = self.mappings.last().map_or(0, |m| m.line as usize + 1);
        let mut start = Vec::with_capacity(lines + 1);
        let mut i = 0usize;
        for line in 0..=lines {
            while i < self.mappings.len() && (self.mappings[i].line as usize) < line {
                i += 1;
            }
            start.push(u32::try_from(i).map_err(|_| "too many mappings".to_string())?);
        }
        self.line_start = start;
        Ok(())
    }

    /// The mappings of a generated line.
    pub(crate) fn line(&self, line: u32) -> &[Mapping] {
        let l = line as usize;
        match (self.line_start.get(l), self.line_start.get(l + 1)) {
            (Some(&a), Some(&b)) => &self.mappings[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The mapping that covers a generated position: the last one at or
    /// before it on its line; its index within the line too.
    pub(crate) fn lookup(&self, line: u32, column: u32) -> Option<(usize, &Mapping)> {
        let on_line = self.line(line);
        let after = on_line.partition_point(|m| m.column <= column);
        let i = after.checked_sub(1)?;
        Some((i, &on_line[i]))
    }

    /// The name of a mapping, if it has one.
    pub(crate) fn name(&self, m: &Mapping) -> Option<&str> {
        self.names.get(m.name as usize).map(|n| &**n)
    }

    /// The source of a mapping, if it has one.
    pub(crate) fn source(&self, m: &Mapping) -> Option<&str> {
        self.sources.get(m.source as usize).map(|s| &**s)
    }
}

fn count<T>(v: &[T]) -> Result<u32, String> {
    u32::try_from(v.len()).map_err(|_| "too many sources or names".to_string())
}

/// A source as the map names it, under `sourceRoot`.
fn join_root(root: Option<&str>, source: &str) -> String {
    match root {
        Some(r) if !source.contains("://") && !source.starts_with('/') => {
            if r.ends_with('/') {
                format!("{r}{source}")
            } else {
                format!("{r}/{source}")
            }
        }
        _ => source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `mappings` of two lines: line 0 maps column 0 to a.js 0:0 and column
    // 9 to a.js 1:2 with name 0; line 1 maps column 4 to b.js 3:0.
    const PLAIN: &str = r#"{"version":3,"sources":["a.js","b.js"],"names":["handle"],"mappings":"AAAA,SACEA;ICEF"}"#;

    #[test]
    fn looks_up_the_last_mapping_at_or_before_a_position() {
        let m = ParsedMap::parse(PLAIN.as_bytes()).expect("parses");
        let (_, hit) = m.lookup(0, 12).expect("mapped");
        assert_eq!((hit.src_line, hit.src_column), (1, 2));
        assert_eq!(m.source(hit), Some("a.js"));
        assert_eq!(m.name(hit), Some("handle"));
        let (_, first) = m.lookup(0, 3).expect("mapped");
        assert_eq!(
            (first.src_line, first.src_column, m.name(first)),
            (0, 0, None)
        );
        assert_eq!(m.lookup(1, 2), None, "before the line's first mapping");
        let (_, b) = m.lookup(1, 30).expect("mapped");
        assert_eq!((m.source(b), b.src_line), (Some("b.js"), 3));
        assert_eq!(m.lookup(7, 0), None, "past the last line");
    }

    #[test]
    fn index_map_sections_are_shifted_by_their_offsets() {
        let index = format!(
            r#"{{"version":3,"sections":[{{"offset":{{"line":0,"column":0}},"map":{PLAIN}}},{{"offset":{{"line":5,"column":100}},"map":{PLAIN}}}]}}"#
        );
        let m = ParsedMap::parse(index.as_bytes()).expect("parses");
        assert_eq!(m.sources.len(), 4);
        let (_, hit) = m.lookup(5, 109).expect("second section");
        assert_eq!((hit.src_line, hit.src_column), (1, 2));
        assert_eq!(m.source(hit), Some("a.js"));
        assert_eq!(m.name(hit), Some("handle"));
        assert_eq!(m.lookup(5, 99), None, "before the section starts");
        let (_, later) = m.lookup(6, 4).expect("second line of the section");
        assert_eq!(m.source(later), Some("b.js"));
    }

    #[test]
    fn source_root_prefixes_relative_sources() {
        let m = ParsedMap::parse(
            br#"{"version":3,"sourceRoot":"webpack:///","sources":["./src/a.ts"],"names":[],"mappings":"AAAA"}"#,
        )
        .expect("parses");
        assert_eq!(m.sources, [Arc::from("webpack:///./src/a.ts")]);
    }

    #[test]
    fn corrupt_maps_say_what_is_wrong() {
        let e = |s: &str| ParsedMap::parse(s.as_bytes()).expect_err("refused");
        assert!(e("{").starts_with("not valid JSON"), "{}", e("{"));
        assert_eq!(e(r#"{"version":2,"mappings":""}"#), "version 2 is not 3");
        assert!(e(r#"{"version":3,"sources":[],"mappings":"A!"}"#).starts_with("bad `mappings`"));
        assert!(
            e(r#"{"version":3,"sources":["a"],"names":[],"mappings":"AAAAC"}"#)
                .starts_with("bad `mappings`")
        );
        assert_eq!(
            e(r#"{"version":3,"sources":[]}"#),
            "it has neither `mappings` nor `sections`"
        );
    }

    #[test]
    fn file_field_is_read_alone() {
        assert_eq!(
            file_field(br#"{"file":"app.js","mappings":";;"}"#).as_deref(),
            Some("app.js")
        );
        assert_eq!(file_field(br#"{"mappings":""}"#), None);
    }
}
