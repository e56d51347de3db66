#[errspec::client(spec = "specs/client-shop.toml")]
pub struct Shop;

fn main() {}
