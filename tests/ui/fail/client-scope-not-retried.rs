#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Chat {
    fn name(&self, #[errspec(scope)] channel: &str) -> String;
    fn close(self, #[errspec(scope)] channel: &str) -> Result<(), ShopError>
    where
        Self: Sized;
}

fn main() {}
