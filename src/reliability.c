#include "reliability.h"

#include <errno.h>
#include <string.h>

#include "err.h"
#include "metrics.h"
#include "svgplot.h"

void reliability_fill(reliability_panel *rp, const char *label, const int *y, const double *p, int n) {
  rp->label = label;
  metric_reliability(y, p, n, REL_BINS, rp->count, rp->mean_p, rp->frac);
  rp->ece = metric_ece(y, p, n);
}

#define PW 220 /* plot area of a panel */
#define ML 58  /* left margin: tick labels and the y label */
#define MT 40  /* top: the title */
#define MB 48  /* bottom: tick labels and the x label */
#define MR 16
#define HIST 40 /* height of the count histogram under the plot */

static void panel(FILE *f, const reliability_panel *rp, double ox, double oy) {
  double x0 = ox + ML, y0 = oy + MT, x1 = x0 + PW, y1 = y0 + PW; /* y1: P = 0 */
  fprintf(f, "<g class=\"panel\">\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\">", x0 + PW / 2.0,
          oy + 22);
  svg_put_text(f, rp->label);
  fprintf(f, " (ECE %.3f)</text>\n", rp->ece);
  fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#000\"/>\n", x0, y0, PW, PW);
  for (int t = 0; t <= 4; t++) { /* ticks 0, .25, ... 1 on both axes */
    double v = t / 4.0, x = x0 + v * PW, y = y1 - v * PW;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x, y0, x, y1);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x0, y, x1, y);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", x, y1 + HIST + 16, v);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", x0 - 5, y + 4, v);
  }
  fprintf(f, "<line class=\"diagonal\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n",
          x0, y1, x1, y0);
  int maxc = 0;
  for (int b = 0; b < REL_BINS; b++) if (rp->count[b] > maxc) maxc = rp->count[b];
  double bw = (double)PW / REL_BINS;
  for (int b = 0; b < REL_BINS && maxc; b++) { /* histogram of the predictions */
    double h = (double)HIST * rp->count[b] / maxc;
    if (rp->count[b])
      fprintf(f, "<rect class=\"count\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#9ecae1\"/>\n",
              x0 + b * bw + 1, y1 + HIST - h + 4, bw - 2, h);
  }
  fprintf(f, "<polyline fill=\"none\" stroke=\"#3b528b\" stroke-width=\"1.5\" points=\"");
  for (int b = 0; b < REL_BINS; b++)
    if (rp->count[b]) fprintf(f, "%.1f,%.1f ", x0 + rp->mean_p[b] * PW, y1 - rp->frac[b] * PW);
  fputs("\"/>\n", f);
  for (int b = 0; b < REL_BINS; b++) {
    if (!rp->count[b]) continue;
    double x = x0 + rp->mean_p[b] * PW, y = y1 - rp->frac[b] * PW;
    fprintf(f, "<circle class=\"bin\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#3b528b\"><title>predicted %.3f, observed %.3f, n = %d</title></circle>\n",
            x, y, rp->mean_p[b], rp->frac[b], rp->count[b]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#333\">%d</text>\n", x + 6, y - 5, rp->count[b]);
  }
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">predicted P(success)</text>\n", x0 + PW / 2.0,
          y1 + HIST + 34);
  fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">observed success rate</text>\n",
          ox + 16, y0 + PW / 2.0);
  fputs("</g>\n", f);
}

int svg_reliability_grid(FILE *f, const reliability_panel *panels, int n, const char *title) {
  if (n < 1) return au_fail(AU_EDATA, "reliability diagram: no models");
  int cols = n < 4 ? n : 4, rows = (n + cols - 1) / cols, top = title ? 30 : 0;
  int pw = ML + PW + MR, ph = MT + PW + HIST + MB, w = cols * pw, h = rows * ph + top + 24;
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
          "font-family=\"DejaVu Sans,Arial,Helvetica,sans-serif\" font-size=\"12\">\n"
          "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
          w, h, w, h);
  if (title) {
    fprintf(f, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">", w / 2);
    svg_put_text(f, title);
    fputs("</text>\n", f);
  }
  for (int i = 0; i < n; i++) panel(f, &panels[i], (i % cols) * pw, top + (i / cols) * ph);
  fprintf(f, "<text x=\"8\" y=\"%d\" font-size=\"10\" fill=\"#555\">dots: bins of 0.1 of the predicted probability "
             "(number = recipes in the bin); dashed: perfect calibration; bars: how many predictions fall in each bin</text>\n",
          h - 8);
  fputs("</svg>\n", f);
  errno = 0;
  if (fflush(f) != 0 || ferror(f))
    return au_fail(AU_EIO, "cannot write the reliability SVG: %s", errno ? strerror(errno) : "stream error");
  return 0;
}
