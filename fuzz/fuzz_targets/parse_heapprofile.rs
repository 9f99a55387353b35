//! Arbitrary bytes into the `.heapprofile` parser, then every analysis on
//! whatever it accepts. Nothing may panic; a parsed model must validate; the
//! root total must equal the sum of self sizes; an error must name a byte
//! offset inside the input when it is about a place in the input. The
//! two-thread parse (split at the first record after the middle) gives the
//! same samples, or the same error, as one thread.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let one = heapdiff_parser::parse_heapprofile(data);
    let two = heapdiff_parser::parse_heapprofile_split_near(data, data.len() as u64 / 2);
    match (&one, &two) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.value.samples.stack, b.value.samples.stack);
            assert_eq!(a.value.samples.bytes, b.value.samples.bytes);
            assert_eq!(a.value.samples.ordinal, b.value.samples.ordinal);
            assert_eq!(a.value.unattributed.node_id, b.value.unattributed.node_id);
            assert_eq!(a.warnings, b.warnings);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one thread and two disagree on whether the input parses"),
    }
    match one {
        Ok(parsed) => {
            for w in &parsed.warnings {
                let _ = w.to_string();
            }
            let p = &parsed.value;
            if let Err(e) = heapdiff_model::validate(p) {
                panic!("parsed profile breaks a model invariant: {e}");
            }
            let w = heapdiff_analyzer::Weights::self_size(p);
            let t = heapdiff_analyzer::call_tree(p, &w);
            let top = heapdiff_analyzer::top(p, &t, &Default::default());
            let _ = heapdiff_analyzer::bottom_up(p, &t, &Default::default());
            let _ = heapdiff_analyzer::top_down(p, &t, &Default::default());
            let _ = heapdiff_analyzer::collapse(p, &t);

            let sum: u128 = p.stacks.self_bytes.iter().map(|&b| u128::from(b)).sum();
            if sum <= u128::from(u64::MAX) {
                assert_eq!(
                    u128::from(t.root_total()),
                    sum,
                    "root total != sum of self sizes"
                );
                assert_eq!(
                    top.totals.total,
                    t.root_total(),
                    "top's total != root total"
                );
            }
            assert_eq!(p.samples.stack.len(), p.samples.bytes.len());
            assert_eq!(p.samples.stack.len(), p.samples.ordinal.len());
            assert_eq!(p.unattributed.node_id.len(), p.unattributed.bytes.len());
            assert_eq!(p.unattributed.node_id.len(), p.unattributed.ordinal.len());
        }
        Err(e) => check_error(&e, data.len() as u64),
    }
});

/// Errors about a place in the input say `byte N`, with N within the input.
fn check_error(e: &heapdiff_parser::ParseError, len: u64) {
    use heapdiff_parser::ParseError as E;
    let msg = e.to_string();
    assert!(!msg.is_empty());
    let offset = match e {
        E::Truncated { offset, .. }
        | E::Syntax { offset, .. }
        | E::BadValue { offset, .. }
        | E::DuplicateNodeId { offset, .. }
        | E::Io { offset, .. } => *offset,
        _ => return,
    };
    assert!(
        offset <= len,
        "error offset {offset} beyond input length {len}: {msg}"
    );
    assert!(
        msg.contains(&format!("byte {offset}")),
        "message does not name the offset: {msg}"
    );
}
