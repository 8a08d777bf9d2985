//! The checker and the runtime cannot disagree (issue 14): over generated one-instance
//! projects, `ward check` reports an error other than a contradiction exactly when the
//! runtime's verifier refuses the same channel for some targeted sensor, and an instance
//! the checker calls impossible (E0304) matches no event in the runtime. The channel the
//! verifier sees is built here from the generated criteria, not by the compiler, so a
//! checker that refused too much or too little would show.

use proptest::prelude::*;
use ward_compiler::hir::{SensorId, TemplateId};
use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::{lower, Code};
use ward_runtime::model::{self, Op, Operand, Value};
use ward_runtime::{verify, SigningKey, TrustStore};

/// Fields of the stdlib's `LinuxProcessExec`: number, name, whether text. `container_id`
/// (13) is supplied by `linux_7_11` but not by `linux_7_10`.
const FIELDS: [(u16, &str, bool); 5] = [
    (1, "exe", true),
    (2, "argv", true),
    (3, "pid", false),
    (7, "uid", false),
    (13, "container_id", true),
];

const INT_OPS: [(&str, Op); 6] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<", Op::Lt),
    ("<=", Op::Le),
    (">", Op::Gt),
    (">=", Op::Ge),
];

const TEXT_OPS: [(&str, Op); 9] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("contains", Op::Contains),
    ("not contains", Op::NotContains),
    ("starts_with", Op::StartsWith),
    ("not starts_with", Op::NotStartsWith),
    ("ends_with", Op::EndsWith),
    ("not ends_with", Op::NotEndsWith),
    ("glob", Op::Glob),
];

/// Text of the small alphabet the events are drawn from, so criteria meet them.
const TEXTS: [&str; 8] = ["", "a", "b", "ab", "ba", "a/b", "/ab", "aab"];

#[derive(Debug, Clone)]
struct Crit {
    field: (u16, &'static str, bool),
    op: (&'static str, Op),
    /// An integer (for integer fields, 0..5) or text.
    int: u64,
    text: String,
}

impl Crit {
    fn source(&self) -> String {
        let value = if self.field.2 {
            format!("\"{}\"", self.text)
        } else {
            self.int.to_string()
        };
        format!("{} {} {value}", self.field.1, self.op.0)
    }

    fn model(&self) -> model::Criterion {
        let operand = match (self.field.2, self.op.1) {
            (true, Op::Glob) => Operand::Pattern(self.text.clone()),
            (true, _) => Operand::Scalar(Value::Str(self.text.clone())),
            (false, _) => Operand::Scalar(Value::Uint(self.int)),
        };
        model::Criterion {
            field: self.field.0,
            op: self.op.1,
            operand,
        }
    }
}

fn crit() -> impl Strategy<Value = Crit> {
    (0..FIELDS.len(), 0..TEXT_OPS.len(), 0..5u64, "[ab/*]{0,3}").prop_map(|(f, op, int, text)| {
        let field = FIELDS[f];
        let op = if field.2 {
            TEXT_OPS[op]
        } else {
            INT_OPS[op % INT_OPS.len()]
        };
        // Stars only in globs: elsewhere they are ordinary characters, but keep the text
        // within the events' alphabet.
        let text = if op.1 == Op::Glob {
            text
        } else {
            text.replace('*', "")
        };
        Crit {
            field,
            op,
            int,
            text,
        }
    })
}

fn targets() -> impl Strategy<Value = Vec<&'static str>> {
    prop_oneof![
        Just(vec!["linux_7_10"]),
        Just(vec!["linux_7_11"]),
        Just(vec!["linux_7_10", "linux_7_11"]),
    ]
}

fn source(targets: &[&str], crits: &[Crit]) -> String {
    let crits: Vec<String> = crits.iter().map(Crit::source).collect();
    format!(
        "channel Gen = 9 {{\n    version 1\n    template LinuxProcessExec\n    targets [{}]\n    instance generated = 1 {{\n        {}\n        severity low\n    }}\n}}\n",
        targets.join(", "),
        crits.join("\n        ")
    )
}

/// Every event over the small domain: pid and uid in 0..5, text fields from [`TEXTS`]
/// (exe and argv varied, the others empty), for a host supplying `supplied` fields.
fn events(fields: &[model::FieldDef], supplied: u16) -> Vec<Vec<Value>> {
    let base: Vec<Value> = fields
        .iter()
        .take(usize::from(supplied))
        .map(|f| match f.ty {
            model::FieldType::String | model::FieldType::Path => Value::Str(String::new()),
            model::FieldType::Sha256 => Value::Sha256([0; 32]),
            _ => Value::Uint(0),
        })
        .collect();
    let mut out = Vec::new();
    for exe in TEXTS {
        for argv in TEXTS {
            for n in 0..5u64 {
                let mut e = base.clone();
                e[0] = Value::Str(exe.into());
                e[1] = Value::Str(argv.into());
                e[2] = Value::Uint(n);
                e[6] = Value::Uint(4 - n);
                if let Some(slot) = e.get_mut(12) {
                    *slot = Value::Str(argv.into());
                }
                out.push(e);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn check_and_the_runtime_agree(targets in targets(), crits in prop::collection::vec(crit(), 1..4)) {
        let mut sources = stdlib_sources();
        sources.add("gen.ward", None, source(&targets, &crits), Origin::Project);
        let checked = ward_compiler::check(&sources);
        let program = &checked.program;
        let errors: Vec<Code> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        let contradiction = errors.contains(&Code::Contradiction);
        let refused_by_checker = errors.iter().any(|c| *c != Code::Contradiction);

        // The channel as the verifier sees it, built from the generated criteria.
        let tid = TemplateId(program.templates.iter().position(|t| t.name == "LinuxProcessExec").unwrap());
        let template = program.template(tid);
        let (fields, enums) = lower::template_types(program, tid);
        let channel = model::Channel {
            id: 9,
            name: "Gen".into(),
            content_version: 1,
            template: model::TemplateRef { id: template.id, name: template.name.clone(), version: template.version, fields: fields.clone() },
            enums,
            targets: vec![],
            build: model::BuildInfo::default(),
            instances: vec![model::Instance {
                id: 1,
                name: "generated".into(),
                severity: model::Severity::Low,
                action: model::Action::Detect,
                tags: vec![],
                criteria: crits.iter().map(Crit::model).collect(),
            }],
        };
        let key = SigningKey::from_bytes(&[3; 32]);
        let trust = TrustStore::with_keys(vec![key.verifying_key()]).unwrap();
        let bytes = ward_encode::sign(&channel, &[&key]).unwrap();
        let mut refused_by_runtime = false;
        for name in &targets {
            let sid = SensorId(program.sensors.iter().position(|s| s.name == *name).unwrap());
            let profile = lower::sensor_profile(program, sid);
            match verify(&bytes, &trust, &profile) {
                Err(_) => refused_by_runtime = true,
                Ok(v) if contradiction => {
                    let supplied = profile.templates.iter().find(|t| t.id == template.id).unwrap().supplied;
                    for e in events(&fields, supplied) {
                        prop_assert!(v.evaluate(&e).unwrap().is_empty(), "impossible per the checker, yet {e:?} matches");
                    }
                }
                Ok(_) => {}
            }
        }
        prop_assert_eq!(refused_by_checker, refused_by_runtime, "checker errors {:?}", errors);
        if errors.is_empty() {
            // And the compiler's own build verifies for every target.
            for built in ward_compiler::test_runner::build_all(program, &sources) {
                for (_, result) in &built.verified {
                    prop_assert!(result.is_ok(), "{result:?}");
                }
            }
        }
    }
}
