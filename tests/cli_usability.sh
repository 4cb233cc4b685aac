#!/usr/bin/env bash
# What a new user meets (issue 13): `auclust help CMD`, `cmake --install`,
# models that remember where their training file is, spreadsheet exports
# (; and tab, decimal commas, misnamed columns, rows of bare delimiters),
# progress on a terminal only, the heatmap overlay (matching recipes only,
# coincident points counted), raster maps, 5-D levels and their origin, and
# the distilled tree's layout and merging.
# usage: bash tests/cli_usability.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_usability.sh /path/to/auclust}")
DATA=$(realpath data/au_nc_recipes.csv)
. "$(dirname "$0")/lib.sh"
FAST=(--set epochs=3 --set steps_per_epoch=8)

# xml_ok NAME FILE: well-formed XML (xmllint; skipped without it)
xml_ok() {
  [ -s "$2" ] || { fail "$1: $2 missing or empty"; return 1; }
  command -v xmllint >/dev/null 2>&1 || return 0
  xmllint --noout "$2" 2>"$T/xmlerr" || { fail "$1: not well-formed XML: $(head -c 300 "$T/xmlerr")"; return 1; }
}
# svg_words FILE: the text of every <text> element, joined by spaces
svg_words() { tr '\n' ' ' <"$1" | sed 's#</text>#\n#g' | sed -n 's#.*<text[^>]*>##p' | tr '\n' ' '; }


