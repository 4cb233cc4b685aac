#!/usr/bin/env bash
# What a model has not seen, and inputs that mean what they say, from the
# command line: gold-binding groups (train refuses, predict/suggest flag or
# refuse), counter-ions, the domain columns of predict, heatmap and suggest,
# empty pH in water, zero concentrations, descriptor override columns,
# --extra-descriptors, --components, fingerprint --pool. A small training
# file of two ligands is written here, so the expected similarities come
# from Python RDKit (tests/test_binding.c lists them), not from the bundled data.
# usage: bash tests/cli_domain.sh /path/to/auclust   (from the repository root)
set -u
BIN=${1:?usage: cli_domain.sh /path/to/auclust}
COMPS=data/components.csv
. "$(dirname "$0")/lib.sh"

TR="$T/train.csv"
cat >"$TR" <<'EOF'
id,ligand,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome
t1,MPA,OC(=O)CCS,O,[Na+].[BH4-],2,1,4,25,12,1
t2,MPA,OC(=O)CCS,O,[Na+].[BH4-],1,0.5,2,60,9,0
t3,MHA,OC(=O)CCCCCS,O,[Na+].[BH4-],2,1,4,20,12.5,1
t4,MHA,OC(=O)CCCCCS,O,[Na+].[BH4-],3,2,8,70,8,0
t5,MPA,OC(=O)CCS,O,[Na+].[BH4-],1.5,1,3,30,11,1
t6,MHA,OC(=O)CCCCCS,O,[Na+].[BH4-],1,1,2,50,10,0
EOF
FAST=(--model snn --set epochs=2 --set steps_per_epoch=8)
M="$T/m.json"
run "train" "$BIN" train "$TR" "${FAST[@]}" -o "$M" ||
  { echo "cli_domain: cannot train the model the checks need; $FAILS failure(s)" >&2; exit 1; }

# domain_of FILE ID: the domain column (last) of row ID; sim_of, nearest_of likewise
col_of() { awk -F, -v id="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } $1 == id { print $k }' "$1"; }

# ---- predict: ligands that cannot bind gold, new ligands, the in-domain case ----
Q="$T/query.csv"
cat >"$Q" <<'EOF'
id,ligand,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH
water,water,O,O,[Na+].[BH4-],2,1,4,25,12
nacl,NaCl,[Na+].[Cl-],O,[Na+].[BH4-],2,1,4,25,12
ethanol,ethanol,CCO,O,[Na+].[BH4-],2,1,4,25,12
benzene,benzene,c1ccccc1,O,[Na+].[BH4-],2,1,4,25,12
gold,gold,[Au],O,[Na+].[BH4-],2,1,4,25,12
cysteamine,cysteamine,NCCS,O,[Na+].[BH4-],2,1,4,25,12
mpa,MPA,OC(=O)CCS,O,[Na+].[BH4-],2,1,4,25,12
captopril,captopril,C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O,O,[Na+].[BH4-],2,1,4,25,12
mha,MHA,OC(=O)CCCCCS,O,[Na+].[BH4-],2,1,4,20,12.5
EOF
if run "predict the query ligands" "$BIN" predict "$M" "$Q" -o "$T/p.csv"; then
  head -1 "$T/p.csv" | grep -q ',p_success,p_std,predicted,nearest_ligand,ligand_similarity,domain$' ||
    fail "predict: header $(head -1 "$T/p.csv")"
  for id in water nacl ethanol benzene gold; do
    case "$(col_of "$T/p.csv" $id domain)" in
      no_binding_group\;new_ligand\(sim=0.*) ;;
      *) fail "predict: $id should start no_binding_group;new_ligand(sim=...), domain '$(col_of "$T/p.csv" $id domain)'" ;;
    esac
  done
  # Tanimoto (Morgan radius 2, 2048 bits) from Python RDKit: cysteamine-MPA 0.235, captopril-MPA 0.189
  [ "$(col_of "$T/p.csv" cysteamine nearest_ligand),$(col_of "$T/p.csv" cysteamine ligand_similarity)" = "MPA,0.24" ] ||
    fail "predict: cysteamine nearest $(col_of "$T/p.csv" cysteamine nearest_ligand) at $(col_of "$T/p.csv" cysteamine ligand_similarity), expected MPA at 0.24"
  # (and, with two training ligands, descriptors outside their range)
  case "$(col_of "$T/p.csv" cysteamine domain)" in new_ligand\(sim=0.24\)*) ;; *) fail "predict: cysteamine domain '$(col_of "$T/p.csv" cysteamine domain)'" ;; esac
  [ "$(col_of "$T/p.csv" captopril nearest_ligand),$(col_of "$T/p.csv" captopril ligand_similarity)" = "MPA,0.19" ] ||
    fail "predict: captopril nearest $(col_of "$T/p.csv" captopril nearest_ligand) at $(col_of "$T/p.csv" captopril ligand_similarity)"
  case "$(col_of "$T/p.csv" captopril domain)" in new_ligand\(sim=0.19\)*) ;; *) fail "predict: captopril domain '$(col_of "$T/p.csv" captopril domain)'" ;; esac
  # a training ligand at training conditions: inside, similarity 1
  for id in mpa mha; do
    [ -z "$(col_of "$T/p.csv" $id domain)" ] || fail "predict: $id is in the domain, got '$(col_of "$T/p.csv" $id domain)'"
    [ "$(col_of "$T/p.csv" $id ligand_similarity)" = "1.00" ] || fail "predict: $id similarity $(col_of "$T/p.csv" $id ligand_similarity)"
  done
  [ "$(grep -v calibrat "$T/err")" = "auclust predict: 7 of 9 recipes are outside the model's domain (see column domain)" ] ||
    fail "predict: summary line '$(cat "$T/err")'"
