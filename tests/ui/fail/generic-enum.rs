#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError<T> {
    #[errspec(message = "transport failed")]
    Transport(T),
}

fn main() {}
