#[errspec::errors(spec = "specs/bad/bad-identifier.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
