//! Every diagnostic code the compiler can report. Codes are stable: once published, a code
//! keeps its meaning. Each variant's doc comment is its entry in docs/diagnostics.md.

use std::fmt;

use crate::diagnostic::Severity;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $code:literal, $title:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The stable code, e.g. `E0300`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// A short title, e.g. "field not supplied by a targeted sensor".
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }

            /// The long explanation: the doc comment of the variant.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$name => concat!($($doc, "\n"),*),)* }
            }

            pub fn from_code(code: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

codes! {
    /// The parser met a token it did not expect, or the file ended inside a construct.
    /// The message names what was expected. A reserved word (`version`, `action`, `tags`,
    /// ...) used as a name also lands here. The rest of the file is still checked.
    SyntaxError = "E0001", "syntax error";
    /// A character that is not part of any token, or a string with no closing quote.
    InvalidToken = "E0002", "invalid token";
    /// A string with an unknown escape (write Windows paths as raw strings, `r"C:\x"`),
    /// or an integer literal too large for any type.
    InvalidLiteral = "E0003", "invalid literal";
    /// `Ward.toml` is not valid TOML or does not have the expected keys.
    ProjectConfig = "E0010", "invalid Ward.toml";
    /// A `.ward` file that cannot be read as source: not UTF-8, binary, or over the size
    /// limit.
    UnreadableSource = "E0011", "unreadable source file";
    /// The project folder holds no `.ward` file.
    EmptyProject = "E0012", "empty project";
    /// A name that is declared nowhere: a template, sensor, channel, instance, enum or type.
    /// Where a declared name is close, the help line suggests it.
    UnknownName = "E0100", "unknown name";
    /// A criterion or test event names a field its template does not have.
    UnknownField = "E0101", "unknown field";
    /// A value names a variant its enum does not have.
    UnknownVariant = "E0102", "unknown enum variant";
    /// Two declarations share a name: top-level items share one namespace across all
    /// files and the stdlib; fields, variants and instances are unique within their parent.
    DuplicateName = "E0110", "duplicate name";
    /// Two templates, channels, enum variants, or instances of one channel share an id.
    /// Ids are what sensors and reviewers' diffs follow, so they must be unique.
    DuplicateId = "E0111", "duplicate id";
    /// A property (`version`, `template`, `severity`, an event field, ...) is given twice.
    DuplicateProperty = "E0112", "duplicate property";
    /// A required property is missing: a template's `version`; a sensor's `platform` or
    /// `version`; a channel's `version`, `template` or `targets`; an instance's `severity`;
    /// a test's `channel`, `event` or `expect`.
    MissingProperty = "E0113", "missing property";
    /// A setting has a value the language does not know: a platform other than `windows`,
    /// `linux`, `macos`; a severity or action that does not exist.
    InvalidSetting = "E0114", "invalid setting";
    /// Template fields must be numbered 1, 2, ... N in order, without gaps or repeats:
    /// the number is the input's position on the wire.
    FieldNumbering = "E0200", "template fields not numbered 1..=N";
    /// A sensor's `supplies` range must start at 1: sensors fill inputs from the first.
    SuppliesStart = "E0201", "supplied range does not start at 1";
    /// A sensor's `supplies` range runs past the template's last field (or is empty).
    SuppliesPastEnd = "E0202", "supplied range runs past the template";
    /// An instance puts a criterion on a field that a targeted sensor does not supply.
    /// On that sensor the input does not exist: this is the channel-291 mistake. Remove
    /// the criterion, or stop targeting the sensor.
    FieldNotSupplied = "E0300", "field not supplied by a targeted sensor";
    /// A channel targets a sensor that does not supply the channel's template at all.
    TemplateNotSupplied = "E0301", "template not supplied by a targeted sensor";
    /// A channel's `targets` list is empty: it would run nowhere.
    NoTargets = "E0302", "channel has no targets";
    /// An instance has no criteria: it would fire on every event.
    NoCriteria = "E0303", "instance has no criteria";
    /// Criteria of one instance contradict each other, so it can never fire.
    Contradiction = "E0304", "contradictory criteria";
    /// A value has the wrong type for its field, or a list stands where one value is wanted.
    TypeMismatch = "E0400", "wrong type";
    /// An integer is outside its type's range (a `u8` above 255, a negative `u32`, ...).
    IntegerOutOfRange = "E0401", "integer out of range";
    /// The operator cannot be used on the field's type (see the table in docs/language.md).
    OperatorNotAllowed = "E0402", "operator not allowed for this type";
    /// A regex that does not compile, uses unsupported syntax, or exceeds the size limit.
    InvalidRegex = "E0403", "invalid regex";
    /// A glob with an unclosed `[` or an empty class.
    InvalidGlob = "E0404", "invalid glob";
    /// A string that is not an IPv4 or IPv6 address.
    InvalidIp = "E0405", "invalid ip address";
    /// A string that is not a CIDR block (`10.0.0.0/8`, `fe80::/10`).
    InvalidCidr = "E0406", "invalid cidr";
    /// A string that is not 64 hex digits.
    InvalidSha256 = "E0407", "invalid sha256";
    /// A file, string, pattern, list or declaration is larger than the runtime accepts.
    LimitExceeded = "E0408", "limit exceeded";
    /// The runtime's verifier refuses the channel as a whole for a sensor it targets:
    /// a per-channel total over its limit (pattern bytes, compiled pattern size, enums),
    /// a name too long to encode, or one event's worst-case cost over the host's budget
    /// (issue 17). Reported on the instance the runtime names, else on the channel.
    RuntimeRefused = "E0409", "refused by the runtime";
    /// The same criterion appears twice in one instance.
    RedundantCriterion = "W0001", "redundant criterion";
    /// The same tag appears twice in one instance.
    DuplicateTag = "W0002", "duplicate tag";
    /// Two tests share a name, so their results cannot be told apart.
    DuplicateTestName = "W0003", "duplicate test name";
    /// A `.ward` file declares nothing: it is empty or holds only comments. Often a file
    /// whose content was lost, or a draft; nothing in it is checked or built.
    EmptyFile = "W0004", "file declares nothing";
    /// The project declares no channel, so `ward build` would build nothing and `ward
    /// test` would test nothing. Reported only when there is no error (an error may be
    /// what hid the channels).
    NoChannels = "W0005", "project has no channels";
}

impl Code {
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
