#[errspec::errors(spec = "specs/bad/when-text-false.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
