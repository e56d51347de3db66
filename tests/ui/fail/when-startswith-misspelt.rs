#[errspec::errors(spec = "specs/bad/when-startswith-misspelt.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
