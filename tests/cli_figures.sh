#!/usr/bin/env bash
# The figure commands from the command line: auclust heatmap (2-D maps and
# --grid5d, Figure 5), fingerprint (distance matrix, Figure 4) and distill
# (decision tree, Figure 6): output shapes and formats, well-formed SVG,
# valid JSON, determinism, cross-checks between commands, and one-line
# errors with the documented exit codes that leave no file behind.
# usage: bash tests/cli_figures.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_figures.sh /path/to/auclust}
DATA=data/au_nc_recipes.csv
. "$(dirname "$0")/lib.sh"

# expect_err NAME CODE PATTERN CMD...: exit CODE, exactly one line on stderr
# starting with "auclust" and matching PATTERN (grep -E, "" for any),
# nothing on stdout, and nothing left in the scratch directory $T/e (where
# every error case points its outputs)
expect_err() {
  local name=$1 code=$2 pat=$3; shift 3
  rm -rf "$T/e"; mkdir "$T/e"
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  local lines; lines=$(wc -l <"$T/err")
  if [ $rc -ne "$code" ]; then
    fail "$name: exit $rc, expected $code; stderr: $(head -c 400 "$T/err")"
  elif [ "$lines" -ne 1 ] || [ -n "$(tail -c 1 "$T/err")" ]; then
    fail "$name: stderr should be exactly one line, got $lines: $(head -c 400 "$T/err")"
  elif ! grep -q '^auclust' "$T/err"; then
    fail "$name: stderr does not start with 'auclust': $(cat "$T/err")"
  elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$T/err"; then
    fail "$name: stderr does not match /$pat/: $(cat "$T/err")"
  elif [ -s "$T/out" ]; then
    fail "$name: printed to stdout on error: $(head -c 200 "$T/out")"
  fi
  local left; left=$(ls -A "$T/e")
  [ -z "$left" ] || fail "$name: files left behind after the error: $left"
}


# xml_ok NAME FILE: well-formed XML with an <svg> root (xmllint, else
# python3's xml.etree, else a grep-level sanity check)
xml_ok() {
  local name=$1 f=$2
  if [ ! -s "$f" ]; then fail "$name: $f missing or empty"; return 1; fi
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$f" 2>"$T/xmlerr" || { fail "$name: not well-formed XML: $(head -c 300 "$T/xmlerr")"; return 1; }
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$f" 2>"$T/xmlerr" ||
      { fail "$name: not well-formed XML: $(tail -c 300 "$T/xmlerr")"; return 1; }
  else
    local o c
    o=$(grep -o '<svg' "$f" | wc -l); c=$(grep -o '</svg>' "$f" | wc -l)
    [ "$o" -eq 1 ] && [ "$c" -eq 1 ] || { fail "$name: expected one <svg> and one </svg>"; return 1; }
    o=$(grep -o '<g[ >]' "$f" | wc -l); c=$(grep -o '</g>' "$f" | wc -l)
    [ "$o" -eq "$c" ] || { fail "$name: $o <g> but $c </g>"; return 1; }
  fi
  grep -q '<svg[ >]' "$f" || { fail "$name: no <svg> element"; return 1; }
  tail -c 20 "$f" | grep -q '</svg>' || { fail "$name: does not end with </svg>"; return 1; }
  return 0
}


# svg_text FILE: the text content of the SVG's <text> elements, one per line
svg_text() { tr '\n' ' ' <"$1" | sed 's#</text>#\n#g' | sed -n 's#.*<text[^>]*>##p'; }

# group_rects FILE CLASS: rects inside the <g class="CLASS"> groups
group_rects() {
  tr '\n' ' ' <"$1" | sed "s#<g class=\"$2\"#\n&#g" | sed -n "s#^<g class=\"$2\"[^>]*>##p" | sed 's#</g>.*##' |
    grep -o '<rect' | wc -l
}

