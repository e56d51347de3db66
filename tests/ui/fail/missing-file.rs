#[errspec::errors(spec = "specs/does-not-exist.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
