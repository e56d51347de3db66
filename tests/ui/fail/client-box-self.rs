#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Shop {
    fn item(self: Box<Self>, id: u32) -> Result<String, ShopError>;
}

fn main() {}
