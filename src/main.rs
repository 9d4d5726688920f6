//! The `gen-report` binary: parse arguments, run the library, map the outcome to an exit code.

use clap::Parser;

mod cli;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli.into_options() {
        Ok(options) => {
            let stdout = std::io::stdout();
            let stderr = std::io::stderr();
            gen_report::main_with(&options, &mut stdout.lock(), &mut stderr.lock())
        }
        Err(msg) => {
            eprintln!("error: {msg}");
            gen_report::exit_code::BAD_INPUT
        }
    };
    std::process::exit(code);
}

// Reading results allocates a few short strings per test case on every core; glibc's malloc
// spent ~20% of a 1M-case run in malloc/free and its arena locks (perf). See Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
