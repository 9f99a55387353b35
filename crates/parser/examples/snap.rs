fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let t = std::time::Instant::now();
    let p = heapdiff_parser::parse_snapshot(&bytes).unwrap();
    eprintln!(
        "{:?} nodes {} edges {} strings {} warnings {:?}",
        t.elapsed(),
        p.value.nodes.len(),
        p.value.edges.len(),
        p.value.strings.len(),
        p.warnings
    );
}
