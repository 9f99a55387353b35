#!/usr/bin/env python3
"""Interleaved timing of several commands, for the bench-*.sh scripts.

Each round runs every command once (the order rotated by one each round), so that load from
other work on the machine falls on all commands alike, and each command is compared with a
reference run in the same round (normally `cat FILE > /dev/null` of the same input).

    python3 scripts/bench/interleave.py --spec SPEC.tsv --json OUT.json --md OUT.md
            [--runs 5] [--warmup 1] [--title TEXT] [--keep-cache]

SPEC.tsv   one command a line: NAME <tab> REFERENCE <tab> SHELL COMMAND; REFERENCE is the NAME
           of the command it is compared with (`-` for none, as for the references themselves)
OUT.json   hyperfine-shaped results ({"results": [{command, mean, stddev, median, min, max, user,
           system, times}]}) plus, per command, cpu_times (user+system of each run, in round
           order like times), peak_rss_kb (the largest of its runs), ratio (the
           median, min and max of the per-round ratios of wall times to the reference) and
           reference; for a `cat FILE... > /dev/null` command also bytes_read (the files' size) and
           read_gb_per_s (at its median wall time), which the Markdown prints under the table; at
           the top level, recached (the files dropped from the page cache and read back)
OUT.md     a Markdown table: median wall, min-max, ratio to the reference, CPU, peak RSS

Before the first round, the files of every `cat FILE... > /dev/null` reference are dropped from
the page cache and read back once (--keep-cache leaves them as they are). How fast `cat` reads a
cached file depends on how the file was written: a file written in small pieces (the timeline
generator writes each inspector chunk as it arrives; `dd bs=4k` reproduces it) stays cached in
small pages and reads up to 2x slower than the same bytes read in from disk, while heapdiff's
times do not change (BENCHMARKS.md, 2026-12-04, 10:30-11:20 UTC). Read back, every file is
cached alike, whatever wrote it, and the ratios compare across runs.

Every run is `/usr/bin/time -f %M bash -c "exec COMMAND"`, waited for with wait4(2): wall time
from a monotonic clock around it, user and system CPU time from its rusage (which includes the
command's; microseconds, where GNU time prints hundredths), peak RSS from GNU time (%M, KB).
Nothing is subtracted; the median wall time of `true` run the same way (the cost of starting
GNU time and bash) is reported. A command that exits non-zero stops the measurement.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def read_spec(path):
    cmds = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t", 2)
            if len(parts) != 3:
                sys.exit(f"interleave: {path}: a line needs NAME, REFERENCE and COMMAND separated by tabs: {line}")
            name, ref, cmd = parts
            cmds.append({"name": name, "ref": None if ref == "-" else ref, "cmd": cmd})
    names = {c["name"] for c in cmds}
    for c in cmds:
        if c["ref"] and c["ref"] not in names:
            sys.exit(f"interleave: {c['name']}: unknown reference {c['ref']}")
    return cmds


def run_once(cmd, time_file):
    """Wall seconds, user seconds, system seconds and peak RSS (KB) of one run."""
    t0 = time.perf_counter()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", time_file, "bash", "-c", f"exec {cmd}"],
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        last = err.decode(errors="replace").strip().split("\n")[-1]
        sys.exit(f"interleave: '{cmd}' exited with {child.returncode}: {last}")
    with open(time_file, encoding="ascii") as f:
        rss = int(f.read().split()[-1])
    return {"wall": wall, "user": usage.ru_utime, "system": usage.ru_stime, "rss": rss}


def measure(cmds, runs, warmup, time_file):
    overhead = []
    samples = [[] for _ in cmds]
    for rnd in range(warmup + runs):
        recorded = rnd >= warmup
        if recorded:
            overhead.append(run_once("true", time_file)["wall"])
        for k in range(len(cmds)):
            i = (k + rnd) % len(cmds)
            run = run_once(cmds[i]["cmd"], time_file)
            if recorded:
                samples[i].append(run)
        done = ", ".join(f"{c['name']} {samples[i][-1]['wall']:.3f} s" if recorded else c["name"]
                         for i, c in enumerate(cmds))
        print(f"interleave: round {rnd + 1}/{warmup + runs}{'' if recorded else ' (warmup)'}: {done}",
              file=sys.stderr, flush=True)
    return statistics.median(overhead), samples


def summarise(cmds, samples):
    walls = [[r["wall"] for r in runs] for runs in samples]
    by_name = {c["name"]: i for i, c in enumerate(cmds)}
    results = []
    for i, c in enumerate(cmds):
        times = walls[i]
        res = {
            "command": c["name"], "reference": c["ref"], "shell": c["cmd"],
            "mean": statistics.mean(times),
            "stddev": statistics.stdev(times) if len(times) > 1 else None,
            "median": statistics.median(times), "min": min(times), "max": max(times),
            "user": statistics.mean(r["user"] for r in samples[i]),
            "system": statistics.mean(r["system"] for r in samples[i]),
            "cpu_median": statistics.median(r["user"] + r["system"] for r in samples[i]),
            "times": times, "cpu_times": [r["user"] + r["system"] for r in samples[i]],
            "peak_rss_kb": max(r["rss"] for r in samples[i]),
        }
        read = read_size(c["cmd"])
        if read is not None:
            res["bytes_read"] = read
            res["read_gb_per_s"] = read / res["median"] / 1e9
        if c["ref"]:
            ref_times = walls[by_name[c["ref"]]]
            ratios = [t / r for t, r in zip(times, ref_times)]
            res["ratio"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
        results.append(res)
    return results


def markdown(results, args, overhead, load, recached):
    """The Markdown table; `recached` tells whether the references' files were read back."""
    out = []
    if args.title:
        out += [args.title, ""]
    cache = ""
    if args.keep_cache:
        cache = "the references' files were left in the page cache as they were (--keep-cache); "
    elif recached:
        cache = "the references' files were dropped from the page cache and read back first; "
    out += [f"{args.runs} interleaved rounds after {args.warmup} warmup round(s); {cache}load average {load[0]} at start, "
             f"{load[1]} at end; starting a command (GNU time and `bash -c true`) took {overhead * 1000:.1f} ms (median), "
             "included in every time.", ""]
    out += ["| command | wall median (s) | min–max (s) | × reference (median of rounds) | min–max | "
            "CPU user+sys median (s) | peak RSS (MB) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        ratio = f"{r['ratio']['median']:.2f}× `{r['reference']}`" if r["reference"] else "–"
        spread = f"{r['ratio']['min']:.2f}–{r['ratio']['max']:.2f}" if r["reference"] else "–"
        out.append(f"| `{r['command']}` | {r['median']:.3f} | {r['min']:.3f}–{r['max']:.3f} | {ratio} | {spread} | "
                   f"{r['cpu_median']:.2f} | {r['peak_rss_kb'] * 1024 / 1e6:.0f} |")
    reads = [r for r in results if "read_gb_per_s" in r]
    if reads:
        out += [""] + ["`{}` read {:,} bytes at {:.1f} GB/s (median round).".format(
            r["command"], r["bytes_read"], r["read_gb_per_s"]) for r in reads]
    return "\n".join(out) + "\n"


def read_files(cmd):
    """The files of a `cat FILE... > /dev/null` command (a reference), else None."""
    try:
        parts = shlex.split(cmd)
    except ValueError:
        return None
    files = parts[1:-2]
    if len(parts) < 4 or parts[0] != "cat" or parts[-2:] != [">", "/dev/null"]:
        return None
    if not all(os.path.isfile(f) for f in files):
        return None
    return files


def read_size(cmd):
    """The bytes read when the command is a `cat` reference, else None: the reference's own speed
    drifts from day to day on shared machines, and every ratio with it."""
    files = read_files(cmd)
    return None if files is None else sum(os.path.getsize(f) for f in files)


def recache(cmds):
    """Drops the files of the `cat` references from the page cache and reads them back (see the
    module's text); returns their paths."""
    done = []
    for c in cmds:
        for path in read_files(c["cmd"]) or []:
            if path in done:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
                try:
                    # Pages not yet written out cannot be dropped.
                    os.fsync(fd)
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    while os.read(fd, 8 << 20):
                        pass
                finally:
                    os.close(fd)
            except (OSError, AttributeError) as e:
                # Left as cached (no posix_fadvise on this system, …): said, and
                # not listed as read back.
                print(f"interleave: {path} left in the page cache as it was: {e}", file=sys.stderr)
                continue
            done.append(path)
    return done


def loadavg():
    with open("/proc/loadavg", encoding="ascii") as f:
        return " ".join(f.read().split()[:3])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--spec", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--md", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--title", default="")
    p.add_argument("--keep-cache", action="store_true",
                   help="leave the references' files in the page cache as they are")
    args = p.parse_args()
    if args.runs < 1 or args.warmup < 0:
        sys.exit("interleave: --runs must be >= 1 and --warmup >= 0")
    cmds = read_spec(args.spec)
    recached = [] if args.keep_cache else recache(cmds)
    start = loadavg()
    with tempfile.TemporaryDirectory(prefix="interleave-") as tmp:
        overhead, samples = measure(cmds, args.runs, args.warmup, os.path.join(tmp, "time"))
    load = (start, loadavg())
    results = summarise(cmds, samples)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"overhead_s": overhead, "load": load, "runs": args.runs, "warmup": args.warmup,
                   "recached": recached, "results": results}, f, indent=1)
    md = markdown(results, args, overhead, load, bool(recached))
    with open(args.md, "w", encoding="utf-8") as f:
        f.write(md)
    sys.stderr.write(md)


if __name__ == "__main__":
    main()
