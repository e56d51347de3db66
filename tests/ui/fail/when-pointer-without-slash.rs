#[errspec::errors(spec = "specs/bad/when-pointer-without-slash.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
