//! `timeline::window_profiles` on a real recording: the windows are
//! cumulative (no stack loses bytes from one window to the next) and the
//! last one holds every live object, as `as_profile` without a span.

use std::io::Read as _;
use std::path::Path;

use heapdiff_analyzer::timeline::{self, Measure};

#[test]
fn windows_are_cumulative_and_the_last_holds_every_live_object() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/heaptimeline/node-worker/input.heaptimeline.gz");
    let mut bytes = Vec::new();
    flate2::read::MultiGzDecoder::new(&std::fs::read(&path).unwrap()[..])
        .read_to_end(&mut bytes)
        .unwrap();
    let g = heapdiff_parser::parse_snapshot(&bytes).unwrap().value;
    let all = timeline::as_profile(&g, Measure::Live, None).unwrap();
    let windows = timeline::window_profiles(&g, &all.self_size, 4);
    assert_eq!(windows.len(), 4);
    for pair in windows.windows(2) {
        let (a, b) = (&pair[0].stacks.self_bytes, &pair[1].stacks.self_bytes);
        assert_eq!(a.len(), b.len(), "one call tree shape for every window");
        assert!(a.iter().zip(b).all(|(x, y)| x <= y), "a window lost bytes");
    }
    assert!(
        windows[0].stacks.self_bytes.iter().sum::<u64>()
            < windows[3].stacks.self_bytes.iter().sum::<u64>()
    );
    assert_eq!(windows[3].stacks.self_bytes, all.profile.stacks.self_bytes);
}
