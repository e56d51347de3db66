#[errspec::errors(spec = "specs/bad/three-mistakes.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