fi
# the threshold: 0.2 admits cysteamine (0.24); out-of-range values are usage errors
run "predict --similarity-threshold 0.2" "$BIN" predict "$M" "$Q" --similarity-threshold 0.2 -o "$T/p2.csv" &&
  { case "$(col_of "$T/p2.csv" cysteamine domain)" in *new_ligand*) fail "threshold 0.2: cysteamine domain '$(col_of "$T/p2.csv" cysteamine domain)'" ;; esac; }
expect_err "predict --similarity-threshold 1.5" 2 "$BIN" predict "$M" "$Q" --similarity-threshold 1.5
expect_err "heatmap --similarity-threshold x" 2 "$BIN" heatmap "$M" --base t1 --similarity-threshold x

# new solvent, new reductant, a condition outside the training range
NEWC="$T/newc.csv"
cat >"$NEWC" <<'EOF'
id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH
meoh,OC(=O)CCS,CO,[Na+].[BH4-],2,1,4,25,
asc,OC(=O)CCS,O,OC[C@H](O)[C@H]1OC(=O)C(O)=C1O,2,1,4,25,12
hot,OC(=O)CCS,O,[Na+].[BH4-],2,1,4,95,12
EOF
# the model's table lacks methanol and ascorbic acid: the error names the fix
expect_err "predict: solvent not in the model's table" 3 "$BIN" predict "$M" "$NEWC" && err_has "unknown solvent" "--components FILE"
if run "predict --components adds to the model's table" "$BIN" predict "$M" "$NEWC" --components "$COMPS" -o "$T/pc.csv"; then
  case ";$(col_of "$T/pc.csv" meoh domain);" in *\;new_solvent\;*) ;; *) fail "methanol: domain '$(col_of "$T/pc.csv" meoh domain)'" ;; esac
  case ";$(col_of "$T/pc.csv" asc domain);" in *\;new_reductant\;*redox_potential_V*) ;; *) fail "ascorbic acid: domain '$(col_of "$T/pc.csv" asc domain)'" ;; esac
  [ "$(col_of "$T/pc.csv" hot domain)" = "temperature_C" ] || fail "95 C: domain '$(col_of "$T/pc.csv" hot domain)'"
fi
# a table that disagrees with the model's on water
sed 's/^water,O,solvent,80.1,/water,O,solvent,70,/' "$COMPS" >"$T/comps_bad.csv"
grep -q '^water,O,solvent,70,' "$T/comps_bad.csv" || fail "test premise: water row of $COMPS not rewritten"
expect_err "predict --components disagreeing" 4 "$BIN" predict "$M" "$NEWC" --components "$T/comps_bad.csv" && err_has "disagree" "dielectric_constant"
# training: an unknown solvent names the table to add it to
sed 's/^t6,MHA,OC(=O)CCCCCS,O,/t6,MHA,OC(=O)CCCCCS,CN(C)C=O,/' "$TR" >"$T/tr_dmf.csv"
expect_err "train: unknown solvent" 3 "$BIN" train "$T/tr_dmf.csv" --components "$COMPS" "${FAST[@]}" -o "$T/x.json" &&
  { err_has "train: unknown solvent" "add a row for it to"; err_has "train: unknown solvent" "dielectric_constant"; }

