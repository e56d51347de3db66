#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

/// Neither `AsRef<str>` nor `Display`.
#[derive(Clone)]
pub struct Channel {
    pub id: u64,
}

#[errspec::client(error = ShopError)]
pub trait Chat {
    fn post(&self, #[errspec(scope)] channel: Channel, text: String) -> Result<u32, ShopError>;
    async fn history(&self, #[errspec(scope)] channel: Option<String>) -> Result<u32, ShopError>;
}

fn main() {}
