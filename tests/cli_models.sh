#!/usr/bin/env bash
# auclust train / predict / cv from the command line: outputs, determinism
# across seeds and thread counts, and one-line errors with the documented
# exit codes (2 usage, 3 data, 4 model file, 5 I/O).
# usage: bash tests/cli_models.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_models.sh /path/to/auclust}
DATA=data/au_nc_recipes.csv
COMPS=data/components.csv
. "$(dirname "$0")/lib.sh"

# expect_err NAME CODE CMD...: exit CODE, exactly one line on stderr
# starting with "auclust", nothing on stdout
expect_err() {
  local name=$1 code=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  local lines; lines=$(wc -l <"$T/err")
  if [ $rc -ne "$code" ]; then
    fail "$name: exit $rc, expected $code; stderr: $(head -c 400 "$T/err")"
  elif [ "$lines" -ne 1 ] || [ -n "$(tail -c 1 "$T/err")" ]; then
    fail "$name: stderr should be exactly one line, got $lines: $(head -c 400 "$T/err")"
  elif ! grep -q '^auclust' "$T/err"; then
    fail "$name: stderr does not start with 'auclust': $(cat "$T/err")"
  elif [ -s "$T/out" ] && [ "$code" -ne 0 ]; then
    fail "$name: printed to stdout on error: $(head -c 200 "$T/out")"
  fi
}



ROWS=$(($(wc -l <"$DATA") - 1))
[ "$ROWS" -ge 20 ] || fail "bundled data: expected at least 20 recipes, found $ROWS"

# ---- train -------------------------------------------------------------------
M="$T/m.json"
run "train --ensemble 3" "$BIN" train "$DATA" --set epochs=5 --ensemble 3 --seed 7 -j 2 -o "$M"
[ -s "$M" ] || fail "train did not write $M"
no_leftovers "train" "$T"
grep -q '"format":"auclust-model"' "$M" || fail "model file lacks its format tag"
grep -q '"ensemble_folds":3' "$M" || fail "model file does not record the 3-fold ensemble"
grep -q '"epochs":5' "$M" || fail "model file does not record epochs=5"

# --profile: the fastest epoch's rate. Each epoch's steps are timed inside the
# steps' own interval and their flops add up to the total, so the work at the
# fastest rate can never take longer than the steps did (no timing is asserted).
run "train --profile" "$BIN" train "$DATA" --set epochs=4 --seed 3 -j 1 --profile -o "$T/prof.json"
if grep -q 'fastest epoch' "$T/err"; then
  awk '/steps alone:/ { for (i = 1; i <= NF; i++) if ($i == "alone:") cpu = $(i + 1) }
       /fastest epoch/ { at = $18; pct = $7 }
       END { exit !(at > 0 && pct > 0 && at <= cpu * (1 + 1e-9) + 1e-6) }' "$T/err" ||
    fail "train --profile: fastest-epoch figures inconsistent: $(grep -E 'alone|fastest' "$T/err")"
else
  fail "train --profile: no fastest-epoch line: $(head -c 400 "$T/err")"
fi

