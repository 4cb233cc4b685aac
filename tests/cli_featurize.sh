#!/usr/bin/env bash
# CLI tests of `auclust featurize`: outputs (CSV, JSON, stdin/stdout, -o)
# and every error path: exit code, exactly one line on stderr naming the
# file, the row, the column and the value or problem, nothing on stdout,
# and no output file (nor temporary file) left behind.
# Usage (from the repository root): bash tests/cli_featurize.sh /path/to/auclust
set -u

BIN=${1:?usage: bash tests/cli_featurize.sh /path/to/auclust}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
DATA=data/au_nc_recipes.csv
COMP=data/components.csv

T=$(mktemp -d "${TMPDIR:-/tmp}/cli_featurize.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT

nfail=0
ncheck=0
fail() {
  nfail=$((nfail + 1))
  echo "FAIL: $*" >&2
}
ok() { # ok CONDITION-DESCRIPTION -- evaluated by the caller; counts checks
  ncheck=$((ncheck + 1))
}

# run: stdout -> $T/out, stderr -> $T/err, exit code -> $rc
run() {
  "$BIN" featurize "$@" >"$T/out" 2>"$T/err"
  rc=$?
}

# exactly one line on stderr, newline-terminated
one_line() {
  [ -s "$T/err" ] && [ "$(awk 'END { print NR }' "$T/err")" = 1 ] && [ "$(tail -c 1 "$T/err" | od -An -c | tr -d ' ')" = '\n' ]
}

# expect_error NAME CODE NEEDLE... -- ARGS...
# The command must exit with CODE, print nothing on stdout, exactly one
# line on stderr, and that line must contain every NEEDLE (fixed strings).
expect_error() {
  local name=$1 code=$2
  shift 2
  local needles=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    needles+=("$1")
    shift
  done
  shift
  run "$@"
  ok
  if [ "$rc" != "$code" ]; then
    fail "$name: exit code $rc, want $code (stderr: $(head -c 300 "$T/err"))"
    return
  fi
  ok
  if ! one_line; then
    fail "$name: stderr is not exactly one line:"
    sed 's/^/    | /' "$T/err" >&2
  fi
  ok
  if [ -s "$T/out" ]; then
    fail "$name: wrote to stdout on an error: $(head -c 200 "$T/out")"
  fi
  local n
  for n in "${needles[@]}"; do
    ok
    if ! grep -qF -- "$n" "$T/err"; then
      fail "$name: stderr does not mention '$n': $(cat "$T/err")"
    fi
  done
}

# A small recipe file: header, two good rows (spreadsheet rows 2 and 3),
# then the given row (row 4). Columns as the bundled data set, plus names.
HEADER='id,ligand,ligand_smiles,solvent,solvent_smiles,reductant,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome'
GOOD1='R1,MHA,OC(=O)CCCCCS,water,O,NaBH4,[Na+].[BH4-],1.5,1.0,2.0,25,12,1'
GOOD2='R2,Cys,N[C@@H](CS)C(=O)O,water,O,NaBH4,[Na+].[BH4-],1.5,1.0,2.0,25,7,0'
mk() { # mk FILE ROW: write the small recipe file with ROW as row 4
  printf '%s\n%s\n%s\n%s\n' "$HEADER" "$GOOD1" "$GOOD2" "$2" >"$1"
}
#            id  ligand ligand_smiles solvent solvent_smiles reductant reductant_smiles lig Au red T pH outcome
row() { # row ID LIGSMI SOLSMI REDSMI LIG AU RED T PH OUTCOME
  printf '%s,lig,%s,solv,%s,red,%s,%s,%s,%s,%s,%s,%s' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}"
}

# ---------------------------------------------------------------- success
EXPECTED_HEADER='id,ligand,solvent,reductant,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,dielectric_constant,ligand_solubility,redox_potential_V,ligand_charge,ligand_hbd,ligand_hba,ligand_aromatic,ligand_mw,ligand_rotatable_bonds,ligand_complexity,ligand_tpsa,ligand_logp,ph_missing,ligand_binding,ligand_dropped,ligand_atoms,ligand_bonds,solvent_atoms,solvent_bonds,reductant_atoms,reductant_bonds,outcome'

