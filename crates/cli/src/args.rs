//! Command-line arguments (clap derive), one struct per subcommand. Each
//! converts into library options in one function next to it, so defaults
//! live in one place.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum};
use heapdiff_analyzer as analyzer;

const AFTER_HELP: &str = "\
Diff semantics: rows are matched by function name, URL, line and column (by
stack, script or package with --by). Before, after and Δ are self bytes in
absolute numbers unless --normalize says otherwise; Δ % is relative to the
row's own before value. A row only in the after profile is `new`, only in
the before profile `gone` (never ±100 %). Noise: a change within two
sampling errors of the row, |Δ| < 2·√(Rb²·nb + Ra²·na) with n the row's
samples and R each profile's sampling interval (estimated from the samples,
or --interval), is shown as `noise`, new and gone rows included.

Exit codes: 0 success (also when the output pipe closes early), 1 a
requested check failed (--fail-on-growth), 2 error (bad usage, unreadable or
invalid input).";

/// Diff V8 / Node.js heap profiles: what grew, where it was allocated.
///
/// `heapdiff A B` is `heapdiff diff A B`.
#[derive(Debug, Parser)]
#[command(name = "heapdiff", version, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) diff: DiffArgs,
    #[command(flatten)]
    pub(crate) common: Common,
}

impl Cli {
    /// Parses the command line (clap's message and exit 2 on bad usage).
    pub(crate) fn from_env() -> Self {
        Self::parse_from(command_name_first(std::env::args_os().collect()))
    }

    /// The command to run (`heapdiff A B` is `diff`) and the shared flags,
    /// wherever they were given.
    pub(crate) fn into_parts(self) -> (Command, Common) {
        (
            self.command.unwrap_or(Command::Diff(self.diff)),
            self.common,
        )
    }
}

/// `heapdiff --quiet top F` read as `heapdiff top --quiet F`. The shared
/// flags are global, so they may follow the command's name; before it,
/// clap would take the name for a file to diff, since the arguments of
/// `heapdiff A B` exclude a command (`args_conflicts_with_subcommands`).
/// So a command's name that only shared flags precede is moved in front of
/// them; any other command line is left as it is.
fn command_name_first(mut args: Vec<OsString>) -> Vec<OsString> {
    let cli = Cli::command();
    let mut i = 1;
    while let Some(takes_value) = args
        .get(i)
        .and_then(|a| a.to_str())
        .and_then(|a| shared_flag(&cli, a))
    {
        i += if takes_value { 2 } else { 1 };
    }
    let names_command = args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|name| cli.find_subcommand(name).is_some());
    if i > 1 && names_command {
        let name = args.remove(i);
        args.insert(1, name);
    }
    args
}

/// Whether `arg` is a shared (global) flag, and if so whether its value is
/// the next argument (`--threads 4`, not `--threads=4`).
fn shared_flag(cli: &clap::Command, arg: &str) -> Option<bool> {
    let (name, inline_value) = match arg.split_once('=') {
        Some((name, _)) => (name, true),
        None => (arg, false),
    };
    cli.get_arguments()
        .filter(|a| a.is_global_set())
        .find(|a| {
            let long = a
                .get_long()
                .is_some_and(|l| name.strip_prefix("--") == Some(l));
            let short = a
                .get_short()
                .is_some_and(|s| !inline_value && arg == format!("-{s}"));
            long || short
        })
        .map(|a| a.get_action().takes_values() && !inline_value)
}

