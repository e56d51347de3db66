#[errspec::errors(spec = "specs/bad/body-wait-not-pointer.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
