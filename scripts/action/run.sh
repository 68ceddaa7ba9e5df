#!/usr/bin/env bash
# Runs the scan for the GitHub Action (action.yml): one `driftless scan`
# that writes SARIF (for code scanning) and prints the console report
# (GitHub annotations on the pull request, or text), then sets the step's
# outputs: sarif-file, findings, exit-code.
#
# Inputs arrive as environment variables (never interpolated into the
# script): INPUT_PATH (paths separated by whitespace, or by newlines to
# allow spaces in names), INPUT_CONFIG, INPUT_FORMAT (github|text),
# INPUT_FAIL_ON, INPUT_SARIF_FILE, INPUT_SOFT_FAIL, INPUT_WORKING_DIRECTORY.
# User paths go after `--`, so a path can never be read as a flag.
set -uo pipefail

# A workflow command's message with GitHub's escapes (%, CR, LF), so user
# input in it can neither end the command nor start another one.
escape_data() {
  local s="$1"
  s="${s//'%'/%25}"
  s="${s//$'\r'/%0D}"
  s="${s//$'\n'/%0A}"
  printf '%s' "$s"
}

die() { echo "::error title=driftless::$(escape_data "$*")"; exit 2; }

# Sets a step output with the multi-line-safe `name<<DELIMITER` syntax; the
# delimiter is random and checked not to occur in the value.
output() {
  local name="$1" value="$2" delimiter
  delimiter="driftless_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  while [[ "$value" == *"$delimiter"* ]]; do delimiter="${delimiter}_"; done
  printf '%s<<%s\n%s\n%s\n' "$name" "$delimiter" "$value" "$delimiter" \
    >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

workdir="${INPUT_WORKING_DIRECTORY:-.}"
cd "$workdir" || die "working-directory '$workdir' does not exist"

# Paths: one per line when the input has several lines, else split on blanks.
paths=()
if [[ "${INPUT_PATH:-.}" == *$'\n'* ]]; then
  while IFS= read -r line; do
    line="${line%$'\r'}"
    [ -n "${line//[[:space:]]/}" ] && paths+=("$line")
  done <<< "$INPUT_PATH"
else
  read -r -a paths <<< "${INPUT_PATH:-.}"
fi
[ "${#paths[@]}" -gt 0 ] || paths=(.)

format="${INPUT_FORMAT:-github}"
case "$format" in
  github | text) ;;
  *) die "format must be github or text, not '$format'" ;;
esac

sarif="${INPUT_SARIF_FILE:-}"
keep_sarif=true
if [ -z "$sarif" ]; then
  # SARIF is still written (it is where the finding count comes from) but
  # not reported as an output, so nothing is uploaded.
  keep_sarif=false
  sarif="${RUNNER_TEMP:-/tmp}/driftless-$$.sarif"
fi
mkdir -p "$(dirname "$sarif")"
sarif_abs="$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")"

args=(scan --format sarif --output "$sarif_abs")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
args+=(-- "${paths[@]}")

# The console shows GitHub annotations inside Actions (GITHUB_ACTIONS=true)
# when the report goes to a file; `format: text` asks for plain text.
if [ "$format" = text ]; then
  GITHUB_ACTIONS=false driftless "${args[@]}"
else
  GITHUB_ACTIONS=true driftless "${args[@]}"
fi
code=$?

findings=0
if [ -s "$sarif_abs" ]; then
  if command -v jq >/dev/null 2>&1; then
    findings="$(jq '[.runs[].results[] | select((.suppressions // []) | length == 0)] | length' "$sarif_abs" 2>/dev/null || echo 0)"
  else
    findings="$(grep -o '"ruleId"' "$sarif_abs" | wc -l | tr -d ' ')"
  fi
else
  [ "$keep_sarif" = true ] && echo "::warning title=driftless::no SARIF report was written"
  true
  sarif_abs=""
fi

if [ "$keep_sarif" = true ] && [ -n "$sarif_abs" ]; then
  output sarif-file "$sarif_abs"
else
  output sarif-file ""
fi
output findings "$findings"
output exit-code "$code"

# The job summary is written once: by driftless itself with the github
# format (its findings table); here only for the text format.
if [ "$format" = text ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### driftless"
    echo
    echo "| findings | exit code | SARIF |"
    echo "|---|---|---|"
    echo "| $findings | $code | ${sarif_abs:-none} |"
  } >> "$GITHUB_STEP_SUMMARY"
fi

if [ "$code" -eq 1 ] && [ "${INPUT_SOFT_FAIL:-false}" = true ]; then
  echo "driftless found $findings finding(s); soft-fail is on, so the step passes"
  exit 0
fi
exit "$code"