/// The commands. A new one is a variant here with its own flags (the
/// shared ones come with [`Common`]), a `commands/<name>.rs` whose `run`
/// takes those flags and the [`crate::context::Context`], an arm in
/// `commands::dispatch` and one in `commands/targets.rs` naming its outputs.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Diff two profiles of the same kind (also: `heapdiff A B`).
    #[command(after_help = AFTER_HELP)]
    Diff(DiffArgs),
    /// Self and total bytes per function (DevTools' Heavy view), stack,
    /// script or package.
    Top(TopArgs),
    /// The top-down call tree (DevTools' Tree view), or the bottom-up tree
    /// of callers with --bottom-up (Heavy view).
    Tree(TreeArgs),
    /// A flame graph of one profile, or a differential one of two.
    Flamegraph(FlameArgs),
    /// Folded stacks (`a;b;c bytes`) for inferno, speedscope, FlameGraph.
    Collapse(CollapseArgs),
    /// Export a profile for other tools: pprof (`go tool pprof`), speedscope,
    /// folded stacks.
    Export(ExportArgs),
    /// Diff two spans of one recording: ordinal ranges or percentages of
    /// the recording (`0%..50%`), both ends inclusive.
    #[command(after_help = AFTER_HELP)]
    Spans(SpansArgs),
    /// Heap snapshot Summary: per class count, shallow size, retained size
    /// and distance, as DevTools computes them.
    Summary(SummaryArgs),
    /// The objects with the largest retained sizes, with their dominators.
    Dominators(DominatorsArgs),
    /// What keeps objects alive: shortest retainer paths from the GC roots,
    /// grouped by path.
    Retainers(RetainersArgs),
    /// Leak suspects of one heap snapshot: the objects and classes that
    /// retain a large share of the heap, what they hold, and their path
    /// from the GC roots.
    #[command(after_help = SUSPECTS_HELP)]
    Suspects(SuspectsArgs),
    /// Allocation timeline: live bytes allocated per interval, as a table
    /// and an SVG chart.
    Timeline(TimelineArgs),
    /// CI memory gate: exit 1 when growth between two profiles or snapshots
    /// exceeds a budget, and write the evidence as a report.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Trends over three or more profiles in order: what grew at every
    /// step, beyond the sampling noise.
    #[command(after_help = TREND_HELP)]
    Trend(TrendArgs),
    /// Leaks from three or more heap snapshots of one process (baseline,
    /// target, final): objects new in the target that every later snapshot
    /// still holds, grouped by class and retainer path.
    #[command(after_help = LEAKS_HELP)]
    Leaks(LeaksArgs),
}

const LEAKS_HELP: &str = "\
Take the baseline after warm-up, the target after the action you suspect,
and the final snapshot after repeating it or going idle. An object counts
when its id is not in the baseline, it is in the target, and every later
snapshot holds a node with its id and its class (an id V8 gave to a new
object of another class is another object). The survivors of the final
snapshot are counted once through its dominator tree (application objects
only; V8 internals and embedder nodes are inside what holds them), grouped
by class and allocation position, and clustered by the shape of their
retainer path from the GC roots, largest retained size first.";

#[derive(Debug, Clone, Args)]
pub(crate) struct LeaksArgs {
    /// BASELINE TARGET FINAL [MORE…]: heap snapshots of one process, in
    /// the order they were taken.
    #[arg(value_name = "SNAPSHOTS", num_args = 3.., required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Leave out the classes whose name matches this regular expression.
    #[arg(long, value_name = "RE")]
    pub(crate) ignore_class: Option<String>,
    /// Show at most N clusters (0: all).
    #[arg(long = "top", short = 'n', value_name = "N", default_value_t = 10)]
    pub(crate) top: usize,
    /// Output format (`csv` gives the cluster rows, the path as one cell).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Also write a report (`.md`, `.html` or `.json`, by the name).
    #[arg(long, value_name = "OUT")]
    pub(crate) report: Option<PathBuf>,
}

const TREND_HELP: &str = "\
Rows are matched across the inputs as in a diff (function name, URL, line
and column; or stack, script, package with --by). For each row: its self
bytes at every step with the sampling error R·√n of each point, first, last,
net growth, the least-squares slope per step and R² of that line, and how
many of the n−1 steps grew beyond the noise. A step grew (shrank) when the
row's self bytes rose (fell) by more than two sampling errors of the two
points combined, |Δ| ≥ 2·√(Ri²·ni + Rj²·nj), the rule of a diff; for
peeks of one recording, n counts only the row's samples that one of the two
peeks holds and the other does not (shared samples are the same objects).
With --ops, each step's values and errors are divided by its work first;
--normalize per=N is --ops N,N,… for independent runs that each did N
units of work (not for peeks, --windows or snapshots: give --ops there).

Verdicts, the first rule that applies (g steps grew, s shrank, of n−1):
  grows every step   g = n−1
  noisy              g ≥ 1 and s ≥ 1
  one-off            g = 1, s = 0, and not at the last step (grew once, then flat)
  grows              g ≥ 1, s = 0
  shrinks            s ≥ 1, g = 0
  flat               every step within the noise

