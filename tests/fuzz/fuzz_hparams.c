/* Hyperparameter JSON: any document gives hyperparameters or one AU_EUSAGE
 * error; accepted ones pass hparams_check's shape rules or fail them with
 * AU_EUSAGE, and write/read back to the same values. */
#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "hparams.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  char *s = fz_str(d, n);
  cJSON *j = cJSON_Parse(s);
  free(s);
  if (!j) return 0;
  static const char *const kinds[] = {"gcnn_snn", "dnn", "svm"};
  for (int k = 0; k < 3; k++) {
    hparams hp, back;
    FZ_ASSERT(hparams_default(kinds[k], &hp) == 0);
    int rc = hparams_from_json(j, &hp, "fuzz.json");
    fz_error_ok(rc, AU_EUSAGE, AU_EUSAGE);
    if (rc) continue;
    rc = hparams_check(&hp);
    fz_error_ok(rc, AU_EUSAGE, AU_EUSAGE);
    if (rc) continue;
    cJSON *o = hparams_to_json(&hp);
    FZ_ASSERT(hparams_default(kinds[k], &back) == 0);
    rc = hparams_from_json(o, &back, "round trip");
    if (rc) fprintf(stderr, "round trip: %s\n", au_errmsg());
    FZ_ASSERT(rc == 0);
    cJSON *o2 = hparams_to_json(&back);
    FZ_ASSERT(cJSON_Compare(o, o2, 1));
    cJSON_Delete(o);
    cJSON_Delete(o2);
  }
  cJSON_Delete(j);
  return 0;
}
