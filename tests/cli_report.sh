#!/usr/bin/env bash
# auclust report: one self-contained HTML page, rendered by a real browser
# (Debian's chromium, headless; scripts/test installs it): the page loads
# without console errors, every figure has a non-zero size, and a screenshot
# PNG is written. Without chromium the browser checks are skipped (said so).
# usage: bash tests/cli_report.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_report.sh /path/to/auclust}")
DATA=$(realpath data/au_nc_recipes.csv)
. "$(dirname "$0")/lib.sh"
FAST=(--set epochs=3 --set steps_per_epoch=8)

run "train" "$BIN" train "$DATA" --ensemble 3 "${FAST[@]}" -o "$T/m.json"
run "report" "$BIN" report "$T/m.json" "$DATA" --folds 3 --repeats 2 --samples 400 -o "$T/report.html"
R="$T/report.html"
[ -s "$R" ] || { fail "report: no page written"; echo "cli_report: $FAILS failure(s)"; exit 1; }
grep -q 'wrote .*report.html' "$T/err" || fail "report: stderr does not say what it wrote: $(cat "$T/err")"
no_leftovers "report" "$T"
[ -z "$(ls "$T" | grep 'report.html.')" ] || fail "report: temporary figures left: $(ls "$T")"
# self-contained: no network, no scripts
! grep -Eq '(src|href)="(https?:)?//' "$R" || fail "report: refers to the network"
! grep -qi '<script' "$R" || fail "report: has scripts"
for id in data cv reliability heatmap distances tree domain; do
  grep -q "<section id=\"$id\"" "$R" || fail "report: no section '$id'"
done
[ "$(grep -o '<svg ' "$R" | wc -l)" -eq 4 ] || fail "report: expected 4 inline SVG figures, got $(grep -o '<svg ' "$R" | wc -l)"
grep -q '<td>prior (baseline' "$R" && grep -q '<td>RF (baseline' "$R" || fail "report: no prior and RF baseline rows"
# the CV table is cv's summary: eight metric columns, the prior's Brier skill exactly 0
grep -q '<th>Brier skill</th><th>ECE</th>' "$R" || fail "report: the CV table has no Brier skill column"
[ "$(grep '<td>prior (baseline' "$R" | grep -o '<td>' | wc -l)" -eq 9 ] || fail "report: the prior's row does not have 8 metrics"
grep '<td>prior (baseline' "$R" | grep -q '<td>0.000 &plusmn; 0.000</td><td>0.000 &plusmn; 0.000</td></tr>' ||
  fail "report: the prior's Brier skill and ECE are not 0"
grep -Eq 'fidelity on [0-9]+ fresh recipes: accuracy [01]\.[0-9]+' "$R" || fail "report: no tree fidelity"
grep -q "(the paper&apos;s Figure 6): a success when the model&apos;s mean p &gt; 0.5;" "$R" ||
  fail "report: the tree's caption does not say how recipes were labelled"
# --threshold reaches the tree: at 1 every recipe is a failure, a one-leaf tree the caption explains
run "report --threshold 1" "$BIN" report "$T/m.json" "$DATA" --folds 3 --repeats 1 --samples 400 --threshold 1 -o "$T/r1.html"
grep -q "p &gt; 1 (--threshold)" "$T/r1.html" || fail "report --threshold 1: not in the caption"
grep -q "so the tree is one leaf: auclust report --threshold median" "$T/r1.html" || fail "report --threshold 1: no one-leaf note"
run "report --threshold median" "$BIN" report "$T/m.json" "$DATA" --folds 3 --repeats 1 --samples 400 --threshold median -o "$T/rm.html"
grep -q "the median of the random recipes (--threshold median)" "$T/rm.html" || fail "report --threshold median: not in the caption"
one_line_err "report --threshold 2" 2 "threshold" "$BIN" report "$T/m.json" "$DATA" --threshold 2 -o "$T/rx.html"
# a calibration of slope 0 (calib.h) makes every probability the base rate: a one-leaf tree, which
# --uncalibrated (passed to the map and the tree) replaces by the raw model's
sed -E 's/"a_b":\[[^]]*\]/"a_b":[0,0.5]/' "$T/m.json" >"$T/m0.json"
run "report, slope 0" "$BIN" report "$T/m0.json" "$DATA" --folds 3 --repeats 1 --samples 400 -o "$T/r0.html"
grep -q "so the tree is one leaf" "$T/r0.html" || fail "report, slope 0: the tree is not the one leaf of a constant model"
run "report, slope 0, --uncalibrated" "$BIN" report "$T/m0.json" "$DATA" --folds 3 --repeats 1 --samples 400 --uncalibrated -o "$T/r0u.html"
! grep -q "so the tree is one leaf" "$T/r0u.html" || fail "report --uncalibrated: still the calibrated one-leaf tree"
grep -q "uncalibrated" "$T/err" || fail "report --uncalibrated: stderr does not say so"
grep -Eq '<b>[0-9]+ of [0-9]+</b> recipes lie outside' "$R" || fail "report: no domain summary"
n=$(grep -c '' "$DATA"); n=$((n - 1))
grep -q "<b>$n recipes</b>" "$R" || fail "report: data summary does not count the file's $n recipes"
# the inline figures are well-formed XML (a copy of each <svg>...</svg>)
if command -v xmllint >/dev/null 2>&1; then
  tr '\n' ' ' <"$R" | sed 's#<svg #\n<svg #g' | sed -n 's#^\(<svg .*</svg>\).*#\1#p' | sed 's#</svg>.*#</svg>#' >"$T/svgs"
  k=0
  while IFS= read -r line || [ -n "$line" ]; do
    k=$((k + 1)); printf '%s\n' "$line" >"$T/fig$k.svg"
    xmllint --noout "$T/fig$k.svg" 2>"$T/xml" || fail "report: figure $k is not well-formed: $(head -c 200 "$T/xml")"
  done <"$T/svgs"
  [ "$k" -eq 4 ] || fail "report: extracted $k figures"
