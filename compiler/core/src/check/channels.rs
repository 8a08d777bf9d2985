//! Channels and their instances: the content detection engineers write, checked against
//! the template and against every sensor the channel targets.

use std::collections::HashMap;

use rayon::prelude::*;
use ward_runtime::limits::{
    MAX_CONTENT_VERSION, MAX_CRITERIA_PER_INSTANCE, MAX_INSTANCES, MAX_STRING_LEN, MAX_TAGS,
    MAX_TARGETS,
};
use ward_runtime::model::{Action, Severity};
use ward_syntax::ast::{self, ChannelDecl, ChannelMember, Expr, InstanceDecl, InstanceMember};
use ward_syntax::{Code, Diagnostic, FileId, Fix, Span};

use super::props::Prop;
use super::{contradiction, loc, name_too_long, too_long, too_many, with_suggestion, Ctx, Ids};
use crate::hir::{Channel, ChannelId, Criterion, Instance, SensorId, Target, Template, TemplateId};

/// A targeted sensor and how many inputs of the channel's template it supplies.
struct Supplier {
    sensor: SensorId,
    last: u16,
    target_span: Span,
}

/// A channel whose header checked, its instances still to check.
struct Pending<'a> {
    file: FileId,
    decl: &'a ChannelDecl,
    tid: TemplateId,
    suppliers: Vec<Supplier>,
    retarget: Option<(Span, &'a Vec<ast::Name>)>,
    instances: Vec<&'a InstanceDecl>,
    /// `None` when either is missing or wrong: the channel is checked but not admitted.
    id_version: Option<(u32, u64)>,
}

pub(crate) fn check(ctx: &mut Ctx, decls: &[(FileId, &ChannelDecl)]) {
    let mut ids = Ids::new("channels", "id");
    let pending: Vec<Pending<'_>> = decls
        .iter()
        .filter_map(|&(file, decl)| header(ctx, &mut ids, file, decl))
        .collect();
    // Instances are most of the work, and checking one channel's reads nothing that
    // another's writes, so channels are checked on every core, each against a copy of
    // the tables. Each channel's diagnostics are merged in source order, so the output is
    // the same whatever the number of threads.
    let shared: &Ctx = ctx;
    let checked: Vec<(Vec<Instance>, Vec<Diagnostic>)> = pending
        .par_iter()
        .map_init(
            || shared.fork(),
            |local, p| {
                let instances =
                    check_instances(local, p.file, p.tid, &p.suppliers, p.retarget, &p.instances);
                (instances, std::mem::take(&mut local.diags))
            },
        )
        .collect();
    for (p, (instances, diags)) in pending.into_iter().zip(checked) {
        ctx.diags.extend(diags);
        let Some((id, version)) = p.id_version else {
            continue;
        };
        let (file, decl) = (p.file, p.decl);
        let cid = ChannelId(ctx.program.channels.len());
        ctx.channels.insert(decl.name.text.clone(), cid);
        ctx.program.channels.push(Channel {
            name: decl.name.text.clone(),
            id,
            version,
            template: p.tid,
            targets: p
                .suppliers
                .iter()
                .map(|s| Target {
                    sensor: s.sensor,
                    loc: loc(file, s.target_span),
                })
                .collect(),
            doc: decl.doc.text.clone(),
            loc: loc(file, decl.name.span),
            decl: loc(file, decl.span),
            instances,
        });
    }
}