run "$DATA"
ok
[ "$rc" = 0 ] || fail "featurize $DATA: exit code $rc: $(cat "$T/err")"
cp "$T/out" "$T/ref.csv"
ok
[ -s "$T/err" ] && fail "featurize $DATA: something on stderr on success: $(head -c 300 "$T/err")"
ok
NDATA=$(($(wc -l <"$DATA") - 1)) # the data file has no quoted newlines
[ "$(wc -l <"$T/ref.csv")" = $((NDATA + 1)) ] || fail "featurize $DATA: $(wc -l <"$T/ref.csv") lines, want $NDATA rows + header"
ok
[ "$(head -n 1 "$T/ref.csv")" = "$EXPECTED_HEADER" ] || fail "featurize: header is
  $(head -n 1 "$T/ref.csv")
want
  $EXPECTED_HEADER"
# every row has as many fields as the header (31; no field needs quoting)
ok
bad=$(awk -F, 'NR > 1 && NF != 31 { print NR": "NF" fields" }' "$T/ref.csv")
[ -z "$bad" ] || fail "featurize: rows with a wrong number of fields: $bad"
# the ids in input order
ok
want_ids=$(awk -F, 'NR > 1 { print $1 }' "$DATA" | tr '\n' ' ')
got_ids=$(awk -F, 'NR > 1 { print $1 }' "$T/ref.csv" | tr '\n' ' ')
[ "$got_ids" = "$want_ids" ] || fail "featurize: ids $got_ids, want $want_ids"
# spot values. A01: 6-mercaptohexanoic acid / water / NaBH4, pH as in the file;
# MW 148.227, logP 1.5612, TPSA 37.3 (RDKit 2022.09.3), eps 80.1, E0 -1.24
# V (components.csv); 9 ligand atoms, 8 bonds; water 1 atom; NaBH4 2 atoms.
field() { # field ID COLUMN -> value from $T/ref.csv
  awk -F, -v id="$1" -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 == id { print $(c[col]) }' "$T/ref.csv"
}
check_field() { # check_field ID COLUMN WANT
  ok
  local v
  v=$(field "$1" "$2")
  [ "$v" = "$3" ] || fail "featurize: $1 $2 = '$v', want '$3'"
}
check_field A01 ligand '6-mercaptohexanoic acid'
check_field A01 pH "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pH") c = i } $1 == "A01" { print $c }' "$DATA")"
check_field A01 ph_missing 0
check_field A01 dielectric_constant 80.1
check_field A01 redox_potential_V -1.24
check_field A01 ligand_mw 148.227
check_field A01 ligand_logp 1.5612
check_field A01 ligand_tpsa 37.3
check_field A01 ligand_hbd 2
check_field A01 ligand_rotatable_bonds 5
check_field A01 ligand_aromatic 0
check_field A01 ligand_atoms 9
check_field A01 ligand_bonds 8
check_field A01 solvent_atoms 1
check_field A01 solvent_bonds 0
check_field A01 reductant_atoms 2
check_field A01 reductant_bonds 0
check_field A01 outcome 1
# solubility of MHA in water by hand (see tests/test_descriptors.c): -1.4125634
check_field A01 ligand_solubility -1.4125634
# O02: 2-phenylethanethiol in toluene, pH empty -> 7 and ph_missing 1
check_field O02 solvent toluene
check_field O02 dielectric_constant 2.379
check_field O02 pH 7
check_field O02 ph_missing 1
check_field O02 ligand_aromatic 1
check_field O02 solvent_atoms 7
check_field O02 solvent_bonds 7

# '-' reads stdin; '-o -' writes stdout; both give the same bytes
"$BIN" featurize - <"$DATA" >"$T/stdin.csv" 2>"$T/err"
rc=$?
ok
[ "$rc" = 0 ] && cmp -s "$T/stdin.csv" "$T/ref.csv" || fail "featurize - (stdin): exit $rc or output differs from the file's: $(cat "$T/err")"
run "$DATA" -o -
ok
[ "$rc" = 0 ] && cmp -s "$T/out" "$T/ref.csv" || fail "featurize -o -: exit $rc or output differs"
# -o FILE: the file holds the same bytes, stdout is empty
run "$DATA" -o "$T/feat.csv"
ok
[ "$rc" = 0 ] && cmp -s "$T/feat.csv" "$T/ref.csv" || fail "featurize -o FILE: exit $rc or file differs"
ok
[ -s "$T/out" ] && fail "featurize -o FILE: wrote to stdout too"
ok
ls "$T"/feat.csv.tmp* >/dev/null 2>&1 && fail "featurize -o FILE: a temporary file was left behind"
# --output=FILE and options before the file
run --output="$T/feat2.csv" "$DATA"
ok
[ "$rc" = 0 ] && cmp -s "$T/feat2.csv" "$T/ref.csv" || fail "featurize --output=FILE (before RECIPES): exit $rc or differs"

