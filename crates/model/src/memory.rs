//! Fresh memory with its pages already in place.
//!
//! The kernel hands out a fresh array's pages on first touch, one page
//! fault per 4 KiB. On gigabyte snapshots that is a good part of a step's
//! time, and asking for a whole range at once (`MADV_POPULATE_WRITE`,
//! Linux 5.14+) costs markedly less per page than faulting it in page by
//! page (measures in `BENCHMARKS.md`). The parser and the analysis use
//! these helpers for the big arrays they are about to fill; elsewhere (or
//! when the kernel refuses) the pages simply come on first touch.

/// `len` zeros, with their pages in memory.
#[must_use]
pub fn zeroed<T: Copy + Default>(len: usize) -> Vec<T> {
    // Freshly allocated zeros come from the allocator as untouched pages,
    // which the call below brings in already zeroed: nothing is written
    // twice.
    let v = vec![T::default(); len];
    populate(&v);
    v
}

/// An empty vector with room for `len`, whose pages are in memory.
#[must_use]
pub fn with_capacity<T>(len: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(len);
    let spare = v.spare_capacity_mut();
    populate(spare);
    v
}

/// Brings the pages wholly inside `items` into memory, writable. The
/// contents do not change: pages not yet in memory read as zeros before
/// and after, and pages already there are left alone.
pub fn populate<T>(items: &[T]) {
    // The advice only faults pages in (as a first write would); it changes
    // no byte of them. An error (an older kernel, a range the advice does
    // not apply to) leaves the pages to be faulted in on first touch.
    #[cfg(target_os = "linux")]
    advise_whole_pages(
        items.as_ptr() as usize,
        std::mem::size_of_val(items),
        libc::MADV_POPULATE_WRITE,
    );
    #[cfg(not(target_os = "linux"))]
    let _ = items;
}

/// Hands the pages wholly inside `items` back to the kernel: the caller is
/// done with these values (copied elsewhere), and the vector they sit in
/// will only be dropped. Afterwards the values on those pages read as zero.
pub fn discard<T: Copy>(items: &mut [T]) {
    // The pages read as zeros from now on: `items` is borrowed mutably for
    // the call, and `T: Copy` values need no drop; callers use it on plain
    // integers, for which zero is a valid value. An error leaves the pages
    // as they were.
    #[cfg(target_os = "linux")]
    advise_whole_pages(
        items.as_mut_ptr() as usize,
        std::mem::size_of_val(items),
        libc::MADV_DONTNEED,
    );
    #[cfg(not(target_os = "linux"))]
    let _ = items;
}

/// Gives the memory the allocator keeps from freed blocks back to the
/// kernel. glibc serves large blocks from its heap once a large block has
/// been freed (its mmap threshold rises), and keeps their pages after they
/// are freed in turn: a command that analyses inputs one after another
/// (a trend's snapshots) calls this between them, so that its peak is one
/// input's, not the sum of what the allocator held on to.
pub fn return_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` only releases memory no allocation uses;
        // it takes the allocator's own locks and has no preconditions.
        #[allow(unsafe_code)]
        let _ = unsafe { libc::malloc_trim(0) };
    }
}

/// Has the allocator give every block of 256 KiB or more its own mapping,
/// returned to the kernel as soon as the block is freed. glibc otherwise
/// raises that threshold to the size of the largest block freed so far
/// (up to 32 MiB) and carves later large blocks out of its heaps, whose
/// free pages between live blocks stay resident: a command that analyses
/// inputs one after another (a trend's steps) calls this first, so that
/// what one input's analysis leaves in the heaps does not add to the next
/// one's peak.
pub fn map_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only changes a tuning parameter of the
        // allocator, under its own lock; blocks already handed out stay
        // valid and are freed as they were allocated.
        #[allow(unsafe_code)]
        let _ = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK) };
    }
}

/// The size from which [`map_large_blocks`] maps each block on its own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const LARGE_BLOCK: libc::c_int = 256 * 1024;

/// `madvise` over the whole 4 KiB pages inside `len` bytes from `start`,
/// memory of one live allocation of the caller's (the two callers above
/// say why their advice keeps its values valid). Pages only partly inside
/// are left alone, so no allocator bookkeeping next to the range is hit.
#[cfg(target_os = "linux")]
fn advise_whole_pages(start: usize, len: usize, advice: libc::c_int) {
    const PAGE: usize = 4096;
    let (first, last) = (start.div_ceil(PAGE) * PAGE, (start + len) / PAGE * PAGE);
    if last > first {
        // SAFETY: the range lies inside memory this process owns and that
        // stays allocated for the call; the advice cannot fault, and the
        // callers' advice leaves every value in it valid (see above).
        #[allow(unsafe_code)]
        let _ = unsafe { libc::madvise(first as *mut libc::c_void, last - first, advice) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn populated_memory_keeps_its_contents() {
        let v: Vec<u32> = zeroed(3 << 20);
        assert!(v.iter().all(|&x| x == 0));
        let mut w: Vec<u64> = with_capacity(1 << 20);
        assert!(w.is_empty() && w.capacity() >= 1 << 20);
        w.extend(0..1 << 20);
        populate(&w);
        assert!(w.iter().enumerate().all(|(i, &x)| x == i as u64));
    }

    #[test]
    fn discarded_pages_read_as_zero_and_the_rest_stays() {
        let mut v: Vec<u64> = (1..=1 << 20).collect();
        discard(&mut v[1000..500_000]);
        assert!(
            v[..1000]
                .iter()
                .enumerate()
                .all(|(i, &x)| x == i as u64 + 1)
        );
        assert!(v[500_000..].iter().all(|&x| x > 500_000));
        assert!(v[1000..500_000].iter().all(|&x| x == 0 || x > 1000));
        assert_eq!(v[250_000], 0);
    }
}
