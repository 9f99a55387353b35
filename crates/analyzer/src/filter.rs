//! `--focus` and `--ignore`: keep only the stacks that pass through a
//! matching frame, drop the stacks that pass through an ignored one. Frames
//! are matched on their label `name (url:line:col)`.

use std::fmt;

use heapdiff_model::HeapProfile;
use regex::Regex;

use crate::grouping::frame_labels;

/// Frame filters.
#[derive(Debug, Clone, Default)]
pub struct FrameFilter {
    focus: Option<Regex>,
    ignore: Option<Regex>,
}

/// A regular expression that does not compile.
#[derive(Debug, Clone)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

impl FrameFilter {
    /// Compiles the two optional expressions.
    ///
    /// # Errors
    /// When either expression is invalid.
    pub fn new(focus: Option<&str>, ignore: Option<&str>) -> Result<Self, FilterError> {
        let compile = |flag: &str, re: Option<&str>| {
            re.map(|re| {
                Regex::new(re).map_err(|e| FilterError(format!("invalid {flag} expression: {e}")))
            })
            .transpose()
        };
        Ok(Self {
            focus: compile("--focus", focus)?,
            ignore: compile("--ignore", ignore)?,
        })
    }

    /// True when no filter is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.focus.is_none() && self.ignore.is_none()
    }

    /// Which stacks pass, in stack order.
    #[must_use]
    pub fn keep_mask(&self, p: &HeapProfile) -> Vec<bool> {
        let labels = frame_labels(p);
        let matches = |re: &Option<Regex>| -> Vec<bool> {
            labels
                .iter()
                .map(|l| re.as_ref().is_some_and(|re| re.is_match(l)))
                .collect()
        };
        let focus_hit = matches(&self.focus);
        let ignore_hit = matches(&self.ignore);
        let parent = p.stacks.parent_column();
        let n = p.stacks.len();
        // On-path flags, parent first: a stack inherits its parent's hits.
        let mut focused = vec![false; n];
        let mut ignored = vec![false; n];
        for s in 1..n {
            let f = p.stacks.frame[s].index();
            let up = parent[s] as usize;
            focused[s] = focus_hit[f] || (up != 0 && focused[up]);
            ignored[s] = ignore_hit[f] || (up != 0 && ignored[up]);
        }
        (0..n)
            .map(|s| s == 0 || ((self.focus.is_none() || focused[s]) && !ignored[s]))
            .collect()
    }
}
