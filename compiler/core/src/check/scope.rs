//! Collects top-level declarations. All files of a project and the stdlib share one
//! namespace, and declaration order does not matter, so this pass runs before any other.

use ward_syntax::ast::{Item, SourceFile};
use ward_syntax::{Code, Diagnostic, FileId};

use super::{items, loc, Ctx, Decls, Kind};

pub(crate) fn collect<'f>(ctx: &mut Ctx, files: &'f [(FileId, SourceFile)]) -> Decls<'f> {
    let mut decls = Decls {
        enums: Vec::new(),
        templates: Vec::new(),
        sensors: Vec::new(),
        channels: Vec::new(),
        tests: Vec::new(),
    };
    for (file, item) in items(files) {
        let (kind, name) = match item {
            Item::Enum(d) => (Kind::Enum, &d.name),
            Item::Template(d) => (Kind::Template, &d.name),
            Item::Sensor(d) => (Kind::Sensor, &d.name),
            Item::Channel(d) => (Kind::Channel, &d.name),
            Item::Test(d) => {
                decls.tests.push((file, d));
                continue;
            }
            Item::Error(_) => continue,
        };
        if let Some((first_kind, first)) = ctx.scope.get(&name.text) {
            let first = *first;
            let first_kind = first_kind.noun();
            ctx.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("the name `{}` is declared twice", name.text),
                )
                .primary(file, name.span, format!("this {} reuses the name", kind.noun()))
                .secondary(
                    first.file,
                    first.span,
                    format!("the {first_kind} `{}` is declared here", name.text),
                )
                .note("enums, templates, sensors and channels of all files and the stdlib share one namespace")
                .help("rename one of them"),
            );
            continue;
        }
        if crate::hir::Type::builtin(&name.text).is_some() {
            ctx.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("`{}` is the name of a built-in type", name.text),
                )
                .primary(file, name.span, "choose another name"),
            );
            continue;
        }
        ctx.scope
            .insert(name.text.clone(), (kind, loc(file, name.span)));
        match item {
            Item::Enum(d) => decls.enums.push((file, d)),
            Item::Template(d) => decls.templates.push((file, d)),
            Item::Sensor(d) => decls.sensors.push((file, d)),
            Item::Channel(d) => decls.channels.push((file, d)),
            Item::Test(_) | Item::Error(_) => {}
        }
    }
    decls
}
