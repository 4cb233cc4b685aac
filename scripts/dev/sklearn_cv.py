#!/usr/bin/python3
"""Reference CV figures from scikit-learn (Debian python3-sklearn) on auclust's
own inputs, to ask how much of a virtual-lab rule a learner can recover from a
set of this size at all, and what the irrelevant inputs cost. A developer tool,
not part of the build or CI.

  scripts/dev/sklearn_cv.py [--inputs all|rule] [--repeats R] FEATURIZED.csv...

Each FEATURIZED.csv is `auclust featurize` of a `simulate` set (its outcome
column is the label). `all`: the 17 descriptors and the two log10 ratios (1 uM
offsets), what auclust's models get; `rule`: only the inputs the paper-tree
rule reads (reductant mM, temperature, pH, aromatic atoms, log10 ligand:Au).
Inputs are min-max scaled on the whole set; stratified 10-fold CV, R repeats
(shuffle seeds 0..R-1); prints each model's MCC per file and the mean."""
import csv
import math
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import matthews_corrcoef
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

DESC = ["ligand_mM", "haucl4_mM", "reductant_mM", "temperature_C", "pH", "dielectric_constant",
        "ligand_solubility", "redox_potential_V", "ligand_charge", "ligand_hbd", "ligand_hba",
        "ligand_aromatic", "ligand_mw", "ligand_rotatable_bonds", "ligand_complexity", "ligand_tpsa",
        "ligand_logp"]
RULE = ["reductant_mM", "temperature_C", "pH", "ligand_aromatic", "log_ligand_au"]
MODELS = {
    "cart": lambda: DecisionTreeClassifier(random_state=0),
    "rf (sqrt features)": lambda: RandomForestClassifier(300, random_state=0),
    "bagged trees": lambda: RandomForestClassifier(300, random_state=0, max_features=None),
    "rbf svm (C=10)": lambda: SVC(C=10),
}


def load(path, inputs):
    X, y = [], []
    for r in csv.DictReader(open(path)):
        au = float(r["haucl4_mM"]) + 1e-3
        v = {c: float(r[c]) for c in DESC}
        v["log_ligand_au"] = math.log10((float(r["ligand_mM"]) + 1e-3) / au)
        v["log_reductant_au"] = math.log10((float(r["reductant_mM"]) + 1e-3) / au)
        cols = RULE if inputs == "rule" else DESC + ["log_ligand_au", "log_reductant_au"]
        X.append([v[c] for c in cols])
        y.append(int(r["outcome"]))
    X = np.array(X)
    return (X - X.min(0)) / (X.max(0) - X.min(0) + 1e-12), np.array(y)


def main(argv):
    inputs, repeats, files = "all", 2, []
    i = 0
    while i < len(argv):
        if argv[i] == "--inputs": inputs = argv[i + 1]; i += 2
        elif argv[i] == "--repeats": repeats = int(argv[i + 1]); i += 2
        else: files.append(argv[i]); i += 1
    if inputs not in ("all", "rule") or not files:
        sys.exit(__doc__)
    res = {k: [] for k in MODELS}
    for f in files:
        X, y = load(f, inputs)
        for k, make in MODELS.items():
            v = []
            for rep in range(repeats):
                p = np.zeros(len(y))
                for tr, te in StratifiedKFold(10, shuffle=True, random_state=rep).split(X, y):
                    p[te] = make().fit(X[tr], y[tr]).predict(X[te])
                v.append(matthews_corrcoef(y, p))
            res[k].append(float(np.mean(v)))
    for k, v in res.items():
        print(f"{k:20s} mean {np.mean(v):.3f}  per file " + " ".join(f"{x:.3f}" for x in v))


if __name__ == "__main__":
    main(sys.argv[1:])
