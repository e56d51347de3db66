#[errspec::errors(spec = "specs/bad/duplicate-code.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