Rows are ranked by steps grown, then slope. The last lines say whether the
inputs look like peeks of one recording (each profile keeps the previous
one's samples and adds later ones) or independent runs.

--windows K cuts one allocation timeline into K equal time windows: step i
is the live bytes allocated up to the end of window i (exact bytes, so any
change counts).

Heap snapshots (of one process, in order): one row per class (name and
allocation position), with the Summary's count, shallow and retained size
at every snapshot; --measure chooses the one the verdicts judge (default
retained). Numbers are exact, so a step grew (shrank) when it rose (fell) by
at least 1 % of the larger value and at least 128 B (1 object for count).
Survived: objects first seen after the first snapshot and before the last
that every later snapshot holds, matched by id and class.

Exit codes: 0 success, 2 error (bad usage, unreadable or invalid input).";

#[derive(Debug, Clone, Args)]
pub(crate) struct TrendArgs {
    /// Three or more profiles, in order (`.heapprofile`, or
    /// `.heaptimeline` recordings as their allocation trees); with
    /// --windows, one allocation timeline.
    #[arg(value_name = "FILES", num_args = 1..)]
    pub(crate) files: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) rows: RowArgs,
    /// Work done in each step (requests, iterations), one count per input
    /// in order: values become bytes per unit of work.
    #[arg(long, value_name = "N1,N2,…", value_delimiter = ',')]
    pub(crate) ops: Option<Vec<u64>>,
    /// `per=N`: every input is an independent run that did the same work,
    /// N units: values become bytes per unit of work, as with --ops
    /// N,N,…. Not for peeks of one recording, --windows or heap snapshots
    /// (their work adds up from step to step: give it with --ops).
    #[arg(long, value_name = "per=N")]
    pub(crate) normalize: Option<String>,
    /// Sampling interval in bytes of every profile, for the noise floor
    /// (default: estimated from each profile's samples).
    #[arg(long, value_name = "BYTES")]
    pub(crate) interval: Option<u64>,
    /// Cut one allocation timeline into K equal time windows and take
    /// them as the steps: step i is the live bytes allocated up to the end
    /// of window i (K ≥ 3).
    #[arg(long, value_name = "K")]
    pub(crate) windows: Option<usize>,
    /// Also write the small-multiples chart of the top rows as SVG here.
    #[arg(long, value_name = "OUT.svg")]
    pub(crate) chart: Option<PathBuf>,
    /// Also write a report: `.md`, `.html` (with the chart) or `.json`, by
    /// the file name.
    #[arg(long, value_name = "OUT.md|OUT.html|OUT.json")]
    pub(crate) report: Option<PathBuf>,
    /// What a row's values are: for `.heaptimeline` inputs `live` or
    /// `allocated` bytes [default: live]; for heap snapshots the class's
    /// `count`, `shallow` or `retained` size, which the verdicts judge
    /// [default: retained].
    #[arg(long, value_enum)]
    pub(crate) measure: Option<TrendMeasureArg>,
}

/// `trend --measure`: the timeline measures and the snapshot measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TrendMeasureArg {
    /// Timelines: bytes of the objects still alive when recording stopped.
    Live,
    /// Timelines: everything allocated while recording.
    Allocated,
    /// Snapshots: objects of the class.
    Count,
    /// Snapshots: the class's shallow size.
    Shallow,
    /// Snapshots: the class's retained size.
    Retained,
}

const CHECK_HELP: &str = "\
Budgets are sizes (5MiB, 500kB, 1200) or percentages of the before value
(10%). A change within two sampling errors of a row never fails a budget.
A budget file (TOML) holds the same limits:

    max_growth = \"5MiB\"          # the total
    [per]
    function = \"1MiB\"            # any single function (profiles, timelines)
    package = \"10%\"              # any npm package or script (snapshots:
                                 # its retained size, see summary --by package)
    class = \"2MiB\"               # any class (snapshots: net size change)
    retained = \"1MiB\"            # any class's retained size (snapshots)
    [[rule]]
    by = \"package\"
    name = \"express\"
    max_growth = \"200kB\"