# ---- train, cv and tune refuse a ligand without a gold-binding group -------------
printf 't7,ethanol,CCO,O,[Na+].[BH4-],2,1,4,25,12,1\n' | cat "$TR" - >"$T/tr_etoh.csv"
expect_err "train: ethanol as a ligand" 3 "$BIN" train "$T/tr_etoh.csv" "${FAST[@]}" -o "$T/x.json" &&
  { err_has "train: ethanol" "row 8 (id t7), column 'ligand_smiles'"; err_has "train: ethanol" "no gold-binding group"; }
expect_err "cv: ethanol as a ligand" 3 "$BIN" cv "$T/tr_etoh.csv" "${FAST[@]}" --folds 2
expect_err "tune: ethanol as a ligand" 3 "$BIN" tune "$T/tr_etoh.csv" --model snn --trials 1 --initial 1 --folds 2
[ ! -e "$T/x.json" ] || fail "a failed train wrote its model"

# ---- counter-ions: the binding fragment is kept, the rest said once ---------------
SALT="$T/salt.csv"
{ head -1 "$TR"; printf 's1,aminopropanethiol HCl,Cl.NCCCS,O,[Na+].[BH4-],2,1,4,25,12,1\n'
  printf 's2,aminopropanethiol HCl,NCCCS.Cl,O,[Na+].[BH4-],1,1,2,60,9,0\n'
  printf 's3,sodium MPA,[Na+].[O-]C(=O)CCS,O,[Na+].[BH4-],2,1,4,25,12,1\n'; } >"$SALT"
if run "featurize salts" "$BIN" featurize "$SALT" -o "$T/f.csv"; then
  [ "$(col_of "$T/f.csv" s1 ligand_dropped),$(col_of "$T/f.csv" s2 ligand_dropped),$(col_of "$T/f.csv" s3 ligand_dropped)" = "Cl,Cl,[Na+]" ] ||
    fail "featurize: ligand_dropped $(col_of "$T/f.csv" s1 ligand_dropped),$(col_of "$T/f.csv" s2 ligand_dropped),$(col_of "$T/f.csv" s3 ligand_dropped)"
  [ "$(col_of "$T/f.csv" s1 ligand_binding)" = "thiol" ] || fail "featurize: ligand_binding '$(col_of "$T/f.csv" s1 ligand_binding)'"
  # both spellings of the hydrochloride: said once
  [ "$(grep -c "ligand NCCCS: counter-ion Cl dropped" "$T/err")" = 1 ] || fail "featurize: counter-ion note not said exactly once: $(cat "$T/err")"
  err_has "featurize: sodium salt note" "ligand O=C([O-])CCS: counter-ion [Na+] dropped (the fragment with the gold-binding group is kept)"
  # the salt's descriptors are the thiol's: same molecular weight as the free amine
  printf 'id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH\nfree,NCCCS,O,[Na+].[BH4-],2,1,4,25,12\n' >"$T/free.csv"
  run "featurize the free thiol" "$BIN" featurize "$T/free.csv" -o "$T/ff.csv" &&
    { [ "$(col_of "$T/f.csv" s1 ligand_mw)" = "$(col_of "$T/ff.csv" free ligand_mw)" ] || fail "featurize: the hydrochloride's ligand_mw differs from the thiol's"; }
  run "featurize --json salts" "$BIN" featurize "$SALT" --json -o "$T/f.json" && grep -q '"ligand_dropped":[[:space:]]*"Cl"' "$T/f.json" ||
    fail "featurize --json: no ligand_dropped"
fi

# ---- empty pH in water; no gold; zero ligand ------------------------------------
sed 's/^t5,\(.*\),30,11,1$/t5,\1,30,,1/' "$TR" >"$T/tr_noph.csv"
grep -q '^t5,.*,30,,1$' "$T/tr_noph.csv" || fail "test premise: t5's pH not emptied"
expect_err "train: empty pH in water" 3 "$BIN" train "$T/tr_noph.csv" "${FAST[@]}" -o "$T/x.json" &&
  { err_has "empty pH" "row 6 (id t5), column 'pH'"; err_has "empty pH" "--allow-missing-ph"; }
