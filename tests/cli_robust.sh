#!/usr/bin/env bash
# Regression tests of issue 12's defects through the command line: each bad
# input gets its documented exit code and exactly one stderr line starting
# `auclust CMD:`. (The catalogue of bad inputs is tests/cli_catalogue.sh.)
# Usage (from the repository root): bash tests/cli_robust.sh /path/to/auclust
set -u
BIN=${1:?usage: bash tests/cli_robust.sh /path/to/auclust}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
DATA=data/au_nc_recipes.csv
HEADER='id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome'

# expect CODE CMD ARGS...: exit CODE, exactly one stderr line `auclust CMD: ...`
expect() {
  local code=$1 cmd=$2; shift 2
  timeout 60 "$BIN" "$cmd" "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" != "$code" ]; then fail "$cmd $*: exit $rc, want $code; stderr: $(head -c 300 "$T/err")"; return 1; fi
  if [ "$(wc -l <"$T/err")" != 1 ] || ! head -1 "$T/err" | grep -q "^auclust $cmd: "; then
    fail "$cmd $*: stderr is not one line 'auclust $cmd: ...':"; sed 's/^/    | /' "$T/err" | head -5 >&2; return 1
  fi
  return 0
}
recipes() { printf '%s\n' "$HEADER" "$@"; }

# 1: bonds of order 0 are an error naming the SMILES, never an empty (NaN) complexity
for s in 'CC:O' 'NC:S' 'SC~C'; do
  recipes "a,$s,O,[Na+].[BH4-],1,1,1,25,7,1" >"$T/r.csv"
  expect 3 featurize "$T/r.csv" && { grep -qF "'$s'" "$T/err" || fail "1: $s not named: $(cat "$T/err")"; }
done

# 9: a SMILES whose canonical form RDKit cannot read back is refused naming what the user wrote
for col in 1 2 3; do
  row=(a CCS O '[Na+].[BH4-]'); row[$col]='c1$ccc1S'
  recipes "$(IFS=,; echo "${row[*]}"),1,1,1,25,7,1" >"$T/r.csv"
  expect 3 featurize "$T/r.csv" && { grep -qF "'c1\$ccc1S'" "$T/err" || fail "9: column $col: user's SMILES not named: $(cat "$T/err")"; }
done

echo "cli_robust: $FAILS failure(s)"
[ "$FAILS" = 0 ]
