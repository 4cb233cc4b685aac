// C-ABI shim over RDKit's C++ libraries, used when librdkitcffi is absent
// (Debian ships RDKit without it). Exports the librdkitcffi functions that
// auclust needs, with the same names, signatures and ownership rules: every
// returned pointer is malloc'd and released with free_ptr. No exception
// crosses the C boundary.
#include "rdkit_cffi.h"

#include <GraphMol/Descriptors/Property.h>
#include <GraphMol/MolInterchange/MolInterchange.h>
#include <GraphMol/MolPickler.h>
#include <GraphMol/RDKitBase.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>
#include <RDGeneral/RDLog.h>
#include <RDGeneral/versions.h>

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
