#!/usr/bin/env bash
# Regression test of the flagship models on the virtual lab: on 54 recipes of
# `simulate --truth paper-tree --seed 7` (noise-free), each GCNN model's CV MCC
# (auclust's defaults, cheapened to 5 folds and 10 epochs) must beat the prior
# baseline and a floor. Figures on the day the floors were last set
# (2026-12-02, this exact command, after the default input_noise 0.1 of
# issue 10's fourth round): GCNN + SNN 0.611, GCNN + DNN 0.563, GCNN + SVM
# 0.525, prior 0.000; the floors sit about 0.18 below them (0.43, 0.38,
# 0.34). The paper preset under the same command scores 0.401, 0.311 and
# 0.274: it fails all three floors, so the test can tell the two apart.
# With the sixth round's molecule_group_l1 0.03 (same day, same command):
# 0.483, 0.559, 0.524. The floors were kept: GCNN + SNN's margin is now
# 0.05 on this one cheapened 5-fold split, and the paper preset still fails
# all three.
# (Earlier floors: 0.35, 0.35, 0.25 from the second round's defaults, 0.526,
# 0.523, 0.446; 0.41, 0.39, 0.33 from the third round's, 0.589, 0.571, 0.511.)
# usage: bash tests/cli_flagship.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_flagship.sh /path/to/auclust}
. "$(dirname "$0")/lib.sh"

run "simulate" "$BIN" simulate --truth paper-tree --n 54 --seed 7 -o "$T/lab.csv" || { echo "cli_flagship: 1 failed" >&2; exit 1; }
# mcc MODEL: the mean CV MCC from cv --json
mcc() {
  "$BIN" cv "$T/lab.csv" --model "$1" --folds 5 --set epochs=10 --seed 1 -j 2 --json -o "$T/cv.json" 2>"$T/err" || { echo nan; return; }
  awk '/"mcc"/ { on = 1 } on && /"mean"/ { gsub(/[",]/, ""); print $2; exit }' "$T/cv.json"
}
prior=$(mcc prior)
for mf in gcnn_snn:0.43 gcnn_dnn:0.38 gcnn_svm:0.34; do
  m=${mf%%:*} floor=${mf#*:}
  v=$(mcc "$m")
  awk -v v="$v" -v p="$prior" -v f="$floor" 'BEGIN { exit !(v == v + 0 && v > p && v > f) }' ||
    fail "$m: CV MCC $v, needs more than the prior's $prior and the floor $floor"
  echo "$m: CV MCC $v (prior $prior, floor $floor)"
done
[ $FAILS -eq 0 ] && echo "cli_flagship: all passed" || echo "cli_flagship: $FAILS failed" >&2
exit $((FAILS > 0))
