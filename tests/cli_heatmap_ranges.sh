#!/usr/bin/env bash
# heatmap --grid5d: where each concentration's range comes from (issue 13).
# The training recipes with the base's components when they vary it, else
# those with its reducing agent (never another reductant's: carbon-monoxide
# rows at 100-300 mM must not set an NaBH4 range), else the base's value
# +-50%; stderr and the CSV header say which. A fast model (rf).
# usage: bash tests/cli_heatmap_ranges.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_heatmap_ranges.sh /path/to/auclust}")
. "$(dirname "$0")/lib.sh"

# MHA/water/NaBH4 (the base M1's components): ligand 2..5 mM, NaBH4 always 4.5 mM;
# MPA/water/NaBH4: NaBH4 3..9 mM; MHA/water/CO: CO 100..300 mM; HAuCl4 1 mM everywhere
{
  echo "id,ligand,ligand_smiles,solvent,solvent_smiles,reductant,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome"
  for i in 1 2 3 4; do echo "M$i,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],$((i + 1)),1,4.5,$((20 + i * 5)),$((9 + i)),$((i % 2))"; done
  for i in 1 2 3 4; do echo "P$i,MPA,OC(=O)CCS,water,O,NaBH4,[Na+].[BH4-],2,1,$((i * 2 + 1)),25,11,$((i % 2))"; done
  for i in 1 2 3; do echo "C$i,MHA,OC(=O)CCCCCS,water,O,CO,[C-]#[O+],2,1,$((i * 100)),25,11,$((i % 2))"; done
} >"$T/r.csv"
run "train rf" "$BIN" train "$T/r.csv" -m rf -o "$T/m.json"
run "5-D grid" "$BIN" heatmap "$T/m.json" --base M1 --grid5d --levels 2 --inner 2 -o "$T/g.csv"
# expect_line NAME PATTERN: in the CSV header and on stderr
expect_line() {
  grep -Eq "^# $2" "$T/g.csv" || fail "$1: CSV header lacks /$2/: $(grep '^#' "$T/g.csv")"
  grep -Eq "^auclust heatmap: $2" "$T/err" || fail "$1: stderr lacks /$2/: $(cat "$T/err")"
}
expect_line "same components" "ligand_mM levels \(mM\): 2 5; range 2\.\.5 from training recipes with the same components \(4\)"
expect_line "same reducing agent" "reductant_mM levels \(mM\): 3 9; range 3\.\.9 from training recipes with the same reducing agent \(8\)"
expect_line "nothing varies it" "haucl4_mM levels \(mM\): 0\.5 1\.5; range 0\.5\.\.1\.5 from the base recipe's value \+-50%"
# the grid's reductant levels stay inside NaBH4's range
awk -F, '!/^#/ && $1 != "ligand_mM" { if ($3 < 3 || $3 > 9) { print; exit 1 } }' "$T/g.csv" >"$T/bad" ||
  fail "5-D grid: a reductant_mM level outside 3..9: $(cat "$T/bad")"
grep -v '^#' "$T/g.csv" | head -1 | grep -q '^ligand_mM,haucl4_mM,reductant_mM,' || fail "5-D grid: unexpected columns: $(grep -v '^#' "$T/g.csv" | head -1)"
# --range replaces the origin
run "5-D --range" "$BIN" heatmap "$T/m.json" --base M1 --grid5d --levels 2 --inner 2 --range reductant_mM:1:100 -o "$T/g2.csv"
grep -q '^# reductant_mM levels (mM): 1 100; range 1..100 from --range' "$T/g2.csv" || fail "--range: $(grep '^# red' "$T/g2.csv")"

echo "cli_heatmap_ranges: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
