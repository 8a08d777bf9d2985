//! The checker: every rule of the language, from a project's sources to a [`Program`]
//! and diagnostics. It runs on whatever parsed, so one mistake never hides another.
//!
//! Passes run in dependency order (enums, templates, sensors, channels, tests); each
//! resolves names against what the earlier passes admitted.

mod channels;
mod contradiction;
mod memo;
mod patterns;
mod props;
mod scope;
mod sensors;
mod test_blocks;
mod types;
pub(crate) mod values;
mod verifier;

use std::collections::HashMap;

use rayon::prelude::*;

use ward_syntax::ast::{Item, Name, SourceFile};
use ward_syntax::{Code, Diagnostic, FileId, Fix, Span};

use crate::hir::{ChannelId, EnumId, Loc, Program, SensorId, TemplateId};
use crate::sources::{Origin, Sources};
use crate::suggest;

pub use values::allowed_ops;

/// The result of checking a project.
#[derive(Debug)]
pub struct Checked {
    pub program: Program,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Every parsed file, for the formatter and the language server.
    pub files: Vec<(FileId, SourceFile)>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and checks every source (the manifest excepted).
pub fn check(sources: &Sources) -> Checked {
    run(sources, Passes::All)
}

/// Parses every source but checks only the declarations of enums, templates and sensors
/// (names, types, what each sensor supplies): what reading one sensor's profile needs
/// (`ward verify --sensor NAME --project DIR`), without checking every channel and test.
/// Diagnostics of channels and tests are not reported: this is not `ward check`.
pub fn check_declarations(sources: &Sources) -> Checked {
    run(sources, Passes::Declarations)
}

/// Which passes [`run`] makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Passes {
    All,
    Declarations,
}

fn run(sources: &Sources, passes: Passes) -> Checked {
    // Files parse independently, so they parse on every core; collecting keeps source
    // order, so the result is the same as a single-threaded run.
    let all = sources;
    let sources: Vec<&crate::sources::Source> = sources
        .iter()
        .filter(|s| s.origin != Origin::Manifest)
        .collect();
    let parses: Vec<ward_syntax::Parse> = sources
        .par_iter()
        .map(|s| ward_syntax::parse(s.id, &s.text))
        .collect();
    let mut diagnostics = Vec::new();
    let files: Vec<(FileId, SourceFile)> = sources
        .iter()
        .zip(parses)
        .map(|(s, parse)| {
            if s.origin == Origin::Project
                && s.readable
                && parse.file.items.is_empty()
                && parse.diagnostics.is_empty()
            {
                diagnostics.push(
                    Diagnostic::new(Code::EmptyFile, format!("{} declares nothing", s.name))
                        .primary(s.id, Span::new(0, 0), "this file is empty or only comments")
                        .help("add a channel, template, sensor, enum or test to it, or delete it"),
                );
            }
            diagnostics.extend(parse.diagnostics);
            (s.id, parse.file)
        })
        .collect();
    let mut ctx = Ctx {
        diags: diagnostics,
        program: Program::default(),
        scope: HashMap::new(),
        enums: HashMap::new(),
        templates: HashMap::new(),
        sensors: HashMap::new(),
        channels: HashMap::new(),
    };
    let decls = scope::collect(&mut ctx, &files);
    types::check_enums(&mut ctx, &decls.enums);
    types::check_templates(&mut ctx, &decls.templates);
    sensors::check(&mut ctx, &decls.sensors);
    if passes == Passes::Declarations {
        let Ctx { diags, program, .. } = ctx;
        return Checked {
            program,
            diagnostics: diags,
            files,
        };
    }
    channels::check(&mut ctx, &decls.channels);
    test_blocks::check(&mut ctx, &decls.tests);
    let Ctx {
        mut diags, program, ..
    } = ctx;
    // Only a program without errors lowers; the runtime's verdict comes last.
    if !diags.iter().any(Diagnostic::is_error) {
        diags.extend(verifier::check(&program, all));
    }
    // A project with no source at all is E0012 already, reported by the loader.
    let has_sources = sources.iter().any(|s| s.origin == Origin::Project);
    if program.channels.is_empty() && has_sources && !diags.iter().any(Diagnostic::is_error) {
        if let Some(manifest) = all.iter().find(|s| s.origin == Origin::Manifest) {
            diags.push(
                Diagnostic::new(Code::NoChannels, "the project declares no channel: there is nothing to build")
                    .primary(manifest.id, Span::new(0, 0), "this project has no channel")
                    .help("declare a channel (docs/language.md, \"Channels\") in a `.ward` file below this folder"),
            );
        }
    }
    diags.sort_by_key(|d| d.location().map(|l| (l.file, l.span.start, l.span.end)));
    Checked {
        program,
        diagnostics: diags,
        files,
    }
}