# check_map_csv NAME FILE XCOL YCOL X0 X1 Y0 Y1 N: header XCOL,YCOL,p_mean,p_std
# and the domain columns; N*N rows, x fastest, on the linear grids X0..X1 and
# Y0..Y1; p in [0,1], sd >= 0, a nearest ligand, a similarity in [0,1]
check_map_csv() {
  local name=$1 f=$2
  [ -s "$f" ] || { fail "$name: $f missing or empty"; return; }
  local hdr; hdr=$(head -1 "$f")
  [ "$hdr" = "$3,$4,p_mean,p_std,nearest_ligand,ligand_similarity,domain" ] ||
    fail "$name: header '$hdr', expected '$3,$4,p_mean,p_std,nearest_ligand,ligand_similarity,domain'"
  awk -F, -v x0="$5" -v x1="$6" -v y0="$7" -v y1="$8" -v n="$9" -v name="$name" '
    function near(a, b) { d = a - b; if (d < 0) d = -d; return d <= 1e-5 * (1 + (b < 0 ? -b : b)) }
    NR == 1 { next }
    {
      k = NR - 2; i = k % n; j = int(k / n)
      if (NF != 7) { print name ": row " k + 1 " has " NF " fields"; bad = 1 }
      if ($5 == "" || !($6 >= 0 && $6 <= 1) || $7 !~ /^[a-zA-Z_;0-9().=]*$/) { print name ": row " k + 1 " domain columns " $5 "," $6 "," $7; bad = 1 }
      ex = n > 1 ? x0 + (x1 - x0) * i / (n - 1) : x0
      ey = n > 1 ? y0 + (y1 - y0) * j / (n - 1) : y0
      if (!near($1, ex) || !near($2, ey)) { print name ": row " k + 1 " at (" $1 ", " $2 "), expected (" ex ", " ey ")"; bad = 1 }
      if (!($3 >= 0 && $3 <= 1)) { print name ": p_mean " $3 " outside [0,1]"; bad = 1 }
      if (!($4 >= 0 && $4 <= 1)) { print name ": p_std " $4 " outside [0,1]"; bad = 1 }
      rows++
    }
    END {
      if (rows != n * n) { print name ": " rows " rows, expected " n * n; bad = 1 }
      exit bad
    }' "$f" >"$T/awk" || fail "$(head -5 "$T/awk")"
}

ROWS=$(($(wc -l <"$DATA") - 1))
[ "$ROWS" -ge 10 ] || fail "bundled data: only $ROWS recipes"
grep -q '^A01,6-mercaptohexanoic acid,OC(=O)CCCCCS,water,O,sodium borohydride,' "$DATA" ||
  fail "bundled data: A01 is no longer MHA / water / NaBH4 (the checks below name its components)"

# ---- models --------------------------------------------------------------------
M="$T/m.json"
run "train gcnn_snn --ensemble 3" "$BIN" train "$DATA" --set epochs=5 --ensemble 3 --seed 7 -j 2 -o "$M"
[ -s "$M" ] || { fail "train did not write $M"; echo "cli_figures: $FAILS check(s) failed" >&2; exit 1; }
S="$T/snn.json"
run "train snn" "$BIN" train "$DATA" --model snn --set epochs=5 --seed 7 -j 2 -o "$S"

# ---- heatmap: 2-D ----------------------------------------------------------------
HM=("$BIN" heatmap "$M" --base A01)
run "heatmap svg --grid 7" "${HM[@]}" --grid 7 --vector -o "$T/map7.svg" --csv "$T/map7b.csv"
if xml_ok "heatmap --grid 7 svg" "$T/map7.svg"; then
  n=$(group_rects "$T/map7.svg" cells)
  [ "$n" -eq 49 ] || fail "heatmap --grid 7: $n cell rects in <g class=\"cells\">, expected 49"
  svg_text "$T/map7.svg" >"$T/txt"
  grep -qx 'pH' "$T/txt" || fail "heatmap svg: no x-axis label 'pH'"
  grep -q '^temperature' "$T/txt" || fail "heatmap svg: no y-axis label 'temperature ...'"
  # the title (bold, possibly wrapped over several lines) names the components
  title=$(grep 'font-weight="bold"' "$T/map7.svg" | sed 's/<[^>]*>//g' | tr '\n' ' ' | tr -s ' ')
  for name in "6-mercaptohexanoic acid" "water" "sodium borohydride"; do
    case "$title" in *"$name"*) ;; *) fail "heatmap svg: title does not name '$name': $title" ;; esac
  done
fi
no_leftovers "heatmap svg" "$T"
check_map_csv "heatmap --csv beside svg" "$T/map7b.csv" pH temperature_C 7 14 0 80 7

# the default grid is 100 x 100
run "heatmap svg default grid" "${HM[@]}" -o "$T/map100.svg" --no-points --vector
if xml_ok "heatmap default svg" "$T/map100.svg"; then
  n=$(group_rects "$T/map100.svg" cells)
  [ "$n" -eq 10000 ] || fail "heatmap default grid: $n cell rects, expected 10000"
fi

