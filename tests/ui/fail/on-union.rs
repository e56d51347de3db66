#[errspec::errors(spec = "specs/small.toml")]
pub union ApiError {
    code: u16,
}

fn main() {}
