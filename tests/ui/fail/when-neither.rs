#[errspec::errors(spec = "specs/bad/when-neither.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
