//! speedscope's JSON file format
//! (<https://www.speedscope.app/file-format-schema.json>): one `sampled`
//! profile in bytes, one weighted sample per call-tree node with self bytes,
//! its frames root first.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq as _, Serializer};

use crate::pprof::Stacks;

/// The `$schema` of the file.
pub const SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

#[derive(Serialize)]
struct File<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    shared: Shared<'a>,
    profiles: [Profile<'a>; 1],
    name: &'a str,
    #[serde(rename = "activeProfileIndex")]
    active_profile_index: u32,
    exporter: &'a str,
}

#[derive(Serialize)]
struct Shared<'a> {
    frames: Frames<'a>,
}

struct Frames<'a>(&'a Stacks);

#[derive(Serialize)]
struct Frame<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    col: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    unit: &'static str,
    start_value: u64,
    end_value: u64,
    samples: Samples<'a>,
    weights: Weights<'a>,
}

/// Stacks are produced while serializing, so a large profile never holds
/// all of them at once.
struct Samples<'a>(&'a Stacks);
struct Weights<'a>(&'a Stacks);

impl Serialize for Frames<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.frames.len()))?;
        for f in &self.0.frames {
            seq.serialize_element(&Frame {
                name: &f.name,
                file: &f.file,
                line: f.line,
                col: f.column,
            })?;
        }
        seq.end()
    }
}

impl Serialize for Samples<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.samples.len()))?;
        let mut path = Vec::new();
        for sample in &self.0.samples {
            self.0.leaf_first(sample.node, &mut path);
            path.reverse();
            seq.serialize_element(&path)?;
        }
        seq.end()
    }
}

impl Serialize for Weights<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.samples.iter().map(|x| x.bytes))
    }
}

/// Writes `stacks` as a speedscope file. `name` names the profile (the
/// input file, say), `exporter` the program (`heapdiff 0.1.0`).
///
/// # Errors
/// When writing fails.
pub fn write(out: &mut dyn Write, stacks: &Stacks, name: &str, exporter: &str) -> io::Result<()> {
    let file = File {
        schema: SCHEMA,
        shared: Shared {
            frames: Frames(stacks),
        },
        profiles: [Profile {
            kind: "sampled",
            name,
            unit: "bytes",
            start_value: 0,
            end_value: stacks.total(),
            samples: Samples(stacks),
            weights: Weights(stacks),
        }],
        name,
        active_profile_index: 0,
        exporter,
    };
    serde_json::to_writer(&mut *out, &file)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pprof::{Frame, Node, Sample};

    #[test]
    fn samples_are_root_first_with_their_weights() {
        let stacks = Stacks {
            frames: vec![
                Frame {
                    name: "main".into(),
                    file: "file:///a.js".into(),
                    line: Some(1),
                    column: Some(5),
                },
                Frame {
                    name: "(GC)".into(),
                    file: String::new(),
                    line: None,
                    column: None,
                },
            ],
            nodes: vec![
                Node {
                    parent: None,
                    frame: 0,
                },
                Node {
                    parent: Some(0),
                    frame: 1,
                },
            ],
            samples: vec![Sample { node: 1, bytes: 7 }, Sample { node: 0, bytes: 3 }],
        };
        let mut out = Vec::new();
        write(&mut out, &stacks, "p", "heapdiff test").unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["$schema"], SCHEMA);
        assert_eq!(
            v["shared"]["frames"],
            serde_json::json!([{"name": "main", "file": "file:///a.js", "line": 1, "col": 5}, {"name": "(GC)"}])
        );
        let p = &v["profiles"][0];
        assert_eq!(p["type"], "sampled");
        assert_eq!(p["unit"], "bytes");
        assert_eq!(p["endValue"], 10);
        assert_eq!(p["samples"], serde_json::json!([[0, 1], [0]]));
        assert_eq!(p["weights"], serde_json::json!([7, 3]));
    }
}
