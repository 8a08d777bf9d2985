//! `ward import sigma`: Sigma rules to a Ward project. Each rule's condition becomes one
//! instance per conjunction of its normal form, in one channel per logsource and set of
//! sensors able to evaluate it; the generated sources are checked with the ordinary
//! checker, and an instance it rejects is dropped with the checker's words, so what is
//! written always checks cleanly.

use std::collections::{BTreeMap, BTreeSet};

use ward_compiler::budget;
use ward_compiler::hir::{ChannelId, Program, SensorId, TemplateId};
use ward_compiler::project::stdlib_sources;
use ward_compiler::sources::Origin;
use ward_compiler::{Code, FileId};

use crate::condition;
use crate::detection::{self, Fields, Literal};
use crate::mapping::{Mapping, Mappings};
use ward_compiler::review::literal;

use crate::render::{self, Criterion};
use crate::rule::{self, Refusal, Rule};
use crate::yaml;
use crate::Reason;

/// One rule file given to the importer.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// As shown in the summary and the generated doc comments.
    pub path: String,
    pub text: String,
}

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every branch of the condition became an instance.
    Imported {
        instances: usize,
    },
    /// Some branches became instances; the others were dropped for these reasons.
    Partial {
        instances: usize,
        dropped: Vec<Refusal>,
    },
    Refused(Vec<Refusal>),
}

#[derive(Debug, Clone)]
pub struct RuleReport {
    pub path: String,
    pub title: Option<String>,
    pub id: Option<String>,
    pub outcome: Outcome,
    /// Names of the instances written for the rule, in order.
    pub instances: Vec<String>,
}

/// The generated project and the report of every rule, in input order.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `(path relative to the output folder, contents)`, Ward.toml first.
    pub files: Vec<(String, String)>,
    pub rules: Vec<RuleReport>,
}

/// First line of every file the importer writes: it tells a later import that the folder
/// is its own to replace.
pub const MARKER: &str = "# Written by `ward import sigma`: do not edit; import again instead.";

/// A rule that survived reading: its conjunctions, as criteria, and what was dropped.
struct Candidate {
    file: usize,
    path: String,
    rule: Rule,
    mapping: usize,
    branches: Vec<Option<Vec<Criterion>>>,
    dropped: Vec<Refusal>,
}

