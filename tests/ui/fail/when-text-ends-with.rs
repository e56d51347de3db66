#[errspec::errors(spec = "specs/bad/when-text-ends-with.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