# --ph-missing: organic rows take the given value
run "$DATA" --ph-missing 0
cp "$T/out" "$T/ph0.csv"
ok
v=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $1 == "O02" { print $(c["pH"]) }' "$T/ph0.csv")
[ "$rc" = 0 ] && [ "$v" = 0 ] || fail "featurize --ph-missing 0: exit $rc, O02 pH '$v', want 0"

# --components FILE, and the default components.csv beside the recipes
mkdir -p "$T/beside"
cp "$DATA" "$T/beside/recipes.csv"
sed 's/^water,O,solvent,80.1,/water,O,solvent,78.4,/' "$COMP" >"$T/beside/components.csv"
ok
grep -q '^water,O,solvent,78.4,' "$T/beside/components.csv" || fail "test setup: could not edit components.csv"
"$BIN" featurize "$T/beside/recipes.csv" >"$T/out" 2>"$T/err"
rc=$?
ok
v=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $1 == "A01" { print $(c["dielectric_constant"]) }' "$T/out")
[ "$rc" = 0 ] && [ "$v" = 78.4 ] || fail "featurize with components.csv beside the recipes: exit $rc, A01 dielectric '$v', want 78.4"
run "$DATA" --components "$T/beside/components.csv"
ok
v=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $1 == "A01" { print $(c["dielectric_constant"]) }' "$T/out")
[ "$rc" = 0 ] && [ "$v" = 78.4 ] || fail "featurize --components FILE: exit $rc, A01 dielectric '$v', want 78.4"

# --json: valid JSON with the graph tensors
run "$DATA" --json
cp "$T/out" "$T/ref.json"
ok
[ "$rc" = 0 ] || fail "featurize --json: exit $rc: $(cat "$T/err")"
ok
grep -q '"atom_features"' "$T/ref.json" || fail "featurize --json: no atom_features"
ok
grep -q '"bond_features"' "$T/ref.json" || fail "featurize --json: no bond_features"
if command -v python3 >/dev/null 2>&1; then
  ok
  python3 - "$T/ref.json" "$NDATA" <<'EOF' || fail "featurize --json: the JSON is invalid or has the wrong shape (see above)"
import json, sys
d = json.load(open(sys.argv[1]))
errs = []
if len(d["recipes"]) != int(sys.argv[2]): errs.append("recipes: %d, want %s" % (len(d["recipes"]), sys.argv[2]))
if len(d["descriptors"]) != 17: errs.append("descriptors: %d names, want 17" % len(d["descriptors"]))
for r in d["recipes"]:
    if len(r["descriptors"]) != 17: errs.append("%s: %d descriptors" % (r["id"], len(r["descriptors"])))
    for k in ("ligand", "solvent", "reductant"):
        if not 0 <= r["molecules"][k] < len(d["molecules"]): errs.append("%s: bad molecule index" % r["id"])
for m in d["molecules"]:
    af, bf = m["atom_features"], m["bond_features"]
    if len(af) != m["atoms"] or any(len(x) != 62 for x in af): errs.append(m["smiles"] + ": atom_features not atoms x 62")
    if len(bf) != m["bonds"] or any(len(x) != 6 for x in bf): errs.append(m["smiles"] + ": bond_features not bonds x 6")
    if len(m["neighbours"]) != m["atoms"]: errs.append(m["smiles"] + ": neighbours")
by = {m["smiles"]: m for m in d["molecules"]}
if by.get("[BH4-].[Na+]", {}).get("fragments") != 2: errs.append("NaBH4 is not 2 fragments")
a01 = [r for r in d["recipes"] if r["id"] == "A01"][0]
if abs(a01["descriptors"]["ligand_mw"] - 148.227) > 1e-3: errs.append("A01 ligand_mw")
for e in errs: print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
EOF
else
  # no python3: check the structure by grep
  ok
  [ "$(grep -c '"atom_features"' "$T/ref.json")" -ge 5 ] || fail "featurize --json: too few molecules with atom_features"
  ok
  head -c 1 "$T/ref.json" | grep -q '{' && [ "$(tail -c 2 "$T/ref.json" | head -c 1)" = '}' ] || fail "featurize --json: not a JSON object"
fi
run "$DATA" --json -o "$T/feat.json"
ok
[ "$rc" = 0 ] && cmp -s "$T/feat.json" "$T/ref.json" || fail "featurize --json -o FILE: exit $rc or differs from stdout"