/// Imports `files`. An error is a fault of the bundled stdlib or mappings, not of a rule.
pub fn import(files: &[RuleFile]) -> Result<Imported, String> {
    let mappings = Mappings::bundled()?;
    let stdlib = ward_compiler::check(&stdlib_sources());
    if stdlib.diagnostics.iter().any(|d| d.is_error()) {
        return Err("the bundled stdlib does not check".into());
    }
    let program = stdlib.program;
    let mut reports = Vec::with_capacity(files.len());
    let mut candidates = Vec::new();
    for (index, file) in files.iter().enumerate() {
        match candidate(index, file, &mappings, &program) {
            Ok(c) => {
                reports.push(RuleReport {
                    path: file.path.clone(),
                    title: Some(c.rule.title.clone()),
                    id: c.rule.id.clone(),
                    outcome: Outcome::Imported { instances: 0 },
                    instances: Vec::new(),
                });
                candidates.push(c);
            }
            Err((title, refusals)) => reports.push(RuleReport {
                path: file.path.clone(),
                title,
                id: None,
                outcome: Outcome::Refused(refusals),
                instances: Vec::new(),
            }),
        }
    }
    // Check what was generated; drop each instance the checker rejects, with its words,
    // and generate again until the whole checks. Each round drops at least one branch.
    let emitted = loop {
        let emitted = emit(&candidates, &mappings, &program)?;
        let mut sources = stdlib_sources();
        let ids: Vec<_> = emitted
            .files
            .iter()
            .skip(1)
            .map(|(name, text)| sources.add(name.clone(), None, text.clone(), Origin::Project))
            .collect();
        let checked = ward_compiler::check(&sources);
        // The generated instance at a place in the sources.
        let placed = |file: FileId, at: usize| {
            let file = ids.iter().position(|id| *id == file)?;
            emitted
                .spans
                .iter()
                .find(|s| s.file == file && s.start <= at && at < s.end)
        };
        let mut rejected = BTreeMap::new();
        // A channel over the runtime's cost budget: the instances to leave out, all at
        // once (ward_compiler::budget), rather than the one the refusal names per check.
        if checked
            .diagnostics
            .iter()
            .any(|d| d.code == Code::RuntimeRefused)
        {
            let program = &checked.program;
            for (cid, channel) in program.channels.iter().enumerate() {
                for left in budget::fit(program, &sources, ChannelId(cid)) {
                    let at = channel
                        .instances
                        .iter()
                        .find(|i| i.id == left.instance)
                        .and_then(|i| placed(i.loc.file, i.loc.span.start));
                    let Some(at) = at else {
                        return Err(format!(
                            "a generated instance over the cost budget is not in the generated sources: {}",
                            left.why
                        ));
                    };
                    rejected
                        .entry((at.candidate, at.branch))
                        .or_insert((Reason::Cost, left.why));
                }
            }
        }
        for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
            // Refusals over the budget were answered above; checked again next round.
            if d.code == Code::RuntimeRefused && !rejected.is_empty() {
                continue;
            }
            let Some(label) = d.labels.first() else {
                return Err(format!(
                    "the generated sources fail to check: {}",
                    d.message
                ));
            };
            if !ids.contains(&label.file) {
                return Err(format!(
                    "the generated sources fail to check: {}",
                    d.message
                ));
            }
            let Some(at) = placed(label.file, label.span.start) else {
                return Err(format!(
                    "the generated sources fail to check outside any instance: {}",
                    d.message
                ));
            };
            rejected
                .entry((at.candidate, at.branch))
                .or_insert_with(|| {
                    (
                        Reason::Check,
                        format!("Ward's checker: {}: {}", d.code.as_str(), d.message),
                    )
                });
        }
        if rejected.is_empty() {
            break emitted;
        }
        for ((c, b), (reason, why)) in rejected {
            let candidate = &mut candidates[c];
            candidate.branches[b] = None;
            let refusal = (reason, why, candidate.rule.condition_line);
            // Branches sharing a criterion fail alike: say it once.
            if !candidate.dropped.contains(&refusal) {
                candidate.dropped.push(refusal);
            }
        }
    };
    for (index, c) in candidates.iter().enumerate() {
        let instances = c.branches.iter().filter(|b| b.is_some()).count();
        let report = &mut reports[c.file];
        report.instances = emitted
            .spans
            .iter()
            .filter(|s| s.candidate == index)
            .map(|s| s.name.clone())
            .collect();
        report.outcome = if instances == 0 {
            Outcome::Refused(c.dropped.clone())
        } else if c.dropped.is_empty() {
            Outcome::Imported { instances }
        } else {
            Outcome::Partial {
                instances,
                dropped: c.dropped.clone(),
            }
        };
    }
    Ok(Imported {
        files: emitted.files,
        rules: reports,
    })
}

type Refused = (Option<String>, Vec<Refusal>);