With --trend, FILES are a series in order (three or more): the check fails
when a function grows every step beyond the noise (`heapdiff trend`'s
`grows every step`) by more than --max-step-growth per step (budget file:
max_step_growth = \"50kB\"). Repeated runs of unchanged code pass.

With --baseline B and several current files (`check --baseline B prof/*`),
each file is compared with B on its own: one verdict per file, exit 1 when
any fails. Each file's report is named after it: `--report out/check.md`
gives `out/check-<file name>.md`; on failure without --report,
`heapdiff-check-<file name>.md`.

Exit codes: 0 within budget, 1 a budget was exceeded (the report is written),
2 error.";

#[derive(Debug, Clone, Args)]
pub(crate) struct CheckArgs {
    /// BEFORE AFTER, or with --baseline the current file(s), each checked
    /// against the baseline.
    #[arg(value_name = "FILES", num_args = 1..)]
    pub(crate) files: Vec<PathBuf>,
    /// The committed baseline to compare against (the before file). With
    /// several current files, each is compared with it on its own: one
    /// verdict per file, exit 1 when any fails.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Limit on the growth of the total.
    #[arg(long, value_name = "LIMIT")]
    pub(crate) max_growth: Option<String>,
    /// Limit on the growth of any single function.
    #[arg(long, value_name = "LIMIT")]
    pub(crate) max_function_growth: Option<String>,
    /// Limit on the growth of any npm package (or script); for heap
    /// snapshots, of its retained size (`summary --by package`).
    #[arg(long, value_name = "LIMIT")]
    pub(crate) max_package_growth: Option<String>,
    /// Limit on the growth of any class (heap snapshots).
    #[arg(long, value_name = "LIMIT")]
    pub(crate) max_class_growth: Option<String>,
    /// Limit on the growth of any class's retained size (heap snapshots:
    /// the Summary's Retained column, each byte counted once per class).
    #[arg(long, value_name = "LIMIT")]
    pub(crate) max_retained_growth: Option<String>,
    /// A budget file (TOML), see below.
    #[arg(long, value_name = "FILE")]
    pub(crate) budget: Option<PathBuf>,
    /// Where the report goes: always when given, else `heapdiff-check.md`
    /// when a budget is exceeded.
    #[arg(long, value_name = "OUT.md|OUT.html|OUT.json")]
    pub(crate) report: Option<PathBuf>,
    /// Sampling interval in bytes for the noise floor (default: estimated).
    #[arg(long, value_name = "BYTES")]
    pub(crate) interval: Option<u64>,
    /// FILES are a series in order (three or more profiles or timelines):
    /// fail when a function grows every step beyond the noise by more than
    /// --max-step-growth (see `heapdiff trend`).
    #[arg(long)]
    pub(crate) trend: bool,
    /// With --trend: limit on the growth per step (least-squares slope) of
    /// a function that grows every step; a size, or a percentage of its
    /// first value.
    #[arg(long, value_name = "LIMIT")]
    pub(crate) max_step_growth: Option<String>,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct TimelineArgs {
    /// The allocation timeline (`.heaptimeline`).
    pub(crate) file: PathBuf,
    /// Also write the chart as SVG here.
    #[arg(short, long, value_name = "OUT.svg")]
    pub(crate) output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct SummaryArgs {
    /// The heap snapshot.
    pub(crate) file: PathBuf,
    /// Show at most N classes (0: all).
    #[arg(long = "top", short = 'n', value_name = "N", default_value_t = 25)]
    pub(crate) top: usize,
    /// Keep only classes whose name matches this regular expression.
    #[arg(long, value_name = "RE")]
    pub(crate) filter: Option<String>,
    /// For timelines: only objects allocated in this time span (`0s..2s`,
    /// `50%..100%`), with DevTools' selection rule.
    #[arg(long, value_name = "SPAN")]
    pub(crate) span: Option<String>,
    /// What a row stands for: `class` (DevTools' Summary), or `package`
    /// (the npm package of each object's source position; retained size
    /// counted once per dominator subtree) [default: class].
    #[arg(long, value_enum)]
    pub(crate) by: Option<SnapshotBy>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

/// The rows of a heap snapshot's Summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SnapshotBy {
    Class,
    Package,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct DominatorsArgs {
    /// The heap snapshot.
    pub(crate) file: PathBuf,
    /// Show the N objects with the largest retained sizes (0: all).
    #[arg(long = "top", short = 'n', value_name = "N", default_value_t = 20)]
    pub(crate) top: usize,
    /// Output format: table, json or markdown (not csv).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["class", "id"]))]
pub(crate) struct RetainersArgs {
    /// The heap snapshot.
    pub(crate) file: PathBuf,
    /// Every object of this class (class name as `summary` shows it, or
    /// its class key).
    #[arg(long, value_name = "NAME")]
    pub(crate) class: Option<String>,
    /// One object, by id (`@123` or `123`).
    #[arg(long, value_name = "@ID")]
    pub(crate) id: Option<String>,
    /// Show at most N path groups (0: all).
    #[arg(long = "top", short = 'n', value_name = "N", default_value_t = 5)]
    pub(crate) top: usize,
    /// Output format: table, json or markdown (not csv).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

const SUSPECTS_HELP: &str = "\
An object is a suspect when it retains --min-share of the heap or more while
none of its children in the dominator tree does: it accumulates many small
objects (an array's records, a map's entries). A class is a suspect when its
objects outside those retain the share together, each counted once. V8
internals, strings, arrays, embedder objects and built-in classes are left
out unless --all-suspects is given.";

#[derive(Debug, Clone, Args)]
pub(crate) struct SuspectsArgs {
    /// The heap snapshot.
    pub(crate) file: PathBuf,
    /// A suspect retains at least this share of the heap, in percent.
    #[arg(long, value_name = "P", default_value_t = 10.0)]
    pub(crate) min_share: f64,
    /// Also list V8 internals, strings, arrays, embedder objects and
    /// built-in classes.
    #[arg(long)]
    pub(crate) all_suspects: bool,
    /// Output format (`table` prints the list as text; no CSV).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Also write a report for a bug ticket: `.md`, `.html` or `.json`.
    #[arg(long, value_name = "OUT.md|OUT.html|OUT.json")]
    pub(crate) report: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum By {
    Function,
    Stack,
    Script,
    Package,
}

impl From<By> for analyzer::GroupBy {
    fn from(b: By) -> Self {
        match b {
            By::Function => analyzer::GroupBy::Function,
            By::Stack => analyzer::GroupBy::Stack,
            By::Script => analyzer::GroupBy::Script,
            By::Package => analyzer::GroupBy::Package,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Markdown,
    /// Comma-separated values, exact byte counts (tabular views).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MeasureArg {
    /// Bytes of the objects still alive when the recording stopped.
    Live,
    /// Everything allocated while recording, dead or alive.
    Allocated,
}

/// How an allocation timeline becomes a call tree.
#[derive(Debug, Clone, Args)]
pub(crate) struct TimelineFlags {
    /// For `.heaptimeline` inputs: weigh allocation stacks by live bytes or
    /// by all bytes allocated while recording [default: live].
    #[arg(long, value_enum)]
    pub(crate) measure: Option<MeasureArg>,
}

impl TimelineFlags {
    pub(crate) fn measure(&self) -> MeasureArg {
        self.measure.unwrap_or(MeasureArg::Live)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum NormalizeArg {
    None,
    Total,
    Interval,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffSort {
    /// Largest growth first.
    Delta,
    /// Largest absolute change first.
    Abs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MatchArg {
    /// Name, URL, line and column.
    Position,
    /// Name and URL.
    Function,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TopSort {
    /// Self bytes (sampling profiles, and `--by` views of timelines).
    #[value(name = "self")]
    SelfBytes,
    /// Total bytes, callees included (as `self`).
    Total,
    /// Bytes still alive (a timeline's Allocation view).
    Live,
    /// Bytes allocated while recording, dead included (DevTools' order).
    Size,
    /// Objects allocated while recording.
    Count,
    /// Objects still alive.
    LiveCount,
}

impl TopSort {
    /// True for the orders of a timeline's Allocation view.
    pub(crate) fn is_allocation(self) -> bool {
        matches!(
            self,
            Self::Live | Self::Size | Self::Count | Self::LiveCount
        )
    }
}

/// Which samples and stacks a view of one profile or timeline takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct Selection {
    /// Only samples in this ordinal span (`1000..5000`, `50%..100%`); for
    /// timelines, objects allocated in this time span (`0s..2s`).
    #[arg(long, value_name = "SPAN")]
    pub(crate) span: Option<String>,
    /// Keep only stacks through a frame matching this regular expression
    /// (matched against `name (url:line:col)`).
    #[arg(long, value_name = "RE")]
    pub(crate) focus: Option<String>,
    /// Drop stacks through a frame matching this regular expression.
    #[arg(long, value_name = "RE")]
    pub(crate) ignore: Option<String>,
}

/// Flags shared by every command, accepted before or after its name;
/// resolved once into [`crate::context::Context`].
#[derive(Debug, Clone, Args)]
pub(crate) struct Common {
    /// Number of worker threads (default: all cores).
    #[arg(long, value_name = "N", global = true)]
    pub(crate) threads: Option<usize>,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub(crate) no_color: bool,
    /// Do not print warnings about the inputs.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Treat warnings about the inputs as errors.
    #[arg(long, global = true)]
    pub(crate) strict: bool,
    /// Print phase timings and peak memory as one JSON line on stderr.
    #[arg(long, hide = true, global = true)]
    pub(crate) timings: bool,
    /// A source map for bundled or minified code (repeatable): matched to
    /// its script by the map's `file` field, else by its own name without
    /// `.map`; `URL=FILE.map` names the script's URL. Maps named by a
    /// local script's `sourceMappingURL` are found without this flag.
    #[arg(long = "source-map", value_name = "[URL=]FILE.map", global = true)]
    pub(crate) source_map: Vec<String>,
    /// A directory of source maps, found by script name (`app.js.map`) and
    /// by the name in the script's `sourceMappingURL` (repeatable).
    #[arg(long = "source-map-dir", value_name = "DIR", global = true)]
    pub(crate) source_map_dir: Vec<PathBuf>,
    /// Heap snapshots, for `summary` and the diff of two snapshots: only
    /// each class's count and shallow size, read in one pass in memory that
    /// does not grow with the file (no retained sizes, distances, owner
    /// reassignment or interface names; see README "Snapshots larger than
    /// memory").
    #[arg(long, global = true)]
    pub(crate) shallow: bool,
    /// Apply no source map: not even those that local scripts name.
    #[arg(long, conflicts_with_all = ["source_map", "source_map_dir"], global = true)]
    pub(crate) no_source_maps: bool,
}

impl Common {
    /// Where source maps are looked for.
    pub(crate) fn source_maps(&self) -> crate::sourcemap::Sources {
        crate::sourcemap::Sources {
            given: self
                .source_map
                .iter()
                .map(|s| crate::sourcemap::Given::parse(s))
                .collect(),
            dirs: self.source_map_dir.clone(),
        }
    }
}

/// Flags that select and shape rows.
#[derive(Debug, Clone, Args)]
pub(crate) struct RowArgs {
    /// What a row stands for [default: function].
    #[arg(long, value_enum)]
    pub(crate) by: Option<By>,
    /// Show at most N rows (0: all).
    #[arg(long = "top", short = 'n', value_name = "N", default_value_t = 25)]
    pub(crate) top: usize,
    /// Keep only stacks through a frame matching this regular expression
    /// (matched against `name (url:line:col)`).
    #[arg(long, value_name = "RE")]
    pub(crate) focus: Option<String>,
    /// Drop stacks through a frame matching this regular expression.
    #[arg(long, value_name = "RE")]
    pub(crate) ignore: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

impl RowArgs {
    pub(crate) fn by(&self) -> By {
        self.by.unwrap_or(By::Function)
    }

    pub(crate) fn limit(&self) -> Option<usize> {
        (self.top > 0).then_some(self.top)
    }
}

/// Flags of a diff (of files or of spans).
#[derive(Debug, Clone, Args)]
pub(crate) struct DiffFlags {
    /// How the before profile is scaled: `none` (absolute bytes), `total`
    /// (scaled to the after total), `interval` (profiles taken with
    /// different sampling intervals) [default: none].
    #[arg(long, value_enum)]
    pub(crate) normalize: Option<NormalizeArg>,
    /// Row order [default: delta].
    #[arg(long, value_enum)]
    pub(crate) sort: Option<DiffSort>,
    /// How function rows of the two profiles are matched: `position`
    /// (name, URL, line, column) or `function` (name and URL: two builds
    /// whose code moved) [default: position].
    #[arg(long = "match", value_enum, value_name = "HOW")]
    pub(crate) match_rows: Option<MatchArg>,
    /// Sampling interval in bytes of both profiles, for the noise floor
    /// (default: estimated from the samples).
    #[arg(long, value_name = "BYTES")]
    pub(crate) interval: Option<u64>,
    /// Also write a differential flame graph SVG here.
    #[arg(long, value_name = "OUT.svg")]
    pub(crate) flamegraph: Option<PathBuf>,
    /// Turn the flame graph the other way up: root at the bottom. (A
    /// differential flame graph is an icicle by default, root at the top,
    /// so its widest changes are in view where the image starts.)
    #[arg(long)]
    pub(crate) inverted: bool,
    /// Exit with 1 when the total grew by more than this many bytes
    /// (heap snapshots: the total self size).
    #[arg(long, value_name = "BYTES")]
    pub(crate) fail_on_growth: Option<u64>,
    /// Also write a report for a bug ticket: `.md`, `.html` (interactive,
    /// self-contained) or `.json`, by the file name.
    #[arg(long, value_name = "OUT.md|OUT.html|OUT.json")]
    pub(crate) report: Option<PathBuf>,
}

impl DiffFlags {
    pub(crate) fn normalize(&self) -> NormalizeArg {
        self.normalize.unwrap_or(NormalizeArg::None)
    }

    pub(crate) fn sort(&self) -> DiffSort {
        self.sort.unwrap_or(DiffSort::Delta)
    }
}

#[derive(Debug, Clone, Args)]
pub(crate) struct DiffArgs {
    /// The before profile.
    #[arg(value_name = "BEFORE")]
    pub(crate) before: Option<PathBuf>,
    /// The after profile.
    #[arg(value_name = "AFTER")]
    pub(crate) after: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) rows: RowArgs,
    #[command(flatten)]
    pub(crate) flags: DiffFlags,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
    /// Heap snapshots: count every new object as a possible suspect,
    /// V8 internals, strings, arrays, embedder and weak-only objects too.
    #[arg(long)]
    pub(crate) all_suspects: bool,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct TopArgs {
    /// The profile.
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) rows: RowArgs,
    /// Order of the rows: `self` or `total` bytes for sampling profiles
    /// [default: self]; `live`, `size`, `count` or `live-count` for a
    /// timeline's Allocation view [default: live, what stays alive].
    #[arg(long, value_enum)]
    pub(crate) sort: Option<TopSort>,
    /// Only samples in this ordinal span (`1000..5000`, `50%..100%`); for
    /// timelines, objects allocated in this time span (`0s..2s`).
    #[arg(long, value_name = "SPAN")]
    pub(crate) span: Option<String>,
    /// For timelines: also show which classes the top functions allocated
    /// and what keeps them alive.
    #[arg(long)]
    pub(crate) retainers: bool,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct TreeArgs {
    /// The profile.
    pub(crate) file: PathBuf,
    /// Bottom-up: every function with the chains of its callers.
    #[arg(long)]
    pub(crate) bottom_up: bool,
    /// Show at most this many levels.
    #[arg(long, value_name = "N")]
    pub(crate) depth: Option<u32>,
    /// Hide nodes below this share of the total, in percent (top-down
    /// only) [default: 0.5].
    #[arg(long, value_name = "PCT")]
    pub(crate) threshold: Option<String>,
    /// Show at most N functions (bottom-up only; 0: all) [default: 25].
    #[arg(long = "top", short = 'n', value_name = "N")]
    pub(crate) top: Option<usize>,
    #[command(flatten)]
    pub(crate) select: Selection,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct FlameArgs {
    /// The profile (the before profile when AFTER is given).
    pub(crate) file: PathBuf,
    /// With a second profile: a differential flame graph.
    pub(crate) after: Option<PathBuf>,
    /// The SVG file to write.
    #[arg(short, long, value_name = "OUT.svg")]
    pub(crate) output: PathBuf,
    /// Turn the graph the other way up: one profile's flame graph becomes
    /// an icicle (root at the top); two profiles' differential graph, an
    /// icicle by default, gets its root at the bottom.
    #[arg(long)]
    pub(crate) inverted: bool,
    /// Title of the image.
    #[arg(long)]
    pub(crate) title: Option<String>,
    #[command(flatten)]
    pub(crate) select: Selection,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct CollapseArgs {
    /// The profile.
    pub(crate) file: PathBuf,
    /// Write here instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) select: Selection,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[derive(Debug, Clone, Args)]
#[command(group(
    clap::ArgGroup::new("outputs")
        .required(true)
        .multiple(true)
        .args(["pprof", "speedscope", "folded"])
))]
pub(crate) struct ExportArgs {
    /// The profile (`.heapprofile`, or a `.heaptimeline` with allocation stacks).
    pub(crate) file: PathBuf,
    /// Write a gzip-compressed pprof profile (profile.proto) here.
    #[arg(long, value_name = "OUT.pb.gz")]
    pub(crate) pprof: Option<PathBuf>,
    /// Write a speedscope JSON file here.
    #[arg(long, value_name = "OUT.json")]
    pub(crate) speedscope: Option<PathBuf>,
    /// Write folded stacks (as `heapdiff collapse`) here.
    #[arg(long, value_name = "OUT.folded")]
    pub(crate) folded: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) select: Selection,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct SpansArgs {
    /// The profile.
    pub(crate) file: PathBuf,
    /// The before span, e.g. `0%..50%` or `1..20000`.
    #[arg(long, value_name = "SPAN")]
    pub(crate) before: String,
    /// The after span, e.g. `50%..100%`.
    #[arg(long, value_name = "SPAN")]
    pub(crate) after: String,
    #[command(flatten)]
    pub(crate) rows: RowArgs,
    #[command(flatten)]
    pub(crate) flags: DiffFlags,
    #[command(flatten)]
    pub(crate) timeline: TimelineFlags,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn two_files_without_subcommand_mean_diff() {
        let cli = Cli::try_parse_from(["heapdiff", "a.heapprofile", "b.heapprofile"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(
            cli.diff.before.as_deref(),
            Some(std::path::Path::new("a.heapprofile"))
        );
        let cli = Cli::try_parse_from(["heapdiff", "top", "a.heapprofile"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Top(_))));
    }

    #[test]
    fn default_flags_give_default_library_options() {
        let cli = Cli::try_parse_from(["heapdiff", "a", "b"]).unwrap();
        let opts = crate::commands::diff_options(
            &cli.diff.rows,
            &cli.diff.flags,
            analyzer::DiffKind::Diff,
        );
        let expected = analyzer::DiffOptions {
            limit: Some(25),
            ..analyzer::DiffOptions::default()
        };
        assert_eq!(opts, expected);
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(command_name_first(
            args.iter().map(OsString::from).collect(),
        ))
    }

    /// The shared flags as the command sees them.
    fn shared(args: &[&str]) -> (bool, bool, bool, Option<usize>) {
        let (_, c) = parse(args).unwrap().into_parts();
        (c.quiet, c.strict, c.no_color, c.threads)
    }

    #[test]
    fn shared_flags_are_read_before_and_after_the_command() {
        let all = (true, true, true, Some(3));
        for args in [
            [
                "heapdiff",
                "-q",
                "--strict",
                "--no-color",
                "--threads",
                "3",
                "top",
                "f",
            ]
            .as_slice(),
            &[
                "heapdiff",
                "--threads=3",
                "--quiet",
                "--strict",
                "--no-color",
                "top",
                "f",
            ],
            &[
                "heapdiff",
                "top",
                "f",
                "-q",
                "--strict",
                "--no-color",
                "--threads",
                "3",
            ],
            &[
                "heapdiff",
                "top",
                "--quiet",
                "--threads",
                "3",
                "f",
                "--strict",
                "--no-color",
            ],
            &[
                "heapdiff",
                "--quiet",
                "--strict",
                "top",
                "f",
                "--no-color",
                "--threads=3",
            ],
        ] {
            let cli = parse(args).unwrap();
            assert!(matches!(cli.command, Some(Command::Top(_))), "{args:?}");
            assert_eq!(shared(args), all, "{args:?}");
        }
        assert_eq!(
            shared(&["heapdiff", "--threads", "3", "summary", "s", "-q"]),
            (true, false, false, Some(3))
        );
    }

    #[test]
    fn shared_flags_go_with_an_implicit_diff_too() {
        for args in [
            ["heapdiff", "-q", "a", "b"].as_slice(),
            &["heapdiff", "a", "b", "-q"],
            &["heapdiff", "diff", "-q", "a", "b"],
            &["heapdiff", "-q", "diff", "a", "b"],
        ] {
            let (command, common) = parse(args).unwrap().into_parts();
            let Command::Diff(d) = command else {
                panic!("{args:?} is a diff")
            };
            assert_eq!(d.after.as_deref(), Some(std::path::Path::new("b")));
            assert!(common.quiet, "{args:?}");
        }
    }

    #[test]
    fn only_shared_flags_may_come_before_the_command() {
        // A diff flag, or a file, before a command's name keeps meaning
        // what it meant: the name is the file to diff.
        for args in [
            ["heapdiff", "--by", "stack", "top", "f"].as_slice(),
            &["heapdiff", "-q", "--by", "stack", "top", "f"],
            &["heapdiff", "a", "top"],
            &["heapdiff", "--", "top", "f"],
        ] {
            let cli = parse(args).unwrap();
            assert!(cli.command.is_none(), "{args:?}");
            assert_eq!(
                cli.diff.before.as_deref(),
                Some(std::path::Path::new(if args.contains(&"a") {
                    "a"
                } else {
                    "top"
                })),
                "{args:?}"
            );
        }
        // The value of --threads is not a command's name.
        assert!(parse(&["heapdiff", "--threads", "top", "f"]).is_err());
    }

    #[test]
    fn flags_a_command_does_not_have_are_refused_in_either_place() {
        for args in [
            ["heapdiff", "-q", "summary", "s", "--windows", "3"].as_slice(),
            &["heapdiff", "summary", "s", "-q", "--windows", "3"],
            &["heapdiff", "--quiet", "timeline", "t", "--measure", "live"],
        ] {
            let e = parse(args).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::UnknownArgument,
                "{args:?}"
            );
            assert_eq!(e.exit_code(), 2);
        }
    }
}
