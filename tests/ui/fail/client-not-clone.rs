#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

/// Not `Clone`.
pub struct NewItem {
    pub name: String,
}

#[errspec::client(error = ShopError)]
pub trait Shop {
    fn create(&self, id: u32, item: NewItem) -> Result<u32, ShopError>;
}

fn main() {}
