#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Chat {
    #[errspec(scope)]
    fn post(&self, channel: &str) -> Result<u32, ShopError>;
    #[errspec(idempotnet)]
    fn get(&self, channel: &str) -> Result<u32, ShopError>;
}

fn main() {}
