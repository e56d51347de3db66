#[errspec::errors(spec = "specs/bad/unregistered-code.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
