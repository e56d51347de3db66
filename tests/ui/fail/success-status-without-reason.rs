#[errspec::errors(spec = "specs/bad/success-status-without-reason.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