expect_err "cv: empty pH in water" 3 "$BIN" cv "$T/tr_noph.csv" "${FAST[@]}" --folds 2
run "train --allow-missing-ph" "$BIN" train "$T/tr_noph.csv" "${FAST[@]}" --allow-missing-ph -o "$T/noph.json"
printf 'id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH\nq,OC(=O)CCS,O,[Na+].[BH4-],2,1,4,25,\n' >"$T/q_noph.csv"
expect_err "predict: empty pH in water" 3 "$BIN" predict "$M" "$T/q_noph.csv"
run "predict --allow-missing-ph" "$BIN" predict "$M" "$T/q_noph.csv" --allow-missing-ph
# an organic solvent (methanol, dielectric 33) may leave pH empty
sed 's/^t5,MPA,OC(=O)CCS,O,\(.*\),30,11,1$/t5,MPA,OC(=O)CCS,CO,\1,30,,1/' "$TR" >"$T/tr_meoh.csv"
run "train: empty pH in methanol" "$BIN" train "$T/tr_meoh.csv" --components "$COMPS" "${FAST[@]}" -o "$T/meoh.json"
sed 's/^t2,MPA,OC(=O)CCS,O,\[Na+\].\[BH4-\],1,0.5,/t2,MPA,OC(=O)CCS,O,[Na+].[BH4-],1,0,/' "$TR" >"$T/tr_nogold.csv"
expect_err "train: haucl4_mM = 0" 3 "$BIN" train "$T/tr_nogold.csv" "${FAST[@]}" -o "$T/x.json" && err_has "no gold" "needs gold"
sed 's/,2,1,4,25,12$/,0,1,4,25,12/' "$Q" >"$T/q_nolig.csv"
if run "predict: ligand_mM = 0" "$BIN" predict "$M" "$T/q_nolig.csv" -o "$T/x.csv"; then
  err_has "ligand_mM = 0" "warning: ligand_mM = 0 in 8 recipes (first: row 2, id water)"
fi

# ---- descriptor override columns: said, recorded, required -----------------------
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "ligand_mw"; next } { print $0, ($1 == "t1" ? "110" : "") }' "$TR" >"$T/tr_mw.csv"
if run "train with a ligand_mw column" "$BIN" train "$T/tr_mw.csv" "${FAST[@]}" -o "$T/mw.json"; then
  err_has "override note" "per-recipe values used: ligand_mw"
  grep -q '"descriptor_columns":\["ligand_mw"\]' "$T/mw.json" || fail "model does not record descriptor_columns ligand_mw"
fi
expect_err "predict without the override column" 3 "$BIN" predict "$T/mw.json" "$Q" && err_has "missing override" "'ligand_mw'"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "ligand_mw"; next } { print $0, "" }' "$Q" >"$T/q_mw.csv"
run "predict with the override column" "$BIN" predict "$T/mw.json" "$T/q_mw.csv"
grep -q '"descriptor_columns":\[\]' "$M" || fail "a model without override columns should record an empty list"

# ---- --extra-descriptors -----------------------------------------------------------
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "pKa"; next } { print $0, 8 + NR / 4 }' "$TR" >"$T/tr_pka.csv"
XM="$T/pka.json"
if run "train --extra-descriptors pKa" "$BIN" train "$T/tr_pka.csv" "${FAST[@]}" --extra-descriptors pKa -o "$XM"; then
  grep -q '"extra_descriptors":\["pKa"\]' "$XM" || fail "model does not store extra_descriptors pKa"
  # the scaler covers 18 descriptors (then the derived ratios, if the model uses them)
  python3 - "$XM" <<'PY' || fail "pKa model: scaler is not 18 wide, or pKa's range is wrong"
