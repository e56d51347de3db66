#[errspec::errors(spec = "specs/bad/unknown-extends.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
