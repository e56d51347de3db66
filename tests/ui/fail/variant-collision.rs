#[errspec::errors(spec = "specs/small.toml")]
pub enum ApiError {
    #[errspec(message = "not found here")]
    NotFound,
}

fn main() {}