/// What kind of thing a top-level name declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Enum,
    Template,
    Sensor,
    Channel,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Enum => "enum",
            Kind::Template => "template",
            Kind::Sensor => "sensor",
            Kind::Channel => "channel",
        }
    }
}

/// State shared by the passes.
pub(crate) struct Ctx {
    pub diags: Vec<Diagnostic>,
    pub program: Program,
    /// Every top-level name and what declares it.
    pub scope: HashMap<String, (Kind, Loc)>,
    /// Names admitted into the program by each pass.
    pub enums: HashMap<String, EnumId>,
    pub templates: HashMap<String, TemplateId>,
    pub sensors: HashMap<String, SensorId>,
    pub channels: HashMap<String, ChannelId>,
}

impl Ctx {
    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A copy of the tables with no diagnostics, for checking in parallel what only reads
    /// them (the caller merges the diagnostics back in a fixed order).
    pub fn fork(&self) -> Ctx {
        Ctx {
            diags: Vec::new(),
            program: self.program.clone(),
            scope: self.scope.clone(),
            enums: self.enums.clone(),
            templates: self.templates.clone(),
            sensors: self.sensors.clone(),
            channels: self.channels.clone(),
        }
    }

    /// Reports a name that is not a `want`: unknown, or declared as something else.
    pub fn unknown(&mut self, file: FileId, name: &Name, want: &str, candidates: &[&str]) {
        let mut d = match self.scope.get(&name.text) {
            // Declared as what is wanted, but not admitted: its declaration has an error,
            // already reported there. One mistake, one error.
            Some((kind, _)) if kind.noun() == want => return,
            Some((kind, loc)) => Diagnostic::new(
                Code::UnknownName,
                format!("`{}` is a {}, not a {want}", name.text, kind.noun()),
            )
            .primary(file, name.span, format!("expected a {want}"))
            .secondary(
                loc.file,
                loc.span,
                format!("`{}` is declared here", name.text),
            ),
            None => Diagnostic::new(Code::UnknownName, format!("unknown {want} `{}`", name.text))
                .primary(
                    file,
                    name.span,
                    format!("no {want} is named `{}`", name.text),
                ),
        };
        d = with_suggestion(d, file, name.span, &name.text, candidates.iter().copied());
        self.report(d);
    }

    /// Checks an integer literal against an inclusive range; `what` names it in messages.
    pub fn int_in(
        &mut self,
        file: FileId,
        lit: &ward_syntax::ast::IntLit,
        (lo, hi): (i128, i128),
        what: &str,
    ) -> Option<i128> {
        let value = lit.value?;
        if value < lo || value > hi {
            self.report(
                Diagnostic::new(
                    Code::IntegerOutOfRange,
                    format!("{what} {value} is out of range"),
                )
                .primary(file, lit.span, format!("must be between {lo} and {hi}")),
            );
            return None;
        }
        Some(value)
    }
}

/// Adds a "did you mean" help line and its fix when a candidate is close.
pub(crate) fn with_suggestion<'c>(
    d: Diagnostic,
    file: FileId,
    span: Span,
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Diagnostic {
    match suggest::closest(name, candidates) {
        Some(best) => d.help(format!("did you mean `{best}`?")).fix(Fix {
            title: format!("replace with `{best}`"),
            file,
            span,
            replacement: best.to_string(),
        }),
        None => d,
    }
}

/// Which declaration holds each id of one kind: templates, channels, the instances of a
/// channel, the variants of an enum. Ids are what the wire, sensors and reviewers' diffs
/// follow, so each must be unique.
pub(crate) struct Ids {
    /// The holders, plural: "templates".
    kind: &'static str,
    /// What the number is called: "id" or "value".
    what: &'static str,
    held: HashMap<u32, (String, FileId, Span)>,
}

impl Ids {
    pub fn new(kind: &'static str, what: &'static str) -> Self {
        Ids {
            kind,
            what,
            held: HashMap::new(),
        }
    }

