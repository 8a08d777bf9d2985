//! The checker and the runtime agree on undeclared enum values: the runtime accepts them
//! (a newer sensor may add variants) and they equal no declared variant, so an instance
//! that excludes every declared variant is not impossible, and the checker does not call
//! it so; one that requires two variants at once still is.

use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::Code;

fn contradictions(criteria: &str) -> usize {
    let src = format!(
        "channel E = 1 {{\n    version 1\n    template ProcessStart\n    targets [windows_7_12]\n    instance i = 1 {{ {criteria} severity low }}\n}}\n"
    );
    let mut sources = stdlib_sources();
    sources.add("e.ward", None, src, Origin::Project);
    let checked = ward_compiler::check(&sources);
    checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::Contradiction)
        .count()
}

#[test]
fn excluding_every_declared_variant_is_a_contradiction_only_if_the_runtime_says_so() {
    let all = "integrity != untrusted integrity != low integrity != medium integrity != high integrity != system";
    let list = "integrity not in [untrusted, low, medium, high, system]";
    // Whatever the runtime decides, the checker follows it.
    let expected = usize::from(!ward_runtime::UNDECLARED_ENUM_INPUTS_ACCEPTED);
    assert_eq!(contradictions(all), expected);
    assert_eq!(contradictions(list), expected);
}

#[test]
fn requiring_two_variants_at_once_still_is() {
    assert_eq!(contradictions("integrity == low integrity == high"), 1);
}
