//! Property tests of the `.heapprofile` parser (CONTRIBUTING, property 5).
//! Inputs come from `heapdiff-testkit`: a random profile is written as JSON
//! in V8's layout or a variation the formats spec allows, then parsed.

use heapdiff_model::{HeapProfile, StackId};
use heapdiff_parser::{ParseError, Warning, parse_heapprofile, parse_heapprofile_split_near};
use heapdiff_testkit::{
    ArbParams, JsonOptions, SyntheticProfile, Tier, arb_json_options, arb_profile,
    arb_profile_with, proptest_config,
};
use proptest::prelude::*;
use proptest::sample::Index;

/// One node as comparable values: parent, frame (name, script id, URL,
/// line, column) resolved through the `FrameTable`, self bytes, V8 id.
type FlatStack = (Option<StackId>, String, String, String, i32, i32, u64, u64);

/// A model reduced to what the file says, independent of how ids were
/// interned.
#[derive(Debug, PartialEq, Eq)]
struct Flat {
    stacks: Vec<FlatStack>,
    /// (stack, bytes, ordinal), in file order.
    samples: Vec<(StackId, u64, u64)>,
    /// (missing node id, bytes, ordinal), in file order.
    unattributed: Vec<(u64, u64, u64)>,
}

fn flatten(p: &HeapProfile) -> Flat {
    let s = &p.stacks;
    let f = &p.frames;
    let text = |id| p.strings.get(id).to_string();
    let stacks = s
        .ids()
        .map(|id| {
            let fr = s.frame[id.index()].index();
            (
                s.parent(id),
                text(f.name[fr]),
                text(f.script_id[fr]),
                text(f.url[fr]),
                f.line[fr],
                f.column[fr],
                s.self_bytes[id.index()],
                s.node_id[id.index()],
            )
        })
        .collect();
    let sm = &p.samples;
    let u = &p.unattributed;
    Flat {
        stacks,
        samples: (0..sm.len())
            .map(|i| (sm.stack[i], sm.bytes[i], sm.ordinal[i]))
            .collect(),
        unattributed: (0..u.node_id.len())
            .map(|i| (u.node_id[i], u.bytes[i], u.ordinal[i]))
            .collect(),
    }
}

/// The quirks a correct parse of `expected` reports.
fn expected_warnings(expected: &HeapProfile) -> Vec<Warning> {
    let mut w = Vec::new();
    let lost = (0..expected.frames.len())
        .filter(|&f| {
            let script = expected.strings.get(expected.frames.script_id[f]);
            script != "0" && expected.strings.get(expected.frames.url[f]).is_empty()
        })
        .count() as u64;
    if lost > 0 {
        w.push(Warning::LostScriptInfo { frames: lost });
    }
    let u = &expected.unattributed;
    if !u.node_id.is_empty() {
        let mut distinct = u.node_id.clone();
        distinct.sort_unstable();
        distinct.dedup();
        w.push(Warning::SamplesWithoutNode {
            count: u.node_id.len() as u64,
            bytes: u.bytes.iter().sum(),
            distinct_nodes: distinct.len() as u64,
        });
    }
    w
}

/// Writes `p` with `opts`, parses it back, and compares with the model the
/// testkit builds directly.
fn check_round_trip(p: &SyntheticProfile, opts: &JsonOptions) -> Result<(), TestCaseError> {
    let json = p.to_json(opts);
    let parsed =
        parse_heapprofile(&json[..]).map_err(|e| TestCaseError::fail(format!("{opts:?}: {e}")))?;
    prop_assert!(heapdiff_model::validate(&parsed.value).is_ok());
    let expected = p.to_model();
    prop_assert_eq!(flatten(&parsed.value), flatten(&expected), "{:?}", opts);
    let mut got = parsed.warnings;
    let mut want = expected_warnings(&expected);
    let key = |w: &Warning| format!("{w:?}");
    got.sort_by_key(key);
    want.sort_by_key(key);
    prop_assert_eq!(got, want);
    Ok(())
}

