#!/usr/bin/env bash
# Every CSV a command reads takes --delimiter and --column, through the same
# reader (recipes_read_table): an Excel export in a comma-decimal locale
# (';', decimal commas, CRLF, a BOM, a row of bare delimiters) with a renamed
# column gives what the comma file gives, through featurize, train, predict,
# cv, tune, distill, heatmap, report, suggest --exclude, simulate --label and
# --ligands, and loop --ligands. Without --column each says which header is
# closest. (fingerprint reads no CSV: SMILES come from its arguments or the model.)
# usage: bash tests/cli_csv_inputs.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_csv_inputs.sh /path/to/auclust}")
DATA=$(realpath data/au_nc_recipes.csv)
LIGS=$(realpath data/ligands.csv)
. "$(dirname "$0")/lib.sh"
FAST=(--set epochs=3 --set steps_per_epoch=8)

# same NAME A B: files A and B are identical
same() { cmp -s "$2" "$3" || fail "$1: differs from the comma file's: $(diff "$2" "$3" | head -4)"; }
# said NAME FILE: stderr says FILE was read as semicolon-separated with decimal commas
said() { grep -q "$2: read as semicolon-separated (detected), decimal commas accepted" "$T/err" || fail "$1: stderr does not say how $2 was read: $(head -c 300 "$T/err")"; }

# the first 13 columns of the bundled data hold no quotes, so cut is exact; the ';'
# copy has decimal commas, 'Temperature (C)' for temperature_C, a BOM, CRLF and a
# row of bare delimiters below the header and at the end
cut -d, -f1-13 "$DATA" >"$T/comma.csv"
{
  printf '\xEF\xBB\xBF'
  awk -F, 'BEGIN { OFS = ";" } { $1 = $1; print; if (NR == 1) print ";;;;;;;;;;;;" } END { print ";;;;;;;;;;;;" }' "$T/comma.csv" |
    sed -E 's/([0-9])\.([0-9])/\1,\2/g; 1s/temperature_C/Temperature (C)/; 1s/^id;ligand;/id;Ligand name;/' | sed 's/$/\r/'
} >"$T/semi.csv"
grep -q '[0-9],[0-9]' "$T/semi.csv" || fail "setup: no decimal comma in the ';' file"
COL=(--column "temperature_C=Temperature (C)" --column "ligand=Ligand name")
# the ligand list likewise: name;SMILES renamed, bare-delimiter row
{ echo "Name;SMILES"; echo ";"; tail -n +2 "$LIGS" | cut -d, -f1,2 | tr , ';'; } >"$T/lig.csv"
LCOL=(--column name=Name --column smiles=SMILES)
! cut -d, -f1,2 "$LIGS" | grep -q '"' || fail "setup: quoted fields in $LIGS, cut would split them"

# ---- the commands that read recipe files -----------------------------------------------------
run "featurize comma" "$BIN" featurize "$T/comma.csv" -o "$T/f1.csv"
run "featurize ;" "$BIN" featurize "$T/semi.csv" "${COL[@]}" -o "$T/f2.csv" && said featurize semi.csv
same "featurize ;" "$T/f1.csv" "$T/f2.csv"
run "featurize --delimiter ;" "$BIN" featurize "$T/semi.csv" --delimiter ';' "${COL[@]}" -o "$T/f3.csv"
same "featurize --delimiter ;" "$T/f1.csv" "$T/f3.csv"

run "train comma" "$BIN" train "$T/comma.csv" "${FAST[@]}" -o "$T/m1.json"
run "train ;" "$BIN" train "$T/semi.csv" "${COL[@]}" "${FAST[@]}" -o "$T/m2.json" && said train semi.csv
run "predict comma" "$BIN" predict "$T/m1.json" "$T/comma.csv" -o "$T/p1.csv"
run "predict (; model)" "$BIN" predict "$T/m2.json" "$T/comma.csv" -o "$T/p2.csv"
same "train ;" "$T/p1.csv" "$T/p2.csv"
run "predict ;" "$BIN" predict "$T/m1.json" "$T/semi.csv" "${COL[@]}" -o "$T/p3.csv" && said predict semi.csv
same "predict ;" "$T/p1.csv" "$T/p3.csv"

