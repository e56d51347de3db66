//! `#[errspec(scope)]` on parameters of every kind of type that is `AsRef<str>` or `Display`,
//! on sync, async, `&mut self` and generic methods; the attribute is gone from the trait.

use std::fmt;

#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum SmallError {}

/// `Display` only.
#[derive(Clone)]
pub struct ChannelId(u64);

impl fmt::Display for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}", self.0)
    }
}

/// Both `AsRef<str>` and `Display`: its `&str` is used.
#[derive(Clone)]
pub struct Team(String);

impl AsRef<str> for Team {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Team {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[errspec::client(error = SmallError)]
pub trait Chat {
    fn by_str(&self, #[errspec(scope)] channel: &str, text: &str) -> Result<u32, SmallError>;
    fn by_string(&self, text: &str, #[errspec(scope)] channel: String) -> Result<u32, SmallError>;
    fn by_ref_string(&self, #[errspec(scope)] channel: &String) -> Result<u32, SmallError>;
    async fn by_number(&self, #[errspec(scope)] channel: u64) -> Result<u32, SmallError>;
    async fn by_newtype(&mut self, #[errspec(scope)] channel: ChannelId) -> Result<u32, SmallError>;
    async fn by_both(&self, #[errspec(scope)] team: Team) -> Result<u32, SmallError>;
    fn by_impl(&self, #[errspec(scope)] channel: impl fmt::Display + Clone) -> Result<u32, SmallError>;
    fn by_generic<C: AsRef<str> + Clone>(&self, #[errspec(scope)] channel: C) -> Result<u32, SmallError>;
}

struct Fake;

impl Chat for Fake {
    fn by_str(&self, channel: &str, text: &str) -> Result<u32, SmallError> {
        Ok((channel.len() + text.len()) as u32)
    }
    fn by_string(&self, _: &str, channel: String) -> Result<u32, SmallError> {
        Ok(channel.len() as u32)
    }
    fn by_ref_string(&self, channel: &String) -> Result<u32, SmallError> {
        Ok(channel.len() as u32)
    }
    async fn by_number(&self, channel: u64) -> Result<u32, SmallError> {
        Ok(channel as u32)
    }
    async fn by_newtype(&mut self, channel: ChannelId) -> Result<u32, SmallError> {
        Ok(channel.0 as u32)
    }
    async fn by_both(&self, team: Team) -> Result<u32, SmallError> {
        Ok(team.0.len() as u32)
    }
    fn by_impl(&self, channel: impl fmt::Display + Clone) -> Result<u32, SmallError> {
        Ok(channel.to_string().len() as u32)
    }
    fn by_generic<C: AsRef<str> + Clone>(&self, channel: C) -> Result<u32, SmallError> {
        Ok(channel.as_ref().len() as u32)
    }
}

fn main() {
    let mut chat = errspec::Retrying::new(Fake);
    let owned = String::from("general");
    assert_eq!(chat.by_str("general", "hi").unwrap(), 9);
    assert_eq!(chat.by_string("hi", owned.clone()).unwrap(), 7);
    assert_eq!(chat.by_ref_string(&owned).unwrap(), 7);
    assert_eq!(chat.by_impl(ChannelId(12)).unwrap(), 3);
    assert_eq!(chat.by_generic("random").unwrap(), 6);
    errspec_test_support::block_on(async {
        assert_eq!(chat.by_number(7).await.unwrap(), 7);
        assert_eq!(chat.by_newtype(ChannelId(9)).await.unwrap(), 9);
        assert_eq!(chat.by_both(Team("ops".into())).await.unwrap(), 3);
    });
}
