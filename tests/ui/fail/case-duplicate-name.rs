#[errspec::errors(spec = "specs/bad/case-duplicate-name.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
