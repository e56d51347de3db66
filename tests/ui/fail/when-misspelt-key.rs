#[errspec::errors(spec = "specs/bad/when-misspelt-key.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
