#[errspec::errors(spec = specs::small)]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