/// Everything of a channel but its instances: id, version, template and targets.
fn header<'a>(
    ctx: &mut Ctx,
    ids: &mut Ids,
    file: FileId,
    decl: &'a ChannelDecl,
) -> Option<Pending<'a>> {
    let id = ctx
        .int_in(file, &decl.id, (0, u32::MAX.into()), "channel id")
        .map(|v| v as u32);
    if let Some(d) = id.and_then(|id| ids.claim(id, &decl.name.text, (file, decl.id.span))) {
        ctx.report(d);
    }
    let mut version = Prop::new("version");
    let mut template = Prop::new("template");
    let mut targets = Prop::new("targets");
    let mut instances = Vec::new();
    for member in &decl.members {
        match member {
            ChannelMember::Version(v, span) => version.set(ctx, file, v, *span),
            ChannelMember::Template(t, span) => template.set(ctx, file, t, *span),
            ChannelMember::Targets(t, span) => targets.set(ctx, file, t, *span),
            ChannelMember::Instance(i) => instances.push(i),
            ChannelMember::Error(_) => {}
        }
    }
    if let Some(d) = name_too_long(file, &decl.name, "this channel name") {
        ctx.report(d);
    }
    let owner = format!("channel `{}`", decl.name.text);
    let broken = decl
        .members
        .iter()
        .any(|m| matches!(m, ChannelMember::Error(_)));
    let at = (file, decl.name.span, broken);
    // A version above the ceiling would freeze the channel id (no later version could
    // replace it); a channel store refuses it, so the checker does (docs/delivery.md,
    // "Content versions").
    let version = version
        .require(ctx, at, &owner, "version 1")
        .and_then(|v| {
            let ceiling = i128::from(MAX_CONTENT_VERSION);
            ctx.int_in(file, v, (0, ceiling), "content version")
        })
        .map(|v| v as u64);
    let template = template
        .require(ctx, at, &owner, "template ProcessStart")
        .and_then(|t| match ctx.templates.get(&t.text) {
            Some(id) => Some(*id),
            None => {
                let names: Vec<String> = ctx.templates.keys().cloned().collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                ctx.unknown(file, t, "template", &names);
                None
            }
        });
    let target_names = targets.require(ctx, at, &owner, "targets [windows_7_11]");
    // Without a template no field can be resolved; the rest would only add noise.
    let tid = template?;
    let suppliers = target_names
        .map(|names| {
            resolve_targets(
                ctx,
                file,
                tid,
                names,
                targets.span().unwrap_or(decl.name.span),
            )
        })
        .unwrap_or_default();
    if instances.len() > MAX_INSTANCES {
        ctx.report(too_many(
            file,
            decl.name.span,
            "instances in one channel",
            instances.len(),
            MAX_INSTANCES,
        ));
    }
    Some(Pending {
        file,
        decl,
        tid,
        suppliers,
        retarget: targets.span().zip(target_names),
        instances,
        id_version: id.zip(version),
    })
}

/// Resolves `targets [...]` to sensors that supply the template.
fn resolve_targets(
    ctx: &mut Ctx,
    file: FileId,
    tid: TemplateId,
    names: &[ast::Name],
    list_span: Span,
) -> Vec<Supplier> {
    if names.is_empty() {
        ctx.report(
            Diagnostic::new(Code::NoTargets, "this channel targets no sensor")
                .primary(file, list_span, "the list is empty")
                .help("name the sensors that will run this channel, e.g. `targets [windows_7_12]`"),
        );
        return Vec::new();
    }
    if names.len() > MAX_TARGETS {
        ctx.report(too_many(
            file,
            list_span,
            "targets",
            names.len(),
            MAX_TARGETS,
        ));
    }
    let mut out: Vec<Supplier> = Vec::new();
    for name in names {
        let Some(&sid) = ctx.sensors.get(&name.text) else {
            let all: Vec<String> = ctx.sensors.keys().cloned().collect();
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            ctx.unknown(file, name, "sensor", &all);
            continue;
        };
        if let Some(first) = out.iter().find(|s| s.sensor == sid) {
            ctx.report(
                Diagnostic::new(
                    Code::DuplicateProperty,
                    format!("sensor `{}` is targeted twice", name.text),
                )
                .repeated((file, name.span), (file, first.target_span), "listed"),
            );
            continue;
        }
        let sensor = ctx.program.sensor(sid);
        let template = ctx.program.template(tid);
        match sensor.supply(tid) {
            Some(supply) => out.push(Supplier {
                sensor: sid,
                last: supply.last,
                target_span: name.span,
            }),
            None => {
                let d = Diagnostic::new(
                    Code::TemplateNotSupplied,
                    format!(
                        "sensor `{}` does not supply template `{}` at all",
                        sensor.name, template.name
                    ),
                )
                .primary(
                    file,
                    name.span,
                    format!("`{}` has no `{}` inputs", sensor.name, template.name),
                )
                .secondary(
                    sensor.loc.file,
                    sensor.loc.span,
                    format!(
                        "`{}` is declared here without `supplies {}`",
                        sensor.name, template.name
                    ),
                )
                .help(format!("remove `{}` from `targets`", sensor.name));
                ctx.report(d);
            }
        }
    }
    out
}

fn check_instances(
    ctx: &mut Ctx,
    file: FileId,
    tid: TemplateId,
    suppliers: &[Supplier],
    targets: Option<(Span, &Vec<ast::Name>)>,
    decls: &[&InstanceDecl],
) -> Vec<Instance> {
    let mut names: HashMap<&str, Span> = HashMap::new();
    let mut ids = Ids::new("instances", "id");
    let mut out = Vec::new();
    for decl in decls {
        if let Some(first) = names.get(decl.name.text.as_str()) {
            ctx.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("two instances are named `{}`", decl.name.text),
                )
                .repeated((file, decl.name.span), (file, *first), "declared"),
            );
        }
        names.insert(&decl.name.text, decl.name.span);
        if let Some(d) = name_too_long(file, &decl.name, "this instance name") {
            ctx.report(d);
        }
        let id = ctx
            .int_in(file, &decl.id, (0, u32::MAX.into()), "instance id")
            .map(|v| v as u32);
        if let Some(d) = id.and_then(|id| ids.claim(id, &decl.name.text, (file, decl.id.span))) {
            ctx.report(d.note(
                "instance ids are stable across versions: reviewers' diffs and sensors' reports follow them",
            ));
        }
        let instance = check_instance(ctx, file, tid, suppliers, targets, decl);
        if let (Some(id), Some(mut instance)) = (id, instance) {
            instance.id = id;
            out.push(instance);
        }
    }
    out
}