# --help / -h: exit 0, usage on stdout mentioning every option
for h in --help -h; do
  run "$h"
  ok
  [ "$rc" = 0 ] || fail "featurize $h: exit code $rc"
  for o in --components --output --json --ph-missing RECIPES; do
    ok
    grep -qF -- "$o" "$T/out" || fail "featurize $h does not mention $o"
  done
done

# ------------------------------------------------------------------ errors
B="$T/bad.csv"

# a solvent not in components.csv (hexane)
mk "$B" "$(row BAD OC\(=O\)CCS CCCCCC [Na+].[BH4-] 1.5 1.0 2.0 25 12 1)"
expect_error "missing component" 3 "$B" "row 4" "solvent_smiles" "CCCCCC" "$COMP" -- "$B" -c "$COMP"

# unparsable number
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] abc 1.0 2.0 25 12 1)"
expect_error "unparsable number" 3 "$B" "row 4" "ligand_mM" "'abc'" -- "$B"
# a decimal comma (quoted, so the row still has 13 fields)
printf '%s\n%s\n%s\n%s\n' "$HEADER" "$GOOD1" "$GOOD2" 'BAD,lig,OC(=O)CCS,solv,O,red,[Na+].[BH4-],1.5,1.0,2.0,25,"7,5",1' >"$B"
expect_error "decimal comma" 3 "$B" "row 4" "pH" "7,5" -- "$B"
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 nan 12 1)"
expect_error "NaN temperature" 3 "$B" "row 4" "temperature_C" "nan" -- "$B"

# negative concentration
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 -1 2.0 25 12 1)"
expect_error "negative concentration" 3 "$B" "row 4" "haucl4_mM" "-1" -- "$B"

# pH out of 0-14
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 25 15 1)"
expect_error "pH 15" 3 "$B" "row 4" "pH" "15" -- "$B"

# temperature out of -20..150
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 200 12 1)"
expect_error "temperature 200" 3 "$B" "row 4" "temperature_C" "200" -- "$B"

# a required column missing (pH dropped from the header and every row)
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 25 12 1)"
awk -F, '{ s = ""; for (i = 1; i <= NF; i++) if (i != 12) s = s (i > 1 ? "," : "") $i; print s }' "$B" >"$T/nopH.csv"
ok
head -n 1 "$T/nopH.csv" | grep -q ',pH,' && fail "test setup: pH column not dropped"
expect_error "missing column pH" 3 "$T/nopH.csv" "row 1" "'pH'" "missing" -- "$T/nopH.csv"

# invalid SMILES (unclosed ring); RDKit must not print its own parse error
mk "$B" "$(row BAD C1CC O [Na+].[BH4-] 1.5 1.0 2.0 25 12 1)"
expect_error "invalid ligand SMILES" 3 "$B" "row 4" "ligand_smiles" "C1CC" -- "$B"
mk "$B" "$(row BAD OC\(=O\)CCS O not_a_smiles 1.5 1.0 2.0 25 12 1)"
expect_error "invalid reductant SMILES" 3 "$B" "row 4" "reductant_smiles" "not_a_smiles" -- "$B"

# a reductant whose redox potential components.csv leaves empty
BORANE='CC(C)(C)[NH2+][BH3-]'
mk "$B" "$(row BAD OC\(=O\)CCS O "$BORANE" 1.5 1.0 2.0 25 12 1)"
# (the message names the component by its canonical SMILES and its name in
# components.csv, so check the name, not the spelling used in the recipe)
expect_error "empty redox potential" 3 "$B" "row 4" "column 'redox_potential_V'" "reductant" "borane-tert-butylamine complex" "$COMP" -- "$B" -c "$COMP"
# ... and the fix: a redox_potential_V column in the recipe file supplies it
# (rows that leave it empty still take components.csv)
{
  echo "$HEADER,redox_potential_V"
  echo "$GOOD1,"
  echo "$GOOD2,"
  echo "$(row FIX OC\(=O\)CCS O "$BORANE" 1.5 1.0 2.0 25 12 1),-0.95"
} >"$T/fix.csv"
run "$T/fix.csv" -c "$COMP"
ok
if [ "$rc" != 0 ]; then
  fail "redox_potential_V column did not fix the empty potential: exit $rc: $(cat "$T/err")"
else
  ok
  v=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { printf "%s=%s ", $1, $(c["redox_potential_V"]) }' "$T/out")
  [ "$v" = "R1=-1.24 R2=-1.24 FIX=-0.95 " ] || fail "redox_potential_V override: got '$v', want 'R1=-1.24 R2=-1.24 FIX=-0.95 '"
