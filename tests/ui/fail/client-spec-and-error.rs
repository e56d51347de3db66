#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(spec = "specs/client-shop.toml", error = ShopError)]
pub trait Shop {
    fn item(&self, id: u32) -> Result<String, ShopError>;
}

fn main() {}
