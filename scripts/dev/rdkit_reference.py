#!/usr/bin/python3
"""Reference values from Python RDKit (Debian python3-rdkit) for checking
auclust's C reimplementations: graph features (implicit valence, conjugation,
rings) and descriptors (Bertz CT, Crippen logP, ...). A developer tool, not
part of the build or CI: `scripts/dev/rdkit_reference.py SMILES...`."""
import sys
from rdkit import Chem
from rdkit.Chem import Crippen, Descriptors, GraphDescriptors, rdMolDescriptors as R

def graph(smi):
    m = Chem.MolFromSmiles(smi)
    for a in m.GetAtoms():
        print(f"{smi} A{a.GetIdx()} z={a.GetAtomicNum()} deg={a.GetDegree()} hs={a.GetTotalNumHs()} "
              f"iv={a.GetImplicitValence()} ar={int(a.GetIsAromatic())}")
    for b in m.GetBonds():
        o = {1.0: 1, 2.0: 2, 3.0: 3, 1.5: 1}[b.GetBondTypeAsDouble()]
        print(f"{smi} B{b.GetBeginAtomIdx()}-{b.GetEndAtomIdx()} o=? ar={int(b.GetIsAromatic())} "
              f"conj={int(b.GetIsConjugated())} ring={int(b.IsInRing())}")

def descriptors(smi):
    m = Chem.MolFromSmiles(smi)
    print(f"{smi} mw={Descriptors.MolWt(m):.6f} logp={Crippen.MolLogP(m):.6f} tpsa={R.CalcTPSA(m):.4f} "
          f"hbd={R.CalcNumHBD(m)} hba={R.CalcNumHBA(m)} rot={R.CalcNumRotatableBonds(m)} "
          f"bertz={GraphDescriptors.BertzCT(m):.6f} charge={Chem.GetFormalCharge(m)} "
          f"arom_atoms={sum(a.GetIsAromatic() for a in m.GetAtoms())} heavy={m.GetNumHeavyAtoms()}")

if __name__ == "__main__":
    mode = "graph"
    for s in sys.argv[1:]:
        if s in ("--graph", "--descriptors"):
            mode = s[2:]
            continue
        graph(s) if mode == "graph" else descriptors(s)
