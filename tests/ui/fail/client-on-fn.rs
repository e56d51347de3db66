#[errspec::client(spec = "specs/client-shop.toml")]
pub fn shop() {}

fn main() {}
