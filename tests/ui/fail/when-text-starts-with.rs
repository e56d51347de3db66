#[errspec::errors(spec = "specs/bad/when-text-starts-with.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
