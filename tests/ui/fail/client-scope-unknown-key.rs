#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Chat {
    fn post(&self, #[errspec(scop)] channel: &str) -> Result<u32, ShopError>;
    fn edit(&self, #[errspec(idempotent)] channel: &str) -> Result<u32, ShopError>;
    fn delete(&self, #[errspec(channel = "id")] channel: &str) -> Result<u32, ShopError>;
}

fn main() {}
