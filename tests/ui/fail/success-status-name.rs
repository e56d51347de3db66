#[errspec::errors(spec = "specs/bad/success-status-name.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