# ---- predict on the bundled data ---------------------------------------------
# check_pred NAME FILE NROWS K: header + NROWS rows; p_success in [0,1],
# p_std >= 0, predicted = (p_success > 0.5), then nearest_ligand,
# ligand_similarity (0..1) and domain;
# with K > 0 the last K columns are p_1..p_K and p_success is their mean
# (to the printed 4 decimals).
check_pred() {
  local name=$1 f=$2 n=$3 k=$4
  local got=$(($(wc -l <"$f") - 1))
  [ "$got" -eq "$n" ] || fail "$name: $got rows, expected $n"
  awk -F, -v k="$k" -v name="$name" '
    NR == 1 {
      ps = NF - 5 - k
      if ($ps != "p_success" || $(ps + 1) != "p_std" || $(ps + 2) != "predicted" || $(ps + 3) != "nearest_ligand" ||
          $(ps + 4) != "ligand_similarity" || $(ps + 5) != "domain") { print name ": bad header: " $0; bad = 1 }
      for (i = 1; i <= k; i++) if ($(ps + 5 + i) != "p_" i) { print name ": column p_" i " missing: " $0; bad = 1 }
      next
    }
    {
      ps = NF - 5 - k; p = $ps; sd = $(ps + 1); pr = $(ps + 2); sim = $(ps + 4)
      if ($(ps + 3) == "") { print name ": row " NR - 1 ": no nearest_ligand"; bad = 1 }
      if (sim !~ /^[0-9.]+$/ || sim < 0 || sim > 1) { print name ": row " NR - 1 ": ligand_similarity " sim; bad = 1 }
      if ($(ps + 5) !~ /^[a-zA-Z_;0-9().=]*$/) { print name ": row " NR - 1 ": domain " $(ps + 5); bad = 1 }
      if (p !~ /^[0-9.]+$/ || p < 0 || p > 1) { print name ": row " NR - 1 ": p_success " p; bad = 1 }
      if (sd !~ /^[0-9.]+$/ || sd < 0) { print name ": row " NR - 1 ": p_std " sd; bad = 1 }
      if (pr != (p > 0.5 ? 1 : 0)) { print name ": row " NR - 1 ": predicted " pr " for p " p; bad = 1 }
      if (k > 0) {
        s = 0
        for (i = 1; i <= k; i++) {
          q = $(ps + 5 + i)
          if (q < 0 || q > 1) { print name ": row " NR - 1 ": p_" i " " q; bad = 1 }
          s += q
        }
        if ((s / k - p) > 0.00011 || (p - s / k) > 0.00011) { print name ": row " NR - 1 ": p_success " p " is not the mean " s / k; bad = 1 }
      }
    }
    END { exit bad }' "$f" >&2 || fail "$name: output checks failed (see above)"
}

if run "predict" "$BIN" predict "$M" "$DATA"; then
  cp "$T/out" "$T/pred.csv"
  head -1 "$T/pred.csv" | grep -q '^id,.*,outcome,p_success,p_std,predicted,nearest_ligand,ligand_similarity,domain$' ||
    fail "predict header: $(head -1 "$T/pred.csv")"
  check_pred "predict" "$T/pred.csv" "$ROWS" 0
  # the outcome column is the recipes' (when the first 13 columns are unquoted)
  cut -d, -f1-13 "$DATA" | grep -q '"' ||
  paste -d' ' <(tail -n +2 "$T/pred.csv" | awk -F, '{print $(NF-6)}') \
    <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "outcome") c = i; next } { print $c }' "$DATA") |
    awk '$1 != $2 { bad = 1 } END { exit bad }' || fail "predict: outcome column differs from the recipes'"
fi
if run "predict --individual" "$BIN" predict "$M" "$DATA" --individual; then
  cp "$T/out" "$T/pred_ind.csv"
  check_pred "predict --individual" "$T/pred_ind.csv" "$ROWS" 3
  # same p_success/p_std/predicted as without --individual
  cmp -s <(cut -d, -f1 "$T/pred.csv"; awk -F, '{print $(NF-5), $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF}' "$T/pred.csv") \
         <(cut -d, -f1 "$T/pred_ind.csv"; awk -F, '{print $(NF-8), $(NF-7), $(NF-6), $(NF-5), $(NF-4), $(NF-3)}' "$T/pred_ind.csv") ||
    fail "predict --individual changes p_success/p_std/predicted"
fi
# -o writes the same as stdout
run "predict -o" "$BIN" predict "$M" "$DATA" -o "$T/pred_o.csv" && { cmp -s "$T/pred.csv" "$T/pred_o.csv" || fail "predict -o differs from stdout"; }

