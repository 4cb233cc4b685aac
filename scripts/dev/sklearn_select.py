#!/usr/bin/python3
"""Can the inputs a virtual-lab rule reads be found from the data? For each
FEATURIZED.csv (`auclust featurize` of a `simulate` set), stratified 10-fold
CV (2 repeats, shuffle seeds 0 and 1) of an RBF SVM (C = 10) on the inputs a
selection method picks on each training fold: none (all 19), oracle (the five
the paper-tree rule reads), rfmean (random-forest importance above its mean),
l1 (L1 logistic regression, C = 1), shadow (kept if a forest ranks it above
every permuted copy of the inputs in at least 3 of 5 forests). Prints each
method's mean MCC, per-file MCCs and how often each input was picked. A
developer tool (Debian python3-sklearn), not part of the build or CI.

  scripts/dev/sklearn_select.py none,oracle,rfmean,l1,shadow FEATURIZED.csv..."""
import importlib.util
import os
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import matthews_corrcoef
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

# the inputs and their loading are sklearn_cv.py's
_spec = importlib.util.spec_from_file_location("sklearn_cv", os.path.join(os.path.dirname(__file__), "sklearn_cv.py"))
cvmod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cvmod)
COLS = cvmod.DESC + ["log_ligand_au", "log_reductant_au"]
RULE = [COLS.index(c) for c in cvmod.RULE]


def sel_none(X, y, r): return list(range(X.shape[1]))
def sel_oracle(X, y, r): return RULE


def sel_rfmean(X, y, r):
    imp = RandomForestClassifier(300, random_state=r).fit(X, y).feature_importances_
    return [i for i in range(len(imp)) if imp[i] > imp.mean()]


def sel_shadow(X, y, r):
    rng, hits = np.random.default_rng(r), np.zeros(X.shape[1])
    for k in range(5):
        S = np.column_stack([rng.permutation(X[:, j]) for j in range(X.shape[1])])
        imp = RandomForestClassifier(200, random_state=r * 10 + k).fit(np.hstack([X, S]), y).feature_importances_
        hits += imp[:X.shape[1]] > imp[X.shape[1]:].max()
    return [i for i in range(X.shape[1]) if hits[i] >= 3] or [int(np.argmax(hits))]


def sel_l1(X, y, r):
    m = LogisticRegression(penalty="l1", C=1.0, solver="liblinear").fit(X, y)
    return [i for i in range(X.shape[1]) if abs(m.coef_[0, i]) > 1e-6] or [0]


METHODS = {"none": sel_none, "oracle": sel_oracle, "rfmean": sel_rfmean, "shadow": sel_shadow, "l1": sel_l1}


def main(argv):
    if len(argv) < 2 or any(m not in METHODS for m in argv[0].split(",")):
        sys.exit(__doc__)
    which = argv[0].split(",")
    res, picks = {k: [] for k in which}, {k: {} for k in which}
    for f in argv[1:]:
        X, y = cvmod.load(f, "all")
        for k in which:
            v = []
            for rep in range(2):
                p = np.zeros(len(y))
                for tr, te in StratifiedKFold(10, shuffle=True, random_state=rep).split(X, y):
                    c = METHODS[k](X[tr], y[tr], rep)
                    for i in c: picks[k][COLS[i]] = picks[k].get(COLS[i], 0) + 1
                    p[te] = SVC(C=10).fit(X[tr][:, c], y[tr]).predict(X[te][:, c])
                v.append(matthews_corrcoef(y, p))
            res[k].append(float(np.mean(v)))
    for k in which:
        print(f"{k:8s} mean {np.mean(res[k]):.3f}  per file " + " ".join(f"{x:.2f}" for x in res[k]))
        print("   picked:", sorted(picks[k].items(), key=lambda t: -t[1])[:10])


if __name__ == "__main__":
    main(sys.argv[1:])
