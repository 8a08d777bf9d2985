//! `test` blocks: an event and the instances it must (or must not) trigger.

use std::collections::HashMap;

use ward_syntax::ast::{TestDecl, TestMember};
use ward_syntax::{Code, Diagnostic, FileId, Span};

use super::props::Prop;
use super::{loc, with_suggestion, Ctx};
use crate::hir::Test;

pub(crate) fn check(ctx: &mut Ctx, decls: &[(FileId, &TestDecl)]) {
    let mut names: HashMap<&str, (FileId, Span)> = HashMap::new();
    for &(file, decl) in decls {
        if let Some((ffile, fspan)) = names.get(decl.name.value.as_str()) {
            ctx.report(
                Diagnostic::new(
                    Code::DuplicateTestName,
                    format!("two tests are named \"{}\"", decl.name.value),
                )
                .repeated((file, decl.name.span), (*ffile, *fspan), "declared")
                .help("give each test its own name, so a failure says which one it is"),
            );
        }
        names.insert(&decl.name.value, (file, decl.name.span));
        let mut channel = Prop::new("channel");
        let mut event = Prop::new("event");
        let mut expect = Prop::new("expect");
        for member in &decl.members {
            match member {
                TestMember::Channel(c, span) => channel.set(ctx, file, c, *span),
                TestMember::Event(e, span) => event.set(ctx, file, e, *span),
                TestMember::Expect(e, span) => expect.set(ctx, file, e, *span),
                TestMember::Error(_) => {}
            }
        }
        let owner = format!("test \"{}\"", decl.name.value);
        let broken = decl
            .members
            .iter()
            .any(|m| matches!(m, TestMember::Error(_)));
        let at = (file, decl.name.span, broken);
        let channel = channel.require(ctx, at, &owner, "channel NamedPipeDetections");
        let event = event.require(ctx, at, &owner, "event { pipe_name: \"...\" }");
        let expect = expect.require(ctx, at, &owner, "expect [instance_name]");
        let Some(channel) = channel else { continue };
        let Some(&cid) = ctx.channels.get(&channel.text) else {
            // A channel that is declared but did not check has been reported already.
            if !matches!(
                ctx.scope.get(&channel.text),
                Some((super::Kind::Channel, _))
            ) {
                let all: Vec<String> = ctx.channels.keys().cloned().collect();
                let all: Vec<&str> = all.iter().map(String::as_str).collect();
                ctx.unknown(file, channel, "channel", &all);
            }
            continue;
        };
        let tid = ctx.program.channel(cid).template;
        let template = ctx.program.template(tid).clone();
        let mut values = Vec::new();
        let mut ok = true;
        let mut given: HashMap<&str, Span> = HashMap::new();
        for f in event.into_iter().flatten() {
            if let Some(first) = given.get(f.name.text.as_str()) {
                ctx.report(
                    Diagnostic::new(
                        Code::DuplicateProperty,
                        format!("the event gives `{}` twice", f.name.text),
                    )
                    .repeated((file, f.name.span), (file, *first), "given"),
                );
                ok = false;
                continue;
            }
            given.insert(&f.name.text, f.name.span);
            let Some(field) = template.field(&f.name.text) else {
                super::channels::unknown_field(ctx, file, template.clone(), &f.name);
                ok = false;
                continue;
            };
            match ctx.scalar(file, field.ty, &f.value) {
                Some(v) => values.push((field.number, v)),
                None => ok = false,
            }
        }
        let mut expected = Vec::new();
        for name in expect.into_iter().flatten() {
            let ch = ctx.program.channel(cid);
            match ch.instances.iter().find(|i| i.name == name.text) {
                Some(i) if expected.contains(&i.id) => {
                    ctx.report(
                        Diagnostic::new(
                            Code::DuplicateProperty,
                            format!("`{}` is expected twice", name.text),
                        )
                        .primary(file, name.span, "listed again here"),
                    );
                }
                Some(i) => expected.push(i.id),
                None => {
                    let names: Vec<String> = ch.instances.iter().map(|i| i.name.clone()).collect();
                    let d = Diagnostic::new(
                        Code::UnknownName,
                        format!("channel `{}` has no instance `{}`", ch.name, name.text),
                    )
                    .primary(file, name.span, "no such instance")
                    .secondary(
                        ch.loc.file,
                        ch.loc.span,
                        format!("`{}` is declared here", ch.name),
                    );
                    ctx.report(with_suggestion(
                        d,
                        file,
                        name.span,
                        &name.text,
                        names.iter().map(String::as_str),
                    ));
                    ok = false;
                }
            }
        }
        if ok && expect.is_some() && event.is_some() {
            values.sort_by_key(|(n, _)| *n);
            expected.sort_unstable();
            ctx.program.tests.push(Test {
                name: decl.name.value.clone(),
                channel: cid,
                event: values,
                expect: expected,
                loc: loc(file, decl.name.span),
            });
        }
    }
}
