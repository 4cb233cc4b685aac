// C-ABI shim over RDKit's C++ libraries, used when librdkitcffi is absent
// (Debian ships RDKit without it). Exports the librdkitcffi functions that
// auclust needs, with the same names, signatures and ownership rules: every
// returned pointer is malloc'd and released with free_ptr. No exception
// crosses the C boundary.
#include "rdkit_cffi.h"

#include <DataStructs/BitOps.h>
#include <DataStructs/ExplicitBitVect.h>
#include <GraphMol/Descriptors/Property.h>
#include <GraphMol/Fingerprints/MorganFingerprints.h>
#include <GraphMol/MolInterchange/MolInterchange.h>
#include <GraphMol/MolPickler.h>
#include <GraphMol/RDKitBase.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>
#include <GraphMol/Substruct/SubstructMatch.h>
#include <RDGeneral/RDLog.h>
#include <RDGeneral/versions.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

namespace {

char *dup_str(const std::string &s, size_t *sz = nullptr) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (!p) return nullptr;
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = 0;
  if (sz) *sz = s.size();
  return p;
}

RDKit::ROMol *unpickle(const char *pkl, size_t pkl_sz) {
  if (!pkl || !pkl_sz) return nullptr;
  try {
    return new RDKit::ROMol(std::string(pkl, pkl_sz));
  } catch (...) {
    return nullptr;
  }
}

std::string pickle_of(const RDKit::ROMol &mol) {
  std::string pkl;
  RDKit::MolPickler::pickleMol(mol, pkl, RDKit::PicklerOps::AllProps);
  return pkl;
}

// Route RDKit's own log lines away from the user's terminal unless asked.
struct LogInit {
  LogInit() { RDLog::InitLogs(); disable(); }
  static void disable() { boost::logging::disable_logs("rdApp.*"); }
};
LogInit &log_init() { static LogInit li; return li; }

}  // namespace

extern "C" char *get_mol(const char *input, size_t *mol_sz, const char *details_json) {
  (void)details_json;
  log_init();
  if (mol_sz) *mol_sz = 0;
  if (!input) return nullptr;
  std::unique_ptr<RDKit::RWMol> mol;
  try {
    std::string s(input);
    if (s.find("M  END") != std::string::npos) {
      // not needed by auclust: only SMILES are accepted
      return nullptr;
    }
    mol.reset(RDKit::SmilesToMol(s));
  } catch (...) {
    return nullptr;
  }
  if (!mol) return nullptr;
  try {
    std::string pkl;
    RDKit::MolPickler::pickleMol(*mol, pkl, RDKit::PicklerOps::AllProps);
    return dup_str(pkl, mol_sz);
  } catch (...) {
    return nullptr;
  }
}

extern "C" char *get_smiles(const char *pkl, size_t pkl_sz, const char *details_json) {
  (void)details_json;
  std::unique_ptr<RDKit::ROMol> mol(unpickle(pkl, pkl_sz));
  if (!mol) return nullptr;
  try {
    return dup_str(RDKit::MolToSmiles(*mol));
  } catch (...) {
    return nullptr;
  }
}

extern "C" char *get_json(const char *pkl, size_t pkl_sz, const char *details_json) {
  (void)details_json;
  std::unique_ptr<RDKit::ROMol> mol(unpickle(pkl, pkl_sz));
  if (!mol) return nullptr;
  try {
    /* The JSON writer kekulizes a copy and, when that fails (an aromatic
     * system RDKit perceives but cannot write as alternating bonds,
     * 'Cb=9C1=CC=CC91'), leaks the copy (fuzz_smiles): kekulize a copy we
     * own first and refuse the molecule if it cannot be. */
    RDKit::RWMol kek(*mol);
    RDKit::MolOps::Kekulize(kek);
    return dup_str(RDKit::MolInterchange::MolToJSONData(*mol));
  } catch (...) {
    return nullptr;
  }
}

extern "C" char *get_descriptors(const char *pkl, size_t pkl_sz) {
  std::unique_ptr<RDKit::ROMol> mol(unpickle(pkl, pkl_sz));
  if (!mol) return nullptr;
  try {
    RDKit::Descriptors::Properties props;
    std::vector<std::string> names = props.getPropertyNames();
    std::vector<double> vals = props.computeProperties(*mol);
    std::ostringstream os;
    os.precision(17);
    os << "{";
    for (size_t i = 0; i < names.size() && i < vals.size(); i++) {
      if (i) os << ",";
      os << "\"" << names[i] << "\":" << vals[i];
    }
    os << "}";
    return dup_str(os.str());
  } catch (...) {
    return nullptr;
  }
}

extern "C" void free_ptr(char *ptr) { std::free(ptr); }

extern "C" char *version(void) { return dup_str(RDKit::rdkitVersion); }

extern "C" void enable_logging(void) {
  log_init();
  boost::logging::enable_logs("rdApp.*");
}

extern "C" void disable_logging(void) {
  log_init();
  LogInit::disable();
}

extern "C" char *get_qmol(const char *input, size_t *mol_sz, const char *details_json) {
  (void)details_json;
  log_init();
  if (mol_sz) *mol_sz = 0;
  if (!input) return nullptr;
  try {
    std::unique_ptr<RDKit::RWMol> q(RDKit::SmartsToMol(input));
    if (!q) return nullptr;
    return dup_str(pickle_of(*q), mol_sz);
  } catch (...) {
    return nullptr;
  }
}

