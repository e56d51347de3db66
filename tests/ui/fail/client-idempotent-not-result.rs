#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Shop {
    #[errspec(idempotent)]
    fn name(&self) -> String;

    #[errspec(idempotent)]
    fn close(self) -> Result<(), ShopError>;
}

fn main() {}
