//! `detect` looks at a prefix of arbitrary bytes: it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kind = heapdiff_parser::detect(data);
    let _ = kind.describe();
});
