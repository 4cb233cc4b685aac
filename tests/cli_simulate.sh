#!/usr/bin/env bash
# auclust simulate from the command line: the synthetic-data header, the
# same file for the same seed (and the first N rows of a larger draw), the
# outcome following p_true, files the other commands read, --label, and
# one-line errors with the documented exit codes.
# usage: bash tests/cli_simulate.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_simulate.sh /path/to/auclust}
. "$(dirname "$0")/lib.sh"

expect_err() { # NAME CODE CMD...: that exit code, one line on stderr, nothing on stdout
  local name=$1 code=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ $rc -eq "$code" ] || { fail "$name: exit $rc, expected $code: $(head -c 300 "$T/err")"; return; }
  [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^auclust simulate: ' "$T/err" || fail "$name: stderr not one line: $(cat "$T/err")"
  [ -s "$T/out" ] && fail "$name: printed to stdout on error"
}

for truth in paper-tree kinetic; do
  run "$truth draw" "$BIN" simulate --truth $truth --n 60 --seed 5 -o "$T/a.csv" || continue
  head -1 "$T/a.csv" | grep -q "^# SYNTHETIC DATA.*--truth $truth (seed 5, noise 0)" || fail "$truth: no synthetic header"
  [ "$(($(wc -l <"$T/a.csv") - 2))" -eq 60 ] || fail "$truth: expected 60 recipes"
  run "$truth again" "$BIN" simulate --truth $truth --n 60 --seed 5 -o "$T/b.csv"
  cmp -s "$T/a.csv" "$T/b.csv" || fail "$truth: the same seed gave another file"
  run "$truth seed 6" "$BIN" simulate --truth $truth --n 60 --seed 6 -o "$T/c.csv"
  cmp -s "$T/a.csv" "$T/c.csv" && fail "$truth: seeds 5 and 6 gave the same file"
  run "$truth n 100" "$BIN" simulate --truth $truth --n 100 --seed 5
  [ "$(sed 1d "$T/out" | head -61)" = "$(sed 1d "$T/a.csv")" ] || fail "$truth: --n 100 does not start with the --n 60 recipes"
  # conditions and labels: outcome in {0,1}, p_true in [0,1]; paper-tree outcome = p_true
  awk -F, -v t=$truth 'NR > 2 {
      if ($13 != 0 && $13 != 1) bad = "outcome " $13
      if ($14 < 0 || $14 > 1) bad = "p_true " $14
      if (t == "paper-tree" && $13 != $14 + 0) bad = "outcome differs from the rule"
      if ($11 < 0 || $11 > 70 || $12 < 8 || $12 > 14 || $10 < 1 || $10 > 100) bad = "condition out of range"
      s += $13 } END { if (s == 0 || s == NR - 2) bad = "one class only"; if (bad) { print bad; exit 1 } }' "$T/a.csv" ||
    fail "$truth: bad labels or conditions"
  # the other commands read it (the # line is a comment)
  run "$truth featurize" "$BIN" featurize "$T/a.csv" && [ "$(($(wc -l <"$T/out") - 1))" -eq 60 ] ||
    fail "$truth: featurize did not read 60 recipes"
  # relabelling the drawn file with the same truth and seed gives the same labels
  run "$truth label" "$BIN" simulate --truth $truth --label "$T/a.csv" --seed 5 -o "$T/l.csv"
  # label columns: the draw's 1-12 and set_ii (15), then outcome and p_true (13, 14)
  [ "$(sed 1d "$T/l.csv" | cut -d, -f1-13)" = "$(sed 1d "$T/a.csv" | cut -d, -f1-12,15)" ] ||
    fail "$truth: --label changed the recipe columns"
  [ "$(sed 1d "$T/l.csv" | cut -d, -f14,15)" = "$(sed 1d "$T/a.csv" | cut -d, -f13,14)" ] ||
    fail "$truth: --label gave other outcomes than the draw"
done

# noise: same recipes, some outcomes flipped; p_true unchanged
run "noise" "$BIN" simulate --truth paper-tree --n 200 --seed 5 --noise 0.3 -o "$T/n.csv"
run "no noise" "$BIN" simulate --truth paper-tree --n 200 --seed 5 -o "$T/z.csv"
[ "$(cut -d, -f1-12,14 "$T/n.csv" | sed 1d)" = "$(cut -d, -f1-12,14 "$T/z.csv" | sed 1d)" ] || fail "noise changed the recipes"
flips=$(paste -d, <(cut -d, -f13 "$T/n.csv") <(cut -d, -f13 "$T/z.csv") | sed 1,2d | awk -F, '$1 != $2' | wc -l)
[ "$flips" -gt 30 ] && [ "$flips" -lt 90 ] || fail "noise 0.3 flipped $flips of 200"

# --label on the bundled data: every row, outcome and p_true last, set_ii/provenance kept
run "label data" "$BIN" simulate --truth paper-tree --label data/au_nc_recipes.csv -o "$T/d.csv"
head -2 "$T/d.csv" | tail -1 | grep -q ',outcome,p_true$' || fail "label: header should end with outcome,p_true"
head -2 "$T/d.csv" | tail -1 | grep -q 'source_doi' || fail "label: provenance column lost"
rows=$(python3 -c "import csv;print(sum(1 for _ in csv.DictReader(open('data/au_nc_recipes.csv'))))" 2>/dev/null)
[ -z "$rows" ] || [ "$(python3 -c "import csv,sys;f=open('$T/d.csv');f.readline();print(sum(1 for _ in csv.DictReader(f)))")" = "$rows" ] ||
  fail "label: not every row labelled"

expect_err "no truth" 2 "$BIN" simulate --n 5
expect_err "bad truth" 2 "$BIN" simulate --truth tree
expect_err "noise > 0.5" 2 "$BIN" simulate --truth kinetic --noise 0.7
expect_err "n 0" 2 "$BIN" simulate --truth kinetic --n 0
expect_err "n and label" 2 "$BIN" simulate --truth kinetic --n 5 --label data/au_nc_recipes.csv
expect_err "label stdin" 2 "$BIN" simulate --truth kinetic --label -
expect_err "label missing" 5 "$BIN" simulate --truth kinetic --label "$T/none.csv"
printf 'name,smiles\nbad,C1CC\n' >"$T/lig.csv"
expect_err "bad ligand" 3 "$BIN" simulate --truth kinetic --ligands "$T/lig.csv"
grep -q "lig.csv: row 2, column 'smiles'" "$T/err" || fail "bad ligand: message should name row and column: $(cat "$T/err")"
printf 'name\nx\n' >"$T/lig2.csv"
expect_err "no smiles column" 3 "$BIN" simulate --truth kinetic --ligands "$T/lig2.csv"
expect_err "unwritable" 5 "$BIN" simulate --truth kinetic -o "$T/no/such/dir.csv"
no_leftovers "errors" "$T"

[ $FAILS -eq 0 ] && echo "cli_simulate: all passed" || echo "cli_simulate: $FAILS failed" >&2
exit $((FAILS > 0))
