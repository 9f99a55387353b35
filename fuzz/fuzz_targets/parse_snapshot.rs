//! Arbitrary bytes into the `.heapsnapshot` / `.heaptimeline` parser, then
//! the whole snapshot pipeline (and the timeline views when the snapshot has
//! an allocation trace) on whatever it accepts. Nothing may panic; an error
//! about a place in the input must name a byte offset inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match heapdiff_parser::parse_snapshot(data) {
        Ok(parsed) => {
            for w in &parsed.warnings {
                let _ = w.to_string();
            }
            let g = &parsed.value;
            assert!(g.n_nodes() > 0, "Ok with no nodes");
            assert_eq!(g.first_edges().len(), g.n_nodes() + 1);
            assert_eq!(g.first_edges()[g.n_nodes()] as usize, g.edges().len());
            assert!(g.edges().targets().iter().all(|&t| t.index() < g.n_nodes()));
            let d = heapdiff_analyzer::snapshot::analyze(g);
            let _ = heapdiff_analyzer::snapshot::summary(g, &d, &Default::default());
            let _ = heapdiff_analyzer::snapshot::dominators_report(g, &d, Some(5));
            if g.trace.is_some() {
                use heapdiff_analyzer::timeline;
                let self_size = d.self_size.to_vec();
                let live = timeline::live_by_trace(g, &self_size, None);
                let _ =
                    timeline::allocation_view(g, &live, Some(10), timeline::AllocationSort::Size);
                let _ = timeline::trace_profile(g, &live, timeline::Measure::Live);
                let _ = timeline::trace_profile(g, &live, timeline::Measure::Allocated);
                let iv = timeline::intervals(g, &self_size);
                let (lo, hi) = timeline::id_range(&iv, 0.0, 1000.0, false);
                let live = timeline::live_by_trace(g, &self_size, Some((lo, hi)));
                let _ = timeline::allocation_view(g, &live, None, timeline::AllocationSort::Size);
            }
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
        | E::BadNumber { offset, .. }
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
