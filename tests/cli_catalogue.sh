#!/usr/bin/env bash
# The catalogue of bad inputs (issue 12): for each, through the command
# line, the documented exit code, exactly one stderr line starting
# `auclust CMD:`, nothing written at -o when it did not exist, and a
# pre-existing output file left byte for byte unchanged.
# Usage (from the repository root): bash tests/cli_catalogue.sh /path/to/auclust
set -u
BIN=${1:?usage: bash tests/cli_catalogue.sh /path/to/auclust}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
DATA=data/au_nc_recipes.csv
NCASES=0

# bad NAME CODE CMD ARGS... ; @OUT@ in ARGS is the output path
bad() {
  local name=$1 code=$2 cmd=$3; shift 3
  local pass out args a rc
  NCASES=$((NCASES + 1))
  for pass in absent present; do
    out=$T/out_$NCASES.csv
    rm -f "$out"
    [ $pass = present ] && printf 'precious\n' >"$out"
    args=()
    for a in "$@"; do args+=("${a//@OUT@/$out}"); done
    timeout 60 "$BIN" "$cmd" "${args[@]}" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    [ "$rc" = "$code" ] || { fail "$name: exit $rc, want $code; stderr: $(head -c 300 "$T/stderr")"; return; }
    if [ "$(wc -l <"$T/stderr")" != 1 ] || ! grep -q "^auclust $cmd: " "$T/stderr"; then
      fail "$name: stderr is not one line 'auclust $cmd: ...':"; head -3 "$T/stderr" | sed 's/^/    | /' >&2; return
    fi
    if [ $pass = absent ]; then [ -e "$out" ] && { fail "$name: created $out"; return; }
    else [ "$(cat "$out")" = precious ] || { fail "$name: changed the existing $out"; return; }; fi
  done
  no_leftovers "$name" "$T"
}

H='id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome'
R='a,OC(=O)CCCCCS,O,[Na+].[BH4-],1,1,2,25,12,1'
mk() { local f=$T/$1; shift; printf '%s\n' "$@" >"$f"; echo "$f"; }

# ---- recipe CSVs (featurize: exit 3; unreadable: 5)
bad "missing column" 3 featurize "$(mk c1.csv 'id,ligand_smiles,solvent_smiles,ligand_mM' 'a,CCS,O,1')" -o @OUT@
bad "duplicate column" 3 featurize "$(mk c2.csv "$H,pH" "$R,7")" -o @OUT@
bad "NaN value" 3 featurize "$(mk c3.csv "$H" 'a,CCS,O,[Na+].[BH4-],nan,1,2,25,12,1')" -o @OUT@
bad "inf value" 3 featurize "$(mk c4.csv "$H" 'a,CCS,O,[Na+].[BH4-],1,inf,2,25,12,1')" -o @OUT@
bad "negative concentration" 3 featurize "$(mk c5.csv "$H" 'a,CCS,O,[Na+].[BH4-],-1,1,2,25,12,1')" -o @OUT@
bad "1e308 concentration" 3 featurize "$(mk c6.csv "$H" 'a,CCS,O,[Na+].[BH4-],1e308,1,2,25,12,1')" -o @OUT@
bad "1e308 override" 3 featurize "$(mk c7.csv "$H,ligand_tpsa" "$R,1e308")" -o @OUT@
bad "pH 15" 3 featurize "$(mk c8.csv "$H" 'a,CCS,O,[Na+].[BH4-],1,1,2,25,15,1')" -o @OUT@
: >"$T/empty.csv"
bad "empty file" 3 featurize "$T/empty.csv" -o @OUT@
bad "header only" 3 featurize "$(mk c9.csv "$H")" -o @OUT@
printf '\xef\xbb\xbf' >"$T/bom.csv"
bad "BOM only" 3 featurize "$T/bom.csv" -o @OUT@
head -c 4096 /dev/urandom >"$T/garbage.csv"; printf '\0' >>"$T/garbage.csv"
bad "binary garbage" 3 featurize "$T/garbage.csv" -o @OUT@
{ printf '%s\n' "$H"; printf 'a,CCS\0,O,[Na+].[BH4-],1,1,2,25,12,1\n'; } >"$T/nul.csv"
bad "NUL byte" 3 featurize "$T/nul.csv" -o @OUT@
bad "invalid UTF-8 in a SMILES" 3 featurize "$(mk c10.csv "$H" $'a,CC\xff\xfeS,O,[Na+].[BH4-],1,1,2,25,12,1')" -o @OUT@
bad "space inside a SMILES" 3 featurize "$(mk c11.csv "$H" 'a,OC(=O)CC CCCS,O,[Na+].[BH4-],1,1,2,25,12,1')" -o @OUT@
bad "bond of order 0" 3 featurize "$(mk c12.csv "$H" 'a,NC:S,O,[Na+].[BH4-],1,1,2,25,12,1')" -o @OUT@
bad "canonical form unreadable" 3 featurize "$(mk c13.csv "$H" 'a,CCS,c1$ccc1S,[Na+].[BH4-],1,1,2,25,12,1')" -o @OUT@
bad "unparsable SMILES" 3 featurize "$(mk c14.csv "$H" 'a,C1CC,O,[Na+].[BH4-],1,1,2,25,12,1')" -o @OUT@
bad "molecule over the atom cap" 3 featurize "$(mk c15.csv "$H" "a,$(head -c 3000 /dev/zero | tr '\0' C)S,O,[Na+].[BH4-],1,1,2,25,12,1")" -o @OUT@
bad "row with extra fields" 3 featurize "$(mk c16.csv "$H" "$R,9")" -o @OUT@
bad "unterminated quote" 3 featurize "$(mk c17.csv "$H" "a,\"CCS,O,[Na+].[BH4-],1,1,2,25,12,1")" -o @OUT@
bad "outcome 2" 3 train "$(mk c18.csv "$H" 'a,CCS,O,[Na+].[BH4-],1,1,2,25,12,2' "$R")" -o @OUT@
bad "/dev/zero as recipes" 3 featurize /dev/zero -o @OUT@
bad "directory as recipes" 5 featurize "$T" -o @OUT@
bad "missing recipes file" 5 featurize "$T/nonexistent.csv" -o @OUT@
bad "components 1e308 dielectric" 3 featurize "$DATA" --components "$(mk comp.csv 'name,smiles,role,dielectric_constant,redox_potential_V' 'water,O,solvent,1e308,')" -o @OUT@

