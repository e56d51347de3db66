#[errspec::errors(spec = "specs/bad/case-missing-message.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
