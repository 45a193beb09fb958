//! Replays the committed fuzz regression inputs, `fuzz/regressions/{sse,chunk}/`, through the
//! property checks of the fuzz targets, so a plain `cargo test` keeps them proven without
//! libFuzzer. The checks are `fuzz/src/lib.rs` itself, included here as a module: one input
//! file is one raw fuzz input (a 3-byte header, then the stream; see that file's docs).

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

// The whole property module is shared with the fuzz crate; not every item is used from here.
#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod props;

// Counts this thread's heap, for the bounded-memory checks.
#[global_allocator]
static ALLOC: props::Counting = props::Counting;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files
}

/// Runs `check` on every input of `target` and names every input that failed.
fn replay(target: &str, check: fn(&[u8])) {
    assert!(
        props::counting_installed(),
        "the counting allocator is not in use"
    );
    let failed: Vec<String> = inputs(target)
        .into_iter()
        .filter(|path| {
            let data = fs::read(path).expect("a readable input");
            panic::catch_unwind(|| check(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "property violations (see above): {failed:#?}"
    );
}

#[test]
fn every_sse_regression_input_keeps_every_framing_property() {
    replay("sse", props::check_sse);
}

#[test]
fn every_chunk_regression_input_keeps_every_chunk_property() {
    replay("chunk", props::check_chunk);
}
