#[errspec::errors(spec = "specs/bad/rate-limit-quota-lowercase-method.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
