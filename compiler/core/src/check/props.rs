//! Properties that a block may give once (`version`, `severity`, ...): the first wins and
//! a second is reported with a pointer to the first.

use ward_syntax::{Code, Diagnostic, FileId, Span};

use super::Ctx;

pub(crate) struct Prop<'a, T> {
    name: &'static str,
    value: Option<(&'a T, Span)>,
}

impl<'a, T> Prop<'a, T> {
    pub fn new(name: &'static str) -> Self {
        Prop { name, value: None }
    }

    pub fn set(&mut self, ctx: &mut Ctx, file: FileId, value: &'a T, span: Span) {
        match self.value {
            Some((_, first)) => ctx.report(
                Diagnostic::new(
                    Code::DuplicateProperty,
                    format!("`{}` is given more than once", self.name),
                )
                .repeated((file, span), (file, first), "given")
                .help("keep one of them"),
            ),
            None => self.value = Some((value, span)),
        }
    }

    pub fn get(&self) -> Option<&'a T> {
        self.value.map(|(v, _)| v)
    }

    pub fn span(&self) -> Option<Span> {
        self.value.map(|(_, s)| s)
    }

    /// The value, or an E0113 at `at` saying the property is missing. In a block that did
    /// not parse (`broken`) the property may be in the unreadable part, so nothing is said.
    pub fn require(
        &self,
        ctx: &mut Ctx,
        (file, at, broken): (FileId, Span, bool),
        owner: &str,
        example: &str,
    ) -> Option<&'a T> {
        if self.value.is_none() && !broken {
            ctx.report(
                Diagnostic::new(
                    Code::MissingProperty,
                    format!("{owner} has no `{}`", self.name),
                )
                .primary(file, at, format!("`{}` is required here", self.name))
                .help(format!("add a line such as `{example}`")),
            );
        }
        self.get()
    }
}
