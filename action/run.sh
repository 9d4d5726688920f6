#!/usr/bin/env bash
# The gen-report GitHub Action (action.yml runs this one script): get gen-report, write the
# report (job summary, file, annotations), set the step outputs, check a committed report, and
# post or update the pull-request comment.
#
# Inputs arrive as INPUT_* environment variables (action.yml maps them; nothing is spliced into
# code, so no input can inject shell). tests/action.rs runs this exactly as a runner would.
#
# Exit: 0, or 1 when a `fail-on` condition holds or the committed report is stale — after
# everything else was written; 2 on bad input.
set -euo pipefail

action_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# A workflow command's data, escaped as GitHub's toolkit does.
escape() {
    local s="${1//%/%25}"
    s="${s//$'\r'/%0D}"
    printf '%s' "${s//$'\n'/%0A}"
}
warn() { printf '::warning title=gen-report::%s\n' "$(escape "$1")"; }
note() { printf '::notice title=gen-report::%s\n' "$(escape "$1")"; }
die() {
    printf '::error title=gen-report::%s\n' "$(escape "$1")"
    exit 2
}

# Output that quotes data (findings, diffs, errors) is printed with workflow commands paused, so a
# test name cannot raise an annotation; the token is random, so no data can resume them early.
token="gen-report-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
pause() { echo "::stop-commands::$token"; }
resume() { echo "::$token::"; }
# Runs gen-report with its output paused; returns its exit code.
quoted() {
    local code=0
    pause
    "$gen_report" "$@" || code=$?
    resume
    return "$code"
}
# Runs gen-report for a file (outputs, comment): its findings repeat the report's, so its stderr
# is shown only when it fails.
quiet() {
    local code=0
    "$gen_report" "$@" 2>"$work/stderr" || code=$?
    if [ "$code" -ge 2 ]; then
        pause
        cat "$work/stderr" >&2
        resume
    fi
    return "$code"
}

bool() { # name value
    case "$2" in
        true | false) ;;
        *) die "input \`$1\` must be true or false, got \`$2\`" ;;
    esac
}

# --- Inputs -----------------------------------------------------------------------------------
data="${INPUT_DATA:-}"
results="${INPUT_RESULTS:-}"
fail_on="${INPUT_FAIL_ON:-}"
summary="${INPUT_SUMMARY:-true}"
annotations="${INPUT_ANNOTATIONS:-true}"
check="${INPUT_CHECK:-}"
template="${INPUT_TEMPLATE:-}"
output="${INPUT_OUTPUT:-}"
comment="${INPUT_COMMENT:-off}"
comment_tag="${INPUT_COMMENT_TAG:-gen-report}"
bool summary "$summary"
bool annotations "$annotations"
case "$comment" in
    off | false | '') comment=off ;;
    always | on | true) comment=always ;;
    on-failure) ;;
    *) die "input \`comment\` must be off, always or on-failure, got \`$comment\`" ;;
esac
[[ "$comment_tag" =~ ^[A-Za-z0-9._-]+$ ]] || die "input \`comment-tag\` may hold letters, digits, '.', '_' and '-' only"
if [ -z "$output" ]; then
    output="${RUNNER_TEMP:-/tmp}/gen-report/report.md"
fi
mkdir -p "$(dirname "$output")"
output="$(cd "$(dirname "$output")" && pwd)/$(basename "$output")"
work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/gen-report.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- Get gen-report: $GEN_REPORT_BIN, else on PATH, else a release binary, else build it --------
release_target() {
    case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
        Linux/X64) echo x86_64-unknown-linux-musl ;;
        Linux/ARM64) echo aarch64-unknown-linux-musl ;;
        macOS/X64) echo x86_64-apple-darwin ;;
        macOS/ARM64) echo aarch64-apple-darwin ;;
        Windows/X64) echo x86_64-pc-windows-msvc ;;
        *) return 1 ;;
    esac
}

get_gen_report() {
    if [ -n "${GEN_REPORT_BIN:-}" ]; then
        [ -x "$GEN_REPORT_BIN" ] || die "GEN_REPORT_BIN=$GEN_REPORT_BIN is not an executable file"
        gen_report="$GEN_REPORT_BIN"
        return
    fi
    if gen_report="$(command -v gen-report)"; then
        return
    fi
    local ref="${GEN_REPORT_ACTION_REF:-}" repo="${GEN_REPORT_ACTION_REPOSITORY:-}" target
    local dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/gen-report/${ref:-local}"
    # A release exists only for a version tag: gen-report-<target>.tar.gz holding the binary.
    if [[ "$ref" =~ ^v[0-9] ]] && [ -n "$repo" ] && target="$(release_target)"; then
        local url="https://github.com/$repo/releases/download/$ref/gen-report-$target.tar.gz"
        mkdir -p "$dir/bin"
        if curl -fsSL --retry 3 "$url" | tar -xz -C "$dir/bin"; then
            gen_report="$(find "$dir/bin" -type f \( -name gen-report -o -name gen-report.exe \) | head -n 1)"
            [ -n "$gen_report" ] && return
        fi
        note "no release binary at $url: building gen-report from the action's source"
    fi
    command -v cargo >/dev/null || die "gen-report is not on PATH, there is no release binary for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this arch}, and cargo is missing to build it: install Rust first (e.g. dtolnay/rust-toolchain) or set GEN_REPORT_BIN"
    # A CI build favours compile time over the last percent of speed (the profile uses fat LTO).
    CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=0 \
        cargo install --locked --quiet --path "$action_dir" --root "$dir"
    gen_report="$dir/bin/gen-report"
}

echo "::group::gen-report"
get_gen_report
# Later steps of the job can run gen-report too.
if [ -n "${GITHUB_PATH:-}" ]; then
    dirname "$gen_report" >>"$GITHUB_PATH"
