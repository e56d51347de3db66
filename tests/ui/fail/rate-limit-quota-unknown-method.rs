#[errspec::errors(spec = "specs/bad/rate-limit-quota-unknown-method.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
