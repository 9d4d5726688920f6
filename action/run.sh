#!/usr/bin/env bash
# The gen-report GitHub Action (action.yml runs this one script): get gen-report, write the
# report (job summary, file, annotations), set the step outputs, check a committed report, and
# post or update the pull-request comment.
#
# Inputs arrive as INPUT_* environment variables (action.yml maps them; nothing is spliced into
# code, so no input can inject shell). tests/it/action.rs runs this exactly as a runner would.
#
# Two steps run it: `run.sh locate` finds or downloads the binary (then action.yml restores a
# cached source build when there is none), `run.sh` does the rest.
#
# Exit: 0, or 1 when a `fail-on` condition holds or the committed report is stale — after
# everything else was written; 2 on bad input.
set -euo pipefail

action_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-report}"

# A workflow command's data, escaped as GitHub's toolkit does (`%`, CR, LF); other control
# characters become visible `\xNN`, so no file or test name can hide text or move the cursor.
escape() {
    local s="${1//%/%25}" c hex
    s="${s//$'\r'/%0D}"
    s="${s//$'\n'/%0A}"
    for hex in 01 02 03 04 05 06 07 08 09 0b 0c 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 7f; do
        printf -v c "\\x$hex"
        s="${s//$c/\\x$hex}"
    done
    printf '%s' "$s"
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
    run_gr "$@" >"$work/quoted" 2>&1 || code=$?
    if [ -s "$work/quoted" ]; then
        pause
        cat "$work/quoted"
        resume
    fi
    return "$code"
}
# Runs gen-report for a file (outputs, comment): its findings repeat the report's, so its stderr
# is shown only when it fails.
quiet() {
    local code=0
    run_gr "$@" 2>"$work/stderr" || code=$?
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

# --- Get gen-report ----------------------------------------------------------------------------
# `run.sh locate`: $GEN_REPORT_BIN, else gen-report on PATH, else the release binary of this
# action's exact version from the tool cache, else downloaded (SHA-256 verified) into it. Sets the
# outputs `bin` (empty when there is none), and `build-dir` and `cache-key` for the source build
# that action.yml's actions/cache step restores and saves.
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
sha256_of() {
    if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}
exe=gen-report
[ "${RUNNER_OS:-}" = Windows ] && exe=gen-report.exe
tool_root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/gen-report"

# The release a tag names; for a SHA (or branch) pin, the version in the action's Cargo.toml.
action_version() {
    local ref="${GEN_REPORT_ACTION_REF:-}"
    if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
        echo "${ref#v}"
    else
        sed -n 's/^version = "\(.*\)"$/\1/p' "$action_dir/Cargo.toml" | head -n 1
    fi
}

# Downloads and verifies gen-report-<target> of release v<version> into <dir>; 1 when the release
# has no such asset (before the first release), exit 2 when its checksum does not verify.
download_release() { # version target dir
    local version="$1" target="$2" dir="$3" ext=tar.gz tmp
    [[ "$target" == *windows* ]] && ext=zip
    local url="https://github.com/$GEN_REPORT_ACTION_REPOSITORY/releases/download/v$version/gen-report-$target.$ext"
    tmp="$(mktemp -d "${RUNNER_TEMP:-/tmp}/gen-report-dl.XXXXXX")"
    if ! curl -fsSL --retry 3 -o "$tmp/archive" "$url"; then
        rm -rf "$tmp"
        note "no release binary at $url: building gen-report from the action's source"
        return 1
    fi
    curl -fsSL --retry 3 -o "$tmp/sha256" "$url.sha256" ||
        die "$url has no $url.sha256: an unverified binary is not run"
    local expected actual
    expected="$(cut -d' ' -f1 "$tmp/sha256")"
    actual="$(sha256_of "$tmp/archive")"
    [ "$expected" = "$actual" ] || die "$url: SHA-256 $actual, but the release's .sha256 says $expected: not run"
    mkdir -p "$tmp/x"
    if [ "$ext" = zip ]; then unzip -q "$tmp/archive" -d "$tmp/x"; else tar -xzf "$tmp/archive" -C "$tmp/x"; fi
    [ -f "$tmp/x/gen-report-$target/$exe" ] || die "$url holds no gen-report-$target/$exe"
    mkdir -p "$dir"
    mv "$tmp/x/gen-report-$target/$exe" "$dir/$exe"
    rm -rf "$tmp"
    # The tool cache's convention: a version is usable once `<dir>.complete` exists.
    touch "$dir.complete"
    note "gen-report $version for $target from the release, SHA-256 verified"
}

# The source build's cache key: the files the binary is built from.
source_key() {
    (cd "$action_dir" && find Cargo.toml Cargo.lock build.rs src templates data -type f 2>/dev/null |
        LC_ALL=C sort | while IFS= read -r f; do printf '%s  %s\n' "$(sha256_of "$f")" "$f"; done) >"$work/sources"
    sha256_of "$work/sources"
}

# Later steps of the job can run gen-report too; PATH is extended only when it lacks gen-report.
add_to_path() {
    if [ -n "${GITHUB_PATH:-}" ] && [ "$(command -v gen-report 2>/dev/null || true)" != "$1" ]; then
        dirname "$1" >>"$GITHUB_PATH"
    fi
}

locate() {
    local bin="" version target dir
    if [ -n "${GEN_REPORT_BIN:-}" ]; then
        [ -x "$GEN_REPORT_BIN" ] || die "GEN_REPORT_BIN=$GEN_REPORT_BIN is not an executable file"
        bin="$GEN_REPORT_BIN"
    elif bin="$(command -v gen-report)"; then
        :
    else
        bin=""
        version="$(action_version)"
        dir="$tool_root/$version/${RUNNER_ARCH:-x64}"
        if [ -f "$dir.complete" ] && [ -x "$dir/$exe" ]; then
            bin="$dir/$exe"
        elif [ -n "${GEN_REPORT_ACTION_REPOSITORY:-}" ] && target="$(release_target)" &&
            download_release "$version" "$target" "$dir"; then
            bin="$dir/$exe"
        fi
    fi
    local key="" build=""
    if [ -n "$bin" ]; then
        add_to_path "$bin"
    else
        key="gen-report-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$(source_key)"
        build="$tool_root/source/${RUNNER_ARCH:-x64}"
    fi
    printf 'bin=%s\nbuild-dir=%s\ncache-key=%s\n' "$bin" "$build" "$key" >>"${GITHUB_OUTPUT:-/dev/null}"
}

# The report step: the located binary, else the source build (restored by actions/cache, or
# built now with cargo's progress in the log; actions/cache saves it when the job ends).
get_gen_report() {
    gen_report="${GEN_REPORT_LOCATED:-}"
    [ -n "$gen_report" ] && return
    local dir="${GEN_REPORT_BUILD_DIR:-$tool_root/source/${RUNNER_ARCH:-x64}}"
    gen_report="$dir/bin/$exe"
    if [ ! -x "$gen_report" ]; then
        command -v cargo >/dev/null || die "gen-report is not on PATH, there is no release binary for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this arch}, and cargo is missing to build it: install Rust first (e.g. dtolnay/rust-toolchain) or set GEN_REPORT_BIN"
        echo "::group::gen-report: building from the action's source (cached for later runs)"
        cargo install --locked --path "$action_dir" --root "$dir"
        echo "::endgroup::"
    fi
    add_to_path "$gen_report"
}

# --- History in the workflow cache -----------------------------------------------------------
# `run.sh history`: where the records live and under which cache keys (documented in README):
#   gen-report-history-<key>-<branch>-<run id>-<attempt>
# A branch run restores its branch's newest folder (prefix gen-report-history-<key>-<branch>-)
# and saves it, with this run's record added, under its own key. A pull request restores its
# base branch's (forks too: the cache is readable there) and saves nothing, so a branch's history
# holds only its own runs. Outputs: dir (empty: history is off), save-key, restore-prefix,
# window, save (true on branch runs), branch.
history_keys() {
    local enabled="${INPUT_HISTORY:-true}" window="${INPUT_HISTORY_WINDOW:-20}" key="${INPUT_HISTORY_KEY:-gen-report}"
    bool history "$enabled"
    if [ "$enabled" = false ]; then
        printf 'dir=\n' >>"${GITHUB_OUTPUT:-/dev/null}"
        return
    fi
    [[ "$window" =~ ^[0-9]+$ ]] && [ "$window" -ge 2 ] && [ "$window" -le 1000 ] ||
        die "input \`history-window\` must be a whole number from 2 to 1000, got \`$window\`"
    [[ "$key" =~ ^[A-Za-z0-9._-]+$ ]] || die "input \`history-key\` may hold letters, digits, '.', '_' and '-' only"
    local branch save=true
    case "${GITHUB_EVENT_NAME:-}" in
        pull_request | pull_request_target) branch="${GITHUB_BASE_REF:-}" save=false ;;
        *) branch="${GITHUB_REF_NAME:-}" ;;
    esac
    # A merge queue's or a tag's run is not a branch's history, nor is a workflow_run (it
    # reports another run's results, often a pull request's, on the default branch).
    case "${GITHUB_REF:-}" in refs/tags/* | refs/heads/gh-readonly-queue/*) save=false ;; esac
    if [ "${GITHUB_EVENT_NAME:-}" = workflow_run ]; then save=false; fi
    if [ -z "$branch" ]; then
        note "history: no branch to keep a history for (event ${GITHUB_EVENT_NAME:-unknown}); reporting without"
        printf 'dir=\n' >>"${GITHUB_OUTPUT:-/dev/null}"
        return
    fi
    # Cache keys take no commas; anything unusual in a branch name becomes `_`.
    local safe="${branch//[^A-Za-z0-9._\/-]/_}"
    local prefix="gen-report-history-$key-$safe-"
    {
        printf 'dir=%s\n' "${RUNNER_TEMP:-/tmp}/gen-report-history/$key"
        printf 'restore-prefix=%s\n' "$prefix"
        printf 'save-key=%s\n' "$prefix${GITHUB_RUN_ID:-0}-${GITHUB_RUN_ATTEMPT:-1}"
        printf 'window=%s\nsave=%s\n' "$window" "$save"
        printf 'branch<<%s\n%s\n%s\n' "$token" "$branch" "$token"
    } >>"${GITHUB_OUTPUT:-/dev/null}"
}

if [ "$mode" = locate ]; then
    locate
    exit 0
fi
if [ "$mode" = history ]; then
    history_keys
    exit 0
fi
echo "::group::gen-report"
get_gen_report
"$gen_report" --version
echo "::endgroup::"

# --- Arguments shared by every run: what to read and how --------------------------------------
# Options first, then `--`, then the file names: no file name is ever read as an option (an
# empty file named `--templates=x` in a pull request stays a file name).
opts=()
files=()
missing=()
if [ -n "$data" ]; then
    files+=("$data")
fi
while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -z "$line" ] && continue
    if [ -n "$data" ]; then
        opts+=("--results=$line") # reconciled with the manifests; gen-report expands the glob
    elif [ -e "$line" ]; then
        files+=("$line")
    else
        # A results-only summary takes files and folders: expand the glob here (`**` crosses
        # folders, as in gen-report). A pattern matching nothing is a finding; the report is
        # written from the others (a shard that uploaded nothing must not cost the summary).
        shopt -s globstar nullglob
        IFS= # no word splitting: a line is one pattern
        # shellcheck disable=SC2206 # the expansion is the point
        matched=($line)
        unset IFS
        shopt -u globstar nullglob
        if [ ${#matched[@]} -eq 0 ]; then
            missing+=("$line")
        else
            files+=("${matched[@]}")
        fi
    fi
done <<<"$results"
if [ ${#files[@]} -eq 0 ] && [ ${#missing[@]} -gt 0 ]; then
    die "results: no pattern matched a file ($(printf '`%s` ' "${missing[@]}"| sed 's/ $//'))"
fi
[ ${#files[@]} -gt 0 ] || die "give \`data\` (a data directory) or \`results\` (result files or globs)"

# `args` split as a shell splits words: whitespace separates, '…' and "…" quote, \ escapes; nothing
# is expanded or evaluated.
split_words() {
    local s="$1" i=0 c q="" word="" inword=false
    words=()
    while [ "$i" -lt "${#s}" ]; do
        c="${s:i:1}"
        if [ "$q" = "'" ]; then
            if [ "$c" = "'" ]; then q=""; else word+="$c"; fi
        elif [ "$q" = '"' ]; then
            if [ "$c" = '"' ]; then
                q=""
            elif [ "$c" = '\' ] && [[ "${s:i+1:1}" == [\"\\\$\`] ]]; then
                i=$((i + 1))
                word+="${s:i:1}"
            else
                word+="$c"
            fi
        else
            case "$c" in
                [[:space:]])
                    if $inword; then words+=("$word"); fi
                    word="" inword=false
                    ;;
                "'" | '"') q="$c" inword=true ;;
                '\')
                    i=$((i + 1))
                    word+="${s:i:1}" inword=true
                    ;;
                *) word+="$c" inword=true ;;
            esac
        fi
        i=$((i + 1))
    done
    [ -z "$q" ] || die "input \`args\`: the $q quote is not closed"
    if $inword; then words+=("$word"); fi
}
split_words "${INPUT_ARGS:-}"
opts+=(${words[@]+"${words[@]}"})
# History (the `history` step's outputs): every run reads the folder the cache restored; the
# report's run also adds this run's record to it.
history_dir="${GEN_REPORT_HISTORY_DIR:-}"
history_record=""
if [ -n "$history_dir" ]; then
    if ! compgen -G "$history_dir/*.parquet" >/dev/null; then
        note "history: no earlier runs of ${GEN_REPORT_HISTORY_BRANCH:-this branch} in the cache yet (a first run, or the cache was evicted); the history starts with this run"
    fi
    opts+=(--history "$history_dir" --history-window "${GEN_REPORT_HISTORY_WINDOW:-20}")
    history_record="$history_dir/${GITHUB_RUN_NUMBER:-0}.parquet"
fi
templated=()
if [ -n "$template" ]; then
    templated=(--template "$template")
fi
# gen-report with the shared options, `more` options, then `--` and the file names.
run_gr() { "$gen_report" "${opts[@]}" "$@" -- "${files[@]}"; }

# --- The report: file, job summary, annotations ------------------------------------------------
main=(${templated[@]+"${templated[@]}"} -o "$output")
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
fi
if [ -n "$history_record" ]; then
    main+=(--record "$history_record")
fi
run_gr "${main[@]}" 2>"$work/main.err" || rc=$?
# gen-report fences what it quotes itself when it writes annotations; otherwise fence it here
# (and only when there is something to fence: no empty pause/resume pair in the log).
if [ "$annotations" = true ] && [ "$rc" -le 1 ]; then
    cat "$work/main.err" >&2
elif [ -s "$work/main.err" ]; then
    pause
    cat "$work/main.err" >&2
    resume
fi
# What failed, said once on the run page (outside any paused block): the error, or the `fail-on`
# conditions that held; then the findings, capped.
if [ "$rc" -ge 2 ]; then
    message="$(grep -v '^::' "$work/main.err" | head -c 4000 || true)"
    printf '::error title=gen-report::%s\n' "$(escape "${message:-gen-report exited with $rc}")"
    exit "$rc"
fi
# The cache keeps the newest `history-window` records (by run number); the save step stores the
# folder when this is a branch's run.
if [ -n "$history_record" ] && [ -f "$history_record" ]; then
    # (Portable to macOS and Windows runners: no GNU find -printf or head -n -N.)
    records=()
    for f in "$history_dir"/*.parquet; do
        records+=("${f##*/}")
    done
    mapfile -t records < <(printf '%s\n' "${records[@]}" | sort -V)
    for ((i = 0; i + ${GEN_REPORT_HISTORY_WINDOW:-20} < ${#records[@]}; i++)); do
        rm -f -- "${history_dir:?}/${records[i]}"
    done
    if [ "${GEN_REPORT_HISTORY_SAVE:-false}" = true ]; then
        printf 'history-record=%s\n' "$history_record" >>"${GITHUB_OUTPUT:-/dev/null}"
    fi
fi
held="$(sed -n 's/^error: --fail-on condition holds: //p' "$work/main.err" | head -n 1)"
if [ "$rc" -eq 1 ]; then
    printf '::error title=gen-report::%s\n' "$(escape "fail-on: ${held:-a condition} held (after the report was written)")"
fi
findings=()
for p in ${missing[@]+"${missing[@]}"}; do
    findings+=("results pattern \`$p\` matched no file: nothing was read for it")
done
while IFS= read -r line; do
    case "$line" in
        "finding: "* | "warning: "*) findings+=("${line#*: }") ;;
    esac
done <"$work/main.err"
# GitHub shows 10 warning annotations per step.
cap=10
for ((i = 0; i < ${#findings[@]} && i < cap; i++)); do
    warn "${findings[i]}"
done
if [ ${#findings[@]} -gt "$cap" ]; then
    note "$((${#findings[@]} - cap)) more findings: all are in the report ($output)"
fi
if [ ${#missing[@]} -gt 0 ] && [ "$summary" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    for p in "${missing[@]}"; do
        printf '\n> ⚠️ results pattern `%s` matched no file: nothing was read for it\n' "${p//\`/\'}"
    done >>"$GITHUB_STEP_SUMMARY"
fi

# --- Step outputs, from the same computation ---------------------------------------------------
quiet --template "$action_dir/action/outputs.txt" -o "$work/outputs"
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
    # --quiet: the findings were shown (and annotated) once, by the report's run.
    quoted ${templated[@]+"${templated[@]}"} --quiet --check "$check" || stale=$?
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
    local marker="<!-- gen-report-comment: $comment_tag -->" existing login
    # Only a comment the token's own user wrote is ours to update: anyone can post a comment that
    # starts with the marker. The default token cannot read /user; its comments are the bot's.
    login="$(gh api user --jq .login 2>/dev/null)" || login="github-actions[bot]"
    [[ "$login" =~ ^[A-Za-z0-9-]+(\[bot\])?$ ]] || { warn "comment: unexpected login from gh api user; no comment"; return; }
    if ! existing="$(gh api --paginate "repos/$repo/issues/$pr/comments" \
        --jq ".[] | select(.user.login == \"$login\" and (.body | startswith(\"$marker\"))) | .id" | awk 'NR == 1')"; then
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
    quiet ${templated[@]+"${templated[@]}"} --budget comment -o "$work/body.md"
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
