//! Structural invariants of the model, checked in one separate pass (debug
//! builds, tests and `--strict`), the way pprof's `CheckValid` does.

use std::fmt;

use crate::HeapProfile;

/// A broken model invariant. Parsed input never produces one; a failure
/// here is a bug in the builder that made the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvariantError(pub String);

impl fmt::Display for InvariantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "model invariant broken: {}", self.0)
    }
}

impl std::error::Error for InvariantError {}

/// Checks that the root is row 0, parents precede children, and every frame
/// and sample reference is in range.
///
/// # Errors
/// The first invariant found broken.
pub fn validate(p: &HeapProfile) -> Result<(), InvariantError> {
    let stacks = &p.stacks;
    if stacks.is_empty() {
        return Err(InvariantError("the call tree has no root".into()));
    }
    if !p.strings.get(crate::StringId::EMPTY).is_empty() {
        return Err(InvariantError("string 0 is not empty".into()));
    }
    for (i, &parent) in stacks.parent_column().iter().enumerate() {
        let ok = if i == 0 {
            parent == u32::MAX
        } else {
            (parent as usize) < i
        };
        if !ok {
            return Err(InvariantError(format!("stack {i} has parent {parent}")));
        }
    }
    if let Some(f) = stacks.frame.iter().find(|f| f.index() >= p.frames.len()) {
        return Err(InvariantError(format!("frame {} out of range", f.raw())));
    }
    if let Some(s) = p.samples.stack.iter().find(|s| s.index() >= stacks.len()) {
        return Err(InvariantError(format!(
            "sample stack {} out of range",
            s.raw()
        )));
    }
    Ok(())
}
