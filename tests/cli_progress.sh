#!/usr/bin/env bash
# Progress of the long commands (issue 13): on a terminal (script(1) gives
# one) train --ensemble, cv, tune, distill and loop draw "done/total (pct),
# elapsed" in place (\r, clear to end of line), never counting past the
# total; --quiet draws nothing; a non-terminal stderr gets none of it.
# (The estimate's arithmetic is tests/test_progress.c's.) Fast models only.
# usage: bash tests/cli_progress.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_progress.sh /path/to/auclust}")
DATA=$(realpath data/au_nc_recipes.csv)
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null 2>&1 || { echo "note: script(1) not found, progress on a terminal not checked" >&2; exit 0; }

run "train rf" "$BIN" train "$DATA" -m rf -o "$T/rf.json"
FAST="--set epochs=2 --set steps_per_epoch=4"
# NAME|WHAT|COMMAND: WHAT is the progress line's text before the counts
cases=(
  "train --ensemble|instances|train '$DATA' --ensemble 3 $FAST -o '$T/e.json'"
  "cv|cross-validation, fits|cv '$DATA' --model rf --folds 3 --repeats 2 -o '$T/cv.txt'"
  "tune|tune, CV fits|tune '$DATA' --model rf --trials 3 --repeats 1 --folds 3 --confirm 0 -o '$T/best.json'"
  "distill|distill, recipes labelled by the model|distill '$T/rf.json' '$DATA' --samples 3000 --test 200 -o '$T/tree.txt'"
  "loop|loop: campaign rounds|loop --truth kinetic --model rf --initial 6 --rounds 2 --batch 1 --seeds 2 --strategy p -n 200 -j 1 -o '$T/loop.csv'"
)
for c in "${cases[@]}"; do
  IFS='|' read -r name what cmd <<<"$c"
  script -qec "'$BIN' $cmd" /dev/null >"$T/tty" 2>&1 || fail "$name on a terminal: exit $?: $(head -c 300 "$T/tty")"
  tr '\r' '\n' <"$T/tty" | grep -Eq "$what: [0-9]+/[0-9]+ \([0-9]+%\), [0-9]+:[0-9][0-9] elapsed" ||
    fail "$name on a terminal: no '$what: done/total (pct), elapsed' line: $(head -c 300 "$T/tty" | cat -v)"
  # drawn in place, and cleared before the summary (if any) follows
  grep -q $'\r\033\[K' "$T/tty" || fail "$name on a terminal: the line is not redrawn in place"
  # the count never passes the total, which never changes (only the command's own units count)
  tr '\r' '\n' <"$T/tty" | grep -a "$what: " | sed 's/.*: \([0-9]*\)\/\([0-9]*\) (.*/\1 \2/' |
    awk 'NR == 1 { t = $2 } $1 > $2 || $2 != t { print; bad = 1 } END { exit bad }' >"$T/bad" ||
    fail "$name on a terminal: a count past its total, or the total changed: $(head -3 "$T/bad")"
  script -qec "'$BIN' $cmd --quiet" /dev/null >"$T/tty" 2>&1 || fail "$name --quiet: exit $?"
  ! grep -aq "$what: " "$T/tty" || fail "$name --quiet on a terminal: progress shown"
  eval "'$BIN' $cmd" 2>"$T/err" >/dev/null || fail "$name: exit $?"
  ! grep -aq -e "$what: " -e $'\r' "$T/err" || fail "$name: stderr is not a terminal, yet progress was drawn: $(head -c 200 "$T/err" | cat -v)"
done

echo "cli_progress: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
