#!/usr/bin/env bash
# README's examples run as written: every `auclust ...` command of README's
# ```sh code blocks (continuation lines joined), with the here-documents
# those blocks write, runs in order in a scratch directory holding a copy of
# data/ and the input files README names but does not create (new recipes,
# a base recipe, candidate ligands, bounds). `auclust` is a wrapper around
# the binary under test that only shortens the training budgets (epochs,
# repeats, trials, tune's confirmation; loop's rounds, seeds, ensemble and
# candidates), so the
# suite stays fast; every option and file is the
# README's own.
# usage: bash tests/cli_readme.sh /path/to/auclust   (from the repository root)
set -u
BIN=$(realpath "${1:?usage: cli_readme.sh /path/to/auclust}")
README=$(realpath README.md)
ROOT=$(pwd)
. "$(dirname "$0")/lib.sh"

W="$T/work"
mkdir -p "$W/bin"
cp -r "$ROOT/data" "$W/data"
cat >"$W/bin/auclust" <<EOF
#!/usr/bin/env bash
# the binary under test with small training budgets
cmd=\${1:-}; [ \$# -gt 0 ] && shift
args=()
while [ \$# -gt 0 ]; do
  case \$1 in
    --repeats|-r) args+=("\$1" 1); shift 2 ;;
    --trials|-n) [ "\$cmd" = tune ] && { args+=("\$1" 3); shift 2; continue; }; args+=("\$1"); shift ;;
    --initial) args+=(--initial 2); shift 2 ;;
    *) args+=("\$1"); shift ;;
  esac
done
case \$cmd in
  train|cv) args+=(--set epochs=2 --set steps_per_epoch=4) ;;
  # tune searches epochs (20..200), so its budget is cut per epoch and in
  # repeats: one CV repeat per trial and one confirmation repeat
  tune) args+=(--set epochs=2 --set steps_per_epoch=1 --repeats 1 --confirm 1) ;;
  loop) args+=(--set epochs=2 --set steps_per_epoch=4 --ensemble 2 --rounds 2 --seeds 1 --candidates 500) ;;
esac
exec "$BIN" "\$cmd" "\${args[@]}"
EOF
chmod +x "$W/bin/auclust"

# inputs README refers to without writing them
head -1 "$W/data/au_nc_recipes.csv" >"$W/my_recipe.csv"
grep '^A01,' "$W/data/au_nc_recipes.csv" >>"$W/my_recipe.csv"
cat >"$W/new_recipes.csv" <<'CSV'
id,ligand,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH
N1,6-mercaptohexanoic acid,OC(=O)CCCCCS,O,[Na+].[BH4-],1.5,1,4,10,12
N2,3-mercaptopropionic acid,OC(=O)CCS,O,[Na+].[BH4-],2,1,4.5,40,11
CSV
cp "$W/data/au_nc_recipes.csv" "$W/my_recipes.csv"
cp "$W/data/au_nc_recipes.csv" "$W/recipes.csv"
printf 'mha=OC(=O)CCCCCS\nmpa=OC(=O)CCS\ncysteamine=NCCS\n' >"$W/candidate_thiols.txt"
echo '{"pH": [7, 14], "temperature_C": [0, 60]}' >"$W/bounds.json"

# the commands: lines of ```sh blocks starting with "auclust ", joined over
# trailing backslashes, here-documents (cat > FILE <<'TAG' ... TAG) and
# "grep ... > FILE" lines that make an input from data/
awk '
  /^```sh/ { inblock = 1; next }
  /^```/ { inblock = 0; next }
  !inblock { next }
  heredoc != "" { print; if ($0 == heredoc) heredoc = ""; next }
  cont { line = line " " $0; sub(/\\$/, "", line); if ($0 !~ /\\$/) { print line; cont = 0 }; next }
  /^cat > [^ ]+ <<'"'"'[A-Z]+'"'"'$/ { print; heredoc = $NF; gsub(/'"'"'/, "", heredoc); sub(/^<</, "", heredoc); next }
  /^grep [^|]* > [^ ]+$/ { print; next }      # a file an example needs, made from data/
  /^auclust / {
    line = $0
    sub(/[ ]+#[^'"'"'"]*$/, "", line)          # a trailing comment
    if (line ~ /\\$/) { sub(/\\$/, "", line); cont = 1; next }
    print line
  }' "$README" >"$T/commands.sh"

n=$(grep -c '^auclust ' "$T/commands.sh")
[ "$n" -ge 15 ] || fail "README: only $n auclust commands found in its sh code blocks"
# every subcommand appears in README's examples
for c in featurize train predict cv heatmap fingerprint distill tune suggest report; do
  grep -q "^auclust $c " "$T/commands.sh" || fail "README: no example of auclust $c"
done

# run them one by one, in order (later ones use what earlier ones wrote)
k=0
heredoc=""
while IFS= read -r line || [ -n "$line" ]; do
  if [ -n "$heredoc" ]; then
    printf '%s\n' "$line" >>"$T/block.sh"
    if [ "$line" = "$heredoc" ]; then
      (cd "$W" && PATH="$W/bin:$PATH" bash "$T/block.sh") >"$T/out" 2>"$T/err" || fail "README here-document: $(cat "$T/err")"
      heredoc=""
    fi
    continue
  fi
  case $line in
    "cat > "*)
      heredoc=${line##*<<}; heredoc=${heredoc//\'/}
      printf '%s\n' "$line" >"$T/block.sh"
      continue ;;
  esac
  k=$((k + 1))
  (cd "$W" && PATH="$W/bin:$PATH" bash -c "$line") >"$T/out" 2>"$T/err"
  rc=$?
  [ $rc -eq 0 ] || fail "README command $k exits $rc: $line: $(head -c 300 "$T/err")"
done <"$T/commands.sh"
m=$(grep -Ec '^(auclust|grep) ' "$T/commands.sh")
[ "$k" -eq "$m" ] || fail "ran $k of $m README commands"

echo "cli_readme: $k README commands, $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
