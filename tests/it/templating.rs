//! Templating other reports: free-form data (`--data`), `--schema`, the computing filters, the
//! generalised figure lint, `context`, and the examples under `examples/`, each run through the
//! real binary.

use crate::support;

use std::fs;
use std::path::Path;

use support::{BAD_INPUT, assert_bad_input, assert_exit, assert_ok, gen_report, repo, run};

/// A scratch folder with files written into it; the binary runs inside it, so messages name
/// files as `d.yaml:3:11`.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        Scratch(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn run(&self, args: &[&str]) -> support::Run {
        gen_report(args).current_dir(self.path()).run()
    }
}

/// Renders `template` with `data` (a YAML file `d.yaml`) and returns stdout, asserting exit 0.
#[track_caller]
fn render(data: &str, template: &str) -> String {
    let s = Scratch::new(&[("d.yaml", data), ("t.md", template)]);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md"]);
    assert_ok(&r);
    r.stdout
}

// ---------------------------------------------------------------------------------------------
// The examples

/// Each example: its folder and the arguments that render it (run from the repository root).
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "examples/security",
        &[
            "--data",
            "examples/security/data",
            "--schema",
            "examples/security/schema.yaml",
            "--template",
            "examples/security/template.md",
        ],
    ),
    (
        "examples/migration",
        &[
            "--data",
            "examples/migration/data",
            "--schema",
            "examples/migration/schema.json",
            "--template",
            "examples/migration/template.md",
            "--results",
            "examples/migration/results/junit.xml",
        ],
    ),
];

#[test]
fn examples_validate_render_and_their_committed_reports_are_current() {
    for (dir, args) in EXAMPLES {
        let report = format!("{dir}/REPORT.md");
        let mut check_args = args.to_vec();
        check_args.extend(["--check", report.as_str()]);
        let r = run(&check_args);
        assert_exit(&r, 0);
        assert_eq!(r.stdout, "", "{dir}: stale REPORT.md");
        // Clean: no warning, no finding.
        assert_eq!(r.stderr, "", "{dir}");

        let mut check = vec!["check"];
        check.extend(args.iter().filter(|a| !a.ends_with("template.md") && **a != "--template"));
        let r = run(&check);
        assert_exit(&r, 0);
        assert!(r.stderr.starts_with("ok: "), "{dir}: {}", r.stderr);
    }
}

#[test]
fn the_security_example_computes_its_verdict_from_the_figures() {
    let (_, args) = EXAMPLES[0];
    let r = run(args.iter().copied());
    assert_ok(&r);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "# Security findings: release 2.4.0");
    assert_eq!(lines[2], "**❌ Not releasable**: more open findings than the policy allows for critical.");
    assert!(r.stdout.contains("| Critical | 1 | 0 | 0 | 0 | 1 | ❌ |"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Estimated cost to fix what is open: \\$5,300.60\n(of \\$5,611.05 for every finding)")
    );
}

#[test]
fn the_migration_example_backs_each_service_with_its_contract_tests() {
    let (_, args) = EXAMPLES[1];
    let r = run(args.iter().copied());
    assert_ok(&r);
    // Migrated and tested: done. Migrated but a contract test fails: not done.
    assert!(
        r.stdout.contains(
            "| `accounts` | identity | 30 | 30 | 100% | ▓▓▓▓▓▓▓▓▓▓ | 3 of 3 pass | 2025-05-31 | ✅ |"
        )
    );
    assert!(
        r.stdout.contains(
            "| `billing` | payments | 24 | 24 | 100% | ▓▓▓▓▓▓▓▓▓▓ | 2 of 3 pass | 2025-06-15 | ❌ |"
        )
    );
    assert!(r.stdout.contains("As of 2025-06-30: **1 of 5 services done**"), "{}", r.stdout);
    assert!(r.stdout.contains("| **Total** | **\\$33,700.30** |"));
    // Without the test results no service can be shown done.
    let without: Vec<&str> = args.iter().copied().take(6).collect();
    let r = run(&without);
    assert_ok(&r);
    assert!(r.stdout.contains("**0 of 5 services done**"), "{}", r.stdout);
    assert!(
        r.stdout.contains("| `accounts` | identity | 30 | 30 | 100% | ▓▓▓▓▓▓▓▓▓▓ | none | 2025-05-31 | ❔ |")
    );
}

// ---------------------------------------------------------------------------------------------
// Schema violations, reported like manifest errors

