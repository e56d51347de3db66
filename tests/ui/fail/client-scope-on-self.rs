#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Chat {
    fn post(#[errspec(scope)] &self, channel: &str) -> Result<u32, ShopError>;
}

fn main() {}