fi
"$gen_report" --version
echo "::endgroup::"

# --- Arguments shared by every run: what to read and how --------------------------------------
inputs=()
if [ -n "$data" ]; then
    inputs+=("$data")
fi
while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -z "$line" ] && continue
    if [ -n "$data" ]; then
        inputs+=(--results "$line") # reconciled with the manifests; gen-report expands the glob
    elif [ -e "$line" ]; then
        inputs+=("$line")
    else
        # A results-only summary takes files and folders: expand the glob here (`**` crosses
        # folders, as in gen-report). A pattern matching nothing is passed on, to be named in
        # gen-report's error.
        shopt -s globstar nullglob
        IFS= # no word splitting: a line is one pattern
        # shellcheck disable=SC2206 # the expansion is the point
        matched=($line)
        unset IFS
        shopt -u globstar nullglob
        if [ ${#matched[@]} -eq 0 ]; then
            inputs+=("$line")
        else
            inputs+=("${matched[@]}")
        fi
    fi
done <<<"$results"
[ ${#inputs[@]} -gt 0 ] || die "give \`data\` (a data directory) or \`results\` (result files or globs)"
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then
    read -r -a extra <<<"$INPUT_ARGS"
fi
templated=()
if [ -n "$template" ]; then
    templated=(--template "$template")
fi

# --- The report: file, job summary, annotations ------------------------------------------------
main=("${inputs[@]}" "${extra[@]}" "${templated[@]}" -o "$output")
if [ "$summary" = true ]; then
    main+=(--github-summary)
fi
if [ -n "$fail_on" ]; then
    main+=(--fail-on "$fail_on")
fi
rc=0
if [ "$annotations" = true ]; then
    main+=(--annotations github)
    if [ -n "${INPUT_PATH_PREFIX:-}" ]; then
        main+=(--path-prefix "$INPUT_PATH_PREFIX")
    fi
    while IFS= read -r prefix; do
        if [ -n "$prefix" ]; then
            main+=(--strip-prefix "$prefix")
        fi
    done <<<"${INPUT_STRIP_PREFIX:-}"
    # gen-report pauses commands around what it quotes, then writes the annotations.
    "$gen_report" "${main[@]}" || rc=$?
else
    quoted "${main[@]}" || rc=$?
fi
[ "$rc" -le 1 ] || exit "$rc"

# --- Step outputs, from the same computation ---------------------------------------------------
quiet "${inputs[@]}" "${extra[@]}" --template "$action_dir/action/outputs.txt" -o "$work/outputs"
delimiter="gen-report-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
{
    cat "$work/outputs"
    # A path may hold anything: the heredoc form with a random delimiter keeps it one value.
    printf 'report-path<<%s\n%s\n%s\n' "$delimiter" "$output" "$delimiter"
} >>"${GITHUB_OUTPUT:-/dev/null}"
failed="$(sed -n 's/^failed=//p' "$work/outputs")"

# --- A committed report that must be up to date -------------------------------------------------
stale=0
if [ -n "$check" ]; then
    quoted "${inputs[@]}" "${extra[@]}" "${templated[@]}" --check "$check" || stale=$?
    [ "$stale" -le 1 ] || exit "$stale"
    if [ "$stale" -eq 1 ]; then
        printf '::error title=gen-report::%s\n' "$(escape "$check is stale: re-render it and commit it (the diff is in the log)")"
    fi
fi

# --- The pull-request comment: one per pull request (and tag), updated in place ----------------
post_comment() {
    local pr="${INPUT_PR_NUMBER:-}" repo="${GITHUB_REPOSITORY:-}"
    if [ -z "${INPUT_TOKEN:-}" ]; then
        warn "comment: no token, so no comment (the report is in the job summary); give the job 'pull-requests: write'"
        return
    fi
    if [ -z "$pr" ]; then
        note "comment: not a pull request (set pr-number, e.g. in a workflow_run workflow); no comment"
        return
    fi
    [[ "$pr" =~ ^[0-9]+$ ]] || die "input \`pr-number\` must be a number, got \`$pr\`"
    if ! command -v gh >/dev/null; then
        warn "comment: the gh CLI is not installed; no comment"
        return
    fi
    export GH_TOKEN="$INPUT_TOKEN"
    local marker="<!-- gen-report-comment: $comment_tag -->" existing
    if ! existing="$(gh api --paginate "repos/$repo/issues/$pr/comments" \
        --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | awk 'NR == 1')"; then
        warn "comment: could not list the pull request's comments (a fork's read-only token?); no comment"
        return
    fi
    # on-failure: a new comment only when something failed; an earlier one is still updated, so
    # it never goes on showing failures that are fixed.
    if [ "$comment" = on-failure ] && [ -z "$existing" ] && [ "${failed:-0}" = 0 ] && [ "$rc" = 0 ]; then
        note "comment: nothing failed; no comment"
        return
    fi
    { printf '%s\n' "$marker"; } >"$work/comment.md"
    quiet "${inputs[@]}" "${extra[@]}" "${templated[@]}" --budget comment -o "$work/body.md"
    cat "$work/body.md" >>"$work/comment.md"
    if [ -n "$existing" ]; then
        gh api -X PATCH "repos/$repo/issues/comments/$existing" -F "body=@$work/comment.md" >/dev/null ||
            warn "comment: could not update comment $existing"
    else
        gh api -X POST "repos/$repo/issues/$pr/comments" -F "body=@$work/comment.md" >/dev/null ||
            warn "comment: could not post the comment (a fork's read-only token?)"
    fi
}
if [ "$comment" != off ]; then
    post_comment
fi

if [ "$rc" -ne 0 ] || [ "$stale" -ne 0 ]; then
    exit 1
fi
