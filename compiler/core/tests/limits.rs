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

/// Checks one source beside the stdlib.
fn check_source(src: &str) -> ward_compiler::Checked {
    let mut sources = stdlib_sources();
    sources.add("main.ward", None, src.to_string(), Origin::Project);
    ward_compiler::check(&sources)
}

/// The parse_check fuzz target's finding (issue 17): names past the encodable
/// `MAX_STRING_LEN` checked clean, then failed to encode, so `ward build` refused what
/// `ward check` passed. Each is now a `LimitExceeded` on the name itself.
#[test]
fn names_past_the_encodable_length_are_refused_on_the_name() {
    use ward_runtime::limits::MAX_STRING_LEN;
    let long = "n".repeat(MAX_STRING_LEN + 1);
    for (what, src) in [
        (
            "this channel name",
            format!("channel {long} = 1 {{ version 1 template LinuxProcessExec targets [linux_7_10] instance a = 1 {{ pid == 1 severity low }} }}"),
        ),
        (
            "this instance name",
            format!("channel C = 1 {{ version 1 template LinuxProcessExec targets [linux_7_10] instance {long} = 1 {{ pid == 1 severity low }} }}"),
        ),
        (
            "this tag",
            format!("channel C = 1 {{ version 1 template LinuxProcessExec targets [linux_7_10] instance a = 1 {{ pid == 1 severity low tags [\"{long}\"] }} }}"),
        ),
    ] {
        let checked = check_source(&src);
        let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert_eq!(errors[0].code, Code::LimitExceeded, "{what}: {errors:?}");
        assert_eq!(
            errors[0].message,
            format!("{what} is {} bytes long, at most {MAX_STRING_LEN}", MAX_STRING_LEN + 1)
        );
    }
    // At the limit, the name encodes and the channel builds.
    let at = "n".repeat(MAX_STRING_LEN);
    let checked = check_source(&format!(
        "channel C = 1 {{ version 1 template LinuxProcessExec targets [linux_7_10] instance {at} = 1 {{ pid == 1 severity low }} }}"
    ));
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
}

/// The runtime's per-event cost bound, reported on the source (issue 17): an instance
/// the runtime would refuse over its time budget is an error of `ward check`, on the
/// instance the runtime names.
#[test]
fn an_instance_over_the_runtimes_time_budget_is_refused_on_its_line() {
    // Literal-less regexes, each about 5,000 NFA states: together over the default budget
    // at 64 KiB inputs (docs/security.md). The runtime names the first.
    let costly: String = (4..13)
        .map(|a| (a, 16 - a))
        .chain((4..12).map(|a| (a, 15 - a)))
        .enumerate()
        .map(|(i, (a, b))| {
            let name = if i == 0 { "costly".to_string() } else { format!("costly_{i}") };
            format!("    instance {name} = {} {{ argv matches r\"\\w{{{a}}}\\s\\w{{{b}}}\" severity low }}\n", i + 2)
        })
        .collect();
    let src = format!("channel C = 1 {{\n    version 1\n    template LinuxProcessExec\n    targets [linux_7_10]\n    instance cheap = 1 {{ pid == 1 severity low }}\n{costly}}}\n");
    let src = src.as_str();
    let checked = check_source(src);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, Code::RuntimeRefused);
    assert!(
        errors[0].message.contains("budget"),
        "{}",
        errors[0].message
    );
    let at = errors[0].location().unwrap();
    assert_eq!(&src[at.span.start..at.span.end], "costly");
}
