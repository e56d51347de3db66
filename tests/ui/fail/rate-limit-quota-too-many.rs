#[errspec::errors(spec = "specs/bad/rate-limit-quota-too-many.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