import json, sys
m = json.load(open(sys.argv[1]))
sc = m["instances"][0]["scaler"]
nd = 2 if m["hparams"].get("ratio_inputs") else 0  # the derived ratio inputs follow the descriptors
assert len(sc["min"]) == 18 + nd and len(sc["max"]) == 18 + nd
assert abs(sc["min"][17] - 8.5) < 1e-12 and abs(sc["max"][17] - 9.75) < 1e-12
assert all(len(r) == 18 for r in m["instances"][0]["support"]["descriptors"])
PY
fi
expect_err "predict without the extra column" 3 "$BIN" predict "$XM" "$Q" && err_has "missing pKa" "'pKa'"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "pKa"; next } { print $0, ($1 == "mpa" ? 20 : 9) }' "$Q" >"$T/q_pka.csv"
if run "predict with the extra column" "$BIN" predict "$XM" "$T/q_pka.csv" -o "$T/pp.csv"; then
  [ "$(col_of "$T/pp.csv" mpa domain)" = "pKa" ] || fail "pKa 20 outside 8.5..9.75: domain '$(col_of "$T/pp.csv" mpa domain)'"
  [ -z "$(col_of "$T/pp.csv" mha domain)" ] || fail "pKa 9 inside: domain '$(col_of "$T/pp.csv" mha domain)'"
fi
expect_err "--extra-descriptors: missing column" 3 "$BIN" train "$T/tr_pka.csv" "${FAST[@]}" --extra-descriptors pKa,logS -o "$T/x.json" &&
  err_has "missing logS" "'logS'"
expect_err "--extra-descriptors: a Table-1 name" 2 "$BIN" train "$T/tr_pka.csv" "${FAST[@]}" --extra-descriptors ligand_mw
expect_err "--extra-descriptors: named twice" 2 "$BIN" train "$T/tr_pka.csv" "${FAST[@]}" --extra-descriptors pKa,pKa
expect_err "--extra-descriptors: empty list" 2 "$BIN" train "$T/tr_pka.csv" "${FAST[@]}" --extra-descriptors ,
expect_err "--extra-descriptors: 17 columns" 2 "$BIN" train "$T/tr_pka.csv" "${FAST[@]}" --extra-descriptors "$(seq -s, -f 'x%g' 1 17)"
sed 's/^\(t3,.*\),[0-9.]*$/\1,/' "$T/tr_pka.csv" >"$T/tr_pka_empty.csv"
expect_err "--extra-descriptors: empty cell" 3 "$BIN" train "$T/tr_pka_empty.csv" "${FAST[@]}" --extra-descriptors pKa && err_has "empty pKa" "(id t3), column 'pKa'"
sed 's/^\(t3,.*\),[0-9.]*$/\1,acidic/' "$T/tr_pka.csv" >"$T/tr_pka_text.csv"
expect_err "--extra-descriptors: not a number" 3 "$BIN" train "$T/tr_pka_text.csv" "${FAST[@]}" --extra-descriptors pKa
run "cv --extra-descriptors" "$BIN" cv "$T/tr_pka.csv" "${FAST[@]}" --folds 2 --extra-descriptors pKa
run "tune --extra-descriptors" "$BIN" tune "$T/tr_pka.csv" --model snn --set steps_per_epoch=8 --trials 1 --initial 1 --folds 2 \
  --extra-descriptors pKa -o "$T/best.json"
run "heatmap with extra descriptors" "$BIN" heatmap "$XM" --base t1 --grid 3 -o "$T/hx.csv"
expect_err "suggest with extra descriptors" 2 "$BIN" suggest "$XM" --ligand OC\(=O\)CCS --solvent O --reductant '[Na+].[BH4-]'

# model files whose descriptor lists are damaged: exit 4
sed 's/"descriptor_columns":\[\]/"descriptor_columns":["pH"]/' "$M" >"$T/bad1.json"
expect_err "model: a condition as a descriptor column" 4 "$BIN" predict "$T/bad1.json" "$Q"
sed 's/"extra_descriptors":\[\]/"extra_descriptors":[1]/' "$M" >"$T/bad2.json"
expect_err "model: an extra descriptor that is not a name" 4 "$BIN" predict "$T/bad2.json" "$Q"
sed 's/"extra_descriptors":\[\]/"extra_descriptors":["pKa"]/' "$M" >"$T/bad3.json"
expect_err "model: an extra descriptor the scaler lacks" 4 "$BIN" predict "$T/bad3.json" "$T/q_pka.csv"
for f in bad1 bad2 bad3; do cmp -s "$M" "$T/$f.json" && fail "test premise: $f.json is not damaged"; done

