#[errspec::errors(spec = "specs/bad/case-min-wait-above-cap.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
