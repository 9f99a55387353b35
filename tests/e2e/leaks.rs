//! `heapdiff leaks` on the real series of `fixtures/series`: the leak is
//! the first cluster, and the fixed build and the control give no
//! application-class cluster above what two runs of one build differ by.

use super::{json_in, repo_root};

/// `heapdiff leaks --format json` on snapshots 1, 3 and 5 of a case.
fn leaks_json(case: &str) -> serde_json::Value {
    let dir = repo_root().join("fixtures/series").join(case);
    let mut args = vec!["leaks", "--format", "json", "--top", "0", "-q"];
    args.extend([
        "snapshot-1.heapsnapshot.gz",
        "snapshot-3.heapsnapshot.gz",
        "snapshot-5.heapsnapshot.gz",
    ]);
    json_in(&dir, &args)
}

/// Whether a cluster is application data: a class the service's own
/// scripts define, or objects kept through its collections.
fn is_application(cluster: &serde_json::Value) -> bool {
    let from_app = cluster["source"]["url"]
        .as_str()
        .is_some_and(|u| u.contains("/heapdiff-series/src/"));
    let through_app = cluster["path"].as_array().unwrap().iter().any(|s| {
        let edge = s["edge"].as_str().unwrap();
        edge == ".requestLog" || edge == ".itemCache"
    });
    from_app || through_app
}

/// The leaking build: 377 `RequestRecord`s (the orders of batches 2 and 3)
/// at cache.js:37:14, kept through `requestLog`, come first.
#[test]
fn the_leaking_records_are_the_first_cluster() {
    let r = leaks_json("leak");
    assert_eq!(r["kind"], "leaks");
    let first = &r["clusters"][0];
    assert_eq!(first["class"], "RequestRecord");
    assert_eq!(first["count"], 377);
    // 1,152 bytes retained per record (fixtures/series/README.md).
    assert_eq!(first["retained_size"], 377 * 1152);
    let at = &first["source"];
    assert!(at["url"].as_str().unwrap().ends_with("/cache.js"));
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(37), Some(14))
    );
    let edges: Vec<&str> = first["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["edge"].as_str().unwrap())
        .collect();
    assert!(edges.contains(&".requestLog"), "{edges:?}");
}

/// The fixed build and the control: no application-class cluster, and
/// what survives is no more than what survives in either of two runs of
/// the fixed build (the noise floor).
#[test]
fn fixed_and_control_give_no_application_cluster() {
    let reports = ["fixed", "fixed-rerun", "control"].map(|case| (case, leaks_json(case)));
    let survivors = |r: &serde_json::Value| r["survivors_retained"].as_u64().unwrap();
    let noise = survivors(&reports[0].1).max(survivors(&reports[1].1));
    for (case, r) in &reports {
        let clusters = r["clusters"].as_array().unwrap();
        assert!(
            !clusters.iter().any(is_application),
            "{case}: {clusters:#?}"
        );
        assert!(survivors(r) <= noise, "{case}");
    }
    // The leak is far above that floor.
    assert!(survivors(&leaks_json("leak")) > 1000 * noise);
}
