#include "png.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "err.h"

static void put32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

/* One chunk: length, type, data, CRC over type and data. */
static size_t chunk(unsigned char *at, const char type[4], const unsigned char *data, size_t n) {
  put32(at, (uint32_t)n);
  memcpy(at + 4, type, 4);
  if (n) memcpy(at + 8, data, n);
  put32(at + 8 + n, (uint32_t)crc32(0L, at + 4, (uInt)(n + 4)));
  return n + 12;
}

int png_encode_rgb(const unsigned char *rgb, int w, int h, unsigned char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  if (w < 1 || h < 1) return au_fail(AU_EDATA, "png: empty image %d x %d", w, h);
  size_t row = (size_t)w * 3 + 1, raw_n = row * h;
  unsigned char *raw = xmalloc(raw_n); /* each scanline: filter type 0 (none), then the pixels */
  for (int y = 0; y < h; y++) {
    raw[y * row] = 0;
    memcpy(raw + y * row + 1, rgb + (size_t)y * w * 3, (size_t)w * 3);
  }
  uLongf zn = compressBound((uLong)raw_n);
  unsigned char *z = xmalloc(zn);
  int zr = compress2(z, &zn, raw, (uLong)raw_n, 9);
  free(raw);
  if (zr != Z_OK) {
    free(z);
    return au_fail(AU_ENOMEM, "png: zlib failed (%d)", zr);
  }
  unsigned char ihdr[13];
  put32(ihdr, (uint32_t)w);
  put32(ihdr + 4, (uint32_t)h);
  ihdr[8] = 8;  /* bits per channel */
  ihdr[9] = 2;  /* colour type: RGB */
  ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filtering, no interlace */
  unsigned char *p = xmalloc(8 + 25 + 12 + zn + 12);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  memcpy(p, sig, 8);
  size_t k = 8;
  k += chunk(p + k, "IHDR", ihdr, 13);
  k += chunk(p + k, "IDAT", z, zn);
  k += chunk(p + k, "IEND", NULL, 0);
  free(z);
  *out = p;
  *len = k;
  return 0;
}

void base64_put(FILE *f, const unsigned char *b, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) | (i + 2 < n ? b[i + 2] : 0);
    char q[4] = {A[v >> 18 & 63], A[v >> 12 & 63], i + 1 < n ? A[v >> 6 & 63] : '=', i + 2 < n ? A[v & 63] : '='};
    fwrite(q, 1, 4, f);
  }
}