fn check_instance(
    ctx: &mut Ctx,
    file: FileId,
    tid: TemplateId,
    suppliers: &[Supplier],
    targets: Option<(Span, &Vec<ast::Name>)>,
    decl: &InstanceDecl,
) -> Option<Instance> {
    let mut severity = Prop::new("severity");
    let mut action = Prop::new("action");
    let mut tags = Prop::new("tags");
    let mut written = 0usize;
    let mut criteria = Vec::new();
    for member in &decl.members {
        match member {
            InstanceMember::Criterion(c) => {
                written += 1;
                if let Some(c) = criterion(ctx, file, tid, suppliers, targets, c) {
                    criteria.push(c);
                }
            }
            InstanceMember::Severity(s, span) => severity.set(ctx, file, s, *span),
            InstanceMember::Action(a, span) => action.set(ctx, file, a, *span),
            InstanceMember::Tags(t, span) => tags.set(ctx, file, t, *span),
            InstanceMember::Error(_) => {}
        }
    }
    let owner = format!("instance `{}`", decl.name.text);
    let broken = decl
        .members
        .iter()
        .any(|m| matches!(m, InstanceMember::Error(_)));
    if written == 0 && !broken {
        ctx.report(
            Diagnostic::new(Code::NoCriteria, format!("{owner} has no criteria"))
                .primary(
                    file,
                    decl.name.span,
                    "this instance would fire on every event",
                )
                .help("add at least one criterion, such as `image ends_with r\"\\cmd.exe\"`"),
        );
    }
    if written > MAX_CRITERIA_PER_INSTANCE {
        ctx.report(too_many(
            file,
            decl.name.span,
            "criteria in one instance",
            written,
            MAX_CRITERIA_PER_INSTANCE,
        ));
    }
    contradiction::check(ctx, file, tid, &decl.name, &criteria);
    let severity = match severity.get() {
        Some(s) => setting(
            ctx,
            file,
            s,
            "severity",
            &Severity::ALL.map(|v| (v.as_str(), v)),
        ),
        None if broken => None,
        None => {
            // The fix goes right before the closing brace, indented like a member.
            let at = decl.span.end.saturating_sub(1);
            ctx.report(
                Diagnostic::new(Code::MissingProperty, format!("{owner} has no `severity`"))
                    .primary(file, decl.name.span, "`severity` is required here")
                    .help("add a line such as `severity medium` (informational, low, medium, high or critical)")
                    .fix(Fix {
                        title: "add `severity medium`".into(),
                        file,
                        span: Span::new(at, at),
                        replacement: "    severity medium\n    ".into(),
                    }),
            );
            None
        }
    };
    let action = match action.get() {
        Some(a) => setting(
            ctx,
            file,
            a,
            "action",
            &Action::ALL.map(|v| (v.as_str(), v)),
        ),
        None => Some(Action::Detect),
    };
    let tags = tags
        .get()
        .map(|t| check_tags(ctx, file, t))
        .unwrap_or_default();
    Some(Instance {
        name: decl.name.text.clone(),
        id: 0,
        severity: severity?,
        action: action?,
        tags,
        criteria,
        doc: decl.doc.text.clone(),
        loc: loc(file, decl.name.span),
    })
}

fn setting<T: Copy>(
    ctx: &mut Ctx,
    file: FileId,
    name: &ast::Name,
    what: &str,
    options: &[(&str, T)],
) -> Option<T> {
    if let Some((_, v)) = options.iter().find(|(n, _)| *n == name.text) {
        return Some(*v);
    }
    let list: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let d = Diagnostic::new(
        Code::InvalidSetting,
        format!("unknown {what} `{}`", name.text),
    )
    .primary(
        file,
        name.span,
        format!("expected one of {}", list.join(", ")),
    );
    ctx.report(with_suggestion(d, file, name.span, &name.text, list));
    None
}