# ---- suggest refuses ligands that cannot bind gold ----------------------------------
printf 'MPA=OC(=O)CCS\nethanol=CCO\nMHA=OC(=O)CCCCCS\n' >"$T/ligs.txt"
SG=("$BIN" suggest "$M" --ligands-file "$T/ligs.txt" --solvent O --reductant '[Na+].[BH4-]' -n 300 --top 6)
if run "suggest with ethanol among thiols" "${SG[@]}" -o "$T/s.csv"; then
  err_has "suggest refusal" "refusing ligand ethanol (CCO): no gold-binding group"
  cut -d, -f3 "$T/s.csv" | grep -qx ethanol && fail "suggest: ethanol suggested"
  [ "$(($(wc -l <"$T/s.csv") - 1))" -eq 6 ] || fail "suggest: not 6 suggestions"
  grep -q "^auclust suggest: [0-6] of 6 recipes \(is\|are\) outside the model's domain (see column domain)$" "$T/err" ||
    fail "suggest: no summary line: $(cat "$T/err")"
fi
if run "suggest --allow-any-ligand" "${SG[@]}" --top 300 --min-distance 0 --allow-any-ligand -o "$T/s_any.csv"; then
  awk -F, '$3 == "ethanol" { n++; if ($NF !~ /^no_binding_group;new_ligand/) bad = 1 } END { exit bad || !n }' "$T/s_any.csv" ||
    fail "suggest --allow-any-ligand: ethanol rows missing or not flagged no_binding_group"
fi
expect_err "suggest --similarity-threshold -1" 2 "${SG[@]}" --similarity-threshold -1
expect_err "suggest: only ethanol" 3 "$BIN" suggest "$M" --ligand CCO --solvent O --reductant '[Na+].[BH4-]' -n 100 &&
  err_has "only ethanol" "--allow-any-ligand"

# ---- fingerprint --pool mean: the sum divided by the atom count ------------------------
GM="$T/g.json"
if run "train a GCNN model" "$BIN" train "$TR" --model gcnn_snn --set epochs=2 --set steps_per_epoch=8 -o "$GM"; then
  run "fingerprint --pool sum" "$BIN" fingerprint "$GM" NCCS 'OC(=O)CCS' --pool sum --fingerprints "$T/fs.csv" -o "$T/ds.csv"
  run "fingerprint --pool mean" "$BIN" fingerprint "$GM" NCCS 'OC(=O)CCS' --pool mean --fingerprints "$T/fm.csv" -o "$T/dm.csv"
  # without --pool, the model's own: the default preset pools by the mean, the paper preset sums
  run "fingerprint, the model's pooling" "$BIN" fingerprint "$GM" NCCS 'OC(=O)CCS' --fingerprints "$T/fd.csv" &&
    { cmp -s "$T/fd.csv" "$T/fm.csv" || fail "fingerprint: a default-preset model's own pooling is not the mean"; }
  if run "train a paper-preset GCNN model" "$BIN" train "$TR" --model gcnn_snn --preset paper --set epochs=2 --set steps_per_epoch=8 -o "$T/gp.json"; then
    run "fingerprint (paper preset)" "$BIN" fingerprint "$T/gp.json" NCCS 'OC(=O)CCS' --fingerprints "$T/fpd.csv" &&
      run "fingerprint --pool sum (paper preset)" "$BIN" fingerprint "$T/gp.json" NCCS 'OC(=O)CCS' --pool sum --fingerprints "$T/fps.csv" &&
      { cmp -s "$T/fpd.csv" "$T/fps.csv" || fail "fingerprint: a paper-preset model's own pooling is not the sum"; }
  fi
  # NCCS has 4 atoms, OC(=O)CCS 6
  paste -d, "$T/fs.csv" "$T/fm.csv" | awk -F, 'NR == 1 { next } { n = (NR == 2 ? 4 : 6); h = NF / 2
      for (i = 2; i <= h; i++) { d = $i - n * $(h + i); if (d < 0) d = -d; if (d > 5e-6 * n + 1e-6) bad = 1 } } END { exit bad }' ||
    fail "fingerprint --pool mean is not the sum over the atom count"
  cmp -s "$T/ds.csv" "$T/dm.csv" && fail "fingerprint --pool mean: distances equal the sum-pooled ones"
  expect_err "fingerprint --pool max" 2 "$BIN" fingerprint "$GM" NCCS --pool max
fi
"$BIN" fingerprint --help | grep -q "pool" || fail "fingerprint --help does not mention --pool"

no_leftovers "cli_domain" "$T"
if [ "$FAILS" -eq 0 ]; then echo "cli_domain: all checks passed"; else echo "cli_domain: $FAILS failure(s)" >&2; fi
[ "$FAILS" -eq 0 ]
