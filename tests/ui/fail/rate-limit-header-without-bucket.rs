#[errspec::errors(spec = "specs/bad/rate-limit-header-without-bucket.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