run "cv comma" "$BIN" cv "$T/comma.csv" --model rf --folds 3 --repeats 1 -o "$T/c1.txt"
run "cv ;" "$BIN" cv "$T/semi.csv" "${COL[@]}" --model rf --folds 3 --repeats 1 -o "$T/c2.txt" && said cv semi.csv
tail -n +2 "$T/c1.txt" >"$T/c1b"; tail -n +2 "$T/c2.txt" >"$T/c2b" # line 1 names the file and the time
same "cv ;" "$T/c1b" "$T/c2b"
# --group-by reads the file again: by a --column name
run "cv --group-by comma" "$BIN" cv "$T/comma.csv" --model rf --folds 0 --group-by ligand -o "$T/c3.txt"
run "cv --group-by ;" "$BIN" cv "$T/semi.csv" "${COL[@]}" --model rf --folds 0 --group-by ligand -o "$T/c4.txt"
tail -n +2 "$T/c3.txt" >"$T/c3b"; tail -n +2 "$T/c4.txt" >"$T/c4b"
same "cv --group-by ;" "$T/c3b" "$T/c4b"

run "tune comma" "$BIN" tune "$T/comma.csv" --model rf --trials 2 --repeats 1 --folds 3 --confirm 0 -o "$T/t1.json" --log "$T/tl1.csv"
run "tune ;" "$BIN" tune "$T/semi.csv" "${COL[@]}" --model rf --trials 2 --repeats 1 --folds 3 --confirm 0 -o "$T/t2.json" --log "$T/tl2.csv" &&
  said tune semi.csv
for k in 1 2; do awk -F, 'BEGIN { OFS = "," } { NF--; print }' "$T/tl$k.csv" >"$T/tl${k}b"; done # the last column: seconds
same "tune ;" "$T/tl1b" "$T/tl2b"

DI=(--subset all --samples 500 --test 100)
run "distill comma" "$BIN" distill "$T/m1.json" "$T/comma.csv" "${DI[@]}" -o "$T/d1.txt"
run "distill ;" "$BIN" distill "$T/m1.json" "$T/semi.csv" "${COL[@]}" "${DI[@]}" -o "$T/d2.txt" && said distill semi.csv
same "distill ;" "$T/d1.txt" "$T/d2.txt"

run "heatmap comma" "$BIN" heatmap "$T/m1.json" --base A01 --grid 3 -o "$T/h1.csv"
run "heatmap --recipes ;" "$BIN" heatmap "$T/m1.json" --recipes "$T/semi.csv" "${COL[@]}" --base A01 --grid 3 -o "$T/h2.csv" &&
  said heatmap semi.csv
same "heatmap --recipes ;" "$T/h1.csv" "$T/h2.csv"
# a model trained on the ';' file reads it again for --base: the same options apply, given
# again or not (the model keeps the --column map it was trained with); options given replace them
run "heatmap (; model)" "$BIN" heatmap "$T/m2.json" --base A01 --grid 3 "${COL[@]}" -o "$T/h3.csv"
same "heatmap (; model)" "$T/h1.csv" "$T/h3.csv"
run "heatmap (; model) without --column" "$BIN" heatmap "$T/m2.json" --base A01 --grid 3 -o "$T/h4.csv"
same "heatmap (; model) without --column" "$T/h1.csv" "$T/h4.csv"
grep -qF '"columns":["temperature_C=Temperature (C)",' "$T/m2.json" || fail "train ;: the model does not keep its --column map"
one_line_err "heatmap (; model) with another --column" 3 "did you mean 'Temperature \(C\)'\? --column temperature_C=" \
  "$BIN" heatmap "$T/m2.json" --base A01 --grid 3 --column "ligand=Ligand name" -o "$T/h5.csv"

run "report ;" "$BIN" report "$T/m1.json" "$T/semi.csv" "${COL[@]}" --folds 3 --repeats 1 --samples 300 -o "$T/r.html" &&
  said report semi.csv
[ -s "$T/r.html" ] || fail "report ;: no page"

# --extra-descriptors: every missing one named, each with the closest header
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "PKA", "log S" ; next } { print $0, 9, -2 }' "$T/comma.csv" >"$T/extra.csv"
one_line_err "--extra-descriptors missing" 3 "missing columns 'pKa' \(did you mean 'PKA'\? --column pKa=\"PKA\"\), 'logS' \(did you mean 'log S'.*named by --extra-descriptors" \
  "$BIN" train "$T/extra.csv" "${FAST[@]}" --extra-descriptors pKa,logS -o "$T/x.json"
run "--extra-descriptors mapped" "$BIN" train "$T/extra.csv" "${FAST[@]}" --extra-descriptors pKa,logS --column pKa=PKA --column "logS=log S" -o "$T/x.json"

# ---- suggest --exclude ----------------------------------------------------------------------------
SG=("$BIN" suggest "$T/m1.json" --ligand 'OC(=O)CCCCCS' --solvent O --reductant '[Na+].[BH4-]' -n 2000 --top 3 --id-prefix X
    --min-distance 0.2)