fn candidate(
    index: usize,
    file: &RuleFile,
    mappings: &Mappings,
    program: &Program,
) -> Result<Candidate, Refused> {
    let docs =
        yaml::parse(&file.text).map_err(|(why, line)| (None, vec![(Reason::Yaml, why, line)]))?;
    let doc = match docs.as_slice() {
        [doc] => doc,
        [] => return Err((None, vec![(Reason::NotARule, "an empty file".into(), 1)])),
        [_, second, ..] => {
            return Err((
                None,
                vec![(
                    Reason::Collection,
                    "a rule collection (several YAML documents)".into(),
                    second.line(),
                )],
            ))
        }
    };
    let rule = rule::read(doc).map_err(|r| (None, vec![r]))?;
    let title = Some(rule.title.clone());
    let refuse = |r: Refusal| (title.clone(), vec![r]);
    let Some((mapping, map)) = mappings.for_logsource(&rule.product, &rule.category) else {
        return Err(refuse((
            Reason::Logsource,
            format!(
                "logsource product `{}`, category `{}`{} has no mapping in stdlib-templates/mappings",
                rule.product,
                rule.category,
                rule.service
                    .as_ref()
                    .map(|s| format!(", service `{s}`"))
                    .unwrap_or_default()
            ),
            doc.get("logsource").map_or(1, yaml::Node::line),
        )));
    };
    let Some((_, template)) = template_of(program, map) else {
        return Err(refuse((
            Reason::Logsource,
            format!(
                "the mapping names template `{}`, which the stdlib lacks",
                map.template
            ),
            1,
        )));
    };
    let fields = Fields {
        mapping: map,
        template,
        program,
    };
    let selections = detection::selections(&rule.detection, fields);
    let names: Vec<String> = selections.iter().map(|(n, _)| n.clone()).collect();
    let cond = condition::parse(&rule.condition, &names).map_err(|why| {
        let reason = if why.contains("aggregation") {
            Reason::Aggregation
        } else {
            Reason::Condition
        };
        refuse((reason, why, rule.condition_line))
    })?;
    let formula = detection::formula(&cond, &selections.into_iter().collect());
    let Some(conjunctions) = detection::dnf(&formula, false) else {
        return Err(refuse((
            Reason::Expansion,
            format!(
                "the condition expands to more than {} instances",
                detection::MAX_INSTANCES
            ),
            rule.condition_line,
        )));
    };
    let mut branches = Vec::new();
    let mut dropped = Vec::new();
    for conjunction in conjunctions {
        match conjunction {
            Ok(literals) if literals.is_empty() => dropped.push((
                Reason::MatchesAll,
                "a branch of the condition with no criterion matches every event".into(),
                rule.condition_line,
            )),
            Ok(literals) => branches.push(Some(criteria(&literals))),
            Err(reasons) => {
                for r in reasons {
                    if !dropped.contains(&r) {
                        dropped.push(r);
                    }
                }
            }
        }
    }
    if branches.is_empty() {
        return Err((title, dropped));
    }
    Ok(Candidate {
        file: index,
        path: file.path.clone(),
        rule,
        mapping,
        branches,
        dropped,
    })
}

fn template_of<'p>(
    program: &'p Program,
    map: &Mapping,
) -> Option<(TemplateId, &'p ward_compiler::hir::Template)> {
    program
        .templates
        .iter()
        .enumerate()
        .find(|(_, t)| t.name == map.template)
        .map(|(i, t)| (TemplateId(i), t))
}

/// A conjunction's criteria, each once, in a stable order: the tests one input passes for
/// few instances at once (`==`, `in`, `starts_with`, `ends_with`) first, then the rule's
/// order. Evaluation stops at an instance's first failing criterion, so the runtime's
/// cost bound charges what follows such a test for one chain of instances only
/// (runtime/src/gates.rs), and a sensor runs the costly tests of the command line only
/// for the instances whose image matched.
fn criteria(literals: &[Literal]) -> Vec<Criterion> {
    let mut out: Vec<Criterion> = Vec::new();
    for l in literals {
        let c = render::criterion(&l.atom, l.negated);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort_by_key(|c| !matches!(c.operator, "==" | "in" | "starts_with" | "ends_with"));
    out
}

/// Where one instance sits in the generated text.
struct Placed {
    file: usize,
    start: usize,
    end: usize,
    candidate: usize,
    branch: usize,
    name: String,
}

struct Emitted {
    files: Vec<(String, String)>,
    spans: Vec<Placed>,
}

/// One instance to write.
struct Planned<'a> {
    candidate: usize,
    branch: usize,
    criteria: &'a [Criterion],
    of: usize,
}

