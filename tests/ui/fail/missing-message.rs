#[errspec::errors(spec = "specs/bad/missing-message.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