fi
# bad input: one line, nothing written
"$BIN" report "$T/m.json" "$DATA" -o "$T/r.txt" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -e "$T/r.txt" ] || fail "report -o r.txt: exit $rc: $(cat "$T/err")"
"$BIN" report "$T/m.json" "$DATA" --base nope -o "$T/r2.html" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$T/r2.html" ] || fail "report --base nope: exit $rc: $(cat "$T/err")"

# ---- the browser ----------------------------------------------------------------------------
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  echo "note: chromium not found (scripts/test installs it): the page was not rendered" >&2
else
  browse() { # browse OUT ERR ARGS... : a fresh profile each time, nothing from the network
    local out=$1 err=$2; shift 2
    local prof; prof=$(mktemp -d "$T/profile.XXXXXX")
    timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" \
      --enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
    local rc=$?
    rm -rf "$prof"
    return $rc
  }
  browse "$T/shot.out" "$T/shot.err" --hide-scrollbars --window-size=1280,4000 --screenshot="$T/report.png" "file://$R" ||
    fail "chromium --screenshot failed: $(tail -3 "$T/shot.err")"
  sig=$(od -An -tx1 -N8 "$T/report.png" 2>/dev/null | tr -d ' \n')
  [ "$sig" = 89504e470d0a1a0a ] && [ "$(wc -c <"$T/report.png")" -gt 10000 ] || fail "chromium: no screenshot PNG"
  ! grep -q ':CONSOLE(' "$T/shot.err" || fail "report: console messages: $(grep ':CONSOLE(' "$T/shot.err" | head -3)"
  # measure every figure in a copy of the page with a probe script at its end
  cp "$R" "$T/probe.html"
  cat >>"$T/probe.html" <<'HTML'
<script>
window.addEventListener('load', function () {
  var figs = document.querySelectorAll('figure'), out = ['figures=' + figs.length];
  figs.forEach(function (f) {
    var s = f.querySelector('svg'), r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
    var imgs = f.querySelectorAll('image'), bad = 0;
    imgs.forEach(function (i) { var b = i.getBoundingClientRect(); if (!(b.width > 0 && b.height > 0)) bad++; });
    out.push(f.id + ' ' + Math.round(r.width) + 'x' + Math.round(r.height) + ' images=' + imgs.length + ' bad=' + bad);
  });
  var p = document.createElement('pre'); p.id = 'probe'; p.textContent = out.join('\n'); document.body.appendChild(p);
});
</script>
HTML
  browse "$T/dom.html" "$T/dom.err" --virtual-time-budget=5000 --dump-dom "file://$T/probe.html" ||
    fail "chromium --dump-dom failed: $(tail -3 "$T/dom.err")"
  sed -n '/<pre id="probe">/,/<\/pre>/p' "$T/dom.html" | sed 's/<[^>]*>//g' >"$T/probe.txt"
  grep -q '^figures=4$' "$T/probe.txt" || fail "chromium: expected 4 figures: $(cat "$T/probe.txt")"
  for id in fig-reliability fig-heatmap fig-distances fig-tree; do
    line=$(grep "^$id " "$T/probe.txt")
    echo "$line" | grep -Eq "^$id [1-9][0-9]*x[1-9][0-9]* images=[0-9]+ bad=0$" || fail "chromium: figure $id: '$line'"
  done
  grep -q '^fig-heatmap .* images=1 ' "$T/probe.txt" || fail "chromium: the heatmap's PNG is not an <image>"
  ! grep -q ':CONSOLE(' "$T/dom.err" || fail "probe page: console messages: $(grep ':CONSOLE(' "$T/dom.err" | head -3)"
fi

echo "cli_report: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
