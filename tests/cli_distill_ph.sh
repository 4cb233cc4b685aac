#!/usr/bin/env bash
# distill never splits on pH among recipes whose pH is empty (organic
# solvents): their random recipes keep pH at the model's missing-value code,
# so at every pH split all of them go one way. The JSON's "n_ph_empty" counts
# them per node; this test checks the guarantee at every pH split of trees
# where splitting them on pH would pay if their pH were drawn like water's:
# water recipes succeed by pH, methanol ones by temperature. Also on the
# bundled data (--subset all). A fast model (rf) keeps it to seconds.
# usage: bash tests/cli_distill_ph.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_distill_ph.sh /path/to/auclust}")
DATA=$(realpath data/au_nc_recipes.csv)
COMP=$(realpath data/components.csv)
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null 2>&1 || { echo "note: jq not found (scripts/test installs it); cli_distill_ph skipped" >&2; exit 0; }

# water: success iff pH < 11; methanol (pH empty): success iff T < 35 C
awk 'BEGIN {
  print "id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome"
  for (i = 1; i <= 40; i++) {
    ph = 8 + (i * 17 % 40) * 0.15; t = 10 + (i * 23 % 40) * 1.25
    printf "W%02d,OC(=O)CCCCCS,O,[Na+].[BH4-],2,1,10,%.2f,%.2f,%d\n", i, t, ph, ph < 11
  }
  for (i = 1; i <= 24; i++) {
    t = 10 + (i * 7 % 24) * 2.1
    printf "M%02d,OC(=O)CCCCCS,CO,[Na+].[BH4-],2,1,10,%.2f,,%d\n", i, t, t < 35
  }
}' >"$T/r.csv"

# check_ph NAME TREE.json NEED: the counts add up; no pH split sends empty-pH
# recipes both ways; NEED=1: at least one pH split has some (the check bites)
check_ph() {
  local name=$1 j=$2 need=$3
  [ -s "$j" ] || { fail "$name: no tree written"; return; }
  [ "$(jq '.tree.n_ph_empty > 0' "$j")" = true ] || fail "$name: the root has no empty-pH recipes: $(jq -c '.tree | {n, n_ph_empty}' "$j")"
  local bad
  bad=$(jq -c '[.tree | .. | objects | select(has("left"))
                | select(.left.n_ph_empty + .right.n_ph_empty != .n_ph_empty or .n_ph_empty > .n)] | length' "$j")
  [ "$bad" = 0 ] || fail "$name: $bad splits whose n_ph_empty do not add up"
  bad=$(jq -c '[.tree | .. | objects | select(has("left") and .feature == "pH")
                | select(.left.n_ph_empty > 0 and .right.n_ph_empty > 0)
                | {node, threshold, n_ph_empty, left: .left.n_ph_empty, right: .right.n_ph_empty}]' "$j")
  [ "$bad" = "[]" ] || fail "$name: pH splits divide recipes whose pH is empty: $bad"
  if [ "$need" = 1 ]; then
    [ "$(jq '[.tree | .. | objects | select(has("left") and .feature == "pH" and .n_ph_empty > 0)] | length' "$j")" -ge 1 ] ||
      fail "$name: no pH split among nodes with empty-pH recipes, so the check does not bite: $(jq -c '[.tree | .. | objects | select(has("left")) | {feature, n_ph_empty}]' "$j")"
  fi
}

DI=(--subset all --samples 2000 --test 200 -c "$COMP")
for code in 7 10; do # 7: below every water pH; 10: inside their range
  run "train rf ph_missing=$code" "$BIN" train "$T/r.csv" -m rf --set ph_missing=$code -c "$COMP" -o "$T/m$code.json"
  for merge in "" --no-merge; do
    run "distill ph_missing=$code $merge" "$BIN" distill "$T/m$code.json" "$T/r.csv" "${DI[@]}" $merge -o "$T/t$code$merge.json"
    check_ph "distill ph_missing=$code $merge" "$T/t$code$merge.json" 1
  done
  run "distill text ph_missing=$code" "$BIN" distill "$T/m$code.json" "$T/r.csv" "${DI[@]}" -o "$T/t$code.txt"
  grep -q "empty pH (organic solvents) keep the code $code, so no pH split divides them" "$T/t$code.txt" ||
    fail "distill text ph_missing=$code: no note on empty pH: $(grep -i 'ph' "$T/t$code.txt" | head -3)"
done
# without empty-pH recipes: every count is 0 and there is no note
grep -v ',,[01]$' "$T/r.csv" >"$T/water.csv"
run "train rf water only" "$BIN" train "$T/water.csv" -m rf -c "$COMP" -o "$T/mw.json"
run "distill water only" "$BIN" distill "$T/mw.json" "$T/water.csv" "${DI[@]}" -o "$T/tw.json"
[ "$(jq '[.tree | .. | objects | select(has("n")) | .n_ph_empty] | max' "$T/tw.json")" = 0 ] ||
  fail "distill water only: empty-pH counts are not all 0"
run "distill water only text" "$BIN" distill "$T/mw.json" "$T/water.csv" "${DI[@]}"
! grep -q 'empty pH' "$T/out" || fail "distill water only: a note on empty pH although none is empty"
# the bundled data: organic-solvent recipes among aqueous ones
run "train rf bundled" "$BIN" train "$DATA" -m rf -o "$T/mb.json"
run "distill bundled --subset all" "$BIN" distill "$T/mb.json" "$DATA" --subset all --samples 2000 --test 200 -o "$T/tb.json"
check_ph "distill bundled --subset all" "$T/tb.json" 0

echo "cli_distill_ph: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