/// A reader that hands out the input in chunks of the given sizes (cycled),
/// so tokens straddle the parser's buffer refills.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl std::io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Parses `json[..len]`, which cuts the text before its closing brace.
fn check_truncated(json: &[u8], len: usize) -> Result<(), TestCaseError> {
    match parse_heapprofile(&json[..len]) {
        Ok(_) => Err(TestCaseError::fail(format!(
            "a prefix of {len} of {} bytes parsed",
            json.len()
        ))),
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                message.contains("byte"),
                "cut at {}: `{}` names no byte offset ({:?})",
                len,
                message,
                e
            );
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Round trip: JSON written by the testkit, in V8's compact layout,
    /// pretty-printed, with keys reordered (samples before head, callFrame
    /// after children), escaped or numeric script ids, parses to a model
    /// with the same stacks (parent, frame, self bytes, node id), samples
    /// and unattributed samples, and reports exactly the expected quirks.
    #[test]
    fn written_json_parses_to_the_same_model(p in arb_profile(), opts in arb_json_options()) {
        check_round_trip(&p, &opts)?;
    }

    /// Where reads split the input does not matter: a reader returning a
    /// few bytes at a time (every string, number and record crossing a
    /// buffer refill) gives the same model as one slice.
    #[test]
    fn reads_split_anywhere_give_the_same_model(
        p in arb_profile_with(ArbParams { max_chain: 60, ..ArbParams::default() }),
        opts in arb_json_options(),
        sizes in prop::collection::vec(prop_oneof![4 => 1usize..8, 1 => 100usize..300], 1..16),
    ) {
        let json = p.to_json(&opts);
        let whole = parse_heapprofile(&json[..]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let chunked = parse_heapprofile(Chunked { data: &json, sizes, next: 0 })
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(flatten(&chunked.value), flatten(&whole.value));
        prop_assert_eq!(chunked.warnings, whole.warnings);
    }

    /// Reading `samples` on two threads changes nothing: with the second
    /// thread starting at the first record after any point, a whole file, a
    /// file with one byte changed and a file cut anywhere give the model and
    /// warnings, or the error (message and byte offset), of one thread.
    #[test]
    fn a_split_anywhere_gives_the_one_thread_result(
        p in arb_profile_with(ArbParams { max_chain: 60, ..ArbParams::default() }),
        opts in arb_json_options(),
        near in any::<Index>(),
        damage in prop::option::of((any::<Index>(), any::<u8>())),
        cut in prop::option::of(any::<Index>()),
    ) {
        let mut json = p.to_json(&opts);
        if let Some((at, byte)) = damage {
            let at = at.index(json.len());
            json[at] = byte;
        }
        if let Some(cut) = cut {
            json.truncate(cut.index(json.len()));
        }
        let near = near.index(json.len().max(1)) as u64;
        check_split(&json, near)?;
    }

    /// Parsing reports, it does not panic: a file cut at any byte before
    /// its end is an error whose message names the byte offset.
    #[test]
    fn truncated_json_is_an_error_naming_the_byte(
        p in arb_profile_with(ArbParams { max_chain: 60, ..ArbParams::default() }),
        opts in arb_json_options(),
        cuts in prop::collection::vec(any::<Index>(), 8),
    ) {
        let json = p.to_json(&opts);
        let closing = json.iter().rposition(|&b| b == b'}').expect("an object");
        // Every length from 1 up to (not including) the closing brace.
        check_truncated(&json, closing)?;
        for cut in cuts {
            check_truncated(&json, 1 + cut.index(closing))?;
        }
    }
}

/// The round trip on a realistic generated profile (unicode and escaped
/// names, recursion, orphan samples), in V8's layout and in every variation.
#[test]
fn generated_small_tier_round_trips() {
    let mut cfg = Tier::Small.config();
    cfg.n_orphan_samples = 5;
    let p = SyntheticProfile::generate(&cfg);
    for opts in [JsonOptions::v8(), JsonOptions::everything()] {
        check_round_trip(&p, &opts).unwrap();
    }
}

/// The round trip on the `medium` and `large` benchmark tiers, whose reads
/// cross the parser's 1 MiB buffer many times. Set `HEAPDIFF_SLOW_TESTS=1`
/// (best with `--release`).
#[test]
fn generated_large_tiers_round_trip() {
    if std::env::var_os("HEAPDIFF_SLOW_TESTS").is_none() {
        return;
    }
    for tier in [Tier::Medium, Tier::Large] {
        let p = tier.profile();
        check_round_trip(&p, &JsonOptions::v8()).unwrap();
        check_round_trip(&p, &JsonOptions::everything()).unwrap();
    }
}

/// The split parse of `json` near byte `near` against the one-thread parse.
fn check_split(json: &[u8], near: u64) -> Result<(), TestCaseError> {
    let one = parse_heapprofile(json);
    let two = parse_heapprofile_split_near(json, near);
    match (one, two) {
        (Ok(one), Ok(two)) => {
            prop_assert_eq!(flatten(&two.value), flatten(&one.value));
            prop_assert_eq!(two.warnings, one.warnings);
        }
        (Err(one), Err(two)) => prop_assert_eq!(two.to_string(), one.to_string()),
        (one, two) => prop_assert!(
            false,
            "one thread: {:?}; two: {:?}",
            one.map(|_| ()),
            two.map(|_| ())
        ),
    }
    Ok(())
}

/// The split at every record of a generated profile with many samples (so
/// that the second thread reads long runs of records, across its buffer),
/// whole and with the record after the split point, the one after that or a
/// late one broken in each way the fast path leaves to the general parser:
/// the same model, or the same error at the same byte.
#[test]
fn a_split_at_every_record_gives_the_one_thread_result() {
    let mut cfg = Tier::Small.config();
    cfg.n_orphan_samples = 5;
    let json = SyntheticProfile::generate(&cfg).to_json(&JsonOptions::v8());
    let starts: Vec<usize> = json
        .windows(9)
        .enumerate()
        .filter(|(_, w)| *w == b",{\"size\":")
        .map(|(i, _)| i)
        .collect();
    assert!(starts.len() > 10_000, "{} records", starts.len());
    let step = starts.len() / 40;
    for &at in starts.iter().step_by(step) {
        check_split(&json, at as u64).unwrap();
    }
    let breaks: [(&[u8], &[u8]); 6] = [
        (b"{\"size\":", b"{\"size\" :"),
        (b"\"nodeId\":", b"\"nodeId\":0"),
        (b"\"ordinal\":", b"\"ordinal\":-"),
        (b"\"ordinal\":", b"\"ordinal\":1e3,\"x\":"),
        (b"{\"size\":", b"{\"size\":9007199254740993,\"y\":"),
        (b"{\"size\":", b"{\"nodeId\":4294967296,\"size\":"),
    ];
    for (n, &at) in starts.iter().step_by(step * 4).enumerate() {
        let (from, to) = breaks[n % breaks.len()];
        for target in [at + 1, at + 1 + 45 * 3, at + 1 + 45 * 5000] {
            let rest = json.get(target..).unwrap_or_default();
            let Some(i) = rest.windows(from.len()).position(|w| w == from) else {
                continue;
            };
            let mut bad = json[..target + i].to_vec();
            bad.extend_from_slice(to);
            bad.extend_from_slice(&json[target + i + from.len()..]);
            check_split(&bad, at as u64).unwrap();
        }
    }
}

/// An empty input is the one cut that is not a truncation: it reports the
/// kind of file instead.
#[test]
fn empty_input_is_wrong_kind() {
    let err = parse_heapprofile(&b""[..]).unwrap_err();
    assert!(matches!(err, ParseError::WrongKind { .. }), "{err:?}");
}