# ---- help, install -----------------------------------------------------------------
# every command auclust --help lists (all twelve): help CMD is CMD --help
"$BIN" --help >"$T/hg" 2>&1
listed=$(awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { printf "%s ", $1 } f && /^$/ { f = 0 }' "$T/hg")
[ "$(wc -w <<<"$listed")" -eq 12 ] || fail "auclust --help lists $(wc -w <<<"$listed") commands, not 12: $listed"
for c in $listed; do
  "$BIN" help "$c" >"$T/h1" 2>&1; r1=$?
  "$BIN" "$c" --help >"$T/h2" 2>&1; r2=$?
  [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && cmp -s "$T/h1" "$T/h2" || fail "help $c differs from $c --help"
  grep -q "^usage: auclust $c" "$T/h1" || fail "help $c: no usage line"
done
one_line_err "help unknown" 2 "unknown command 'bogus'" "$BIN" help bogus
one_line_err "help of two commands" 2 "help takes one command" "$BIN" help train cv
for h in help --help; do
  "$BIN" help "$h" >"$T/h2" 2>&1 && cmp -s "$T/hg" "$T/h2" || fail "help $h is not auclust --help"
done
build=$(dirname "$BIN")
if [ -f "$build/cmake_install.cmake" ]; then
  run "cmake --install" cmake --install "$build" --prefix "$T/prefix"
  [ -x "$T/prefix/bin/auclust" ] || fail "install: no bin/auclust in the prefix"
  [ -f "$T/prefix/share/auclust/components.csv" ] || fail "install: no share/auclust/components.csv"
  run "installed binary" "$T/prefix/bin/auclust" --version
  grep -q '^auclust ' "$T/out" || fail "installed binary: --version printed $(cat "$T/out")"
fi

# ---- the model remembers its training file's absolute path --------------------------
mkdir -p "$T/lab" "$T/elsewhere"
cp "$DATA" "$T/lab/recipes.csv"
(cd "$T/lab" && "$BIN" train recipes.csv "${FAST[@]}" -o model.json 2>/dev/null) || fail "train from a relative path"
stored=$(jq -r .training.file "$T/lab/model.json" 2>/dev/null)
[ "$stored" = "$(realpath "$T/lab/recipes.csv")" ] || fail "model stores '$stored', not the absolute path"
(cd "$T/elsewhere" && "$BIN" heatmap ../lab/model.json --base A01 --grid 3 >/dev/null 2>"$T/err") ||
  fail "heatmap --base ID from another directory: $(cat "$T/err")"
mv "$T/lab/recipes.csv" "$T/lab/moved.csv"
one_line_err "training file gone" 5 "stored in the model.*--recipes" "$BIN" heatmap "$T/lab/model.json" --base A01 --grid 3
run "--recipes instead" "$BIN" heatmap "$T/lab/model.json" --base A01 --grid 3 --recipes "$T/lab/moved.csv"
mv "$T/lab/moved.csv" "$T/lab/recipes.csv"

# ---- recipe files from spreadsheets ----------------------------------------------------
M="$T/lab/model.json"
head -4 "$DATA" >"$T/comma.csv"
# semicolons and decimal commas (an Excel export in a comma-decimal locale), with a BOM,
# CRLF and a row of bare delimiters; then a tab file with dot decimals
awk -F, 'BEGIN { OFS = ";" } { $1 = $1; print }' <(head -4 "$DATA" | cut -d, -f1-13) |
  sed -E 's/([0-9])\.([0-9])/\1,\2/g' | sed 's/$/\r/' >"$T/semi.body"
{ printf '\xEF\xBB\xBF'; head -2 "$T/semi.body"; printf ';;;;;;;;;;;;\r\n'; tail -n +3 "$T/semi.body"; } >"$T/semi.csv"
head -4 "$DATA" | cut -d, -f1-13 | tr , '\t' >"$T/tab.csv"
run "featurize comma" "$BIN" featurize "$T/comma.csv" -o "$T/f_comma.csv"
run "featurize semicolon" "$BIN" featurize "$T/semi.csv" -o "$T/f_semi.csv"
grep -q "semi.csv: read as semicolon-separated (detected), decimal commas accepted" "$T/err" ||
  fail "semicolon file: stderr does not say how it was read: $(cat "$T/err")"
run "featurize tab" "$BIN" featurize "$T/tab.csv" -o "$T/f_tab.csv"
grep -q "read as tab-separated" "$T/err" || fail "tab file: stderr does not say so: $(cat "$T/err")"
# the same descriptors whatever the dialect (names and ids too); the bare-delimiter row is skipped
cut -d, -f1-26 "$T/f_comma.csv" >"$T/a"
for f in semi tab; do
  cut -d, -f1-26 "$T/f_$f.csv" >"$T/b"
  cmp -s "$T/a" "$T/b" || fail "featurize $f: differs from the comma file: $(diff "$T/a" "$T/b" | head -4)"
done
run "--delimiter ';'" "$BIN" featurize "$T/semi.csv" --delimiter ';' -o "$T/f_semi2.csv"
cmp -s "$T/f_semi.csv" "$T/f_semi2.csv" || fail "--delimiter ';' differs from detection"
one_line_err "--delimiter , on a ; file" 3 "" "$BIN" featurize "$T/semi.csv" --delimiter ,
one_line_err "--delimiter ab" 2 "one character" "$BIN" featurize "$T/semi.csv" --delimiter ab
# misnamed columns: every one reported, each with the closest header
sed '1s/temperature_C/Temperature (C)/; 1s/ligand_smiles/Ligand_SMILES/; 1s/,pH,/,PH,/' "$T/comma.csv" >"$T/names.csv"
one_line_err "misnamed columns" 3 "missing required columns 'ligand_smiles' \(did you mean 'Ligand_SMILES'.*'temperature_C' \(did you mean 'Temperature \(C\)'.*'pH' \(did you mean 'PH'" \
  "$BIN" featurize "$T/names.csv"
run "--column" "$BIN" featurize "$T/names.csv" --column ligand_smiles=Ligand_SMILES \
  --column "temperature_C=Temperature (C)" --column pH=PH -o "$T/f_names.csv"
cmp -s "$T/f_comma.csv" "$T/f_names.csv" || fail "--column mapping: differs from the properly named file"
one_line_err "--column to a missing header" 3 "no column 'Nope'" "$BIN" featurize "$T/comma.csv" --column pH=Nope

# ---- progress: on a terminal only ----------------------------------------------------------
"$BIN" cv "$DATA" --model snn --folds 3 "${FAST[@]}" -o "$T/cv.txt" 2>"$T/err" || fail "cv"
[ ! -s "$T/err" ] || fail "cv: stderr is not a terminal, yet it printed: $(cat "$T/err")"
if command -v script >/dev/null 2>&1; then
  script -qec "'$BIN' cv '$DATA' --model snn --folds 3 --repeats 2 ${FAST[*]} -o '$T/cv2.txt'" /dev/null >"$T/tty" 2>&1
  tr '\r' '\n' <"$T/tty" | grep -Eq 'cross-validation, fits: [0-9]+/6 \([0-9]+%\), [0-9]+:[0-9][0-9] elapsed' ||
    fail "cv on a terminal: no 'done/total, elapsed' progress: $(head -c 300 "$T/tty" | cat -v)"
  script -qec "'$BIN' cv '$DATA' --model snn --folds 3 ${FAST[*]} --quiet -o '$T/cv3.txt'" /dev/null >"$T/tty" 2>&1
  ! grep -q 'fits:' "$T/tty" || fail "cv --quiet on a terminal still shows progress"
  script -qec "'$BIN' train '$DATA' --ensemble 3 ${FAST[*]} -o '$T/e3.json'" /dev/null >"$T/tty" 2>&1
  tr '\r' '\n' <"$T/tty" | grep -Eq 'instances: [0-3]/3' || fail "train --ensemble on a terminal: no progress"
else
  echo "note: script(1) not found, progress on a terminal not checked" >&2
fi

# ---- heatmap: which training recipes are drawn, coincident points --------------------------
# six MHA/water/NaBH4 recipes: two successes and two failures at pH 12 / 25 C and one
# failure at pH 10 / 60 C with the base's concentrations, one success at another ligand
# concentration; plus an MPA recipe (other components)
hdr="id,ligand,ligand_smiles,solvent,solvent_smiles,reductant,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome"
{
  echo "$hdr"
  echo "M1,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],2,1,4.5,25,12,1"
  echo "M2,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],2,1,4.5,25,12,1"
  echo "M3,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],2,1,4.5,25,12,0"
  echo "M4,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],2,1,4.5,25,12,0"
  echo "M5,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],2,1,4.5,60,10,0"
  echo "M6,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],3,1,4.5,25,11,1"
  echo "M7,MPA,OC(=O)CCS,water,O,NaBH4,[Na+].[BH4-],2,1,4.5,30,11,1"
  echo "T1,PET,SCCc1ccccc1,toluene,Cc1ccccc1,NaBH4,[Na+].[BH4-],70,23,233,0,,1"
} >"$T/ov.csv"
run "train overlay set" "$BIN" train "$T/ov.csv" "${FAST[@]}" -o "$T/ov.json"
points() { tr '\n' ' ' <"$1" | sed 's#<g class="points">#\n#' | sed -n '2p' | sed 's#</g>.*##'; }
run "heatmap matching overlay" "$BIN" heatmap "$T/ov.json" --base M1 --grid 20 -o "$T/ov.svg"
if xml_ok "overlay svg" "$T/ov.svg"; then
  p=$(points "$T/ov.svg")
  [ "$(grep -o '<circle' <<<"$p" | wc -l)" -eq 1 ] || fail "overlay: expected 1 success marker (2 coincident recipes): $p"
  [ "$(grep -o 'stroke="#000" stroke-width="1.5"' <<<"$p" | wc -l)" -eq 2 ] || fail "overlay: expected 2 failure markers"
  grep -q 'class="count">2○<' <<<"$p" || fail "overlay: no '2○' count"
  grep -q 'class="count">2×<' <<<"$p" || fail "overlay: no '2×' count"
  grep -q '>success (n=2)<' "$T/ov.svg" && grep -q '>failure (n=3)<' "$T/ov.svg" || fail "overlay: legend counts"
fi
run "heatmap --overlay all" "$BIN" heatmap "$T/ov.json" --base M1 --grid 20 --overlay all -o "$T/ova.svg"
grep -q '>success (n=3)<' "$T/ova.svg" || fail "--overlay all: M6 (another ligand concentration) not drawn"
! grep -q 'MPA' <(points "$T/ova.svg") || fail "--overlay all: a recipe with other components drawn"
one_line_err "--overlay bogus" 2 "overlay" "$BIN" heatmap "$T/ov.json" --base M1 --overlay bogus
# a recipe without pH: no pH axis
one_line_err "pH map of a toluene recipe" 2 "no pH.*toluene" "$BIN" heatmap "$T/ov.json" --base T1 -o "$T/no.svg"
[ ! -e "$T/no.svg" ] || fail "pH map of a toluene recipe: a file was written"
run "toluene recipe, other axes" "$BIN" heatmap "$T/ov.json" --base T1 --x ligand_mM:10:100 --y temperature_C:0:60 --grid 4 -o "$T/t1.csv"
# titles: the fixed conditions as a chemist writes them; --title replaces it
run "heatmap title" "$BIN" heatmap "$T/ov.json" --base M1 --grid 4 -o "$T/title.svg"
svg_words "$T/title.svg" | grep -q '\[MHA\] = 2 mM, \[HAuCl4\] = 1 mM, \[NaBH4\] = 4.5 mM' ||
  fail "heatmap title: no '[MHA] = 2 mM, [HAuCl4] = 1 mM'"
run "heatmap --title" "$BIN" heatmap "$T/ov.json" --base M1 --grid 4 --title 'Figure 5a & b' -o "$T/title2.svg"
grep -q '>Figure 5a &amp; b<' "$T/title2.svg" || fail "--title not used"
# raster: a 100 x 100 map is one PNG, the SVG well under 100 kB
run "heatmap 100x100" "$BIN" heatmap "$T/ov.json" --base M1 -o "$T/big.svg"
size=$(wc -c <"$T/big.svg")
[ "$size" -lt 100000 ] || fail "100 x 100 heatmap SVG is $size bytes"
[ "$(grep -o '<image class="cells"' "$T/big.svg" | wc -l)" -eq 1 ] || fail "100 x 100 heatmap: no single <image class=\"cells\">"
! grep -q '<rect x="[0-9]*" y="[0-9]*" width="1" height="1"' "$T/big.svg" || fail "raster heatmap still has cell rects"
sed -n 's/.*<image class="cells"[^>]*href="data:image\/png;base64,\([^"]*\)".*/\1/p' "$T/big.svg" | base64 -d >"$T/map.png" 2>/dev/null
# PNG signature, then IHDR width and height 100
sig=$(od -An -tx1 -N8 "$T/map.png" | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || fail "embedded map is not a PNG (signature $sig)"
wh=$(od -An -tu1 -j16 -N8 "$T/map.png" | tr -s ' ' | sed 's/^ //')
[ "$wh" = "0 0 0 100 0 0 0 100" ] || fail "embedded PNG is not 100 x 100: IHDR $wh"

# ---- 5-D grid: round and logarithmic levels, where the ranges came from ------------------------
G5=("$BIN" heatmap "$M" --base A01 --grid5d --inner 2)
run "5-D log levels" "${G5[@]}" --levels log:4 --range ligand_mM:0.5:50 -o "$T/g5.csv"
# 0.5 * 100^(k/3) = 0.5, 2.32, 10.8, 50, to two significant digits
grep -q '^# ligand_mM levels (mM): 0.5 2.3 11 50;' "$T/g5.csv" ||
  fail "5-D log:4 over 0.5..50: $(grep '^# ligand' "$T/g5.csv")"
grep -q 'range 0.5..50 from --range' "$T/g5.csv" || fail "5-D CSV does not say the range came from --range"
grep -q 'reductant_mM levels.*from training recipes' "$T/err" || fail "5-D stderr does not give the ranges' origin: $(cat "$T/err")"
run "5-D values" "${G5[@]}" --levels 3 --levels ligand_mM=1,2,4 -o "$T/g5v.csv"
lv=$(grep -v '^#' "$T/g5v.csv" | awk -F, 'NR > 1 { print $1 }' | sort -un | tr '\n' ' ')
[ "$lv" = "1 2 4 " ] || fail "--levels ligand_mM=1,2,4: ligand levels '$lv'"
one_line_err "5-D values not increasing" 2 "increase" "${G5[@]}" --levels 2,1 -o "$T/x.csv"
one_line_err "5-D log from zero" 2 "above 0" "${G5[@]}" --levels log:3 --range ligand_mM:0:5 -o "$T/x.csv"

# ---- distill: layout, merging ---------------------------------------------------------------
DI=("$BIN" distill "$M" "$DATA" --samples 1500 --test 200)
run "distill dot lr" "${DI[@]}" -o "$T/t.dot"
grep -q 'rankdir=LR;' "$T/t.dot" || fail "distill: DOT is not left to right by default"
run "distill dot tb" "${DI[@]}" --orientation tb -o "$T/t_tb.dot"
grep -q 'rankdir=TB;' "$T/t_tb.dot" || fail "distill --orientation tb: DOT is not top to bottom"
one_line_err "--orientation bogus" 2 "orientation" "${DI[@]}" --orientation up
run "distill json merged" "${DI[@]}" -o "$T/t.json"
run "distill json raw" "${DI[@]}" --no-merge -o "$T/t_raw.json"
if command -v jq >/dev/null 2>&1; then
  ms=$(jq .merged_splits "$T/t.json"); mr=$(jq .merged_splits "$T/t_raw.json")
  lm=$(jq '[.. | objects | select(has("class"))] | length' "$T/t.json")
  lr=$(jq '[.. | objects | select(has("class"))] | length' "$T/t_raw.json")
  sm=$(jq '[.. | objects | select(has("merged_leaves")) | .merged_leaves - 1] | add // 0' "$T/t.json")
  [ "$mr" = 0 ] || fail "--no-merge: merged_splits $mr"
  [ $((lr - lm)) -eq "$ms" ] && [ "$sm" -eq "$ms" ] || fail "merged tree: $lr raw leaves, $lm merged, merged_splits $ms, sum $sm"
  # a merged tree has no split whose two children are leaves of one class
  jq -e '[.. | objects | select(has("left")) | select((.left | has("class")) and (.right | has("class")) and .left.class == .right.class)] | length == 0' \
    "$T/t.json" >/dev/null || fail "merged tree still has a split into two leaves of one class"
  # branch labels only on component descriptors, never on conditions
  jq -e '[.. | objects | select(has("left_label")) | .feature | select(test("_mM$|temperature_C|^pH$|_to_Au$"))] | length == 0' \
    "$T/t.json" >/dev/null || fail "a condition split got a component label"
fi
run "distill svg" "${DI[@]}" -o "$T/t.svg"
xml_ok "distill svg" "$T/t.svg" && grep -q 'n = 57 (39/18)' "$T/t.svg" || fail "distill svg: no legend"

# --threshold: 0 and 1 give one class and the note with the median p; the median splits about evenly
pct() { sed -n 's/.*recipes (\([0-9.]*\)% labelled success.*/\1/p' "$T/err"; }
run "distill --threshold 0" "${DI[@]}" --threshold 0 -o "$T/t0.txt"
[ "$(pct)" = 100.0 ] || fail "distill --threshold 0: $(pct)% success, not 100"
med=$(sed -n 's/.*their median p is \([0-9.]*\):.*/\1/p' "$T/err")
[ -n "$med" ] || fail "distill --threshold 0: no note with the median p: $(cat "$T/err")"
grep -q '^# labelled a success when the model.s mean p > 0 (--threshold)' "$T/t0.txt" || fail "distill --threshold: not in the tree's header"
run "distill --threshold 1" "${DI[@]}" --threshold 1 -o "$T/t1.txt"
[ "$(pct)" = 0.0 ] && grep -q "a failure at p > 1" "$T/err" || fail "distill --threshold 1: $(pct)% success or no note"
run "distill --threshold median" "${DI[@]}" --threshold median -o "$T/tm.txt"
awk -v p="$(pct)" 'BEGIN { exit !(p >= 40 && p <= 60) }' || fail "distill --threshold median ($med): $(pct)% success"
! grep -q "little to say" "$T/err" || fail "distill at the median: the one-class note"
grep -q "^# labelled a success when the model.s mean p > $med, the median of the random recipes" "$T/tm.txt" ||
  fail "distill --threshold median: the header does not give the median $med: $(head -4 "$T/tm.txt")"
run "distill --threshold (the median's value)" "${DI[@]}" --threshold "$med" -o "$T/tv.txt"
[ "$(sed 1,3d "$T/tm.txt")" = "$(sed 1,3d "$T/tv.txt")" ] || fail "distill: --threshold median and --threshold $med give different trees"
one_line_err "distill --threshold 1.5" 2 "threshold" "${DI[@]}" --threshold 1.5 -o "$T/tx.txt"

echo "cli_usability: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