fn emit(
    candidates: &[Candidate],
    mappings: &Mappings,
    program: &Program,
) -> Result<Emitted, String> {
    let mut files = vec![(
        "Ward.toml".to_string(),
        format!("{MARKER}\n[project]\nname = \"sigma-import\"\n"),
    )];
    let mut spans = Vec::new();
    for (m, map) in mappings.all.iter().enumerate() {
        let of_mapping: Vec<usize> = (0..candidates.len())
            .filter(|c| candidates[*c].mapping == m)
            .collect();
        if of_mapping.is_empty() {
            continue;
        }
        let Some((template_id, template)) = template_of(program, map) else {
            return Err(format!("no template `{}` in the stdlib", map.template));
        };
        // The platform's sensors that supply the template at all, oldest first.
        let sensors: Vec<(SensorId, u16)> = program
            .sensors
            .iter()
            .enumerate()
            .filter(|(_, s)| s.platform.as_str() == map.product)
            .filter_map(|(i, s)| s.supply(template_id).map(|sup| (SensorId(i), sup.last)))
            .collect();
        // Instances by the first sensor able to evaluate them: sensors supply a prefix of
        // the fields, so every later one supplying as many can too.
        let mut groups: BTreeMap<usize, Vec<Planned<'_>>> = BTreeMap::new();
        for &c in &of_mapping {
            let candidate = &candidates[c];
            let live = candidate.branches.iter().filter(|b| b.is_some()).count();
            for (b, branch) in candidate.branches.iter().enumerate() {
                let Some(criteria) = branch else { continue };
                let needed = criteria
                    .iter()
                    .filter_map(|cr| template.field(&cr.field).map(|f| f.number))
                    .max()
                    .unwrap_or(1);
                if let Some(first) = sensors.iter().position(|(_, last)| *last >= needed) {
                    groups.entry(first).or_default().push(Planned {
                        candidate: c,
                        branch: b,
                        criteria,
                        of: live,
                    });
                }
            }
        }
        let mut text = format!(
            "// Written by `ward import sigma`: do not edit; import again instead.\n\
             // Sigma logsource category {} (product {}): template {}.\n",
            map.categories.join(", "),
            map.product,
            map.template
        );
        for (first, planned) in &groups {
            let targets: Vec<&str> = sensors[*first..]
                .iter()
                .filter(|(_, last)| *last >= sensors[*first].1)
                .map(|(s, _)| program.sensor(*s).name.as_str())
                .collect();
            let (name, id) = if *first == 0 {
                (map.channel.clone(), map.channel_id)
            } else {
                let oldest = &program.sensor(sensors[*first].0).name;
                let offset = u32::try_from(*first)
                    .unwrap_or(u32::MAX)
                    .saturating_mul(1000);
                (
                    format!("{}{}", map.channel, pascal(oldest)),
                    map.channel_id.saturating_add(offset),
                )
            };
            text.push_str(&format!(
                "\n/// Sigma rules of logsource {} for the sensors that supply the fields they read.\n\
                 channel {name} = {id} {{\n    version 1\n    template {}\n    targets [{}]\n",
                map.categories.join(", "),
                map.template,
                targets.join(", ")
            ));
            let mut names = BTreeSet::new();
            let mut ids = BTreeSet::new();
            let mut order: Vec<&Planned<'_>> = planned.iter().collect();
            order.sort_by(|a, b| {
                (&candidates[a.candidate].rule.id, a.candidate, a.branch).cmp(&(
                    &candidates[b.candidate].rule.id,
                    b.candidate,
                    b.branch,
                ))
            });
            for p in order {
                let candidate = &candidates[p.candidate];
                let rule = &candidate.rule;
                let position = candidate.branches[..p.branch]
                    .iter()
                    .filter(|b| b.is_some())
                    .count();
                let mut name = snake(&rule.title);
                if p.of > 1 {
                    name = format!("{name}_{}", position + 1);
                }
                let mut unique = name.clone();
                let mut n = 2;
                while names.contains(&unique) {
                    unique = format!("{name}_v{n}");
                    n += 1;
                }
                names.insert(unique.clone());
                let key = rule.id.clone().unwrap_or_else(|| rule.title.clone());
                let mut instance_id = fnv(&format!("{key}/{position}"));
                while ids.contains(&instance_id) {
                    instance_id = instance_id.wrapping_add(1);
                }
                ids.insert(instance_id);
                text.push('\n');
                for line in doc(rule, candidates, p, position) {
                    text.push_str("    /// ");
                    text.push_str(&line);
                    text.push('\n');
                }
                let start = text.len();
                text.push_str(&format!("    instance {unique} = {instance_id} {{\n"));
                for c in p.criteria {
                    text.push_str("        ");
                    text.push_str(&c.source());
                    text.push('\n');
                }
                text.push_str(&format!("        severity {}\n", rule.level));
                let mut tags: Vec<String> = Vec::new();
                for t in rule
                    .tags
                    .iter()
                    .cloned()
                    .chain(rule.id.iter().map(|id| format!("sigma.id.{id}")))
                {
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
                tags.truncate(ward_runtime::limits::MAX_TAGS);
                if !tags.is_empty() {
                    let list: Vec<String> = tags.iter().map(|t| literal::string(t)).collect();
                    text.push_str(&format!("        tags [{}]\n", list.join(", ")));
                }
                text.push_str("    }\n");
                spans.push(Placed {
                    file: files.len() - 1,
                    start,
                    end: text.len(),
                    candidate: p.candidate,
                    branch: p.branch,
                    name: unique,
                });
            }
            text.push_str("}\n");
        }
        let stem = map
            .categories
            .first()
            .cloned()
            .unwrap_or_else(|| map.channel.clone());
        files.push((format!("channels/{stem}.ward"), text));
    }
    Ok(Emitted { files, spans })
}

/// The doc comment of an instance: what a reviewer needs to find the rule again.
fn doc(rule: &Rule, candidates: &[Candidate], p: &Planned<'_>, position: usize) -> Vec<String> {
    let candidate = &candidates[p.candidate];
    let mut lines = vec![rule.title.clone()];
    let mut origin = format!("Sigma rule {}", rule.id.as_deref().unwrap_or("(no id)"));
    if let Some(status) = &rule.status {
        origin.push_str(&format!(", status {status}"));
    }
    if let Some(author) = &rule.author {
        origin.push_str(&format!(", by {author}"));
    }
    lines.push(origin);
    lines.push(format!("Imported from {}", candidate.path));
    if p.of > 1 {
        lines.push(format!(
            "Branch {} of {} of the condition `{}`",
            position + 1,
            p.of,
            rule.condition
        ));
    }
    if let Some(d) = &rule.description {
        lines.extend(
            d.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    for r in &rule.references {
        lines.push(format!("Reference: {r}"));
    }
    if !rule.falsepositives.is_empty() {
        lines.push(format!(
            "False positives: {}",
            rule.falsepositives.join("; ")
        ));
    }
    lines
}

/// Longest instance name taken from a title, so names stay readable in reports.
const NAME_LEN: usize = 64;

/// A title as a snake_case instance name.
fn snake(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let mut out = out.trim_end_matches('_').to_string();
    if out.len() > NAME_LEN {
        out.truncate(NAME_LEN);
        out = out.trim_end_matches('_').to_string();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("rule_{out}");
    }
    // A title such as "Test" would make a reserved word: the lexer says which words are.
    let lexed = ward_syntax::lexer::lex(&out);
    if !matches!(lexed.tokens.as_slice(), [(0, ward_syntax::lexer::Tok::Ident, end)] if *end == out.len())
    {
        out.push_str("_rule");
    }
    out
}

/// `windows_7_13` as `Windows713`.
fn pascal(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// FNV-1a: a stable instance id from the rule's id and branch, so ids survive re-imports
/// and the order of the input files.
fn fnv(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}
