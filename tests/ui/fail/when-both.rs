#[errspec::errors(spec = "specs/bad/when-both.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
