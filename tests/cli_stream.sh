#!/usr/bin/env bash
# predict and featurize stream their input: a file of many chunks (8,192 and
# 4,096 rows) gives, row for row, what its rows give one at a time; a bad row
# in a late chunk is still one error line naming file, row and column, with
# no output file and nothing on stdout; the notes cover the whole file.
# Usage (from the repository root): bash tests/cli_stream.sh /path/to/auclust
set -u
BIN=${1:?usage: bash tests/cli_stream.sh /path/to/auclust}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
DATA=data/au_nc_recipes.csv

run train "$BIN" train "$DATA" --ensemble 2 --set epochs=2 --set steps_per_epoch=4 -o "$T/m.json"

# the bundled recipes repeated 300 times (9,000 rows, 3 chunks), a salt and
# zero concentrations in the last chunk
reps=300
{
  head -1 "$DATA"
  for ((k = 0; k < reps; k++)); do tail -n +2 "$DATA"; done
} >"$T/big.csv"
rows=$(($(wc -l <"$DATA") - 1))
n=$((rows * reps))
run "predict small" "$BIN" predict "$T/m.json" "$DATA" --individual -o "$T/small.csv"
cp "$T/err" "$T/small.err"
run "predict big" "$BIN" predict "$T/m.json" "$T/big.csv" --individual -o "$T/big.out"
{
  head -1 "$T/small.csv"
  for ((k = 0; k < reps; k++)); do tail -n +2 "$T/small.csv"; done
} >"$T/expect.csv"
cmp -s "$T/expect.csv" "$T/big.out" || fail "predict: the 9,000-row file does not give its rows' predictions: $(diff "$T/expect.csv" "$T/big.out" | head -3)"
out1=$(sed -n 's/.*: \([0-9]*\) of \([0-9]*\) recipes.*/\1/p' "$T/small.err")
grep -q ": $((out1 * reps)) of $n recipes are outside" "$T/err" || fail "predict: domain summary over the whole file: $(tail -1 "$T/err")"
tail -1 "$T/err" | grep -q "outside the model's domain" || fail "predict: the domain summary is not the last line"
# stdout (spooled) gives the same bytes; so does a pipe as input
"$BIN" predict "$T/m.json" "$T/big.csv" --individual 2>/dev/null | cmp -s - "$T/big.out" || fail "predict: stdout differs from -o"
cat "$T/big.csv" | "$BIN" predict "$T/m.json" - --individual 2>/dev/null | cmp -s - "$T/big.out" || fail "predict: piped input differs"

# featurize: the same rows, the same features
run "featurize small" "$BIN" featurize "$DATA" -o "$T/fsmall.csv"
run "featurize big" "$BIN" featurize "$T/big.csv" -o "$T/fbig.csv"
{
  head -1 "$T/fsmall.csv"
  for ((k = 0; k < reps; k++)); do tail -n +2 "$T/fsmall.csv"; done
} >"$T/fexpect.csv"
cmp -s "$T/fexpect.csv" "$T/fbig.csv" || fail "featurize: the 9,000-row file does not give its rows' features"

# notes come from the whole file: zero concentrations counted over every chunk
{
  cat "$T/big.csv"
  tail -1 "$DATA" | awk -F, -v OFS=, '{ $1 = "Z1"; $8 = 0; print }'
  tail -1 "$DATA" | awk -F, -v OFS=, '{ $1 = "Z2"; $8 = 0; print }'
} >"$T/zero.csv"
run "predict zero" "$BIN" predict "$T/m.json" "$T/zero.csv" -o "$T/zero.out"
grep -q "ligand_mM = 0 in 2 recipes (first: row $((n + 2)), id Z1)" "$T/err" || fail "predict: zero-concentration note: $(cat "$T/err")"
run "featurize zero" "$BIN" featurize "$T/zero.csv" -o "$T/fzero.out"
grep -q "ligand_mM = 0 in 2 recipes (first: row $((n + 2)), id Z1)" "$T/err" || fail "featurize: zero-concentration note: $(cat "$T/err")"

# a bad row in the last chunk: one line naming file, row and column; no
# output file, an existing one unchanged, nothing on stdout
{
  cat "$T/big.csv"
  tail -1 "$DATA" | awk -F, -v OFS=, '{ $1 = "LATE"; $12 = 15; print }'
} >"$T/bad.csv"
bad_row=$((n + 2))
for cmd in predict featurize; do
  args=("$T/bad.csv"); [ $cmd = predict ] && args=("$T/m.json" "$T/bad.csv")
  rm -f "$T/new.csv"
  expect_err "$cmd late bad row" 3 "$BIN" $cmd "${args[@]}" -o "$T/new.csv" &&
    err_has "$cmd late bad row" "bad.csv: row $bad_row (id LATE), column 'pH'"
  [ -e "$T/new.csv" ] && fail "$cmd: an output file was created despite the error"
  echo keep >"$T/old.csv"
  expect_err "$cmd late bad row, existing output" 3 "$BIN" $cmd "${args[@]}" -o "$T/old.csv"
  [ "$(cat "$T/old.csv")" = keep ] || fail "$cmd: the existing output was changed"
  expect_err "$cmd late bad row, stdout" 3 "$BIN" $cmd "${args[@]}"
  no_leftovers "$cmd late bad row" "$T"
done

# a streamed row is capped (1 MB), not the file
{ head -1 "$DATA"; head -c 1200000 /dev/zero | tr '\0' x; echo; } >"$T/long.csv"
expect_err "predict long row" 3 "$BIN" predict "$T/m.json" "$T/long.csv" && err_has "predict long row" "longer than the 1 MB limit"

echo "cli_stream: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
