#[errspec::errors(spec = "specs/bad/success-status-message.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
