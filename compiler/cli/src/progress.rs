//! Progress on long work (loading and checking, building channels), for a person at a
//! terminal only: hidden when stderr is not a terminal and in machine formats, so CI logs
//! and JSON or SARIF output never carry it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether progress may be drawn: on a terminal, for human output.
fn shown(human: bool) -> bool {
    human && std::io::stderr().is_terminal()
}

/// A spinner saying what is being done, ticking by itself until it is finished.
pub fn spinner(what: &'static str, human: bool) -> ProgressBar {
    if !shown(human) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_message(what);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar over `len` steps of one kind of work.
pub fn bar(len: usize, what: &'static str, human: bool) -> ProgressBar {
    if !shown(human) {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(u64::try_from(len).unwrap_or(u64::MAX))
        .with_style(style)
        .with_message(what)
}