run "heatmap csv --grid 7" "${HM[@]}" --grid 7 -o "$T/map7.csv"
check_map_csv "heatmap csv" "$T/map7.csv" pH temperature_C 7 14 0 80 7
cmp -s "$T/map7.csv" "$T/map7b.csv" || fail "heatmap: -o map.csv and --csv beside the SVG differ"
run "heatmap csv on stdout" "${HM[@]}" --grid 7
cmp -s "$T/out" "$T/map7.csv" || fail "heatmap: CSV on stdout differs from -o map.csv"

# custom axes
run "heatmap custom axes" "${HM[@]}" --x ligand_mM:0.5:10 --y pH:8:13 --grid 6 -o "$T/lp.csv"
check_map_csv "heatmap custom axes" "$T/lp.csv" ligand_mM pH 0.5 10 8 13 6
run "heatmap custom axes svg" "${HM[@]}" --x ligand_mM:0.5:10 --y pH:8:13 --grid 6 --vector -o "$T/lp.svg"
if xml_ok "heatmap custom axes svg" "$T/lp.svg"; then
  svg_text "$T/lp.svg" >"$T/txt"
  grep -qx 'ligand (mM)' "$T/txt" || fail "heatmap custom axes svg: no x-axis label 'ligand (mM)'"
  grep -qx 'pH' "$T/txt" || fail "heatmap custom axes svg: no y-axis label 'pH'"
  n=$(group_rects "$T/lp.svg" cells)
  [ "$n" -eq 36 ] || fail "heatmap custom axes svg: $n cell rects, expected 36"
fi
# aliases of condition names: T = temperature_C
run "heatmap axis alias" "${HM[@]}" --x pH:8:13 --y T:10:60 --grid 3 -o "$T/alias.csv"
check_map_csv "heatmap axis alias" "$T/alias.csv" pH temperature_C 8 13 10 60 3

# the map at the base recipe's own conditions is `auclust predict` of it
# (A01's pH and temperature, read from the file, are the 3 x 3 grid's centre)
(head -1 "$DATA"; grep '^A01,' "$DATA") >"$T/a01.csv"
a01_ph=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pH") c = i } NR == 2 { print $c }' "$T/a01.csv")
a01_t=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "temperature_C") c = i } NR == 2 { print $c }' "$T/a01.csv")
run "heatmap 3x3 around A01" "${HM[@]}" --x "pH:$(awk -v p="$a01_ph" 'BEGIN { print p - 1 }'):$(awk -v p="$a01_ph" 'BEGIN { print p + 1 }')" \
  --y "temperature_C:$((a01_t - 10)):$((a01_t + 10))" --grid 3 -o "$T/c3.csv"
run "predict A01" "$BIN" predict "$M" "$T/a01.csv"
pp=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p_success") c = i } NR == 2 { print $c }' "$T/out")
hp=$(awk -F, -v p="$a01_ph" -v t="$a01_t" 'NR == 6 && $1 + 0 == p + 0 && $2 + 0 == t + 0 { print $3 }' "$T/c3.csv")
if [ -z "$pp" ] || [ -z "$hp" ]; then
  fail "heatmap vs predict: could not read the values (predict '$pp', heatmap centre '$hp')"
else
  awk -v a="$pp" -v b="$hp" 'BEGIN { d = a - b; exit !(d <= 6e-5 && d >= -6e-5) }' ||
    fail "heatmap at A01's own conditions gives $hp, predict gives $pp"
fi

# a base recipe as a one-row CSV file gives the same map as its id
run "heatmap --base FILE" "$BIN" heatmap "$M" --base "$T/a01.csv" --grid 7 -o "$T/map7f.csv"
cmp -s "$T/map7.csv" "$T/map7f.csv" || fail "heatmap: --base a01.csv differs from --base A01"
run "heatmap --base FILE 5-D" "$BIN" heatmap "$M" --base "$T/a01.csv" --grid5d --levels 2 --inner 3 -o "$T/g5f.csv"
run "heatmap --base ID 5-D" "${HM[@]}" --grid5d --levels 2 --inner 3 -o "$T/g5i.csv"
cmp -s "$T/g5f.csv" "$T/g5i.csv" || fail "heatmap --grid5d: --base a01.csv differs from --base A01"
# --recipes: look the id up in another file
run "heatmap --recipes" "$BIN" heatmap "$M" --base A01 --recipes "$T/a01.csv" --grid 7 -o "$T/map7r.csv"
cmp -s "$T/map7.csv" "$T/map7r.csv" || fail "heatmap: --recipes a01.csv --base A01 differs from the default lookup"
# a grid of one point per axis
run "heatmap --grid 1" "${HM[@]}" --grid 1 -o "$T/g1.csv"
check_map_csv "heatmap --grid 1" "$T/g1.csv" pH temperature_C 7 14 0 80 1

