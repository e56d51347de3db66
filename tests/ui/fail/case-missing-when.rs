#[errspec::errors(spec = "specs/bad/case-missing-when.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