run "suggest --exclude comma" "${SG[@]}" --exclude "$T/comma.csv" -o "$T/s1.csv"
run "suggest --exclude ;" "${SG[@]}" --exclude "$T/semi.csv" "${COL[@]}" -o "$T/s2.csv" && said "suggest --exclude" semi.csv
same "suggest --exclude ;" "$T/s1.csv" "$T/s2.csv"
run "suggest without --exclude" "${SG[@]}" -o "$T/s0.csv"
cmp -s "$T/s0.csv" "$T/s1.csv" && echo "note: --exclude did not change these suggestions" >&2
one_line_err "suggest --exclude ; without --column" 3 "missing required column 'temperature_C' \(did you mean 'Temperature \(C\)'" \
  "${SG[@]}" --exclude "$T/semi.csv" -o "$T/s3.csv"
[ ! -e "$T/s3.csv" ] || fail "suggest: wrote suggestions although --exclude could not be read"

# --ligands-file (not a CSV): blank lines, trailing blanks and rows of bare delimiters skipped
printf 'MHA=OC(=O)CCCCCS  \r\n\n,\r\n;;\n \t\n' >"$T/lf.txt"
SL=("$BIN" suggest "$T/m1.json" --solvent O --reductant '[Na+].[BH4-]' -n 2000 --top 3 --id-prefix X)
run "suggest --ligand" "${SL[@]}" --ligand 'MHA=OC(=O)CCCCCS' -o "$T/s4.csv"
run "suggest --ligands-file with empty rows" "${SL[@]}" --ligands-file "$T/lf.txt" -o "$T/s5.csv"
same "suggest --ligands-file with empty rows" "$T/s4.csv" "$T/s5.csv"

# ---- simulate --label and --ligands -----------------------------------------------------------------
run "simulate --label comma" "$BIN" simulate --truth kinetic --label "$T/comma.csv" -o "$T/l1.csv"
run "simulate --label ;" "$BIN" simulate --truth kinetic --label "$T/semi.csv" "${COL[@]}" -o "$T/l2.csv" &&
  said "simulate --label" semi.csv
same "simulate --label ;" "$T/l1.csv" "$T/l2.csv" # comma-separated, auclust's names, decimal points
run "featurize the labelled ;" "$BIN" featurize "$T/l2.csv" -o "$T/fl.csv"
one_line_err "simulate --label ; without --column" 3 "did you mean 'Temperature \(C\)'" \
  "$BIN" simulate --truth kinetic --label "$T/semi.csv" -o "$T/l3.csv"
run "simulate default ligands" "$BIN" simulate --truth kinetic --n 20 -o "$T/g1.csv"
run "simulate --ligands ;" "$BIN" simulate --truth kinetic --n 20 --ligands "$T/lig.csv" "${LCOL[@]}" -o "$T/g2.csv" &&
  said "simulate --ligands" lig.csv
same "simulate --ligands ;" "$T/g1.csv" "$T/g2.csv"
one_line_err "simulate --ligands without --column" 3 "missing required columns 'name' \(did you mean 'Name'.*'smiles' \(did you mean 'SMILES'" \
  "$BIN" simulate --truth kinetic --n 20 --ligands "$T/lig.csv" -o "$T/g3.csv"
one_line_err "simulate --delimiter ab" 2 "one character" "$BIN" simulate --truth kinetic --n 2 --delimiter ab

# ---- loop --ligands -------------------------------------------------------------------------------
LP=("$BIN" loop --truth kinetic --initial 6 --rounds 1 --batch 2 --seeds 1 --strategy random,p --model rf -n 200 -j 1)
run "loop default ligands" "${LP[@]}" -o "$T/o1.csv"
run "loop --ligands ;" "${LP[@]}" --ligands "$T/lig.csv" "${LCOL[@]}" -o "$T/o2.csv" && said "loop --ligands" lig.csv
same "loop --ligands ;" "$T/o1.csv" "$T/o2.csv"
one_line_err "loop --ligands without --column" 3 "did you mean 'SMILES'" "${LP[@]}" --ligands "$T/lig.csv" -o "$T/o3.csv"

# ---- every command that reads a CSV documents both options ---------------------------------------------
for c in featurize train predict cv tune distill heatmap report suggest simulate loop; do
  "$BIN" "$c" --help >"$T/h" 2>&1
  grep -q -- '--delimiter C' "$T/h" && grep -q -- '--column NAME=HEADER' "$T/h" || fail "$c --help: no --delimiter / --column"
done

echo "cli_csv_inputs: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
