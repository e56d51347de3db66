#[errspec::errors(spec = "specs/bad/when-body-dotted-path.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
