#!/usr/bin/env bash
# Honest evaluation from the command line: grouped cross-validation
# (leave-one-group-out checked against hand-computed prior probabilities),
# the eight-row table with its baselines and metrics, n/a spreads, the
# reliability diagram, the prior and rf baselines through every model
# command, and calibrated probabilities from train --ensemble.
# usage: bash tests/cli_evaluation.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_evaluation.sh /path/to/auclust}
DATA=data/au_nc_recipes.csv
. "$(dirname "$0")/lib.sh"

# expect_err NAME CODE CMD...: exit CODE and exactly one line on stderr
expect_err() {
  local name=$1 code=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ $rc -eq "$code" ] || fail "$name: exit $rc, expected $code: $(head -c 300 "$T/err")"
  [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^auclust cv' "$T/err" || fail "$name: stderr is not one 'auclust cv' line: $(cat "$T/err")"
}

# unquote CSV FILE: quoted fields emptied, so awk -F, counts columns right
unquote() { sed 's/"[^"]*"//g' "$1"; }
# xml_ok FILE: well-formed (xmllint; skipped without it)
xml_ok() { ! command -v xmllint >/dev/null 2>&1 || xmllint --noout "$1" 2>/dev/null; }

ROWS=$(($(wc -l <"$DATA") - 1))
SMALL=(--set epochs=2 --set steps_per_epoch=4 --set rf_trees=40)

# a lab_batch column: three batches dealt round-robin over the rows
awk 'NR == 1 { print $0 ",lab_batch"; next } { print $0 ",b" (NR - 2) % 3 }' "$DATA" >"$T/batched.csv"
cp data/components.csv "$T/components.csv"

# ---- leave-one-group-out: fold = batch, prior = the other batches' rate ---
run "cv logo prior" "$BIN" cv "$T/batched.csv" --model prior --group-by lab_batch --folds 0 --repeats 1 \
  --predictions "$T/logo.csv"
grep -q 'leave-one-group-out CV by lab_batch (3 groups' "$T/out" || fail "logo: header: $(head -1 "$T/out")"
[ "$(grep -cE '^[0-9]+ +[0-9]+ +[0-9.]+ +b[012]$' "$T/out")" -eq 3 ] || fail "logo: three per-group rows expected: $(cat "$T/out")"
head -1 "$T/logo.csv" | grep -q ',lab_batch,outcome,model,repeat,fold,p_success$' ||
  fail "logo --predictions header lacks the group: $(head -1 "$T/logo.csv")"
[ $(($(wc -l <"$T/logo.csv") - 1)) -eq "$ROWS" ] || fail "logo --predictions: one row per recipe expected"
awk -F, 'NR > 1 { b = $(NF-5); y = $(NF-4); f = $(NF-1); p[NR] = $NF; bb[NR] = b
                 n[b]++; s[b] += y; N++; S += y
                 if (b in fold && fold[b] != f) split_ = 1; fold[b] = f; if (!(f in seen)) nf++; seen[f] = 1 }
     END { bad = split_ || nf != 3
           for (i in p) { want = (S - s[bb[i]]) / (N - n[bb[i]]); if (p[i] - want > 1e-6 || want - p[i] > 1e-6) bad = 1 }
           exit bad }' "$T/logo.csv" || fail "logo: folds are not the batches, or prior p is not the other batches' success rate"

# ---- two grouped folds of three batches: no batch split ---------------------
run "cv grouped 2 folds" "$BIN" cv "$T/batched.csv" --model prior --group-by lab_batch --folds 2 --repeats 2 \
  --predictions "$T/g2.csv"
grep -q '2-fold CV grouped by lab_batch (3 groups)' "$T/out" || fail "grouped 2-fold header: $(head -1 "$T/out")"
awk -F, 'NR > 1 { k = $(NF-2) SUBSEP $(NF-5); if (k in f && f[k] != $(NF-1)) bad = 1; f[k] = $(NF-1)
                  if ($(NF-1) < 1 || $(NF-1) > 2) bad = 1 }
     END { exit bad }' "$T/g2.csv" || fail "grouped 2-fold: a batch was split over folds"

