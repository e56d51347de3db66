#[errspec::errors(spec = "specs/bad/unknown-header-format.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
