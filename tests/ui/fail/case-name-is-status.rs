#[errspec::errors(spec = "specs/bad/case-name-is-status.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
