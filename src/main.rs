//! The `gen-report` binary: parse arguments, run the library, map the outcome to an exit code.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Parser;

mod cli;

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => usage_error(e, &args),
    };
    let code = match cli.into_options().map(|mut options| {
        if options.check.is_some() {
            options.rerender = Some(rerender_command(&args));
        }
        options
    }) {
        Ok(mut options) => match stdin_input(&mut options) {
            // Held until the run ends: the temporary copy of stdin.
            Ok(_stdin) => {
                let stdout = std::io::stdout();
                let stderr = std::io::stderr();
                gen_report::main_with(&options, &mut stdout.lock(), &mut stderr.lock())
            }
            Err(msg) => {
                eprintln!("error: {msg}");
                gen_report::exit_code::BAD_INPUT
            }
        },
        Err(msg) => {
            eprintln!("error: {msg}");
            gen_report::exit_code::BAD_INPUT
        }
    };
    std::process::exit(code);
}

/// The command that re-renders the report `--check FILE` compares: these arguments with
/// `--check FILE` as `-o FILE`, each quoted for a POSIX shell where it needs it.
fn rerender_command(args: &[OsString]) -> String {
    let mut words: Vec<String> = Vec::with_capacity(args.len());
    let mut iter = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = iter.next() {
        if a == "--check" {
            words.push("-o".into());
            if let Some(file) = iter.next() {
                words.push(shell_quote(&file));
            }
        } else if let Some(file) = a.strip_prefix("--check=") {
            words.push("-o".into());
            words.push(shell_quote(file));
        } else {
            words.push(shell_quote(&a));
        }
    }
    words.join(" ")
}

/// `s` as one word for a POSIX shell: as is when it holds only characters no shell treats
/// specially, else in single quotes (a `'` inside as `'\''`).
fn shell_quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// clap's usage error, with every control character in the arguments it echoes escaped (a file
/// name holding a newline must not start a line of its own in a CI log): the arguments are
/// parsed again escaped, which gives the same error about the same argument.
fn usage_error(e: clap::Error, args: &[OsString]) -> ! {
    use clap::error::ErrorKind;
    let controls = |a: &OsString| a.to_string_lossy().chars().any(|c| c.is_control() && c != '\t');
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) || !args.iter().any(controls) {
        e.exit();
    }
    let escaped: Vec<String> =
        args.iter().map(|a| gen_report::error::printable(&a.to_string_lossy()).into_owned()).collect();
    match cli::Cli::try_parse_from(&escaped) {
        Err(again) => again.exit(),
        // Escaping made the arguments valid: say what was wrong in gen-report's own words.
        Ok(_) => {
            eprintln!("error: {}", gen_report::error::printable(&e.to_string()));
            std::process::exit(gen_report::exit_code::BAD_INPUT);
        }
    }
}

/// `-` among the inputs: the results on stdin, copied to a temporary file (the readers sniff
/// the format and may read a file twice). The copy's path is named by a hash of its bytes
/// (`$TMPDIR/gen-report-stdin-<hash>/stdin`), so the same input gives the same report bytes.
fn stdin_input(options: &mut gen_report::Options) -> Result<Option<StdinCopy>, String> {
    use std::hash::{Hash, Hasher};
    use std::io::Read;
    let dash = Path::new("-");
    let count = options.inputs.iter().filter(|p| *p == dash).count();
    if count == 0 {
        return Ok(None);
    }
    if count > 1 {
        return Err("`-` (stdin) given twice: stdin can be read once".into());
    }
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| format!("cannot read stdin: {e}"))?;
    if bytes.is_empty() {
        return Err("`-`: stdin is empty: pipe test results into gen-report (e.g. `go test -json ./... | gen-report -`)".into());
    }
    // SipHash with fixed keys: the same in every run of this binary.
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    let dir = std::env::temp_dir().join(format!("gen-report-stdin-{:016x}", h.finish()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let path: PathBuf = dir.join("stdin");
    // Written beside, then renamed: a concurrent run on the same bytes never reads half a file.
    let tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot hold stdin in {}: {e}", dir.display()))?;
    std::fs::write(tmp.path(), &bytes).map_err(|e| format!("cannot hold stdin in {}: {e}", dir.display()))?;
    tmp.persist(&path).map_err(|e| format!("cannot hold stdin in {}: {e}", path.display()))?;
    for p in &mut options.inputs {
        if p == dash {
            p.clone_from(&path);
        }
    }
    Ok(Some(StdinCopy(dir)))
}

/// Removes the copy of stdin when the run ends.
struct StdinCopy(PathBuf);

impl Drop for StdinCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// Reading results allocates a few short strings per test case on every core; glibc's malloc
// spent ~20% of a 1M-case run in malloc/free and its arena locks (perf). See Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
