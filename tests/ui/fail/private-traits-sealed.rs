// The hidden traits generated code relies on are sealed: another crate cannot implement them
// for its own types (here, a retried argument that is not `Clone`).

struct NotClone;

impl errspec::__private::RetryArgument for NotClone {
    fn clone_for_attempt(&self) -> Self {
        NotClone
    }
}

fn main() {}
