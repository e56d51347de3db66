#[errspec::errors(spec = "specs/bad/unknown-format-julian.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
