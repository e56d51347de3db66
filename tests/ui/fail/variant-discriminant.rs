#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError {
    #[errspec(message = "transport failed")]
    Transport = 1,
}

fn main() {}
