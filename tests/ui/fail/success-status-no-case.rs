#[errspec::errors(spec = "specs/bad/success-status-no-case.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
