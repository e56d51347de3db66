#[errspec::errors(spec = "specs/bad/case-missing-name.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