# ---- outputs (exit 5)
bad "unwritable output" 5 featurize "$DATA" -o "$T/no/such/dir/out.csv"
mkdir -p "$T/outdir"
bad "output path a directory" 5 featurize "$DATA" -o "$T/outdir"

# ---- model files (predict: exit 4)
"$BIN" train "$DATA" --model snn --set epochs=1 --set steps_per_epoch=2 -o "$T/m.json" 2>/dev/null || fail "train a model"
M=$T/m.json
head -c $(($(wc -c <"$M") / 2)) "$M" >"$T/trunc.json"
bad "truncated model" 4 predict "$T/trunc.json" "$DATA" -o @OUT@
python_free_flip() { # flip one byte in the middle of the weights: a digit becomes a letter
  local n; n=$(wc -c <"$M")
  { head -c $((n * 3 / 4)) "$M"; printf 'Z'; tail -c +$((n * 3 / 4 + 2)) "$M"; } >"$T/flip.json"
}
python_free_flip
bad "bit-flipped model" 4 predict "$T/flip.json" "$DATA" -o @OUT@
sed 's/"version":1,/"version":99,/' "$M" >"$T/ver.json"
bad "wrong version" 4 predict "$T/ver.json" "$DATA" -o @OUT@
sed 's/"kind":"snn"/"kind":"telepathy"/' "$M" >"$T/kind.json"
bad "wrong kind" 4 predict "$T/kind.json" "$DATA" -o @OUT@
sed 's/"kind":"snn"/"kind":"dnn"/' "$M" >"$T/kind2.json"
bad "kind that does not fit the tensors" 4 predict "$T/kind2.json" "$DATA" -o @OUT@
sed '0,/"shape":\[/s//"shape":[7/' "$M" >"$T/shape.json" # the first tensor: [17,30] -> [717,30]
cmp -s "$M" "$T/shape.json" && fail "could not edit a shape"
bad "shape mismatch" 4 predict "$T/shape.json" "$DATA" -o @OUT@
sed '0,/"shape":\[[0-9]*,[0-9]*\]/s//"shape":[1048576,1048576]/' "$M" >"$T/huge.json"
cmp -s "$M" "$T/huge.json" && fail "could not edit a shape to a huge one"
bad "huge array claim" 4 predict "$T/huge.json" "$DATA" -o @OUT@
{ head -c 100000 /dev/zero | tr '\0' '['; } >"$T/deep.json"
bad "deeply nested JSON model" 4 predict "$T/deep.json" "$DATA" -o @OUT@
bad "empty model file" 4 predict "$T/empty.csv" "$DATA" -o @OUT@
bad "/dev/zero as model" 4 predict /dev/zero "$DATA" -o @OUT@
bad "missing model" 5 predict "$T/nonexistent.json" "$DATA" -o @OUT@
bad "bad recipes for a model" 3 predict "$M" "$T/c3.csv" -o @OUT@

# ---- hyperparameters (exit 2), spaces and bounds (exit 3)
bad "deeply nested hparams" 2 train "$DATA" --hparams "$T/deep.json" -o @OUT@
bad "hparams not JSON" 2 train "$DATA" --hparams "$T/garbage.csv" -o @OUT@
bad "hparams out of range" 2 train "$DATA" --hparams "$(mk hp.json '{"epochs": 1e308}')" -o @OUT@
bad "hparams /dev/zero" 2 train "$DATA" --hparams /dev/zero -o @OUT@
bad "space with inverted bounds" 3 tune "$DATA" --space "$(mk sp.json '[{"name":"epochs","type":"int","low":50,"high":10}]')" -o @OUT@
bad "space deeply nested" 3 tune "$DATA" --space "$T/deep.json" -o @OUT@
bad "bounds 1e308" 3 suggest "$M" --ligand CCS --solvent O --reductant '[Na+].[BH4-]' --bounds "$(mk b.json '{"pH": [7, 1e308]}')" -o @OUT@
bad "bounds not an object" 3 suggest "$M" --ligand CCS --solvent O --reductant '[Na+].[BH4-]' --bounds "$(mk b2.json '[7, 14]')" -o @OUT@

# ---- command line (exit 2)
bad "candidates beyond the cap" 2 suggest "$M" --ligand CCS --solvent O --reductant '[Na+].[BH4-]' --candidates 100000000 -o @OUT@
bad "space in --ligand" 2 suggest "$M" --ligand 'CC S' --solvent O --reductant '[Na+].[BH4-]' -o @OUT@
bad "5-D grid beyond the cap" 2 heatmap "$M" --base A01 --grid5d --levels 100 --inner 4 -o @OUT@
bad "distill samples beyond the cap" 2 distill "$M" "$DATA" --samples 10000000 -o @OUT@
bad "unknown option" 2 featurize "$DATA" --frobnicate -o @OUT@

echo "cli_catalogue: $NCASES bad inputs, $FAILS failure(s)"
[ "$FAILS" = 0 ]