const SCHEMA: &str = r#"{
  "type": "object",
  "required": ["services"],
  "properties": {
    "services": {
      "type": "array",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "endpoints"],
        "properties": {
          "name": { "type": "string" },
          "endpoints": { "type": "integer", "minimum": 1 },
          "severity": { "enum": ["critical", "high", "low"] }
        }
      }
    }
  }
}
"#;

#[test]
fn schema_violations_name_file_line_column_and_what_was_expected() {
    let data = "services:\n  - name: api\n    endpoints: twelve\n  - name: web\n    endpionts: 3\n  - name: db\n    endpoints: 2\n    severity: hihg\n";
    let s = Scratch::new(&[("d.yaml", data), ("s.json", SCHEMA), ("t.md", "x\n")]);
    let out = s.path().join("out.md");
    let r = s.run(&["--data", "d.yaml", "--schema", "s.json", "--template", "t.md", "-o", "out.md"]);
    assert_bad_input(&r, &[]);
    assert!(!out.exists(), "nothing may be written");
    assert_eq!(
        r.stderr,
        "\
error: `data.services[0].endpoints` is the text \"twelve\": expected a whole number
  --> d.yaml:3:16
  |
3 |     endpoints: twelve
  |                ^
error: missing required property `endpoints` in `data.services[1]`: expected `endpoints:` in this map
  --> d.yaml:4:5
  |
4 |   - name: web
  |     ^
error: unknown property `endpionts` in `data.services[1]` (did you mean `endpoints`?); expected one of: name, endpoints, severity
  --> d.yaml:5:5
  |
5 |     endpionts: 3
  |     ^
error: `data.services[2].severity` is the text \"hihg\" (did you mean `high`?): expected one of: critical, high, low
  --> d.yaml:8:15
  |
8 |     severity: hihg
  |               ^
error: 4 problems in the input; nothing was written
"
    );
}

#[test]
fn schema_violations_in_json_data_have_positions_too() {
    let data = "{\n  \"services\": [\n    {\"name\": \"api\", \"endpoints\": 0}\n  ]\n}\n";
    let s = Scratch::new(&[("d.json", data), ("s.json", SCHEMA)]);
    let r = s.run(&["check", "--data", "d.json", "--schema", "s.json"]);
    assert_bad_input(&r, &[]);
    assert_eq!(
        r.stderr.lines().take(2).collect::<Vec<_>>(),
        ["error: `data.services[0].endpoints`: 0 is less than the minimum of 1", "  --> d.json:3:34"]
    );
}

#[test]
fn a_missing_data_file_is_named_by_the_property_it_would_be() {
    let s = Scratch::new(&[("data/other.yaml", "a: 1\n"), ("s.json", SCHEMA)]);
    let r = s.run(&["check", "--data", "data", "--schema", "s.json"]);
    assert_bad_input(&r, &[]);
    assert_eq!(
        r.stderr,
        "error: missing required property `services` in `data`: expected a data file or folder named `services` (`services.yaml`, `services.json`, …)\n  --> data\nerror: 1 problem in the input; nothing was written\n"
    );
}

#[test]
fn an_invalid_schema_is_reported_at_its_own_position() {
    let s = Scratch::new(&[("d.yaml", "a: 1\n"), ("s.yaml", "type: object\nproperties:\n  a: {type: 12}\n")]);
    let r = s.run(&["check", "--data", "d.yaml", "--schema", "s.yaml"]);
    assert_bad_input(&r, &["not a valid JSON Schema: ", "  --> s.yaml:3:"]);
}

// ---------------------------------------------------------------------------------------------
// Computed figures

#[test]
fn money_is_summed_exactly() {
    let data = "items:\n".to_string()
        + &"  - cost: 0.1\n".repeat(10)
        + "pair: [0.1, 0.2]\nbig: [14250.10, 14250.20, 3999.99, 1200.01]\n";
    let t = "{{ data.items | sum(attribute=\"cost\") }} {{ data.pair | sum }} {{ data.big | sum }} {{ data.big | sum | money(exact=true) }} {{ [data.big | sum, -33700.3] | sum }}\n";
    assert_eq!(render(&data, t), "1 0.3 33700.3 \\$33,700.30 0\n");
    // Float addition, which the filters avoid, drifts on the same numbers.
    assert_eq!(render(&data, "{{ data.pair[0] + data.pair[1] }}\n"), "0.30000000000000004\n");
}

#[test]
fn division_by_zero_is_null_shown_as_a_dash() {
    let t = "{{ 2 | percent_of(total=0) | percent }} {{ 3 | divide(by=0) | ratio }} {{ [] | mean | percent }} {{ [] | max | percent }} {{ 1 | percent_of(total=4) | percent }} {{ 2 | percent_of(total=0) is none }}\n";
    assert_eq!(render("a: 1\n", t), "— — — — 25% true\n");
}