# ---- heatmap: 5-D grid ------------------------------------------------------------
run "heatmap --grid5d csv" "${HM[@]}" --grid5d --levels 3 --inner 4 -o "$T/g5.csv"
if [ -s "$T/g5.csv" ]; then
  hdr=$(grep -v '^#' "$T/g5.csv" | head -1)
  [ "$hdr" = "ligand_mM,haucl4_mM,reductant_mM,pH,temperature_C,p_mean,p_std,nearest_ligand,ligand_similarity,domain" ] ||
    fail "heatmap --grid5d: header '$hdr'"
  awk -F, -v name="heatmap --grid5d" '
    /^#/ { next }
    !hdr { hdr = 1; next }
    {
      rows++
      if (NF != 10) { print name ": row " NR - 1 " has " NF " fields"; bad = 1 }
      for (c = 1; c <= 5; c++) if (!((c, $c) in seen)) { seen[c, $c] = 1; nd[c]++ }
      if (!($6 >= 0 && $6 <= 1 && $7 >= 0)) { print name ": bad p in row " NR - 1 ": " $0; bad = 1 }
      if ($4 < 7 || $4 > 14 || $5 < 0 || $5 > 80) { print name ": pH/T outside the default axes: " $0; bad = 1 }
      key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4 SUBSEP $5
      if (key in pt) { print name ": repeated point " $0; bad = 1 }
      pt[key] = 1
    }
    END {
      if (rows != 3 * 3 * 3 * 4 * 4) { print name ": " rows " rows, expected 432"; bad = 1 }
      if (nd[1] != 3 || nd[2] != 3 || nd[3] != 3) { print name ": levels " nd[1] "/" nd[2] "/" nd[3] ", expected 3 each"; bad = 1 }
      if (nd[4] != 4 || nd[5] != 4) { print name ": inner points " nd[4] "/" nd[5] ", expected 4 each"; bad = 1 }
      exit bad
    }' "$T/g5.csv" >"$T/awk" || fail "$(head -5 "$T/awk")"
else
  fail "heatmap --grid5d: no CSV written"
fi
run "heatmap --grid5d svg" "${HM[@]}" --grid5d --levels 3 --inner 4 --vector -o "$T/g5.svg" --csv "$T/g5b.csv"
if xml_ok "heatmap --grid5d svg" "$T/g5.svg"; then
  n=$(grep -o '<g class="m"' "$T/g5.svg" | wc -l)
  [ "$n" -eq 27 ] || fail "heatmap --grid5d svg: $n small maps, expected 27"
  n=$(group_rects "$T/g5.svg" m)
  [ "$n" -eq 432 ] || fail "heatmap --grid5d svg: $n cells in the small maps, expected 432"
fi
cmp -s "$T/g5.csv" "$T/g5b.csv" || fail "heatmap --grid5d: --csv beside the SVG differs from -o g5.csv"
no_leftovers "heatmap --grid5d" "$T"
# --range fixes a concentration's levels
run "heatmap --grid5d --range" "${HM[@]}" --grid5d --levels 3 --inner 2 --range ligand_mM:1:3 -o "$T/g5r.csv"
lv=$(grep -v '^#' "$T/g5r.csv" | awk -F, 'NR > 1 { print $1 }' | sort -un | tr '\n' ' ')
[ "$lv" = "1 2 3 " ] || fail "heatmap --grid5d --range ligand_mM:1:3: ligand levels '$lv', expected '1 2 3 '"

