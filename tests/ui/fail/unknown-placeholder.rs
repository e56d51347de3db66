#[errspec::errors(spec = "specs/bad/unknown-placeholder.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
