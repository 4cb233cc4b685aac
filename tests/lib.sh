# Shared by the command-line tests (sourced): a scratch folder $T removed on
# exit, failure counting, and checks of exit status and output formats.
# Each script reports FAILS at its end.
T=$(mktemp -d "${TMPDIR:-/tmp}/auclust_$(basename "$0" .sh).XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# run NAME CMD...: expect exit 0; stdout in $T/out, stderr in $T/err
run() {
  local name=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ $rc -ne 0 ]; then fail "$name: exit $rc, stderr: $(head -c 400 "$T/err")"; return 1; fi
  return 0
}

# no_leftovers NAME DIR: no temporary files (*.tmp*) in DIR
no_leftovers() {
  local left; left=$(find "$2" -maxdepth 1 -name '*.tmp*' | head -5)
  [ -z "$left" ] || fail "$1: temporary files left behind: $left"
}

# json_ok FILE: valid JSON (jq, else python3; skipped without either)
json_ok() {
  if command -v jq >/dev/null 2>&1; then jq -e . "$1" >/dev/null 2>&1
  elif command -v python3 >/dev/null 2>&1; then python3 -m json.tool "$1" >/dev/null 2>&1
  else echo "note: neither jq nor python3 found, JSON syntax not checked" >&2; return 0
  fi
}

# expect_err NAME CODES CMD...: exit status one of CODES ("2" or "2|3"),
# exactly one line on stderr starting with "auclust", nothing on stdout
expect_err() {
  local name=$1 codes=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  local lines; lines=$(wc -l <"$T/err")
  if [ $rc -eq 0 ] || ! [[ "|$codes|" == *"|$rc|"* ]]; then
    fail "$name: exit $rc, expected $codes; stderr: $(head -c 400 "$T/err")"; return 1
  elif [ "$lines" -ne 1 ] || [ -n "$(tail -c 1 "$T/err")" ]; then
    fail "$name: stderr should be exactly one line, got $lines: $(head -c 400 "$T/err")"; return 1
  elif ! grep -q '^auclust' "$T/err"; then
    fail "$name: stderr does not start with 'auclust': $(cat "$T/err")"; return 1
  elif [ -s "$T/out" ]; then
    fail "$name: printed to stdout on error: $(head -c 200 "$T/out")"; return 1
  fi
  return 0
}

# err_has NAME TEXT: the last command's stderr contains TEXT
err_has() { grep -qF -- "$2" "$T/err" || fail "$1: stderr lacks '$2': $(head -c 400 "$T/err")"; }

# one_line_err NAME CODE PATTERN CMD...: exit CODE, one stderr line matching PATTERN
one_line_err() {
  local name=$1 code=$2 pat=$3; shift 3
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ $rc -eq "$code" ] || { fail "$name: exit $rc, expected $code: $(head -c 300 "$T/err")"; return; }
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$name: stderr is not one line: $(cat "$T/err")"
  grep -Eq -- "$pat" "$T/err" || fail "$name: stderr does not match /$pat/: $(cat "$T/err")"
}
