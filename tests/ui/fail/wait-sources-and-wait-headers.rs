#[errspec::errors(spec = "specs/bad/wait-sources-and-wait-headers.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