#[test]
fn arithmetic_on_text_is_an_error_naming_the_item() {
    let s = Scratch::new(&[
        ("d.yaml", "- cost: 1\n- cost: 12k\n"),
        ("t.md", "{{ data | sum(attribute=\"cost\") }}\n"),
    ]);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md"]);
    assert_bad_input(&r, &["item 1's `cost` is the text \"12k\": expected a number", "  --> t.md:1:"]);
}

#[test]
fn the_readme_filter_examples_render_as_documented() {
    let mut template = String::from("{% set items = data.items -%}\n");
    for (name, _, example, _) in gen_report::render::compute::REFERENCE {
        template.push_str(&format!("{name}: {example}\n"));
    }
    let expected: String = gen_report::render::compute::REFERENCE
        .iter()
        .map(|(name, _, _, output)| format!("{name}: {output}\n"))
        .collect();
    let s = Scratch::new(&[("d.json", gen_report::render::compute::REFERENCE_DATA), ("t.md", &template)]);
    let r = s.run(&["--data", "d.json", "--template", "t.md"]);
    assert_ok(&r);
    assert_eq!(r.stdout, expected);
}

#[test]
fn group_by_keeps_the_order_groups_first_appear() {
    let data = "- {k: z}\n- {k: a}\n- {k: m}\n- {k: a}\n- {k: b}\n- {k: c}\n- {k: d}\n- {k: e}\n";
    let t = "{% for k, g in data | group_by(attribute=\"k\") %}{{ k }}{{ g | length }} {% endfor %}\n";
    for _ in 0..5 {
        assert_eq!(render(data, t), "z1 a2 m1 b1 c1 d1 e1 \n");
    }
}

// ---------------------------------------------------------------------------------------------
// The lint, generalised

/// The warnings of a render of `data` with `template`, as `file:line:col kind "figure"`.
fn warnings(data: &str, template: &str) -> Vec<String> {
    let s = Scratch::new(&[("d.yaml", data), ("t.md", template)]);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md"]);
    assert_exit(&r, 0);
    let mut out = Vec::new();
    let mut lines = r.stderr.lines();
    while let Some(line) = lines.next() {
        if let Some(msg) = line.strip_prefix("warning: ") {
            let at = lines.next().unwrap().trim_start().trim_start_matches("--> ");
            let kind = msg.split(" a typed ").nth(1).unwrap().split(" (").next().unwrap();
            let figure = msg.split('(').nth(1).unwrap().split(')').next().unwrap();
            out.push(format!("{at} {kind} {figure}"));
        }
    }
    out
}

#[test]
fn figures_typed_into_data_strings_are_warnings_numbers_are_not() {
    let data = "\
services:
  - name: api
    note: Saves $1.1M+ a year
    saving: 1100000
  - name: web
    note: Handles 40% of traffic
    share: 40
summary: We moved 12 services and ran 300 tests
plain: Costs in $ are computed; Python 3 and OAuth2 on 2 hosts
";
    assert_eq!(
        warnings(data, "ok\n"),
        [
            "d.yaml:3:11 money amount \"$1.1M+\"",
            "d.yaml:6:11 percentage \"40%\"",
            "d.yaml:8:10 count \"12 services\"",
        ]
    );
    assert_eq!(
        warnings("summary: ran 300 tests in CI\nother: all tests ran\n", "ok\n"),
        ["d.yaml:1:10 test count \"300 tests\""]
    );
}