# ---- errors -----------------------------------------------------------------
expect_err "--group-by unknown column" 3 "$BIN" cv "$T/batched.csv" --model prior --group-by nosuch
expect_err "--folds 0 without --group-by" 2 "$BIN" cv "$DATA" --model prior --folds 0
expect_err "more folds than groups" 2 "$BIN" cv "$T/batched.csv" --model prior --group-by lab_batch --folds 4
awk -F, 'NR == 3 { sub(/,b[012]$/, ",") } { print }' "$T/batched.csv" >"$T/hole.csv"
expect_err "empty group cell" 3 "$BIN" cv "$T/hole.csv" --model prior --group-by lab_batch --components "$T/components.csv"
expect_err "--reliability .png" 2 "$BIN" cv "$DATA" --model prior --reliability "$T/r.png"
expect_err "--ensemble 1" 2 "$BIN" cv "$DATA" --model prior --ensemble 1

# ---- the eight-row table: six models, a separator, two baselines -------------
run "cv --model all" "$BIN" cv "$DATA" --model all --folds 3 --repeats 2 "${SMALL[@]}" --reliability "$T/rel.svg" --json
if command -v jq >/dev/null 2>&1; then
  jq -e '(.models | length) == 8 and ([.models[].model] == ["gcnn_snn","gcnn_dnn","gcnn_svm","snn","dnn","svm","prior","rf"])
         and ([.models[] | .roc_auc.mean, .brier_skill.mean, .ece.mean | type == "number"] | all)
         and ([.models[] | .accuracy.std | type == "number"] | all)
         and (.models[6].brier_skill.mean == 0) and .models[6].baseline and (.models[0].baseline | not)' "$T/out" >/dev/null ||
    fail "cv --model all --json: $(head -c 600 "$T/out")"
fi
run "cv --model all table" "$BIN" cv "$DATA" --model all --folds 3 --repeats 2 "${SMALL[@]}"
for h in "ROC AUC" "Brier skill" "ECE" "log loss"; do grep -q "$h" "$T/out" || fail "table lacks '$h'"; done
awk '/^model /{t = 1; next} t && NF { print }' "$T/out" | head -9 >"$T/rows"
[ "$(wc -l <"$T/rows")" -eq 9 ] || fail "table: 8 model rows and a separator expected: $(cat "$T/out")"
sed -n 7p "$T/rows" | grep -q 'baselines' || fail "table: the separator is not between SVM and the baselines: $(cat "$T/rows")"
sed -n 8p "$T/rows" | grep -q '^prior .*0\.000 ± 0\.000' || fail "table: prior row (Brier skill 0): $(sed -n 8p "$T/rows")"
sed -n 9p "$T/rows" | grep -q '^RF ' || fail "table: RF row last: $(sed -n 9p "$T/rows")"
if [ -s "$T/rel.svg" ]; then
  xml_ok "$T/rel.svg" || fail "reliability SVG is not well-formed XML"
  [ "$(grep -o 'class="panel"' "$T/rel.svg" | wc -l)" -eq 8 ] || fail "reliability SVG: one panel per model expected"
  grep -q 'class="diagonal"' "$T/rel.svg" || fail "reliability SVG: no diagonal"
else
  fail "--reliability wrote nothing"
fi
no_leftovers "cv --reliability" "$T"

# one repeat: the spread is n/a, never a fake 0
run "cv --repeats 1" "$BIN" cv "$DATA" --model rf --repeats 1 "${SMALL[@]}"
grep -q '± n/a' "$T/out" || fail "--repeats 1: spread should be n/a: $(cat "$T/out")"
grep -q '± [0-9]' "$T/out" && fail "--repeats 1: a numeric spread printed: $(cat "$T/out")"
grep -q '5 repeats' <("$BIN" cv "$DATA" --model prior 2>/dev/null) || fail "cv: 5 repeats should be the default"

# ---- the baselines through train / predict / heatmap / distill / suggest ------
run "train prior" "$BIN" train "$DATA" --model prior -o "$T/prior.json"
run "predict prior" "$BIN" predict "$T/prior.json" "$DATA"
rate=$(unquote "$DATA" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "outcome") c = i; next } { s += $c; n++ } END { printf "%.4f", s / n }')
unquote "$T/out" | awk -F, -v r="$rate" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p_success") c = i; next } $c != r { bad = 1 } END { exit bad || !c }' ||
  fail "prior: every p_success should be the base rate $rate"
