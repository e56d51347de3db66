#[errspec::errors(spec = "specs/bad/unknown-format-iso.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