# ---- heatmap: bad input ------------------------------------------------------------
E="$T/e"
expect_err "heatmap --x color" 2 "color" "${HM[@]}" --x color:0:1 -o "$E/m.svg"
expect_err "heatmap --x pH:9:7" 2 "empty range" "${HM[@]}" --x pH:9:7 -o "$E/m.svg"
expect_err "heatmap --x pH:7:7" 2 "empty range" "${HM[@]}" --x pH:7:7 -o "$E/m.csv"
expect_err "heatmap --y pH:7" 2 "" "${HM[@]}" --y pH:7 -o "$E/m.csv"
expect_err "heatmap --x pH:a:9" 2 "" "${HM[@]}" --x pH:a:9 -o "$E/m.csv"
expect_err "heatmap --x pH:7:15" 2 "pH" "${HM[@]}" --x pH:7:15 -o "$E/m.csv"
expect_err "heatmap --grid 0" 2 "grid" "${HM[@]}" --grid 0 -o "$E/m.svg"
expect_err "heatmap --grid x" 2 "grid" "${HM[@]}" --grid x -o "$E/m.svg"
expect_err "heatmap --base unknown id" 2 "Z99" "$BIN" heatmap "$M" --base Z99 -o "$E/m.svg"
(head -1 "$DATA"; grep -E '^A0[12],' "$DATA") >"$T/two.csv"
expect_err "heatmap --base two-row file" 2 "exactly one" "$BIN" heatmap "$M" --base "$T/two.csv" -o "$E/m.svg"
expect_err "heatmap without --base" 2 "base" "$BIN" heatmap "$M" -o "$E/m.svg"
expect_err "heatmap --x pH --y pH" 2 "pH" "${HM[@]}" --x pH:7:14 --y pH:8:12 -o "$E/m.svg"
expect_err "heatmap --x ph --y pH (alias)" 2 "" "${HM[@]}" --x ph:7:14 --y pH:8:12 -o "$E/m.svg"
expect_err "heatmap -o .png" 2 "svg" "${HM[@]}" --grid 5 -o "$E/m.png"
expect_err "heatmap --grid5d -o .png" 2 "svg" "${HM[@]}" --grid5d --levels 2 --inner 2 -o "$E/m.png"
# only the ending counts: map.csv.png is a PNG name, not a CSV one
expect_err "heatmap -o map.csv.png" 2 "svg" "${HM[@]}" --grid 5 -o "$E/map.csv.png"
expect_err "heatmap --grid5d with a concentration axis" 2 "" "${HM[@]}" --grid5d --x ligand_mM:0:5 -o "$E/m.svg"
expect_err "heatmap --levels 0" 2 "levels" "${HM[@]}" --grid5d --levels 0 -o "$E/m.svg"
expect_err "heatmap --range of pH" 2 "" "${HM[@]}" --grid5d --levels 2 --inner 2 --range pH:7:9 -o "$E/m.csv"
expect_err "heatmap missing model" 5 "" "$BIN" heatmap "$T/nonexistent.json" --base A01 -o "$E/m.svg"
expect_err "heatmap unwritable output" 5 "" "${HM[@]}" --grid 3 -o "$E/no/such/dir/m.svg"

# ---- fingerprint ------------------------------------------------------------------
GSH='N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O'
FP=("$BIN" fingerprint "$M" "glutathione=$GSH" 'MHA=OC(=O)CCCCCS' 'MPA=OC(=O)CCS' 'cysteamine=NCCS')
# check_dist NAME FILE N: a CSV distance matrix with N molecules: square,
# row names = column names, symmetric, zero diagonal, positive elsewhere
check_dist() {
  local name=$1 f=$2 n=$3
  [ -s "$f" ] || { fail "$name: $f missing or empty"; return; }
  awk -F, -v n="$n" -v name="$name" '
    NR == 1 {
      if ($1 != "molecule") { print name ": header starts with " $1; bad = 1 }
      if (NF != n + 1) { print name ": " NF - 1 " columns, expected " n; bad = 1 }
      for (j = 2; j <= NF; j++) col[j - 1] = $j
      next
    }
    {
      i = NR - 1
      if (NF != n + 1) { print name ": row " i " has " NF - 1 " values"; bad = 1 }
      if ($1 != col[i]) { print name ": row " i " is " $1 ", column " i " is " col[i]; bad = 1 }
      for (j = 2; j <= NF; j++) d[i, j - 1] = $j
    }
    END {
      if (NR - 1 != n) { print name ": " NR - 1 " rows, expected " n; bad = 1 }
      for (i = 1; i <= n; i++)
        for (j = 1; j <= n; j++) {
          if (d[i, j] != d[j, i]) { print name ": d[" i "," j "] = " d[i, j] " but d[" j "," i "] = " d[j, i]; bad = 1 }
          if (i == j && d[i, j] != 0) { print name ": diagonal d[" i "," i "] = " d[i, j]; bad = 1 }
          if (i != j && !(d[i, j] > 0)) { print name ": d[" i "," j "] = " d[i, j] " is not positive"; bad = 1 }
        }
      exit bad
    }' "$f" >"$T/awk" || fail "$(head -5 "$T/awk")"
}

run "fingerprint four ligands" "${FP[@]}" -o "$T/fp.csv" --svg "$T/fp.svg" --fingerprints "$T/fpv.csv"
check_dist "fingerprint four ligands" "$T/fp.csv" 4
hdr=$(head -1 "$T/fp.csv")
[ "$hdr" = "molecule,glutathione,MHA,MPA,cysteamine" ] || fail "fingerprint: header '$hdr'"
if xml_ok "fingerprint --svg" "$T/fp.svg"; then
  svg_text "$T/fp.svg" >"$T/txt"
  for nm in glutathione MHA MPA cysteamine; do
    grep -qx "$nm" "$T/txt" || fail "fingerprint --svg: no label '$nm'"
  done