# recipes without an outcome column; cysteamine (not in the training data)
# needs only its SMILES; an empty pH (organic solvent, methanol) is allowed
NEW="$T/new.csv"
cat >"$NEW" <<'EOF'
id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH
cysteamine,NCCS,O,[Na+].[BH4-],1.5,1.0,2.0,25,12
mpa,OC(=O)CCS,O,[Na+].[BH4-],1.5,1.0,2.0,25,12
cold,NCCS,CO,[Na+].[BH4-],3.0,1.0,5.0,0,
EOF
grep -q 'NCCS,' "$DATA" && fail "test premise: cysteamine is in the training data"
if run "predict (no outcome, unseen ligand)" "$BIN" predict "$M" "$NEW"; then
  cp "$T/out" "$T/new_pred.csv"
  [ "$(head -1 "$T/new_pred.csv")" = "id,p_success,p_std,predicted,nearest_ligand,ligand_similarity,domain" ] ||
    fail "predict without outcome: header $(head -1 "$T/new_pred.csv")"
  check_pred "predict (no outcome)" "$T/new_pred.csv" 3 0
  grep -q '^cysteamine,' "$T/new_pred.csv" || fail "predict: cysteamine row missing"
fi
# from stdin
run "predict from stdin" "$BIN" predict "$M" - <"$NEW" && { cmp -s "$T/out" "$T/new_pred.csv" || fail "predict from stdin differs"; }

# ---- determinism ---------------------------------------------------------------
run "train -j 1" "$BIN" train "$DATA" --set epochs=5 --ensemble 3 --seed 7 -j 1 -o "$T/m_j1.json"
run "train -j 2 again" "$BIN" train "$DATA" --set epochs=5 --ensemble 3 --seed 7 -j 2 -o "$T/m_j2.json"
cmp -s "$M" "$T/m_j1.json" || fail "same seed, -j 2 vs -j 1: model files differ"
cmp -s "$M" "$T/m_j2.json" || fail "same seed, -j 2 twice: model files differ"
run "train other seed" "$BIN" train "$DATA" --set epochs=5 --ensemble 3 --seed 8 -o "$T/m_s8.json"
cmp -s "$M" "$T/m_s8.json" && fail "seeds 7 and 8 give the same model file"
run "predict with the -j 1 model" "$BIN" predict "$T/m_j1.json" "$DATA" --individual &&
  { cmp -s "$T/out" "$T/pred_ind.csv" || fail "predictions of identical models differ"; }
# a single-fit model of another kind, also reproducible
run "train dnn" "$BIN" train "$DATA" --model dnn --set epochs=5 --seed 3 -o "$T/d1.json"
run "train dnn again" "$BIN" train "$DATA" --model dnn --set epochs=5 --seed 3 -j 1 -o "$T/d2.json"
cmp -s "$T/d1.json" "$T/d2.json" || fail "dnn: same seed, model files differ"
if run "predict dnn --individual" "$BIN" predict "$T/d1.json" "$DATA" --individual; then
  check_pred "predict dnn (one instance)" "$T/out" "$ROWS" 1
  awk -F, 'NR > 1 && $(NF-5) != "0.0000" { bad = 1 } END { exit bad }' "$T/out" ||
    fail "one instance: p_std should be 0"
fi

# ---- cv ---------------------------------------------------------------------------
CV=(cv "$DATA" --model snn --folds 5 --repeats 1 --set epochs=5 --seed 4)
if run "cv table" "$BIN" "${CV[@]}" -j 2; then
  grep -q '^5-fold stratified CV' "$T/out" || fail "cv table: no title line: $(head -1 "$T/out")"
  grep -q '^model .*accuracy.*F1.*MCC.*log loss.*Brier' "$T/out" || fail "cv table: no header row"
  grep -q '^SNN  .* ± ' "$T/out" || fail "cv table: no SNN row: $(cat "$T/out")"
