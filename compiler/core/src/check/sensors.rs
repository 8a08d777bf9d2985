//! Sensor profiles: which template inputs each sensor build really supplies.

use std::collections::HashMap;

use ward_syntax::ast::{SensorDecl, SensorMember};
use ward_syntax::{Code, Diagnostic, FileId, Span};

use super::props::Prop;
use super::{loc, with_suggestion, Ctx};
use crate::hir::{Platform, Sensor, SensorId, Supply, TemplateId};

pub(crate) fn check(ctx: &mut Ctx, decls: &[(FileId, &SensorDecl)]) {
    for &(file, decl) in decls {
        let mut platform = Prop::new("platform");
        let mut version = Prop::new("version");
        let mut supplies = Vec::new();
        let mut seen: HashMap<TemplateId, Span> = HashMap::new();
        for member in &decl.members {
            match member {
                SensorMember::Platform(p, span) => platform.set(ctx, file, p, *span),
                SensorMember::Version(v, span) => version.set(ctx, file, v, *span),
                SensorMember::Supplies(s) => {
                    let Some(&tid) = ctx.templates.get(&s.template.text) else {
                        let names: Vec<String> = ctx.templates.keys().cloned().collect();
                        let names: Vec<&str> = names.iter().map(String::as_str).collect();
                        ctx.unknown(file, &s.template, "template", &names);
                        continue;
                    };
                    if let Some(first) = seen.get(&tid) {
                        ctx.report(
                            Diagnostic::new(
                                Code::DuplicateProperty,
                                format!(
                                    "sensor `{}` says twice what it supplies of `{}`",
                                    decl.name.text, s.template.text
                                ),
                            )
                            .repeated(
                                (file, s.span),
                                (file, *first),
                                "given",
                            ),
                        );
                        continue;
                    }
                    seen.insert(tid, s.span);
                    let fields = ctx.program.template(tid).fields.len() as i128;
                    if s.first.value != Some(1) {
                        ctx.report(
                            Diagnostic::new(
                                Code::SuppliesStart,
                                format!(
                                    "sensor `{}` must supply `{}` inputs from 1",
                                    decl.name.text, s.template.text
                                ),
                            )
                            .primary(file, s.first.span, "expected 1")
                            .note("a sensor fills a template's inputs from the first; a range that starts later would leave holes")
                            .help(format!("write `1..=` and the last input it supplies (at most {fields})")),
                        );
                        continue;
                    }
                    let Some(last) = s.last.value else { continue };
                    if last < 1 || last > fields {
                        let tloc = ctx.program.template(tid).loc;
                        ctx.report(
                            Diagnostic::new(
                                Code::SuppliesPastEnd,
                                format!(
                                    "`{}` has {fields} fields, but sensor `{}` claims to supply inputs 1..={last}",
                                    s.template.text, decl.name.text
                                ),
                            )
                            .primary(file, s.last.span, format!("must be between 1 and {fields}"))
                            .secondary(tloc.file, tloc.span, format!("`{}` is declared here with {fields} fields", s.template.text)),
                        );
                        // A range past the end still means "all of it": taken as that, a
                        // channel targeting the sensor is not also told the sensor does
                        // not supply the template (E0301). One mistake, one error.
                        if last > fields {
                            supplies.push(Supply {
                                template: tid,
                                last: u16::try_from(fields).unwrap_or(u16::MAX),
                                loc: loc(file, s.span),
                            });
                        }
                        continue;
                    }
                    supplies.push(Supply {
                        template: tid,
                        last: last as u16,
                        loc: loc(file, s.span),
                    });
                }
                SensorMember::Error(_) => {}
            }
        }
        let owner = format!("sensor `{}`", decl.name.text);
        let broken = decl
            .members
            .iter()
            .any(|m| matches!(m, SensorMember::Error(_)));
        let at = (file, decl.name.span, broken);
        let platform = platform
            .require(ctx, at, &owner, "platform windows")
            .and_then(|p| {
                let found = Platform::ALL
                    .iter()
                    .find(|(n, _)| *n == p.text)
                    .map(|(_, p)| *p);
                if found.is_none() {
                    let d = Diagnostic::new(
                        Code::InvalidSetting,
                        format!("unknown platform `{}`", p.text),
                    )
                    .primary(
                        file,
                        p.span,
                        "expected `windows`, `linux` or `macos`",
                    );
                    ctx.report(with_suggestion(
                        d,
                        file,
                        p.span,
                        &p.text,
                        Platform::ALL.iter().map(|(n, _)| *n),
                    ));
                }
                found
            });
        let version = version.require(ctx, at, &owner, "version \"1.0\"");
        let (Some(platform), Some(version)) = (platform, version) else {
            continue;
        };
        let id = SensorId(ctx.program.sensors.len());
        ctx.sensors.insert(decl.name.text.clone(), id);
        ctx.program.sensors.push(Sensor {
            name: decl.name.text.clone(),
            platform,
            version: version.value.clone(),
            doc: decl.doc.text.clone(),
            loc: loc(file, decl.name.span),
            supplies,
        });
    }
}