fi
# --fingerprints: one vector per molecule, fingerprint_length values (the model's)
if [ -s "$T/fpv.csv" ]; then
  D=$(grep -o '"fingerprint_length":[0-9]*' "$M" | head -1 | cut -d: -f2)
  awk -F, -v D="${D:-0}" 'NR == 1 { nf = NF; ok = ($1 == "molecule" && $2 == "fp1" && NF == D + 1) } NR > 1 && NF != nf { ok = 0 }
           END { exit !(ok && NR == 5) }' "$T/fpv.csv" || fail "fingerprint --fingerprints: unexpected shape: $(head -2 "$T/fpv.csv")"
else
  fail "fingerprint --fingerprints: not written"
fi
no_leftovers "fingerprint" "$T"
# the same on stdout; -o .svg draws the matrix
run "fingerprint on stdout" "${FP[@]}"
cmp -s "$T/out" "$T/fp.csv" || fail "fingerprint: stdout differs from -o fp.csv"
run "fingerprint -o svg" "${FP[@]}" -o "$T/fp2.svg"
xml_ok "fingerprint -o .svg" "$T/fp2.svg" && { cmp -s "$T/fp.svg" "$T/fp2.svg" || fail "fingerprint: -o x.svg differs from --svg x.svg"; }
# an unlabelled SMILES with '=' in it is a SMILES, not NAME=SMILES; a label may precede one
run "fingerprint unlabelled C=CC(=O)O" "$BIN" fingerprint "$M" 'C=CC(=O)O' 'acrylic=C=CC(=O)O' 'MPA=OC(=O)CCS' -o "$T/fpa.csv"
hdr=$(head -1 "$T/fpa.csv" 2>/dev/null)
[ "$hdr" = "molecule,C=CC(=O)O,acrylic,MPA" ] || fail "fingerprint with '=' in SMILES: header '$hdr', expected 'molecule,C=CC(=O)O,acrylic,MPA'"
# the same molecule twice: distance 0 (so check_dist's positivity does not apply); others positive
awk -F, 'NR == 2 { ok = ($3 == 0 && $4 > 0) } END { exit !ok }' "$T/fpa.csv" 2>/dev/null ||
  fail "fingerprint: C=CC(=O)O and acrylic=C=CC(=O)O should be at distance 0 and MPA apart: $(cat "$T/fpa.csv")"
# without SMILES: the ligands of the training recipes
run "fingerprint model's ligands" "$BIN" fingerprint "$M" -o "$T/fpm.csv"
if [ -s "$T/fpm.csv" ]; then
  nlig=$(($(wc -l <"$T/fpm.csv") - 1))
  [ "$nlig" -ge 4 ] || fail "fingerprint without SMILES: only $nlig ligands"
  check_dist "fingerprint model's ligands" "$T/fpm.csv" "$nlig"
  # same molecules, same model: the distance MHA - glutathione as above
  dm=$(awk -F, 'NR == 1 { for (j = 2; j <= NF; j++) c[$j] = j } $1 == "glutathione" { print $(c["6-mercaptohexanoic acid"]) }' "$T/fpm.csv")
  d4=$(awk -F, 'NR == 3 { print $2 }' "$T/fp.csv")
  [ -n "$dm" ] && [ "$dm" = "$d4" ] ||
    fail "fingerprint: glutathione-MHA distance '$dm' among the model's ligands, '$d4' when given as SMILES"
  ! grep -q '^water,' "$T/fpm.csv" || fail "fingerprint without SMILES lists the solvent water as a ligand"
else
  fail "fingerprint without SMILES: nothing written"
fi
run "fingerprint --role solvent" "$BIN" fingerprint "$M" --role solvent -o "$T/fps.csv"
grep -q '^water,' "$T/fps.csv" 2>/dev/null || fail "fingerprint --role solvent: water not among the solvents"
# bad input
expect_err "fingerprint non-GCNN model" 2 "GCNN" "$BIN" fingerprint "$S" 'MPA=OC(=O)CCS' NCCS -o "$E/fp.csv" --svg "$E/fp.svg"
expect_err "fingerprint non-GCNN model, no SMILES" 2 "GCNN" "$BIN" fingerprint "$S" -o "$E/fp.csv"
expect_err "fingerprint bad SMILES" 3 "" "$BIN" fingerprint "$M" 'bad=C1CC(' -o "$E/fp.csv" --svg "$E/fp.svg"
expect_err "fingerprint --role bogus" 2 "role" "$BIN" fingerprint "$M" NCCS --role bogus -o "$E/fp.csv"