fi
run "cv --json -j 1" "$BIN" "${CV[@]}" --json -j 1 --predictions "$T/oof1.csv" && cp "$T/out" "$T/cv1.json"
run "cv --json -j 2" "$BIN" "${CV[@]}" --json -j 2 --predictions "$T/oof2.csv" && cp "$T/out" "$T/cv2.json"
if [ -s "$T/cv1.json" ]; then
  json_ok "$T/cv1.json" || fail "cv --json is not valid JSON"
  for k in accuracy f1 mcc roc_auc log_loss brier brier_skill ece; do
    grep -q "\"$k\":" "$T/cv1.json" || fail "cv --json lacks $k"
  done
  if command -v jq >/dev/null 2>&1; then
    jq -e --argjson rows "$ROWS" '.folds == 5 and .recipes == $rows and (.models | length) == 1 and .models[0].model == "snn"
           and ([.models[0] | .accuracy, .f1, .mcc, .roc_auc, .log_loss, .brier, .brier_skill, .ece
                 | (.mean | type) == "number" and .std == null] | all)
           and (.models[0].accuracy.mean >= 0 and .models[0].accuracy.mean <= 1)
           and (.models[0].mcc.mean >= -1 and .models[0].mcc.mean <= 1)
           and (.models[0].hparams.epochs == 5)
           and ([.models[0].confusion_mean[]] | add) == $rows' "$T/cv1.json" >/dev/null ||
      fail "cv --json content: $(cat "$T/cv1.json")"
  fi
  cmp -s "$T/cv1.json" "$T/cv2.json" || fail "cv --json differs between -j 1 and -j 2"
fi
if [ -s "$T/oof1.csv" ]; then
  head -1 "$T/oof1.csv" | grep -q '^id,.*,outcome,model,repeat,fold,p_success$' ||
    fail "cv --predictions header: $(head -1 "$T/oof1.csv")"
  [ $(($(wc -l <"$T/oof1.csv") - 1)) -eq "$ROWS" ] || fail "cv --predictions: expected $ROWS rows"
  awk -F, 'NR > 1 {
      if ($NF < 0 || $NF > 1 || $(NF-1) < 1 || $(NF-1) > 5 || $(NF-3) != "snn" || $(NF-2) != 1) bad = 1
      n[$(NF-1)]++ }
    END { for (f = 1; f <= 5; f++) if (n[f] < 6 || n[f] > 7) bad = 1; exit bad }' "$T/oof1.csv" ||
    fail "cv --predictions: probabilities, folds (5 of 6-7 rows) or model column wrong"
  cmp -s "$T/oof1.csv" "$T/oof2.csv" || fail "cv --predictions differs between -j 1 and -j 2"
else
  fail "cv --predictions wrote nothing"
