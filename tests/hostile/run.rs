//! Runs the binary on one input under a time limit and an address-space
//! limit, and measures its peak resident memory.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run that has used this much processor time is a hang: the child is
/// killed. Processor time, not wall time, so that a loaded machine does not
/// turn a slow run into a hang (the largest input takes about 1 s).
pub(crate) const CPU_LIMIT: Duration = Duration::from_secs(10);
/// A child that has not finished after this long is killed all the same.
const WALL_LIMIT: Duration = Duration::from_secs(120);
/// The child cannot map more than this (an allocation beyond it aborts the
/// child instead of exhausting the machine).
const ADDRESS_SPACE: u64 = 2 << 30;

pub(crate) struct Outcome {
    /// The exit code, or `None` when killed by a signal.
    pub(crate) code: Option<i32>,
    pub(crate) signal: Option<i32>,
    pub(crate) timed_out: bool,
    pub(crate) peak_rss_kib: u64,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// Runs `heapdiff ARGS` in `dir`; stdout and stderr go to files under
/// `out_dir` named after `tag` (no pipes, so a chatty child cannot block).
pub(crate) fn run(dir: &Path, args: &[OsString], out_dir: &Path, tag: &str) -> Outcome {
    let out_path = out_dir.join(format!("{tag}.stdout"));
    let err_path = out_dir.join(format!("{tag}.stderr"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heapdiff"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(limit_child);
    }
    // Reaped by `wait4` below (std's `wait` gives no resource usage).
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("spawn heapdiff");
    let (status, usage, timed_out) = wait_with_timeout(child.id() as libc::pid_t);
    let outcome = Outcome {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        timed_out,
        peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    let _ = std::fs::remove_file(out_path);
    let _ = std::fs::remove_file(err_path);
    outcome
}

/// In the child: cap the address space; no core files.
fn limit_child() -> std::io::Result<()> {
    set_limit(libc::RLIMIT_AS, ADDRESS_SPACE)?;
    set_limit(libc::RLIMIT_CORE, 0)
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: a plain system call on a valid struct.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Reaps the child with `wait4` (for its resource usage), killing it once
/// it has used `CPU_LIMIT` of processor time or run for `WALL_LIMIT`.
/// Returns the wait status, the usage and whether it was killed.
fn wait_with_timeout(pid: libc::pid_t) -> (i32, libc::rusage, bool) {
    let start = Instant::now();
    let mut pause = Duration::from_micros(500);
    let mut status = 0;
    // SAFETY: rusage is plain old data; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; `pid` is our own child.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            return (status, usage, false);
        }
        assert!(r == 0, "wait4: {}", std::io::Error::last_os_error());
        if cpu_time(pid) > CPU_LIMIT || start.elapsed() > WALL_LIMIT {
            // SAFETY: signalling and reaping our own, still unreaped, child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            return (status, usage, true);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// User plus system time of a running process, from `/proc/PID/stat`
/// (fields 14 and 15, in clock ticks); zero if it cannot be read.
fn cpu_time(pid: libc::pid_t) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // The command name (field 2) is in parentheses and may hold spaces.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let ticks: u64 = rest
        .split_ascii_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}
