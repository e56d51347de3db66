//! Structured Field Values (RFC 9651, which obsoletes RFC 8941): the List and the Dictionary
//! that RateLimit fields are written in.
//!
//! The whole grammar is checked, since one error fails the whole field (RFC 9651 §4.2), but only
//! what a wait needs is kept: each member's Integer, and its parameters as text to look keys up
//! in. Nothing is allocated but a Display String's decoded bytes, at most the value's size.
//!
//! The `sfv` crate reads the same grammar, but would bring `base64` and `ref-cast` (a proc
//! macro): about 2 s of CPU in a clean build where errspec already builds syn, for this module's
//! few hundred lines.

/// A bare item, as far as a wait cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bare {
    /// An Integer: at most 15 digits, so it fits an `i64`.
    Integer(i64),
    /// Any other bare item: a Decimal, String, Token, Byte Sequence, Boolean, Date or Display
    /// String. An Inner List's members and a key without a value read as this too.
    Other,
}

/// A List or Dictionary member: its bare item (`Other` for an Inner List) and its parameters.
#[derive(Debug, Clone, Copy)]
pub(super) struct Member<'a> {
    pub(super) value: Bare,
    pub(super) params: Params<'a>,
}

/// Parameters, already checked, as text: `;key=value;key`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Params<'a>(&'a [u8]);

impl Params<'_> {
    /// The value of `key`: the last one if it is repeated, as RFC 9651 §4.2.3.2 says; a key
    /// without a value (`true`) is [`Bare::Other`].
    pub(super) fn get(&self, key: &str) -> Option<Bare> {
        let mut p = Parser::new(self.0);
        let mut found = None;
        while p.eat(b';') {
            p.skip_sp();
            let name = p.key()?;
            let value = if p.eat(b'=') { p.bare()? } else { Bare::Other };
            if name == key.as_bytes() {
                found = Some(value);
            }
        }
        found
    }
}

/// Reads `input` as a List, giving `each` its members in order; `None` if it is not a valid
/// List (`each` may have seen some members by then).
pub(super) fn list<'a>(input: &'a [u8], mut each: impl FnMut(Member<'a>)) -> Option<()> {
    let mut p = Parser::new(input);
    p.skip_sp();
    while !p.done() {
        each(p.item_or_inner_list()?);
        if !p.separator()? {
            break;
        }
    }
    p.done().then_some(())
}

/// Reads `input` as a Dictionary, giving `each` its keys and members in order (a repeated key
/// comes again; its last member is its value); `None` if it is not a valid Dictionary.
pub(super) fn dictionary<'a>(
    input: &'a [u8],
    mut each: impl FnMut(&'a [u8], Member<'a>),
) -> Option<()> {
    let mut p = Parser::new(input);
    p.skip_sp();
    while !p.done() {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.item_or_inner_list()?
        } else {
            Member {
                value: Bare::Other,
                params: p.params()?,
            }
        };
        each(key, member);
        if !p.separator()? {
            break;
        }
    }
    p.done().then_some(())
}

struct Parser<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self { input, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    fn done(&self) -> bool {
        self.at >= self.input.len()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> bool {
        let here = self.peek() == Some(b);
        if here {
            self.at += 1;
        }
        here
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.at;
        while self.peek().is_some_and(&keep) {
            self.at += 1;
        }
        &self.input[start..self.at]
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    fn skip_ows(&mut self) {
        while self.eat(b' ') || self.eat(b'\t') {}
    }

    /// After a member: the end (`Some(false)`), or a comma with another member to come
    /// (`Some(true)`); `None` for anything else, a trailing comma included.
    fn separator(&mut self) -> Option<bool> {
        self.skip_ows();
        if self.done() {
            return Some(false);
        }
        if !self.eat(b',') {
            return None;
        }
        self.skip_ows();
        (!self.done()).then_some(true)
    }

    fn item_or_inner_list(&mut self) -> Option<Member<'a>> {
        let value = if self.peek() == Some(b'(') {
            self.inner_list()?;
            Bare::Other
        } else {
            self.bare()?
        };
        let params = self.params()?;
        Some(Member { value, params })
    }