fi
no_leftovers "cv" "$T"
# the table's numbers are the JSON's
if [ -s "$T/cv1.json" ] && command -v jq >/dev/null 2>&1; then
  acc=$(jq -r '.models[0].accuracy.mean * 1000 | round / 1000' "$T/cv1.json")
  run "cv table -j 1" "$BIN" "${CV[@]}" -j 1 &&
    { awk -v a="$acc" '/^SNN/ { split($2, x, " "); if (x[1] - a > 0.0005 || a - x[1] > 0.0005) bad = 1; seen = 1 }
        END { exit bad || !seen }' "$T/out" || fail "cv table accuracy differs from --json ($acc)"; }
fi

# ---- errors: bad model files (exit 4) ----------------------------------------
SIZE=$(wc -c <"$M")
printf '\x00\x01garbage\xfe\xff{{{"format"' >"$T/garbage.json"
expect_err "predict: garbage model" 4 "$BIN" predict "$T/garbage.json" "$DATA"
cp "$M" "$T/holes.json"
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' | dd of="$T/holes.json" bs=1 seek=$((SIZE / 2)) conv=notrunc status=none
expect_err "predict: model with garbage in the middle" 4 "$BIN" predict "$T/holes.json" "$DATA"
head -c $((SIZE / 2)) "$M" >"$T/trunc.json"
expect_err "predict: truncated model (half)" 4 "$BIN" predict "$T/trunc.json" "$DATA"
head -c $((SIZE - 3)) "$M" >"$T/trunc2.json"
expect_err "predict: truncated model (last bytes)" 4 "$BIN" predict "$T/trunc2.json" "$DATA"
: >"$T/empty.json"
expect_err "predict: empty model file" 4 "$BIN" predict "$T/empty.json" "$DATA"
sed -E 's/("name":"head\.dense0\.W","shape":\[)[0-9]+/\1999/' "$M" >"$T/shape.json"
cmp -s "$M" "$T/shape.json" && fail "test premise: sed did not change a shape"
expect_err "predict: edited tensor shape" 4 "$BIN" predict "$T/shape.json" "$DATA"
grep -q 'shape' "$T/err" || fail "edited shape: message does not mention the shape: $(cat "$T/err")"
sed -E 's/"hidden_layers":\[30\]/"hidden_layers":[31]/' "$M" >"$T/hp.json"
cmp -s "$M" "$T/hp.json" && fail "test premise: sed did not change hidden_layers"
expect_err "predict: hyperparameters disagree with tensors" 4 "$BIN" predict "$T/hp.json" "$DATA"
sed 's/"version":1,/"version":2,/' "$M" >"$T/version.json"
cmp -s "$M" "$T/version.json" && fail "test premise: sed did not change the version"
expect_err "predict: wrong version" 4 "$BIN" predict "$T/version.json" "$DATA"
grep -q 'version' "$T/err" || fail "wrong version: message does not mention the version: $(cat "$T/err")"
sed 's/"format":"auclust-model"/"format":"something-else"/' "$M" >"$T/format.json"
expect_err "predict: not an auclust model" 4 "$BIN" predict "$T/format.json" "$DATA"
sed 's/"kind":"gcnn_snn"/"kind":"gcnn_svm"/' "$M" >"$T/kind.json"
cmp -s "$M" "$T/kind.json" && fail "test premise: sed did not change the kind"
expect_err "predict: wrong kind for the tensors" 4 "$BIN" predict "$T/kind.json" "$DATA"
expect_err "predict: a recipe CSV as the model" 4 "$BIN" predict "$DATA" "$DATA"

# components: water's dielectric constant differs from the model's
sed -E 's/^(water,O,solvent,)80\.1,/\178.4,/' "$COMPS" >"$T/comps.csv"
cmp -s "$COMPS" "$T/comps.csv" && fail "test premise: sed did not change water's dielectric constant"
expect_err "predict --components (water differs)" 4 "$BIN" predict "$M" "$DATA" --components "$T/comps.csv"
grep -q "water" "$T/err" || fail "components mismatch: message does not name water: $(cat "$T/err")"
run "predict --components (same table)" "$BIN" predict "$M" "$DATA" --components "$COMPS" &&
  { cmp -s "$T/out" "$T/pred.csv" || fail "predict with the bundled components table differs"; }

# ---- errors: data (exit 3) ---------------------------------------------------------
printf 'id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH\nok,NCCS,O,[Na+].[BH4-],1.5,1.0,2.0,25,12\nbad,C1CC,O,[Na+].[BH4-],1.5,1.0,2.0,25,12\n' >"$T/badsmiles.csv"
expect_err "predict: invalid SMILES" 3 "$BIN" predict "$M" "$T/badsmiles.csv"
grep -q 'C1CC' "$T/err" || fail "invalid SMILES: message does not quote it: $(cat "$T/err")"
# every outcome 1: nothing to learn; no model file, no temp file, an
# existing model untouched
cat >"$T/all1.csv" <<'EOF'
id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome
s1,OC(=O)CCS,O,[Na+].[BH4-],1.5,1.0,2.0,25,12,1
s2,NCCS,O,[Na+].[BH4-],1.5,1.0,2.0,25,12,1
s3,OC(=O)CCCCCS,O,[Na+].[BH4-],3.0,1.0,2.0,0,12,1
s4,OC(=O)CCS,CO,[Na+].[BH4-],1.5,1.0,4.0,25,,1
s5,NCCS,O,[Na+].[BH4-],1.0,1.0,2.0,40,11,1
s6,OC(=O)CCCCCS,O,[Na+].[BH4-],3.0,1.0,2.0,4,7,1
EOF
mkdir "$T/w"
expect_err "train: all outcomes 1" 3 "$BIN" train "$T/all1.csv" --model dnn --set epochs=2 -o "$T/w/all1.json"
grep -q 'outcome' "$T/err" || fail "all outcomes 1: message does not mention the outcomes: $(cat "$T/err")"
[ -e "$T/w/all1.json" ] && fail "train on all-1 outcomes wrote a model file"
expect_err "train: all outcomes 1 (ensemble)" 3 "$BIN" train "$T/all1.csv" --set epochs=2 --ensemble 3 -o "$T/w/all1.json"
[ -e "$T/w/all1.json" ] && fail "train --ensemble on all-1 outcomes wrote a model file"
cp "$M" "$T/w/keep.json"
expect_err "train: all outcomes 1 over an existing model" 3 "$BIN" train "$T/all1.csv" --set epochs=2 -o "$T/w/keep.json"
cmp -s "$M" "$T/w/keep.json" || fail "a failed train changed an existing model file"
[ "$(ls -A "$T/w")" = "keep.json" ] || fail "failed train left files behind: $(ls -A "$T/w")"
expect_err "cv: all outcomes 1" 3 "$BIN" cv "$T/all1.csv" --model dnn --folds 3 --set epochs=2

# ---- errors: command line (exit 2) ---------------------------------------------------
expect_err "train --model unknown" 2 "$BIN" train "$DATA" --model cnn --set epochs=2 -o "$T/w/x.json"
expect_err "cv --model unknown" 2 "$BIN" cv "$DATA" --model gcnn_rf --folds 3
expect_err "train --set unknown name" 2 "$BIN" train "$DATA" --set epoch=2 -o "$T/w/x.json"
expect_err "train --set out of range" 2 "$BIN" train "$DATA" --set epochs=0 -o "$T/w/x.json"
expect_err "train --set not a number" 2 "$BIN" train "$DATA" --set learning_rate=fast -o "$T/w/x.json"
expect_err "train --set without =" 2 "$BIN" train "$DATA" --set epochs -o "$T/w/x.json"
expect_err "train --set bad hidden_layers" 2 "$BIN" train "$DATA" --set hidden_layers=30,,20 -o "$T/w/x.json"
expect_err "train --set hidden3 without hidden2" 2 "$BIN" train "$DATA" --set hidden3=5 -o "$T/w/x.json"
expect_err "cv --set bad" 2 "$BIN" cv "$DATA" --set dropout=2 --folds 3
expect_err "train --set input_refit without input_group_l1" 2 "$BIN" train "$DATA" --set input_refit=0.2 -o "$T/w/x.json"
err_has "input_refit without the lasso" "needs input_group_l1 > 0"
expect_err "train --ensemble 1" 2 "$BIN" train "$DATA" --set epochs=2 --ensemble 1 -o "$T/w/x.json"
expect_err "train --ensemble 32 (more than the recipes)" 2 "$BIN" train "$DATA" --set epochs=2 --ensemble 32 -o "$T/w/x.json"
expect_err "cv --folds 1" 2 "$BIN" cv "$DATA" --model dnn --folds 1 --set epochs=2
expect_err "predict: missing recipes argument" 2 "$BIN" predict "$M"
[ "$(ls -A "$T/w")" = "keep.json" ] || fail "usage errors left files behind: $(ls -A "$T/w")"

# ---- errors: files (exit 5) ---------------------------------------------------------------
expect_err "predict: nonexistent model" 5 "$BIN" predict "$T/nope.json" "$DATA"
expect_err "predict: nonexistent recipes" 5 "$BIN" predict "$M" "$T/nope.csv"
expect_err "train -o into a missing directory" 5 "$BIN" train "$DATA" --model dnn --set epochs=2 -o "$T/nodir/m.json"
[ -e "$T/nodir" ] && fail "train -o into a missing directory created something"
no_leftovers "failed trains" "$T"
no_leftovers "failed trains" "$T/w"

if [ "$FAILS" -ne 0 ]; then
  echo "cli_models: $FAILS failure(s)" >&2
  exit 1
fi
echo "cli_models: all checks passed" >&2
exit 0
