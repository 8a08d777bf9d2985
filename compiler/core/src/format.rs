//! The formatter: one canonical layout for Ward source, with every comment kept.
//!
//! Structure comes from the syntax tree (each member's span); spacing comes from the
//! tokens, so a member is re-spelt token by token and nothing is lost. Comments are placed
//! by position: those between members stay on their own lines, one at the end of a
//! member's line stays there, and a member with a comment inside it is kept as written
//! (moving a comment is the one thing a formatter must never do). A file with syntax
//! errors is not formatted at all.

use ward_syntax::ast::{
    ChannelMember, EnumDecl, InstanceMember, Item, SensorMember, SourceFile, TemplateMember,
    TestMember,
};
use ward_syntax::lexer::{self, Tok};
use ward_syntax::{FileId, Span};

const INDENT: &str = "    ";
/// Enums and event records stay on one line when it is no longer than this.
const MAX_WIDTH: usize = 100;

/// The canonical layout of `src`, or `None` when it has syntax errors.
pub fn format(src: &str) -> Option<String> {
    // The file keeps its byte order mark and its line endings (Windows editors write
    // both), so `ward fmt --check` does not fail every file saved on Windows.
    let (bom, body) = match src.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", src),
    };
    if body.contains("\r\n") {
        let formatted = format_lf(&body.replace("\r\n", "\n"))?;
        return Some(format!("{bom}{}", formatted.replace('\n', "\r\n")));
    }
    format_lf(body).map(|formatted| format!("{bom}{formatted}"))
}

/// [`format`] of a text whose lines end in `\n`.
fn format_lf(src: &str) -> Option<String> {
    let parse = ward_syntax::parse(FileId(0), src);
    if !parse.diagnostics.is_empty() {
        return None;
    }
    let lexed = lexer::lex(src);
    let mut comments: Vec<Span> = lexed
        .comments
        .iter()
        .chain(&lexed.doc_comments)
        .copied()
        .collect();
    comments.sort();
    let mut f = Formatter {
        src,
        tokens: &lexed.tokens,
        comments,
        out: String::with_capacity(src.len()),
    };
    f.file(&parse.file);
    Some(f.out)
}

struct Formatter<'a> {
    src: &'a str,
    tokens: &'a [(usize, Tok, usize)],
    /// Regular and doc comments, in source order.
    comments: Vec<Span>,
    out: String,
}

/// One line-level element of a block, in source order.
enum Member<'t> {
    /// Spelt from its tokens.
    Plain(Span),
    /// A template field, aligned with the others.
    Field {
        span: Span,
        number: String,
        name: String,
        ty: String,
    },
    /// An instance: a nested block.
    Instance(&'t ward_syntax::ast::InstanceDecl),
    /// `event { ... }`: inline when it fits.
    Event(Span, &'t [ward_syntax::ast::EventField]),
}

impl Member<'_> {
    fn span(&self) -> Span {
        match self {
            Member::Plain(s) | Member::Field { span: s, .. } | Member::Event(s, _) => *s,
            Member::Instance(i) => i.span,
        }
    }
}

impl<'a> Formatter<'a> {
    fn file(&mut self, file: &SourceFile) {
        let end = self.src.len();
        let mut prev_end = 0;
        for (i, item) in file.items.iter().enumerate() {
            let span = item.span();
            if i > 0 {
                // Exactly one blank line between items.
                self.out.push('\n');
            }
            self.own_line_comments(prev_end, span.start, "", true, true);
            self.item(item);
            let next = file.items.get(i + 1).map_or(end, |n| n.span().start);
            prev_end = self.trailing_comment(span.end, next);
            self.out.push('\n');
        }
        if self.comments_between(prev_end, end).next().is_some() {
            if !file.items.is_empty() {
                self.out.push('\n');
            }
            self.own_line_comments(prev_end, end, "", true, false);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Enum(e) => self.enum_decl(e),
            Item::Template(t) => {
                let members = template_members(self.src, &t.members);
                self.block(t.span, &members, "");
            }
            Item::Sensor(s) => {
                let members: Vec<Member> = s
                    .members
                    .iter()
                    .map(|m| match m {
                        SensorMember::Platform(_, span)
                        | SensorMember::Version(_, span)
                        | SensorMember::Error(span) => Member::Plain(*span),
                        SensorMember::Supplies(x) => Member::Plain(x.span),
                    })
                    .collect();
                self.block(s.span, &members, "");
            }
            Item::Channel(c) => {
                let members: Vec<Member> = c
                    .members
                    .iter()
                    .map(|m| match m {
                        ChannelMember::Version(_, s)
                        | ChannelMember::Template(_, s)
                        | ChannelMember::Targets(_, s)
                        | ChannelMember::Error(s) => Member::Plain(*s),
                        ChannelMember::Instance(i) => Member::Instance(i),
                    })
                    .collect();
                self.block(c.span, &members, "");
            }
            Item::Test(t) => {
                let members: Vec<Member> = t
                    .members
                    .iter()
                    .map(|m| match m {
                        TestMember::Event(fields, s) => Member::Event(*s, fields),
                        TestMember::Channel(_, s)
                        | TestMember::Expect(_, s)
                        | TestMember::Error(s) => Member::Plain(*s),
                    })
                    .collect();
                self.block(t.span, &members, "");
            }
            Item::Error(span) => self.verbatim(*span),
        }
    }

