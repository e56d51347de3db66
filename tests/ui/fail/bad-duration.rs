#[errspec::errors(spec = "specs/bad/bad-duration.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
