#[errspec::errors(spec = "specs/bad/status-min-wait-above-cap.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