    /// `HEADER { members }` for an item or instance spanning `span`.
    fn block(&mut self, span: Span, members: &[Member], indent: &str) {
        let open = self.first_token(span, Tok::LBrace);
        let header = Span::new(span.start, open);
        if self
            .comments_between(header.start, header.end)
            .next()
            .is_some()
        {
            // A comment inside the header: keep the whole declaration as written.
            self.verbatim(span);
            return;
        }
        self.out.push_str(&self.spell(header));
        self.out.push_str(" {");
        let inner = format!("{indent}{INDENT}");
        let close = span.end.saturating_sub(1);
        let widths = field_widths(members);
        let mut prev_end = open + 1;
        for (i, m) in members.iter().enumerate() {
            self.out.push('\n');
            self.own_line_comments(prev_end, m.span().start, &inner, i == 0, true);
            self.out.push_str(&inner);
            self.member(m, &inner, widths);
            let next = members.get(i + 1).map_or(close, |n| n.span().start);
            prev_end = self.trailing_comment(m.span().end, next);
        }
        if self.comments_between(prev_end, close).next().is_some() {
            self.out.push('\n');
            self.own_line_comments(prev_end, close, &inner, members.is_empty(), false);
            // Each comment ends its line; the closing brace adds its own.
            self.out.pop();
        }
        self.out.push('\n');
        self.out.push_str(indent);
        self.out.push('}');
    }

    fn member(&mut self, m: &Member, indent: &str, (nw, namew): (usize, usize)) {
        if self
            .comments_between(m.span().start, m.span().end)
            .next()
            .is_some()
        {
            self.verbatim(m.span());
            return;
        }
        match m {
            Member::Plain(span) => {
                let text = self.spell(*span);
                self.out.push_str(&text);
            }
            Member::Field {
                number, name, ty, ..
            } => {
                let name = format!("{name}:");
                self.out
                    .push_str(&format!("{number:<nw$} {name:<namew$} {ty}"));
            }
            Member::Instance(i) => {
                let members: Vec<Member> = i
                    .members
                    .iter()
                    .map(|m| match m {
                        InstanceMember::Criterion(c) => Member::Plain(c.span),
                        InstanceMember::Severity(_, s)
                        | InstanceMember::Action(_, s)
                        | InstanceMember::Tags(_, s)
                        | InstanceMember::Error(s) => Member::Plain(*s),
                    })
                    .collect();
                self.block(i.span, &members, indent);
            }
            Member::Event(_, fields) => {
                let fields: Vec<String> = fields.iter().map(|f| self.spell(f.span)).collect();
                let inline = if fields.is_empty() {
                    "event {}".to_string()
                } else {
                    format!("event {{ {} }}", fields.join(", "))
                };
                if indent.len() + inline.len() <= MAX_WIDTH {
                    self.out.push_str(&inline);
                } else {
                    self.out.push_str("event {\n");
                    for f in fields {
                        self.out.push_str(&format!("{indent}{INDENT}{f},\n"));
                    }
                    self.out.push_str(indent);
                    self.out.push('}');
                }
            }
        }
    }

    fn enum_decl(&mut self, e: &EnumDecl) {
        if self
            .comments_between(e.span.start, e.span.end)
            .next()
            .is_some()
        {
            self.verbatim(e.span);
            return;
        }
        let variants: Vec<String> = e.variants.iter().map(|v| self.spell(v.span)).collect();
        let inline = if variants.is_empty() {
            format!("enum {} {{}}", e.name.text)
        } else {
            format!("enum {} {{ {} }}", e.name.text, variants.join(", "))
        };
        if inline.len() <= MAX_WIDTH {
            self.out.push_str(&inline);
            return;
        }
        self.out.push_str(&format!("enum {} {{\n", e.name.text));
        for v in variants {
            self.out.push_str(&format!("{INDENT}{v},\n"));
        }
        self.out.push('}');
    }

