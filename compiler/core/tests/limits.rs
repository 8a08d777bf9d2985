//! The compiler refuses content past the runtime's limits with a diagnostic that names the
//! limit, rather than building something the verifier would refuse or running out of
//! memory. (A source file over `MAX_SOURCE_FILE` is refused before it is read: see the
//! CLI's `a_50_mb_source_is_refused_before_it_is_read`.)

use std::fmt::Write;

use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::Code;
use ward_runtime::limits::MAX_INSTANCES;

/// One channel of `n` instances, each `pid == <its id>`. Through `Sources` directly: in
/// files, the per-file size limit refuses a channel this large before the checker runs.
fn channel_of(n: usize) -> ward_compiler::Checked {
    let mut src = String::with_capacity(n * 48);
    src.push_str("channel Big = 1 {\n    version 1\n    template LinuxProcessExec\n    targets [linux_7_10]\n");
    for k in 0..n {
        writeln!(src, "    instance i{k} = {k} {{ pid == {k} severity low }}").unwrap();
    }
    src.push_str("}\n");
    let mut sources = stdlib_sources();
    sources.add("big.ward", None, src, Origin::Project);
    ward_compiler::check(&sources)
}

#[test]
fn a_channel_past_max_instances_is_refused_by_name() {
    let over = channel_of(MAX_INSTANCES + 1);
    let limit: Vec<_> = over
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::LimitExceeded)
        .collect();
    assert_eq!(limit.len(), 1, "{:?}", over.diagnostics.first());
    assert_eq!(
        limit[0].message,
        format!(
            "too many instances in one channel: {}, at most {MAX_INSTANCES}",
            MAX_INSTANCES + 1
        )
    );
    let at = channel_of(MAX_INSTANCES);
    assert!(!at.has_errors(), "{:?}", at.diagnostics.first());
}
