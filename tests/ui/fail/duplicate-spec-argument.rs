#[errspec::errors(spec = "specs/small.toml", spec = "specs/github.toml")]
pub enum ApiError {}

fn main() {}