grep -q 'no calibration' "$T/err" || fail "predict: an uncalibrated model should say so: $(cat "$T/err")"
run "train rf" "$BIN" train "$DATA" --model rf --ensemble 3 --set rf_trees=60 --seed 3 -j 1 -o "$T/rf1.json"
run "train rf -j 2" "$BIN" train "$DATA" --model rf --ensemble 3 --set rf_trees=60 --seed 3 -j 2 -o "$T/rf2.json"
cmp -s "$T/rf1.json" "$T/rf2.json" || fail "rf: model differs between -j 1 and -j 2"
run "train rf seed 4" "$BIN" train "$DATA" --model rf --ensemble 3 --set rf_trees=60 --seed 4 -o "$T/rf3.json"
cmp -s "$T/rf1.json" "$T/rf3.json" && fail "rf: another seed gave the same model"
grep -q '"forest"' "$T/rf1.json" || fail "rf model file holds no forest"
run "predict rf" "$BIN" predict "$T/rf1.json" "$DATA"
unquote "$T/out" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p_success") c = i; next } $c < 0 || $c > 1 { bad = 1 } END { exit bad || !c }' ||
  fail "predict rf: p_success outside [0, 1]"
run "heatmap rf" "$BIN" heatmap "$T/rf1.json" --base A01 --grid 12 -o "$T/rf_map.csv"
run "distill rf" "$BIN" distill "$T/rf1.json" "$DATA" --samples 300 --test 100 -o "$T/rf_tree.txt"
run "suggest rf" "$BIN" suggest "$T/rf1.json" --ligand 'OC(=O)CCCCCS' --solvent O --reductant '[Na+].[BH4-]' -n 200

# ---- calibration: stored by train --ensemble, used by default ------------------
run "train --ensemble 3" "$BIN" train "$DATA" --model snn --ensemble 3 --set epochs=3 -o "$T/ens.json"
grep -q '"calibration":{"method":"platt","a_b":\[' "$T/ens.json" || fail "ensemble model without calibration"
run "predict calibrated" "$BIN" predict "$T/ens.json" "$DATA" && cp "$T/out" "$T/cal.csv"
grep -Eq 'Platt-calibrated on the ensemble.s '"$ROWS"' out-of-fold|ensemble.s '"$ROWS"' out-of-fold predictions rank the recipes worse than chance' "$T/err" ||
  fail "predict: does not say it is calibrated: $(cat "$T/err")"
# a slope of 0 (out-of-fold predictions ranked worse than chance, calib.h): every probability is
# the base rate sigmoid(b), and stderr says so
sed -E 's/"a_b":\[[^]]*\]/"a_b":[0,0.5]/' "$T/ens.json" >"$T/ens0.json"
run "predict, slope 0" "$BIN" predict "$T/ens0.json" "$DATA" -o "$T/cal0.csv"
grep -q 'worse than chance, so its calibrated probability is the base rate, 0.622, for every recipe' "$T/err" ||
  fail "predict, slope 0: no base-rate note: $(cat "$T/err")"
[ "$(grep -c ',0\.6225,0\.0000,1,' "$T/cal0.csv")" -eq "$ROWS" ] ||
  fail "predict, slope 0: p_success is not sigmoid(0.5) = 0.6225 for every recipe"
run "suggest, slope 0" "$BIN" suggest "$T/ens0.json" --ligand NCCS --solvent O --reductant '[Na+].[BH4-]' -n 300 --top 3 -o "$T/s0.csv"
grep -q 'note: the 3 suggestions all get p_success 0.622: the model cannot rank them' "$T/err" ||
  fail "suggest, slope 0: no note that every suggestion gets the same p: $(cat "$T/err")"
run "predict --uncalibrated" "$BIN" predict "$T/ens.json" "$DATA" --uncalibrated && cp "$T/out" "$T/raw.csv"
grep -q 'uncalibrated' "$T/err" || fail "predict --uncalibrated does not say so"
cmp -s "$T/cal.csv" "$T/raw.csv" && fail "calibrated and raw predictions are identical"
run "heatmap --uncalibrated" "$BIN" heatmap "$T/ens.json" --base A01 --grid 8 --uncalibrated -o "$T/raw_map.csv"
run "cv --ensemble 2" "$BIN" cv "$DATA" --model prior --folds 3 --repeats 1 --ensemble 2
grep -q 'calibrated 2-instance ensemble' "$T/out" || fail "cv --ensemble: header: $(head -1 "$T/out")"

echo "cli_evaluation: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
