//! Enums and templates: the types that content is written against.

use std::collections::HashMap;

use ward_runtime::limits::{MAX_ENUM_VARIANTS, MAX_FIELDS};
use ward_syntax::ast::{EnumDecl, TemplateDecl, TemplateMember};
use ward_syntax::{Code, Diagnostic, FileId, Span};

use super::props::Prop;
use super::{loc, too_many, Ctx, Ids};
use crate::hir::{Enum, EnumId, Field, Template, TemplateId, Type, Variant};

const U32: (i128, i128) = (0, u32::MAX as i128);

pub(crate) fn check_enums(ctx: &mut Ctx, decls: &[(FileId, &EnumDecl)]) {
    for &(file, decl) in decls {
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut values = Ids::new("variants", "value");
        let mut variants = Vec::new();
        for v in &decl.variants {
            if let Some(first) = names.get(v.name.text.as_str()) {
                ctx.report(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!(
                            "enum `{}` has two variants named `{}`",
                            decl.name.text, v.name.text
                        ),
                    )
                    .repeated((file, v.name.span), (file, *first), "declared"),
                );
                continue;
            }
            names.insert(&v.name.text, v.name.span);
            let Some(value) = ctx.int_in(file, &v.value, U32, "enum value") else {
                continue;
            };
            let value = value as u32;
            if let Some(d) = values.claim(value, &v.name.text, (file, v.value.span)) {
                ctx.report(d);
                continue;
            }
            variants.push(Variant {
                name: v.name.text.clone(),
                value,
                doc: v.doc.text.clone(),
                loc: loc(file, v.name.span),
            });
        }
        if decl.variants.is_empty() {
            ctx.report(
                Diagnostic::new(
                    Code::MissingProperty,
                    format!("enum `{}` has no variants", decl.name.text),
                )
                .primary(file, decl.name.span, "an enum needs at least one variant")
                .note("the first variant is the value an event field takes when it is left out"),
            );
        }
        if variants.len() > MAX_ENUM_VARIANTS {
            ctx.report(too_many(
                file,
                decl.name.span,
                "enum variants",
                variants.len(),
                MAX_ENUM_VARIANTS,
            ));
        }
        let id = EnumId(ctx.program.enums.len());
        ctx.enums.insert(decl.name.text.clone(), id);
        ctx.program.enums.push(Enum {
            name: decl.name.text.clone(),
            doc: decl.doc.text.clone(),
            loc: loc(file, decl.name.span),
            variants,
        });
    }
}

pub(crate) fn check_templates(ctx: &mut Ctx, decls: &[(FileId, &TemplateDecl)]) {
    let mut ids = Ids::new("templates", "id");
    for &(file, decl) in decls {
        let id = ctx
            .int_in(file, &decl.id, U32, "template id")
            .map(|v| v as u32);
        if let Some(d) = id.and_then(|id| ids.claim(id, &decl.name.text, (file, decl.id.span))) {
            ctx.report(d.note("a template id names the template on the wire; each must be unique"));
        }
        let mut version = Prop::new("version");
        let mut fields: Vec<Field> = Vec::new();
        let mut names: HashMap<String, Span> = HashMap::new();
        let mut numbering_ok = true;
        for member in &decl.members {
            match member {
                TemplateMember::Version(v, span) => version.set(ctx, file, v, *span),
                TemplateMember::Field(f) => {
                    let expected = fields.len() as i128 + 1;
                    if numbering_ok && f.number.value != Some(expected) {
                        numbering_ok = false;
                        let shown = f.number.value.map_or("this".into(), |n| n.to_string());
                        let mut d = Diagnostic::new(
                            Code::FieldNumbering,
                            format!(
                                "field `{}` of template `{}` is numbered {shown}, expected {expected}",
                                f.name.text, decl.name.text
                            ),
                        )
                        .primary(file, f.number.span, format!("expected {expected}"))
                        .note("fields are numbered 1..=N in order, without gaps or repeats: the number is the input's position on the wire");
                        if let Some(prev) = fields.last() {
                            d = d.secondary(
                                file,
                                prev.loc.span,
                                format!("field {} is the one before", prev.number),
                            );
                        }
                        ctx.report(d);
                    }
                    if let Some(first) = names.get(&f.name.text) {
                        ctx.report(
                            Diagnostic::new(
                                Code::DuplicateName,
                                format!(
                                    "template `{}` has two fields named `{}`",
                                    decl.name.text, f.name.text
                                ),
                            )
                            .repeated(
                                (file, f.name.span),
                                (file, *first),
                                "declared",
                            ),
                        );
                    }
                    names.insert(f.name.text.clone(), f.name.span);
                    let ty = resolve_type(ctx, file, &f.ty);
                    fields.push(Field {
                        number: u16::try_from(fields.len() + 1).unwrap_or(u16::MAX),
                        name: f.name.text.clone(),
                        ty: ty.unwrap_or(Type::String),
                        doc: f.doc.text.clone(),
                        loc: loc(file, f.name.span),
                    });
                }
                TemplateMember::Error(_) => {}
            }
        }
        let owner = format!("template `{}`", decl.name.text);
        let broken = decl
            .members
            .iter()
            .any(|m| matches!(m, TemplateMember::Error(_)));
        let version = version
            .require(ctx, (file, decl.name.span, broken), &owner, "version 1")
            .and_then(|v| ctx.int_in(file, v, U32, "template version"));
        if fields.is_empty() {
            ctx.report(
                Diagnostic::new(Code::FieldNumbering, format!("{owner} has no fields")).primary(
                    file,
                    decl.name.span,
                    "declare fields as `1 name: type`",
                ),
            );
        }
        if fields.len() > MAX_FIELDS {
            ctx.report(too_many(
                file,
                decl.name.span,
                "template fields",
                fields.len(),
                MAX_FIELDS,
            ));
        }
        let (Some(id), Some(version)) = (id, version) else {
            continue;
        };
        let tid = TemplateId(ctx.program.templates.len());
        ctx.templates.insert(decl.name.text.clone(), tid);
        ctx.program.templates.push(Template {
            name: decl.name.text.clone(),
            id,
            version: version as u32,
            doc: decl.doc.text.clone(),
            loc: loc(file, decl.name.span),
            fields,
        });
    }
}

fn resolve_type(ctx: &mut Ctx, file: FileId, name: &ward_syntax::ast::Name) -> Option<Type> {
    if let Some(t) = Type::builtin(&name.text) {
        return Some(t);
    }
    if let Some(e) = ctx.enums.get(&name.text) {
        return Some(Type::Enum(*e));
    }
    let builtin: Vec<&str> = ward_runtime::ops::builtin_types().map(|t| t.name).collect();
    let enums: Vec<String> = ctx.enums.keys().cloned().collect();
    let candidates: Vec<&str> = builtin
        .iter()
        .copied()
        .chain(enums.iter().map(String::as_str))
        .collect();
    ctx.unknown(file, name, "type", &candidates);
    if let Some(d) = ctx.diags.last_mut() {
        if d.help.is_none() {
            d.notes.push(format!(
                "the built-in types are {}; an enum declared anywhere in the project is a type too",
                builtin.join(", ")
            ));
        }
    }
    None
}
