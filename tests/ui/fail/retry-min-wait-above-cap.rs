#[errspec::errors(spec = "specs/bad/retry-min-wait-above-cap.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
