#[errspec::errors(spec = "specs/bad/transport-misspelt-key.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
