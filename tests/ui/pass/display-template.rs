use errspec::http::StatusCode;

#[errspec::errors(spec = "specs/template.toml")]
#[derive(Debug)]
pub enum ShopError {}

fn main() {
    assert_eq!(
        ShopError::from(StatusCode::NOT_FOUND).to_string(),
        "[NotFound] no such item (HTTP 404 Not Found){hint: check the item id}"
    );
    assert_eq!(
        ShopError::from(StatusCode::GONE).to_string(),
        "[Unexpected] the shop rejected the request (HTTP 410 Gone){hint: check the request}"
    );
    assert!(matches!(ShopError::from(StatusCode::GONE), ShopError::Unexpected { .. }));
}
