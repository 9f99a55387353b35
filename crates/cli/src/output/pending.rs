//! Temporary files that SIGINT or SIGTERM must not leave behind.
//!
//! The signals are received by a thread through `signal-hook`'s iterator
//! (its handler only writes to a pipe, which is async-signal-safe); that
//! thread removes the temporary files listed here and then ends the process
//! the way the signal would have, so the exit status still says which
//! signal it was. The thread starts with the first temporary file.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static LISTENER: Once = Once::new();

/// The list of temporary files, locked. A signal that arrives while it is
/// held is handled once it is released, so whatever happens under the lock
/// (creating a temporary file and listing it, renaming it and taking it off
/// the list) happens whole or not at all.
pub(super) fn lock() -> MutexGuard<'static, Vec<PathBuf>> {
    LISTENER.call_once(listen);
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Takes `path` off the list (it was renamed or removed).
pub(super) fn forget(list: &mut Vec<PathBuf>, path: &Path) {
    list.retain(|p| p != path);
}

#[cfg(not(unix))]
fn listen() {}

#[cfg(unix)]
fn listen() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    // The thread sets up the signal handlers itself and says when they are
    // in place, so that a thread that cannot start leaves the signals with
    // their default action (the output is still never half-written; only a
    // temporary file may stay).
    let (ready, in_place) = std::sync::mpsc::sync_channel(0);
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]);
            let _ = ready.send(());
            if let Some(signal) = signals.ok().and_then(|mut s| s.forever().next()) {
                remove_all_and_die(signal);
            }
        });
    if spawned.is_ok() {
        let _ = in_place.recv();
    }
}

#[cfg(unix)]
fn remove_all_and_die(signal: i32) {
    let list = PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for path in list.iter() {
        let _ = std::fs::remove_file(path);
    }
    // Ends the process while the list is still locked, so that no new
    // temporary file appears.
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::abort();
}