// As librdkitcffi: "{}" when the query does not match, else the first
// match as {"atoms":[...],"bonds":[...]} (molecule indexes).
extern "C" char *get_substruct_match(const char *mol_pkl, size_t mol_pkl_sz, const char *query_pkl,
                                     size_t query_pkl_sz, const char *options_json) {
  (void)options_json;
  std::unique_ptr<RDKit::ROMol> mol(unpickle(mol_pkl, mol_pkl_sz)), q(unpickle(query_pkl, query_pkl_sz));
  if (!mol || !q) return nullptr;
  try {
    RDKit::SubstructMatchParameters ps;
    ps.maxMatches = 1;
    auto matches = RDKit::SubstructMatch(*mol, *q, ps);
    if (matches.empty()) return dup_str("{}");
    std::vector<int> atoms(q->getNumAtoms(), -1);
    for (const auto &pr : matches[0]) atoms[pr.first] = pr.second;
    std::ostringstream os;
    os << "{\"atoms\":[";
    for (size_t i = 0; i < atoms.size(); i++) os << (i ? "," : "") << atoms[i];
    os << "],\"bonds\":[";
    bool first = true;
    for (const auto b : q->bonds()) {
      const RDKit::Bond *mb = mol->getBondBetweenAtoms(atoms[b->getBeginAtomIdx()], atoms[b->getEndAtomIdx()]);
      if (!mb) continue;
      os << (first ? "" : ",") << mb->getIdx();
      first = false;
    }
    os << "]}";
    return dup_str(os.str());
  } catch (...) {
    return nullptr;
  }
}

// Morgan bit vector packed 8 bits a byte, bit i in byte i/8 at 1 << (i%8)
// (RDKit's BitVectToBinaryText); details {"radius": 2, "nBits": 2048}.
extern "C" char *get_morgan_fp_as_bytes(const char *pkl, size_t pkl_sz, size_t *nbytes, const char *details_json) {
  if (nbytes) *nbytes = 0;
  std::unique_ptr<RDKit::ROMol> mol(unpickle(pkl, pkl_sz));
  if (!mol) return nullptr;
  try {
    unsigned int radius = 2, nBits = 2048;
    if (details_json && *details_json) {
      boost::property_tree::ptree pt;
      std::istringstream ss(details_json);
      boost::property_tree::read_json(ss, pt);
      radius = pt.get("radius", radius);
      nBits = pt.get("nBits", nBits);
    }
    std::unique_ptr<ExplicitBitVect> fp(RDKit::MorganFingerprints::getFingerprintAsBitVect(*mol, radius, nBits));
    return dup_str(BitVectToBinaryText(*fp), nbytes);
  } catch (...) {
    return nullptr;
  }
}

// The connected fragments as separate pickles (arrays malloc'd: free each
// pickle and both arrays with free_ptr).
extern "C" char **get_mol_frags(const char *pkl, size_t pkl_sz, size_t **frags_pkl_sz_array, size_t *num_frags,
                                const char *details_json, char **mappings_json) {
  (void)details_json;
  if (mappings_json) *mappings_json = nullptr;
  if (!frags_pkl_sz_array || !num_frags) return nullptr;
  *frags_pkl_sz_array = nullptr;
  *num_frags = 0;
  std::unique_ptr<RDKit::ROMol> mol(unpickle(pkl, pkl_sz));
  if (!mol) return nullptr;
  // Each fragment is written as SMILES and parsed again (sanitized), rather
  // than copied by getMolFrags(mol, true), which leaks when a copy fails to
  // sanitize.
  std::vector<std::string> pkls;
  try {
    std::vector<int> frag_of;
    unsigned n = RDKit::MolOps::getMolFrags(*mol, frag_of);
    if (n == 1) pkls.push_back(pickle_of(*mol));
    for (unsigned f = 0; f < n && n > 1; f++) {
      std::vector<int> atoms;
      for (size_t i = 0; i < frag_of.size(); i++)
        if (frag_of[i] == (int)f) atoms.push_back((int)i);
      std::unique_ptr<RDKit::RWMol> fm(RDKit::SmilesToMol(RDKit::MolFragmentToSmiles(*mol, atoms)));
      if (!fm) return nullptr;
      pkls.push_back(pickle_of(*fm));
    }
  } catch (...) {
    return nullptr;
  }
  if (pkls.empty()) return nullptr;
  char **out = static_cast<char **>(std::calloc(pkls.size(), sizeof(char *)));
  size_t *sz = static_cast<size_t *>(std::calloc(pkls.size(), sizeof(size_t)));
  bool ok = out && sz;
  for (size_t i = 0; ok && i < pkls.size(); i++) ok = (out[i] = dup_str(pkls[i], &sz[i])) != nullptr;
  if (!ok) {
    for (size_t i = 0; out && i < pkls.size(); i++) std::free(out[i]);
    std::free(out);
    std::free(sz);
    return nullptr;
  }
  *frags_pkl_sz_array = sz;
  *num_frags = pkls.size();
  return out;
}