fn check_tags(ctx: &mut Ctx, file: FileId, tags: &[Expr]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for t in tags {
        let Expr::Str(s) = t else {
            ctx.report(
                Diagnostic::new(Code::TypeMismatch, "tags are strings").primary(
                    file,
                    t.span(),
                    "expected a string such as \"attack.t1059\"",
                ),
            );
            continue;
        };
        if let Some(first) = seen.get(s.value.as_str()) {
            ctx.report(
                Diagnostic::new(
                    Code::DuplicateTag,
                    format!("the tag \"{}\" is given twice", s.value),
                )
                .repeated((file, s.span), (file, *first), "given"),
            );
            continue;
        }
        seen.insert(&s.value, s.span);
        if s.value.len() > MAX_STRING_LEN {
            ctx.report(too_long(file, s, "this tag", MAX_STRING_LEN));
        }
        out.push(s.value.clone());
    }
    // Point at the first tag past the limit: that is where the list must end.
    if let Some(past) = tags.get(MAX_TAGS) {
        ctx.report(too_many(file, past.span(), "tags", tags.len(), MAX_TAGS));
    }
    out
}

fn criterion(
    ctx: &mut Ctx,
    file: FileId,
    tid: TemplateId,
    suppliers: &[Supplier],
    targets: Option<(Span, &Vec<ast::Name>)>,
    c: &ast::Criterion,
) -> Option<Criterion> {
    let template = ctx.program.template(tid);
    let Some(field) = template.field(&c.field.text).cloned() else {
        unknown_field(ctx, file, template.clone(), &c.field);
        return None;
    };
    if !super::values::op_allowed(field.ty, c.op) {
        let ty = field.ty.name(&ctx.program);
        let allowed: Vec<&str> = super::values::allowed_ops(field.ty)
            .iter()
            .map(|o| o.as_str())
            .collect();
        ctx.report(
            Diagnostic::new(
                Code::OperatorNotAllowed,
                format!(
                    "`{}` cannot be used on `{}`, {} field",
                    c.op.as_str(),
                    field.name,
                    super::a(&format!("`{ty}`"))
                ),
            )
            .primary(file, c.op_span, format!("not an operator for `{ty}`"))
            .secondary(
                field.loc.file,
                field.loc.span,
                format!("`{}` is declared as `{ty}` here", field.name),
            )
            .note(format!(
                "{} field takes {}",
                super::a(&format!("`{ty}`")),
                allowed.join(", ")
            )),
        );
        return None;
    }
    for s in suppliers {
        if field.number > s.last {
            let template = ctx.program.template(tid);
            let sensor = ctx.program.sensor(s.sensor);
            let supply = sensor.supply(tid).map(|x| x.loc).unwrap_or(sensor.loc);
            let mut d = Diagnostic::new(
                Code::FieldNotSupplied,
                format!(
                    "field `{}` (input {}) is not supplied by sensor `{}`, which supplies `{}` inputs 1..={} only",
                    field.name, field.number, sensor.name, template.name, s.last
                ),
            )
            .primary(file, c.span, format!("this criterion reads input {}", field.number))
            .secondary(supply.file, supply.span, format!("`{}` supplies inputs 1..={} only", sensor.name, s.last))
            .secondary(field.loc.file, field.loc.span, format!("`{}` is field {} of `{}`", field.name, field.number, template.name))
            .note(format!(
                "on `{}` input {} does not exist: reading it is the out-of-bounds read of channel file 291 (July 2024)",
                sensor.name, field.number
            ))
            .help(format!(
                "remove this criterion, or stop targeting `{}`",
                sensor.name
            ));
            if let Some((span, names)) = targets {
                let kept: Vec<&str> = names
                    .iter()
                    .map(|n| n.text.as_str())
                    .filter(|n| *n != sensor.name)
                    .collect();
                d = d.fix(Fix {
                    title: format!("stop targeting `{}`", sensor.name),
                    file,
                    span,
                    replacement: format!("targets [{}]", kept.join(", ")),
                });
            }
            ctx.report(d);
        }
    }
    let operand = ctx.operand(file, field.ty, c.op, &c.value)?;
    Some(Criterion {
        field: field.number,
        op: super::values::lower_op(c.op),
        operand,
        loc: loc(file, c.span),
        field_loc: loc(file, c.field.span),
    })
}

pub(crate) fn unknown_field(ctx: &mut Ctx, file: FileId, template: Template, name: &ast::Name) {
    let names: Vec<&str> = template.fields.iter().map(|f| f.name.as_str()).collect();
    let d = Diagnostic::new(
        Code::UnknownField,
        format!("template `{}` has no field `{}`", template.name, name.text),
    )
    .primary(
        file,
        name.span,
        format!("not a field of `{}`", template.name),
    )
    .secondary(
        template.loc.file,
        template.loc.span,
        format!("`{}` is declared here", template.name),
    );
    let d = with_suggestion(d, file, name.span, &name.text, names);
    ctx.report(d);
}
