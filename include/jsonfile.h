/* Reading a whole JSON file (hyperparameters, search spaces, bounds). */
#ifndef AUCLUST_JSONFILE_H
#define AUCLUST_JSONFILE_H
#include <cjson/cJSON.h>

/* *out = the parsed document. AU_EIO when the file cannot be read;
 * `bad_code` (with a message naming the file) when it is not JSON. */
int json_load(const char *path, int bad_code, cJSON **out);
#endif
