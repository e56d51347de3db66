#[errspec::errors]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
