#[errspec::client(error = String)]
pub trait Shop {
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> Result<String, String>;
}

fn main() {}