# ---- distill ------------------------------------------------------------------------
# raw probabilities: this small ensemble's out-of-fold ranking may be worse than chance, and then
# its calibration is the base rate for every recipe (calib.h), a one-leaf tree with nothing to check
DI=("$BIN" distill "$M" "$DATA" --samples 2000 --test 500 --uncalibrated)
run "distill text" "${DI[@]}" -o "$T/tree.txt"
cp "$T/err" "$T/tree.err"
if [ -s "$T/tree.txt" ]; then
  head -1 "$T/tree.txt" | grep -q '^# decision tree distilled from .*2000 random recipes' ||
    fail "distill text: first line: $(head -1 "$T/tree.txt")"
  fid=$(sed -n 2p "$T/tree.txt")
  echo "$fid" | grep -Eq '^# fidelity on 500 fresh recipes: accuracy [01]\.[0-9]+, F1 [01]\.[0-9]+, MCC -?[01]\.[0-9]+$' ||
    fail "distill text: fidelity header: $fid"
  grep -q '^|--- ' "$T/tree.txt" || fail "distill text: no '|--- ' rules"
  grep -Eq 'class: (success|failure)' "$T/tree.txt" || fail "distill text: no leaf classes"
  # every test of a quantity with a unit prints it (chemist labels: "[ligand]", "ligand:Au", ...)
  awk '/--- .* (<=|>) -?[0-9]/ {
         f = $0; sub(/.*--- /, "", f); if (f ~ / is .*\(/) sub(/^[^(]*\(/, "", f); sub(/ (<=|>) .*/, "", f); u = ""
         if (f ~ /^\[(ligand|HAuCl4|reductant)\]$/) u = "(mM)"; else if (f == "temperature") u = "(°C)"
         else if (f ~ /:Au$/) u = "(mol/mol)"; else if (f == "ligand solubility") u = "(log10 mol/L)"
         if (u != "" && index($0, u) == 0) { print "distill text: no unit " u " in: " $0; bad = 1 }
         if (f ~ /_/) { print "distill text: a column name, not a label: " $0; bad = 1 }
         n++
       }
       END { if (!n) print "distill text: no threshold tests"; exit bad || !n }' "$T/tree.txt" >"$T/awk" ||
    fail "$(head -3 "$T/awk")"
  # stderr: one line with the fidelity, the same numbers as the header, and
  # one saying whether the model's probabilities are calibrated
  grep -q 'calibrat' "$T/tree.err" || fail "distill: stderr does not say whether probabilities are calibrated"
  [ "$(grep -vc 'calibrat' "$T/tree.err")" -eq 1 ] || fail "distill: stderr is not one line: $(cat "$T/tree.err")"
  f1=$(echo "$fid" | sed -n 's/.*F1 \([0-9.-]*\), MCC \([0-9.-]*\)$/F1 \1, MCC \2/p')
  grep -q "$f1" "$T/tree.err" 2>/dev/null && [ -n "$f1" ] ||
    fail "distill: stderr does not report '$f1': $(cat "$T/tree.err")"
  grep -q 'set_ii subset' "$T/tree.err" || fail "distill: stderr does not name the set_ii subset"
else
  fail "distill: no text rules written"
fi
run "distill text on stdout" "${DI[@]}"
cmp -s "$T/out" "$T/tree.txt" || fail "distill: stdout differs from -o tree.txt"
run "distill same seed" "${DI[@]}" -o "$T/tree2.txt"
cmp -s "$T/tree.txt" "$T/tree2.txt" || fail "distill: the same seed gave different rules"

run "distill dot" "${DI[@]}" -o "$T/tree.dot"
if [ -s "$T/tree.dot" ]; then
  head -1 "$T/tree.dot" | grep -q '^digraph' || fail "distill dot: does not start with digraph: $(head -1 "$T/tree.dot")"
  o=$(tr -cd '{' <"$T/tree.dot" | wc -c); c=$(tr -cd '}' <"$T/tree.dot" | wc -c)
  [ "$o" -eq "$c" ] && [ "$o" -ge 1 ] || fail "distill dot: $o '{' but $c '}'"
  [ "$(tail -c 2 "$T/tree.dot" | head -c 1)" = "}" ] || fail "distill dot: does not end with '}'"
  grep -q -- '->' "$T/tree.dot" || fail "distill dot: no edges"
else
  fail "distill dot: not written"
fi
run "distill svg" "${DI[@]}" -o "$T/tree.svg"
xml_ok "distill svg" "$T/tree.svg"
run "distill json" "${DI[@]}" -o "$T/tree.json"
if json_ok "$T/tree.json"; then
  if command -v jq >/dev/null 2>&1; then
    jq -e 'has("classes") and has("features") and has("tree") and (.tree | has("n"))' "$T/tree.json" >/dev/null ||
      fail "distill json: lacks classes/features/tree"
    n=$(jq '.tree.n' "$T/tree.json")
    [ "$n" = 2000 ] || fail "distill json: root has n = $n, expected 2000"
  fi
else
  fail "distill json: not valid JSON"
fi
run "distill json seed 2" "${DI[@]}" --seed 2 -o "$T/tree_s2.json"
run "distill json seed 2 again" "${DI[@]}" --seed 2 -o "$T/tree_s2b.json"
cmp -s "$T/tree_s2.json" "$T/tree_s2b.json" || fail "distill: --seed 2 twice gave different trees"
! cmp -s "$T/tree.json" "$T/tree_s2.json" || fail "distill: --seed 1 and --seed 2 gave identical trees"
run "distill --subset all" "${DI[@]}" --subset all -o "$T/tree_all.txt"
grep -q 'all subset' "$T/err" || fail "distill --subset all: stderr does not say so: $(cat "$T/err")"
head -1 "$T/tree_all.txt" 2>/dev/null | grep -q '(all subset)' || fail "distill --subset all: header does not say so"
run "distill --max-depth 1" "${DI[@]}" --max-depth 1 -o "$T/tree_d1.json"
if command -v jq >/dev/null 2>&1 && [ -s "$T/tree_d1.json" ]; then
  d=$(jq '[.tree | .. | objects | select(has("left")) | .left, .right | select(has("left"))] | length' "$T/tree_d1.json")
  [ "$d" = 0 ] || fail "distill --max-depth 1: the tree is deeper than one split"
fi
no_leftovers "distill" "$T"

# bad input
expect_err "distill --subset bogus" 2 "subset" "${DI[@]}" --subset bogus -o "$E/t.txt"
# no set_ii = 1 row: the bundled data with set_ii set to 0 (a quote-aware rewrite of one column)
awk '
  function setcol(line, col, val,   i, ch, q, n, s, e) {
    n = 1; q = 0; s = col == 1 ? 1 : 0; e = length(line) + 1
    for (i = 1; i <= length(line); i++) {
      ch = substr(line, i, 1)
      if (ch == "\"") q = !q
      else if (ch == "," && !q) { n++; if (n == col) s = i + 1; else if (n == col + 1) { e = i; break } }
    }
    return substr(line, 1, s - 1) val substr(line, e)
  }
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == "set_ii") c = i; print; next }
  { print setcol($0, c, "0") }' FS=, "$DATA" >"$T/noii.csv"
