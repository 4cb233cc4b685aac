#!/usr/bin/env bash
# auclust loop: campaigns against the simulated lab are deterministic per
# seed and identical for any thread count; a seed's campaign does not depend
# on how many seeds run; initial recipes are simulate's draws; every pick
# respects the lab's ranges, ratio bounds and rounding and is never a repeat;
# the table agrees with the trace; every model kind can drive it; errors.
# Tiny budgets: a few epochs, two rounds.
# usage: bash tests/cli_loop.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_loop.sh /path/to/auclust}
. "$(dirname "$0")/lib.sh"

SMALL=(--initial 10 --rounds 2 --batch 3 --set epochs=2 --set steps_per_epoch=16 --ensemble 2 -n 600)
L=("$BIN" loop --truth kinetic "${SMALL[@]}")

run "loop, 2 seeds, 1 thread" "${L[@]}" --seeds 2 -j 1 -o "$T/a.csv" --trace "$T/a_trace.csv" --svg "$T/a.svg" || exit 1
[ "$(grep -c 'successes in' "$T/err")" -eq 5 ] || fail "loop: not one summary line per strategy: $(cat "$T/err")"
run "loop, 2 seeds, 2 threads" "${L[@]}" --seeds 2 -j 2 -o "$T/b.csv" --trace "$T/b_trace.csv"
cmp -s "$T/a.csv" "$T/b.csv" || fail "loop: the table depends on the thread count"
cmp -s "$T/a_trace.csv" "$T/b_trace.csv" || fail "loop: the trace depends on the thread count"
run "loop, 2 seeds again" "${L[@]}" --seeds 2 -j 2 -o "$T/c.csv"
cmp -s "$T/a.csv" "$T/c.csv" || fail "loop: two runs with the same seeds differ"
run "loop, other seeds" "${L[@]}" --seeds 2 --seed 5 -o "$T/d.csv"
cmp -s <(tail -n +2 "$T/a.csv") <(tail -n +2 "$T/d.csv") && fail "loop: seeds 5-6 gave the table of seeds 1-2"

# seed 2 alone (--seed 2 --seeds 1) is seed 2 of the two-seed run
run "loop, seed 2 alone" "${L[@]}" --seed 2 --seeds 1 -o "$T/e.csv" --trace "$T/e_trace.csv"
cmp -s <(awk -F, 'NR > 2 && $2 == 2' "$T/a_trace.csv") <(awk -F, 'NR > 2' "$T/e_trace.csv") ||
  fail "loop: seed 2's campaign depends on the other seeds run with it"

# the initial recipes are `simulate --seed S`'s first draws, for every strategy
if run "simulate seed 1" "$BIN" simulate --truth kinetic --n 10 --seed 1 -o "$T/sim.csv"; then
  awk -F, 'NR > 2 { printf "%s,%.6g,%.6g,%.6g,%.6g,%.6g,%s\n", $3, $8, $9, $10, $11, $12, $13 }' "$T/sim.csv" >"$T/sim.rows"
  for s in p ucb ei thompson random; do
    awk -F, -v s=$s 'NR > 2 && $1 == s && $2 == 1 && $3 == 0 { printf "%s,%.6g,%.6g,%.6g,%.6g,%.6g,%s\n", $6, $7, $8, $9, $10, $11, $15 }' \
      "$T/a_trace.csv" | cmp -s - "$T/sim.rows" || fail "loop: strategy $s's initial recipes are not simulate's draws"
  done
fi

# the trace: 10 initial + 2 rounds x 3 per campaign; picks inside the lab's
# ranges (HAuCl4 0.5-5, ligand:Au 0.5-10, NaBH4 1-100, 0-70 C, pH 8-14),
# rounded to 0.01 mM, 1 C, 0.1 pH, never a recipe already run
awk -F, 'NR > 2 { n[$1 "," $2]++ } END { for (k in n) if (n[k] != 16) { print "campaign " k " has " n[k] " experiments"; bad = 1 }; exit bad || length(n) != 10 }' \
  "$T/a_trace.csv" >&2 || fail "loop: campaigns do not hold 16 experiments each"
awk -F, 'NR > 2 && $3 > 0 {
    r = $7 / $8
    if ($8 < 0.5 || $8 > 5 || r < 0.5 * (1 - 1e-9) || r > 10 * (1 + 1e-9) || $9 < 1 || $9 > 100 || $10 < 0 || $10 > 70 || $11 < 8 || $11 > 14) { print "outside the ranges: " $0; bad = 1 }
    for (c = 7; c <= 9; c++) if ($c !~ /^[0-9]+(\.[0-9][0-9]?)?$/) { print "not to 0.01 mM: " $0; bad = 1 }
    if ($10 !~ /^[0-9]+$/ || $11 !~ /^[0-9]+(\.[0-9])?$/) { print "not rounded: " $0; bad = 1 }
    if ($15 != 0 && $15 != 1 || $14 < 0 || $14 > 1) { print "bad label: " $0; bad = 1 }
  }
  NR > 2 { k = $1 "," $2 "," $5 "," $7 "," $8 "," $9 "," $10 "," $11; if (seen[k]++) { print "repeated: " $0; bad = 1 } }
  END { exit bad }' "$T/a_trace.csv" >&2 || fail "loop: picks outside the lab, unrounded or repeated (see above)"
