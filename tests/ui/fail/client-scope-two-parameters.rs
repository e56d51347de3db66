#[errspec::errors(spec = "specs/client-shop.toml")]
#[derive(Debug)]
pub enum ShopError {}

#[errspec::client(error = ShopError)]
pub trait Chat {
    fn post(
        &self,
        #[errspec(scope)] channel: &str,
        #[errspec(scope)] thread: &str,
        text: String,
    ) -> Result<u32, ShopError>;
}

fn main() {}
