#[errspec::client]
pub trait Shop {
    fn item(&self, id: u32) -> Result<String, ShopError>;
}

fn main() {}
