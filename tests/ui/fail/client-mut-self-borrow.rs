#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Cache {
    fn slot(&mut self, key: &str) -> Result<&mut Vec<u8>, ShopError>;
}

fn main() {}
