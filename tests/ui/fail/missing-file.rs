#[errspec::errors(spec = "specs/does-not-exist.toml")]
pub enum ApiError {}

fn main() {}
