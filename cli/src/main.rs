//! `errspec`: the command-line face of errspec's spec and codegen libraries.
//!
//! ```text
//! errspec check spec/ardoq.toml          # validate; exit status 1 with rustc-like errors
//! errspec explain spec/ardoq.toml 429    # what 429 means and how it is retried
//! errspec expand spec/ardoq.toml         # the Rust `#[errspec::errors]` generates
//! errspec docs spec/ardoq.toml           # a Markdown table of the spec
//! ```
//!
//! Every command reads the spec with `errspec_spec`'s `read_file` and `parse_str`, as the macro
//! does, so a spec that passes `check` compiles and one that fails it shows the same problems
//! the build would.
//! Exit status: 0 on success, 1 when the spec has problems (or cannot be read), 2 on a usage
//! error.

mod describe;
mod docs;
mod expand;
mod explain;
mod lint;
mod load;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::load::{Loaded, load};

/// Check, explain, expand and document errspec spec files.
#[derive(Parser)]
#[command(name = "errspec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a spec, reporting every problem with its line, column and fix
    Check {
        /// The spec file (TOML)
        spec: PathBuf,
    },
    /// Say what a status code means under a spec, and how and why it is retried
    Explain {
        /// The spec file (TOML)
        spec: PathBuf,
        /// An HTTP status code, 100 to 999
        #[arg(value_parser = clap::value_parser!(u16).range(100..=999))]
        code: u16,
    },
    /// Print the Rust that `#[errspec::errors]` generates for a spec (on `#[derive(Debug)] pub
    /// enum {name}Error {}`)
    Expand {
        /// The spec file (TOML)
        spec: PathBuf,
    },
    /// Print a Markdown table of a spec's statuses, class defaults and retry settings
    Docs {
        /// The spec file (TOML)
        spec: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check { spec } => load(spec).map(|l| {
            // valid but probably wrong: said, and still a success
            let mut stderr = std::io::stderr().lock();
            for warning in lint::warnings(&l.spec) {
                let _ = writeln!(stderr, "warning: {}: {warning}", l.name);
            }
            check_summary(&l)
        }),
        Command::Explain { spec, code } => load(spec).map(|l| explain::explain(&l, *code)),
        Command::Expand { spec } => load(spec).and_then(|l| expand::expand(&l, spec)),
        Command::Docs { spec } => load(spec).map(|l| docs::docs(&l)),
    };
    // A closed pipe (`errspec docs spec.toml | head`) is not worth a panic or a message.
    match result {
        Ok(out) => {
            let _ = std::io::stdout().lock().write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            let _ = std::io::stderr().lock().write_all(errors.as_bytes());
            ExitCode::FAILURE
        }
    }
}

/// `check`'s one line on success.
fn check_summary(loaded: &Loaded) -> String {
    let spec = &loaded.spec;
    let count = spec.statuses.len();
    let plural = if count == 1 { "" } else { "es" };
    format!(
        "{}: ok: `{}` with {count} status{plural} and the fallback `{}`\n",
        loaded.name, spec.enum_name, spec.fallback
    )
}