    /// `"(" *SP [ item *( 1*SP item ) *SP ] ")"`; the list's own parameters follow it.
    fn inner_list(&mut self) -> Option<()> {
        self.bump();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Some(());
            }
            self.bare()?;
            self.params()?;
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return None;
            }
        }
    }

    fn params(&mut self) -> Option<Params<'a>> {
        let start = self.at;
        while self.eat(b';') {
            self.skip_sp();
            self.key()?;
            if self.eat(b'=') {
                self.bare()?;
            }
        }
        Some(Params(&self.input[start..self.at]))
    }

    /// `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`
    fn key(&mut self) -> Option<&'a [u8]> {
        if !matches!(self.peek(), Some(b'a'..=b'z' | b'*')) {
            return None;
        }
        Some(
            self.take_while(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')),
        )
    }

    fn bare(&mut self) -> Option<Bare> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => self.string(),
            b'*' | b'A'..=b'Z' | b'a'..=b'z' => {
                self.token();
                Some(Bare::Other)
            }
            b':' => self.byte_sequence(),
            b'?' => self.boolean(),
            b'@' => {
                self.bump();
                match self.number()? {
                    Bare::Integer(_) => Some(Bare::Other),
                    Bare::Other => None,
                }
            }
            b'%' => self.display_string(),
            _ => None,
        }
    }

    /// An Integer (`-`? 1 to 15 digits) or a Decimal (`-`? 1 to 12 digits, `.`, 1 to 3
    /// digits); a Decimal is [`Bare::Other`].
    fn number(&mut self) -> Option<Bare> {
        let negative = self.eat(b'-');
        let whole = self.take_while(|b| b.is_ascii_digit());
        if whole.is_empty() {
            return None;
        }
        if !self.eat(b'.') {
            if whole.len() > 15 {
                return None;
            }
            let n = whole
                .iter()
                .fold(0_i64, |n, d| n * 10 + i64::from(d - b'0'));
            return Some(Bare::Integer(if negative { -n } else { n }));
        }
        let fraction = self.take_while(|b| b.is_ascii_digit());
        (whole.len() <= 12 && (1..=3).contains(&fraction.len())).then_some(Bare::Other)
    }

    /// `DQUOTE *( unescaped / "%" / "\" ( DQUOTE / "\" ) ) DQUOTE`, printable ASCII only.
    fn string(&mut self) -> Option<Bare> {
        self.bump();
        loop {
            match self.bump()? {
                b'"' => return Some(Bare::Other),
                b'\\' => {
                    if !matches!(self.bump()?, b'"' | b'\\') {
                        return None;
                    }
                }
                0x20..=0x7e => {}
                _ => return None,
            }
        }
    }

    /// `( ALPHA / "*" ) *( tchar / ":" / "/" )`
    fn token(&mut self) {
        self.bump();
        self.take_while(|b| b.is_ascii_alphanumeric() || b":/!#$%&'*+-.^_`|~".contains(&b));
    }

    /// `":" *base64 ":"`, with `=` only as padding at the end (missing padding is accepted).
    fn byte_sequence(&mut self) -> Option<Bare> {
        self.bump();
        let content = self.take_while(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        if !self.eat(b':') {
            return None;
        }
        let padding = content.iter().rev().take_while(|&&b| b == b'=').count();
        let data = &content[..content.len() - padding];
        (padding <= 2 && !data.contains(&b'=')).then_some(Bare::Other)
    }

    /// `"?" ( "0" / "1" )`
    fn boolean(&mut self) -> Option<Bare> {
        self.bump();
        matches!(self.bump()?, b'0' | b'1').then_some(Bare::Other)
    }

    /// `"%" DQUOTE *( unescaped / "\" / pct-encoded ) DQUOTE`, whose bytes must be UTF-8;
    /// percent-encoding uses lowercase hexadecimal digits only.
    fn display_string(&mut self) -> Option<Bare> {
        self.bump();
        if !self.eat(b'"') {
            return None;
        }
        let mut bytes = Vec::with_capacity(self.input.len() - self.at);
        loop {
            match self.bump()? {
                b'"' => return core::str::from_utf8(&bytes).is_ok().then_some(Bare::Other),
                b'%' => {
                    let high = lower_hex(self.bump()?)?;
                    let low = lower_hex(self.bump()?)?;
                    bytes.push(high << 4 | low);
                }
                b @ 0x20..=0x7e => bytes.push(b),
                _ => return None,
            }
        }
    }
}

fn lower_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
