#!/usr/bin/python3
"""Reference values from Python RDKit (Debian python3-rdkit) for checking
auclust's C reimplementations: graph features (implicit valence, conjugation,
rings) and descriptors (Bertz CT, Crippen logP, ...), and for checking what
auclust asks of RDKit through the C API: Morgan fingerprints (radius 2, 2048
bits) and their Tanimoto similarity. A developer tool, not part of the build
or CI: `scripts/dev/rdkit_reference.py [--graph|--descriptors|--tanimoto] SMILES...`
(--tanimoto: the on-bit count of each, then the similarity of every pair)."""
import sys
from rdkit import Chem, DataStructs
from rdkit.Chem import AllChem
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

def tanimoto(smiles):
    fps = [AllChem.GetMorganFingerprintAsBitVect(Chem.MolFromSmiles(s), 2, nBits=2048) for s in smiles]
    for s, fp in zip(smiles, fps):
        print(f"{s} on_bits={fp.GetNumOnBits()}")
    for i in range(len(smiles)):
        for j in range(i + 1, len(smiles)):
            print(f"{smiles[i]} {smiles[j]} tanimoto={DataStructs.TanimotoSimilarity(fps[i], fps[j]):.10f}")

if __name__ == "__main__":
    mode = "graph"
    args = []
    for s in sys.argv[1:]:
        if s in ("--graph", "--descriptors", "--tanimoto"):
            mode = s[2:]
            continue
        args.append(s)
    if mode == "tanimoto":
        tanimoto(args)
    for s in args:
        if mode == "graph":
            graph(s)
        elif mode == "descriptors":
            descriptors(s)
