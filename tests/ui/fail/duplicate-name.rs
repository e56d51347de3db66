#[errspec::errors(spec = "specs/bad/duplicate-name.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
