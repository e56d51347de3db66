#[errspec::errors(spec = "specs/bad/body-pointer-bad-escape.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