# ligands without a gold-binding group are never picked (as suggest refuses them)
awk -F, 'NR == FNR { if ($3 == "none") none[$2] = 1; next } FNR > 2 && $3 > 0 && ($6 in none) { print "non-binder picked: " $0; bad = 1 } END { exit bad }' \
  data/ligands.csv "$T/a_trace.csv" >&2 || fail "loop: a ligand without a gold-binding group was picked"
# the same candidates and outcome streams for every strategy: random's picks never come from a model
awk -F, 'NR > 2 && $1 == "random" && $3 > 0 && $12 != "" { bad = 1 } END { exit bad }' "$T/a_trace.csv" ||
  fail "loop: random picks carry a model probability"

# the table agrees with the trace: cumulative successes and best p_true per strategy and round
awk -F, 'FNR == 1 { next } FNR == NR && FNR > 1 { if ($3 > 0) for (r = $3; r <= 2; r++) succ[$1, r] += $15;
                                                   for (r = $3; r <= 2; r++) if ($14 > best[$1, $2, r]) best[$1, $2, r] = $14; seeds[$2] = 1; next }
         FNR == 2 { next }
         { m = 0; for (s in seeds) m += best[$3, s, $4]; m /= 2
           if ($6 - succ[$3, $4] / 2 > 1e-4 || succ[$3, $4] / 2 - $6 > 1e-4) { print "successes " $0 " vs " succ[$3, $4] / 2; bad = 1 }
           if ($8 - m > 1e-4 || m - $8 > 1e-4) { print "best " $0 " vs " m; bad = 1 } }
         END { exit bad }' "$T/a_trace.csv" "$T/a.csv" >&2 || fail "loop: the table disagrees with the trace (see above)"
head -1 "$T/a.csv" | grep -q '^# SYNTHETIC' || fail "loop: the table does not say it is synthetic"
[ "$(sed -n 2p "$T/a.csv")" = "truth,model,strategy,round,experiments,successes_mean,successes_sd,best_p_true_mean,best_p_true_sd,batch_p_true_mean,trained" ] ||
  fail "loop: header is $(sed -n 2p "$T/a.csv")"
[ "$(($(wc -l <"$T/a.csv") - 2))" -eq 15 ] || fail "loop: not 5 strategies x 3 rounds (0-2) of rows"

# the SVG: two panels of five curves with bands, well formed
if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout "$T/a.svg" 2>/dev/null || fail "loop --svg: not well-formed XML"
fi
[ "$(grep -c '<g class="series">' "$T/a.svg")" -eq 10 ] || fail "loop --svg: not 2 x 5 series"
grep -q 'thompson' "$T/a.svg" || fail "loop --svg: no legend entry for thompson"

# every model kind drives it (one strategy, one seed)
for k in snn dnn svm gcnn_dnn gcnn_svm prior rf; do
  run "loop --model $k" "$BIN" loop --truth paper-tree "${SMALL[@]}" --model $k --set rf_trees=20 --strategy ucb --seeds 1 -o "$T/k.csv" &&
    { grep -q ",$k,ucb,2," "$T/k.csv" || fail "loop --model $k: no round-2 row naming the model"; }
done
# one fit (no ensemble): ucb = p, thompson has one instance
run "loop --ensemble 0" "$BIN" loop --truth kinetic "${SMALL[@]}" --ensemble 0 --strategy p,ucb --seeds 1 -o "$T/one.csv" --trace "$T/one_trace.csv" &&
  { cmp -s <(awk -F, 'NR > 2 && $1 == "p"' "$T/one_trace.csv" | cut -d, -f2-) <(awk -F, 'NR > 2 && $1 == "ucb"' "$T/one_trace.csv" | cut -d, -f2-) ||
      fail "loop --ensemble 0: ucb differs from p although the spread is 0"; }

# ---- errors: one line, exit 2 ------------------------------------------------------
bad() { local name=$1; shift; expect_err "loop $name" 2 "$BIN" loop "$@"; }
bad "without --truth" "${SMALL[@]}"
bad "--truth unknown" --truth magic "${SMALL[@]}"
bad "--strategy unknown" --truth kinetic "${SMALL[@]}" --strategy p,greedy
bad "--strategy twice" --truth kinetic "${SMALL[@]}" --strategy p,p
bad "--ensemble 1" --truth kinetic "${SMALL[@]}" --ensemble 1
bad "--ensemble above --initial" --truth kinetic --initial 3 --ensemble 5 --rounds 1
bad "--model unknown" --truth kinetic "${SMALL[@]}" --model forest
bad "--rounds 0" --truth kinetic --rounds 0
bad "--noise 0.9" --truth kinetic --noise 0.9
rm -f "$T/none.csv"
"$BIN" loop --truth kinetic "${SMALL[@]}" --seeds 1 --ligands "$T/missing.csv" -o "$T/none.csv" 2>/dev/null
[ $? -eq 5 ] || fail "loop --ligands missing: not exit 5"
[ -e "$T/none.csv" ] && fail "loop: wrote an output file on error"

[ $FAILS -eq 0 ] && echo "cli_loop: all checks passed" >&2 || echo "cli_loop: $FAILS failure(s)" >&2
exit $((FAILS > 0))
