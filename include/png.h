/* PNG images (8-bit RGB, zlib-compressed) and base64, for the raster maps
 * embedded in SVG figures: a 100 x 100 map is a few kB instead of 10,000
 * <rect> elements. */
#ifndef AUCLUST_PNG_H
#define AUCLUST_PNG_H
#include <stddef.h>
#include <stdio.h>

/* rgb holds h rows of w pixels (3 bytes each), the top row first. Returns
 * a malloc'd PNG file in *out (its size in *len); 0, or AU_ENOMEM. */
int png_encode_rgb(const unsigned char *rgb, int w, int h, unsigned char **out, size_t *len);
/* Writes n bytes as base64 (RFC 4648, with padding, no line breaks). */
void base64_put(FILE *f, const unsigned char *b, size_t n);
#endif
