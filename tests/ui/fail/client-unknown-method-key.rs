#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Shop {
    #[errspec(idempotent, retries = 5)]
    fn item(&self, id: u32) -> Result<String, ShopError>;
}

fn main() {}
