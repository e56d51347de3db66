#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError {
    #[errspec(message = "transport failed", retries = "always")]
    Transport(#[source] std::io::Error),
}

fn main() {}
