#[errspec::errors(spec = "specs/bad/when-contains-empty.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