#[test]
fn figures_typed_into_template_text_are_warnings_computed_ones_are_not() {
    let data = "services: [{name: a}, {name: b}]\n";
    let t = "\
# Migration
We are 100% done with {{ data.services | length }} services.
Budget: €5K. {# 50% and $3 in a comment #} {{ \"10%\" }}
{{ data.services | length }} services, 7 services to go; 20 tests pass.
Python 3 on 2 hosts; {{ 3 | percent }} of items; costs in $ are computed.
";
    assert_eq!(
        warnings(data, t),
        [
            "t.md:2:8 percentage \"100%\"",
            "t.md:3:9 money amount \"€5K\"",
            "t.md:4:40 count \"7 services\"",
            "t.md:4:58 test count \"20 tests\"",
        ]
    );
}

#[test]
fn strict_makes_warnings_errors_and_writes_nothing() {
    let s = Scratch::new(&[("d.yaml", "note: 95% done\n"), ("t.md", "{{ data.note }}\n")]);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md", "--strict", "-o", "out.md"]);
    assert_exit(&r, BAD_INPUT);
    assert!(!s.path().join("out.md").exists());
    assert_eq!(
        r.stderr,
        "\
error: `data.note` contains a typed percentage (\"95%\"): figures are computed; give the figure its own field as a number and let the template compute and format it (an error with --strict)
  --> d.yaml:1:7
  |
1 | note: 95% done
  |       ^
error: 1 problem in the input; nothing was written
"
    );
}

#[test]
fn strict_applies_to_the_narrative_of_manifests_too() {
    let r = run(["tests/fixtures/narrative_warning", "--strict"]);
    assert_bad_input(&r, &["(an error with --strict)"]);
}

// ---------------------------------------------------------------------------------------------
// Data is data

#[test]
fn data_is_never_evaluated_as_a_template_and_is_escaped() {
    let data = "a: \"{{ 7 * 6 }}\"\nb: \"{% if true %}yes{% endif %}\"\nc: \"<script>x</script> | [l](javascript:x)\"\n";
    let out = render(data, "{{ data.a }}\n{{ data.b }}\n{{ data.c }}\n");
    assert_eq!(
        out,
        "{{ 7 \\* 6 }}\n{% if true %}yes{% endif %}\n\\<script\\>x\\</script\\> \\| \\[l\\](javascript:x)\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Loading

#[test]
fn one_file_is_the_tree_several_paths_merge_and_names_must_be_unique() {
    let s = Scratch::new(&[
        ("list.yaml", "- 1\n- 2\n"),
        ("a.yaml", "x: 1\n"),
        ("dir/x.json", "{\"y\": 2}\n"),
        ("dir/z.yml", "3\n"),
        ("dir/notes.txt", "not data\n"),
        ("t.md", "{{ data | length }}\n"),
    ]);
    let r = s.run(&["context", "--data", "list.yaml"]);
    assert_exit(&r, 0);
    let ctx: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(ctx["data"], serde_json::json!([1, 2]));

    let r = s.run(&["context", "--data", "dir"]);
    assert_exit(&r, 0);
    assert_eq!(r.stderr, "warning: not read: data files end in .yaml, .yml or .json\n  --> dir/notes.txt\n");
    let ctx: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(ctx["data"], serde_json::json!({"x": {"y": 2}, "z": 3}));

    let r = s.run(&["context", "--data", "dir", "--data", "a.yaml"]);
    assert_bad_input(
        &r,
        &[
            "error: `x` is defined twice: here and by `dir/x.json`; expected one file or folder per name\n  --> a.yaml\n",
        ],
    );
    let r = s.run(&["context", "--data", "a.yaml", "--data", "list.yaml"]);
    assert_bad_input(&r, &["--> list.yaml", "the file holds no map, so it cannot be merged"]);
}

#[test]
fn data_files_follow_the_manifests_strict_rules() {
    let s = Scratch::new(&[("d.yaml", "a: 1\nb: !!python/object:os.system [ls]\n"), ("t.md", "x\n")]);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md"]);
    assert_bad_input(&r, &["unsupported tag `!!python/object:os.system`", "  --> d.yaml:2:"]);
    let s = Scratch::new(&[("d.json", "{\"a\": 1, \"a\": 2}\n"), ("t.md", "x\n")]);
    let r = s.run(&["--data", "d.json", "--template", "t.md"]);
    assert_bad_input(&r, &["duplicate key `a`", "  --> d.json:1:"]);
}

#[test]
fn usage_errors_say_what_to_give() {
    let s = Scratch::new(&[("d.yaml", "a: 1\n"), ("t.md", "x\n")]);
    assert_bad_input(&s.run(&["--data", "d.yaml"]), &["--data needs --template FILE"]);
    assert_bad_input(
        &s.run(&["d.yaml", "--data", "d.yaml", "--template", "t.md"]),
        &["with --data, nothing is read from positional arguments; give result files with --results"],
    );
    assert_bad_input(
        &s.run(&["--data", "d.yaml", "--template", "t.md", "--format", "ctrf"]),
        &["--format ctrf needs --results"],
    );
}

// ---------------------------------------------------------------------------------------------
// Everything else applies unchanged

#[test]
fn check_output_dates_and_html_work_in_free_form_mode() {
    let s =
        Scratch::new(&[("d.yaml", "title: Hello\n"), ("t.md", "# {{ data.title }}\n\nDated {{ date }}.\n")]);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md", "--date", "2025-01-02", "-o", "r.md"]);
    assert_exit(&r, 0);
    assert_eq!(fs::read_to_string(s.path().join("r.md")).unwrap(), "# Hello\n\nDated 2025-01-02.\n");
    let r = gen_report(["--data", "d.yaml", "--template", "t.md", "--check", "r.md"])
        .current_dir(s.path())
        .env("SOURCE_DATE_EPOCH", "1735776000")
        .run();
    assert_exit(&r, 0);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md", "--check", "r.md"]);
    assert_exit(&r, 1);
    assert!(r.stdout.contains("-Dated 2025-01-02.\n+Dated .\n"), "{}", r.stdout);
    let r = s.run(&["--data", "d.yaml", "--template", "t.md", "--format", "html"]);
    assert_exit(&r, 0);
    assert!(r.stdout.contains("<title>Hello</title>"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// The context, and the README's reference generated from it

fn top_keys(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn context_prints_what_templates_receive_in_both_modes() {
    let r = run(["context", "data"]);
    assert_exit(&r, 0);
    let mut documented: Vec<String> =
        gen_report::freeform::DEFAULT_KEYS.iter().map(|k| k.name.to_string()).collect();
    let mut found = top_keys(&r.stdout);
    documented.sort();
    found.sort();
    assert_eq!(found, documented, "DEFAULT_KEYS in src/freeform/mod.rs must list the default context's keys");

    let (_, args) = EXAMPLES[1];
    let mut context = vec!["context"];
    context.extend(args.iter().filter(|a| !a.ends_with("template.md") && **a != "--template"));
    let r = run(&context);
    assert_exit(&r, 0);
    let mut documented: Vec<String> =
        gen_report::freeform::FREEFORM_KEYS.iter().map(|k| k.name.to_string()).collect();
    let mut found = top_keys(&r.stdout);
    documented.sort();
    found.sort();
    assert_eq!(
        found, documented,
        "FREEFORM_KEYS in src/freeform/mod.rs must list freeform::Context's fields"
    );
    let ctx: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(ctx["tests"]["totals"]["measured"]["passed"], 7);
    assert_eq!(ctx["data"]["services"][0]["name"], "accounts");
    // `--format json` in free-form mode is the same context.
    let mut json: Vec<&str> = args.to_vec();
    json.extend(["--format", "json"]);
    assert_eq!(run(&json).stdout, r.stdout);
}

const BEGIN: &str = "<!-- template-reference: generated from src/freeform/mod.rs and src/render/compute.rs; tests/it/templating.rs checks it -->\n";
const END: &str = "<!-- end template-reference -->\n";

#[test]
fn readme_template_reference_is_the_generated_one() {
    let path = repo().join("docs/templates.md");
    let readme = fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the template reference markers");
    };
    let generated = gen_report::freeform::reference_markdown();
    let mut current = readme[start + BEGIN.len()..end].to_string();
    if current != generated && std::env::var_os("GEN_REPORT_BLESS").is_some() {
        let updated = format!("{}{generated}{}", &readme[..start + BEGIN.len()], &readme[end..]);
        fs::write(&path, &updated).unwrap();
        current = generated.clone();
    }
    assert_eq!(
        current, generated,
        "README's template reference differs from the code: re-generate it with GEN_REPORT_BLESS=1 cargo test --test it readme_template_reference"
    );
}

#[test]
fn the_output_may_not_replace_a_data_file_or_the_schema() {
    let s = Scratch::new(&[("d.yaml", "a: 1\n"), ("s.json", "{}\n"), ("t.md", "x\n")]);
    for dest in ["d.yaml", "s.json", "t.md"] {
        let r = s.run(&["--data", "d.yaml", "--schema", "s.json", "--template", "t.md", "-o", dest]);
        assert_bad_input(&r, &[&format!("`{dest}` is an input: refusing to write the report over it")]);
    }
    assert_eq!(fs::read_to_string(s.path().join("d.yaml")).unwrap(), "a: 1\n");
}

#[test]
#[cfg(unix)]
fn a_fifo_given_as_data_is_refused_unopened() {
    let s = Scratch::new(&[("t.md", "x\n")]);
    let fifo = s.path().join("d.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|st| st.success());
    assert!(made || std::env::var_os("CI").is_none(), "mkfifo is needed for this test in CI");
    if made {
        let r = s.run(&["--data", "d.yaml", "--template", "t.md"]);
        assert_bad_input(&r, &["cannot read the file: it is not a regular file (a FIFO, socket or device)"]);
    }
}