    /// Prints the comments in `from..to`, each on its own line at `indent`, keeping one
    /// blank line where the source had at least one. `at_start`: nothing precedes in the
    /// block, so no blank line goes first. `before_member`: a blank line between the last
    /// comment (or the previous member) and what follows is kept too.
    fn own_line_comments(
        &mut self,
        from: usize,
        to: usize,
        indent: &str,
        at_start: bool,
        before_member: bool,
    ) {
        let found: Vec<Span> = self.comments_between(from, to).collect();
        let mut prev = from;
        for (i, c) in found.iter().enumerate() {
            if (i > 0 || !at_start) && self.blank_line_between(prev, c.start) {
                self.out.push('\n');
            }
            self.out.push_str(indent);
            self.out.push_str(self.src[c.start..c.end].trim_end());
            self.out.push('\n');
            prev = c.end;
        }
        let gap_before_member = if found.is_empty() { !at_start } else { true };
        if before_member && gap_before_member && self.blank_line_between(prev, to) {
            self.out.push('\n');
        }
    }

    /// A comment on the line where a member ends, before the next member, stays at its
    /// end; returns where the member (with that comment) ends.
    fn trailing_comment(&mut self, end: usize, next: usize) -> usize {
        let line_end = self.src[end..]
            .find('\n')
            .map_or(self.src.len(), |i| end + i);
        let found = self.comments_between(end, line_end.min(next)).next();
        match found {
            Some(c) => {
                self.out.push(' ');
                self.out.push_str(self.src[c.start..c.end].trim_end());
                c.end
            }
            None => end,
        }
    }

    fn comments_between(&self, from: usize, to: usize) -> impl Iterator<Item = Span> + '_ {
        let first = self.comments.partition_point(|c| c.start < from);
        self.comments[first..]
            .iter()
            .copied()
            .take_while(move |c| c.start < to)
    }

    fn blank_line_between(&self, from: usize, to: usize) -> bool {
        self.src
            .get(from..to)
            .is_some_and(|s| s.matches('\n').count() >= 2)
    }

    fn first_token(&self, span: Span, tok: Tok) -> usize {
        self.tokens_in(span)
            .iter()
            .find(|(_, t, _)| *t == tok)
            .map_or(span.start, |(s, _, _)| *s)
    }

    fn tokens_in(&self, span: Span) -> &'a [(usize, Tok, usize)] {
        let start = self.tokens.partition_point(|(s, _, _)| *s < span.start);
        let end = self.tokens.partition_point(|(s, _, _)| *s < span.end);
        &self.tokens[start..end]
    }

    /// The tokens of `span`, spaced canonically.
    fn spell(&self, span: Span) -> String {
        let mut out = String::new();
        let mut prev: Option<Tok> = None;
        let tokens = self.tokens_in(span);
        for (i, (s, tok, e)) in tokens.iter().enumerate() {
            let closes_next =
                matches!(tokens.get(i + 1), Some((_, Tok::RBracket | Tok::RBrace, _)));
            if *tok == Tok::Comma && closes_next {
                continue;
            }
            if let Some(p) = prev {
                let tight = matches!(p, Tok::LBracket | Tok::Minus | Tok::DotDotEq)
                    || matches!(tok, Tok::RBracket | Tok::Comma | Tok::Colon | Tok::DotDotEq);
                if !tight {
                    out.push(' ');
                }
            }
            out.push_str(&self.src[*s..*e]);
            prev = Some(*tok);
        }
        out
    }

    fn verbatim(&mut self, span: Span) {
        self.out.push_str(self.src[span.start..span.end].trim());
    }
}

fn template_members<'t>(src: &str, members: &'t [TemplateMember]) -> Vec<Member<'t>> {
    members
        .iter()
        .map(|m| match m {
            TemplateMember::Version(_, s) | TemplateMember::Error(s) => Member::Plain(*s),
            TemplateMember::Field(f) => Member::Field {
                span: f.span,
                number: src[f.number.span.start..f.number.span.end].to_string(),
                name: f.name.text.clone(),
                ty: f.ty.text.clone(),
            },
        })
        .collect()
}

/// Column widths that align a template's fields: the widest number, the widest `name:`.
fn field_widths(members: &[Member]) -> (usize, usize) {
    members.iter().fold((0, 0), |(nw, namew), m| match m {
        Member::Field { number, name, .. } => (nw.max(number.len()), namew.max(name.len() + 1)),
        _ => (nw, namew),
    })
}