fi

# an empty required value
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] '' 1.0 2.0 25 12 1)"
expect_error "empty ligand_mM" 3 "$B" "row 4" "ligand_mM" "empty" -- "$B"
mk "$B" "$(row BAD '' O [Na+].[BH4-] 1.5 1.0 2.0 25 12 1)"
expect_error "empty ligand_smiles" 3 "$B" "row 4" "ligand_smiles" "empty" -- "$B"

# an outcome that is not 0/1
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 25 12 yes)"
expect_error "outcome yes" 3 "$B" "row 4" "outcome" "yes" -- "$B"
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 25 12 2)"
expect_error "outcome 2" 3 "$B" "row 4" "outcome" "'2'" -- "$B"

# a value with a newline inside (a quoted field): the message stays one line
printf '%s\n%s\n%s\n%s\n' "$HEADER" "$GOOD1" "$GOOD2" 'BAD,lig,OC(=O)CCS,solv,O,red,[Na+].[BH4-],1.5,1.0,2.0,25,12,"ye
s"' >"$B"
expect_error "outcome with a newline" 3 "$B" "row 4" "outcome" "ye" -- "$B"

# a row with too few fields; malformed quoting; NUL bytes
printf '%s\n%s\n%s\n%s\n' "$HEADER" "$GOOD1" "$GOOD2" 'BAD,lig,OC(=O)CCS' >"$B"
expect_error "short row" 3 "$B" "row 4" "fields" -- "$B"
printf '%s\n%s\n%s\n%s\n' "$HEADER" "$GOOD1" "$GOOD2" 'BAD,"li"g,OC(=O)CCS,solv,O,red,[Na+].[BH4-],1.5,1.0,2.0,25,12,1' >"$B"
expect_error "malformed quoting" 3 "$B" "row 4" "malformed" -- "$B"
{ printf '%s\n%s\n' "$HEADER" "$GOOD1"; printf 'R\000X\n'; } >"$B"
expect_error "NUL bytes" 3 "$B" "NUL" -- "$B"

# errors in the components table are data errors naming that file
printf 'name,smiles,role,dielectric_constant,redox_potential_V\nwater,O,solvent,eighty,\n' >"$T/badcomp.csv"
expect_error "bad components.csv number" 3 "$T/badcomp.csv" "row 2" "dielectric_constant" "eighty" -- "$DATA" -c "$T/badcomp.csv"

# I/O errors: exit 5
expect_error "nonexistent input" 5 "$T/no/such/recipes.csv" -- "$T/no/such/recipes.csv"
expect_error "nonexistent components" 5 "$T/no/components.csv" -- "$DATA" -c "$T/no/components.csv"
expect_error "unwritable output" 5 "$T/no/dir/out.csv" -- "$DATA" -o "$T/no/dir/out.csv"

# usage errors: exit 2
expect_error "unknown option" 2 "--bogus" -- "$DATA" --bogus
expect_error "no RECIPES" 2 "usage" --
expect_error "two RECIPES" 2 "$DATA" -- "$DATA" "$DATA"
expect_error "--ph-missing out of range" 2 "--ph-missing" "20" -- "$DATA" --ph-missing 20
expect_error "--output without value" 2 "--output" -- "$DATA" --output

# on an error, -o FILE leaves no file and no temporary file behind
mk "$B" "$(row BAD OC\(=O\)CCS O [Na+].[BH4-] 1.5 1.0 2.0 25 15 1)"
mkdir -p "$T/outdir"
expect_error "error with -o" 3 "$B" "row 4" "pH" -- "$B" -o "$T/outdir/feat.csv"
ok
[ -z "$(ls -A "$T/outdir")" ] || fail "error with -o FILE left files behind: $(ls -A "$T/outdir")"
# ... and an existing output file is left as it was
echo "previous content" >"$T/outdir/keep.csv"
expect_error "error with -o over an existing file" 3 "$B" "row 4" -- "$B" --json -o "$T/outdir/keep.csv"
ok
[ "$(cat "$T/outdir/keep.csv")" = "previous content" ] || fail "error with -o over an existing file changed it"
ok
[ "$(ls -A "$T/outdir")" = keep.csv ] || fail "error with -o over an existing file left files behind: $(ls -A "$T/outdir")"

if [ "$nfail" -gt 0 ]; then
  echo "cli_featurize: $nfail of $ncheck checks failed" >&2
  exit 1
fi
echo "cli_featurize: all $ncheck checks passed"
exit 0
