#[errspec::errors(spec = "specs/bad/when-text-not-bool.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