    /// Claims `id` for `holder`, written at `at`; when another holds it, the E0111 to
    /// report (the caller may add a note).
    pub fn claim(&mut self, id: u32, holder: &str, at: (FileId, Span)) -> Option<Diagnostic> {
        match self.held.get(&id) {
            Some((other, file, span)) => Some(
                Diagnostic::new(
                    Code::DuplicateId,
                    format!(
                        "{} `{other}` and `{holder}` share the {} {id}",
                        self.kind, self.what
                    ),
                )
                .primary(at.0, at.1, format!("this {} is taken", self.what))
                .secondary(*file, *span, format!("`{other}` has it already")),
            ),
            None => {
                self.held.insert(id, (holder.to_string(), at.0, at.1));
                None
            }
        }
    }
}

/// `word` with its indefinite article: "a `u32`", "an `ip`", "an `Integrity`".
pub(crate) fn a(word: &str) -> String {
    let letters: Vec<char> = word.trim_start_matches('`').chars().take(2).collect();
    let vowel = match letters.as_slice() {
        // `u8`, `u64`: "you-eight", a consonant sound.
        ['u' | 'U', d, ..] if d.is_ascii_digit() => false,
        [c, ..] => "aeiouAEIOU".contains(*c),
        [] => false,
    };
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// A count past one of the runtime's limits (`ward_runtime::limits`).
pub(crate) fn too_many(
    file: FileId,
    span: Span,
    what: &str,
    count: usize,
    max: usize,
) -> Diagnostic {
    Diagnostic::new(
        Code::LimitExceeded,
        format!("too many {what}: {count}, at most {max}"),
    )
    .primary(
        file,
        span,
        format!("the runtime accepts at most {max} {what}"),
    )
}

/// A literal longer than one of the runtime's limits. The label marks its opening quote:
/// underlining a kilobyte of text helps nobody.
pub(crate) fn too_long(
    file: FileId,
    lit: &ward_syntax::ast::StrLit,
    what: &str,
    max: usize,
) -> Diagnostic {
    let len = lit.value.len();
    let open = Span::new(
        lit.span.start,
        (lit.span.start + if lit.raw { 2 } else { 1 }).min(lit.span.end),
    );
    Diagnostic::new(
        Code::LimitExceeded,
        format!("{what} is {len} bytes long, at most {max}"),
    )
    .primary(file, open, format!("{what} is {len} bytes long"))
    .note(format!(
        "the runtime refuses strings and patterns longer than {max} bytes"
    ))
}

/// A name the channel format cannot encode: longer than the runtime's
/// `MAX_STRING_LEN`. The label marks the name's first character.
pub(crate) fn name_too_long(file: FileId, name: &Name, what: &str) -> Option<Diagnostic> {
    let max = ward_runtime::limits::MAX_STRING_LEN;
    let len = name.text.len();
    if len <= max {
        return None;
    }
    let first = name.text.chars().next().map_or(0, char::len_utf8);
    Some(
        Diagnostic::new(
            Code::LimitExceeded,
            format!("{what} is {len} bytes long, at most {max}"),
        )
        .primary(
            file,
            Span::new(name.span.start, name.span.start + first),
            format!("{what} is {len} bytes long"),
        )
        .note(format!(
            "the runtime refuses names and strings longer than {max} bytes"
        )),
    )
}

pub(crate) fn loc(file: FileId, span: Span) -> Loc {
    Loc::new(file, span)
}

/// The declarations of each kind, in source order, with the file they are in.
pub(crate) struct Decls<'f> {
    pub enums: Vec<(FileId, &'f ward_syntax::ast::EnumDecl)>,
    pub templates: Vec<(FileId, &'f ward_syntax::ast::TemplateDecl)>,
    pub sensors: Vec<(FileId, &'f ward_syntax::ast::SensorDecl)>,
    pub channels: Vec<(FileId, &'f ward_syntax::ast::ChannelDecl)>,
    pub tests: Vec<(FileId, &'f ward_syntax::ast::TestDecl)>,
}

pub(crate) fn items(files: &[(FileId, SourceFile)]) -> impl Iterator<Item = (FileId, &Item)> {
    files
        .iter()
        .flat_map(|(f, file)| file.items.iter().map(move |i| (*f, i)))
}
