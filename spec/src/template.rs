//! The `display` template: literal text with `{placeholder}`s, `{{` and `}}` escapes.

use crate::{Segment, Template};

/// Placeholder names and what they become.
const PLACEHOLDERS: [(&str, Segment); 5] = [
    ("code", Segment::Code),
    ("reason", Segment::Reason),
    ("name", Segment::Name),
    ("message", Segment::Message),
    ("hint", Segment::Hint),
];

/// A problem in a template, at a byte offset into the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// Byte range in the template text.
    pub(crate) range: core::ops::Range<usize>,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// Parses `text`, reporting every problem (parsing goes on after an unknown placeholder).
pub(crate) fn parse(text: &str) -> Result<Template, Vec<TemplateError>> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut errors = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|&(_, c)| c == '{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().is_some_and(|&(_, c)| c == '}') => {
                chars.next();
                literal.push('}');
            }
            '}' => errors.push(TemplateError {
                range: at..at + 1,
                message: "unmatched `}` in `display`".to_owned(),
                help: "write `}}` for a literal `}`".to_owned(),
            }),
            '{' => {
                let name_start = at + 1;
                let close = text
                    .get(name_start..)
                    .and_then(|rest| rest.find(['}', '{']))
                    .map(|i| name_start + i)
                    .filter(|&i| text.get(i..).is_some_and(|s| s.starts_with('}')));
                let Some(close) = close else {
                    errors.push(TemplateError {
                        range: at..at + 1,
                        message: "unclosed `{` in `display`".to_owned(),
                        help: "close the placeholder with `}`, or write `{{` for a literal `{`"
                            .to_owned(),
                    });
                    continue;
                };
                let name = text.get(name_start..close).unwrap_or("");
                while chars.next_if(|&(i, _)| i <= close).is_some() {}
                if let Some((_, segment)) = PLACEHOLDERS.iter().find(|(n, _)| *n == name) {
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(core::mem::take(&mut literal)));
                    }
                    segments.push(segment.clone());
                } else {
                    let names = PLACEHOLDERS.iter().map(|(n, _)| *n);
                    let all = "the placeholders are `{code}`, `{reason}`, `{name}`, \
                               `{message}` and `{hint}`; write `{{` and `}}` for literal braces";
                    let help = match crate::suggest::did_you_mean(name, names) {
                        Some(better) => format!("did you mean `{{{better}}}`? {all}"),
                        None => all.to_owned(),
                    };
                    errors.push(TemplateError {
                        range: at..close + 1,
                        message: format!("unknown placeholder `{{{name}}}` in `display`"),
                        help,
                    });
                }
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    if errors.is_empty() {
        Ok(Template { segments })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }

    #[test]
    fn parses_placeholders_and_escapes() {
        let t = parse("{code} {reason}: {message}").unwrap();
        assert_eq!(
            t.segments,
            [
                Segment::Code,
                lit(" "),
                Segment::Reason,
                lit(": "),
                Segment::Message
            ]
        );
        let t = parse("{{{name}}} {hint}!").unwrap();
        assert_eq!(
            t.segments,
            [lit("{"), Segment::Name, lit("} "), Segment::Hint, lit("!")]
        );
        assert_eq!(parse("").unwrap().segments, []);
        assert_eq!(parse("{{}}").unwrap().segments, [lit("{}")]);
    }

    #[test]
    fn reports_every_problem() {
        let errors = parse("{msg} } {code").unwrap_err();
        assert_eq!(errors.len(), 3);
        assert_eq!(errors[0].range, 0..5);
        assert_eq!(
            errors[0].message,
            "unknown placeholder `{msg}` in `display`"
        );
        assert!(errors[0].help.starts_with("did you mean `{message}`?"));
        assert_eq!(errors[1].range, 6..7);
        assert_eq!(errors[1].message, "unmatched `}` in `display`");
        assert_eq!(errors[2].range, 8..9);
        assert_eq!(errors[2].message, "unclosed `{` in `display`");
    }

    #[test]
    fn nested_brace_is_unclosed() {
        let errors = parse("{a{code}").unwrap_err();
        assert_eq!(errors[0].message, "unclosed `{` in `display`");
        assert_eq!(errors.len(), 1);
    }
}
