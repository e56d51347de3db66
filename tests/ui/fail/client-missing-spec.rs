#[errspec::client(spec = "specs/no-such-spec.toml")]
pub trait Shop {
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> Result<String, ShopError>;
}

fn main() {
    let _ = ShopError::from(errspec::http::StatusCode::NOT_FOUND);
}
