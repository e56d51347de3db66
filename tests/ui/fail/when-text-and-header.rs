#[errspec::errors(spec = "specs/bad/when-text-and-header.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
