#[errspec::errors(spec = "specs/bad/invalid-toml.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
