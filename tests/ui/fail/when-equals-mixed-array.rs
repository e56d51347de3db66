#[errspec::errors(spec = "specs/bad/when-equals-mixed-array.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