if grep -q ',set_ii,' "$T/noii.csv" && [ "$(wc -l <"$T/noii.csv")" -eq "$(wc -l <"$DATA")" ]; then
  expect_err "distill without set_ii rows" 2 "no rows in the subset" "$BIN" distill "$M" "$T/noii.csv" --samples 200 --test 50 -o "$E/t.txt"
  run "distill --subset all without set_ii rows" "$BIN" distill "$M" "$T/noii.csv" --samples 200 --test 50 --subset all -o "$T/noii.txt"
else
  fail "could not build a recipe file without set_ii = 1 rows"
fi
expect_err "distill --max-depth 0" 2 "max-depth" "${DI[@]}" --max-depth 0 -o "$E/t.txt"
expect_err "distill -o .png" 2 "" "${DI[@]}" -o "$E/t.png"
expect_err "distill --samples 0" 2 "samples" "${DI[@]}" --samples 0 -o "$E/t.txt"
expect_err "distill missing recipes" 5 "" "$BIN" distill "$M" "$T/nonexistent.csv" -o "$E/t.txt"
# the output is opened after the tree is fitted: the fidelity line comes
# first, then the error as the last line
rm -rf "$E"; mkdir "$E"
"${DI[@]}" -o "$E/no/such/dir/t.json" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 5 ] || fail "distill unwritable output: exit $rc, expected 5"
tail -1 "$T/err" | grep -q '^auclust distill: .*no/such/dir/t.json' ||
  fail "distill unwritable output: last stderr line is not the error: $(cat "$T/err")"
[ -z "$(ls -A "$E")" ] || fail "distill unwritable output: files left behind: $(ls -A "$E")"

if [ "$FAILS" -ne 0 ]; then
  echo "cli_figures: $FAILS check(s) failed" >&2
  exit 1
fi
echo "cli_figures: all checks passed"
