#[errspec::client(error = String)]
pub trait Shop {
    #[errspec(idempotent)]
    fn item(&self, id: u32) -> Result<String, String>;

    #[errspec(idempotent)]
    fn read(&self) -> std::io::Result<Vec<u8>>;
}

fn main() {}
