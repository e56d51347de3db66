#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError {
    #[errspec(message = "not found here")]
    NotFound,
}

fn main() {}
