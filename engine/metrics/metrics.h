/* metrics.h — vane's Prometheus metrics: the text exposition format 0.0.4
 * built from the store, served at /metrics by `vane serve` and written by
 * each `vane run` to settings' metrics_file (for node_exporter's textfile
 * collector). README "Metrics" lists every metric with its type and labels. */
#ifndef VANE_METRICS_H
#define VANE_METRICS_H

#include "config/config.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

/* The content type of the text. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The metrics of the database st, appended to out. cfg (may be NULL)
 * narrows the sources to those it declares and adds its channels with
 * nothing waiting (0). 0, or -1 with e set. */
int metrics_build(store_t *st, const config_t *cfg, buf_t *out, err_t *e);

/* Replace the file path by text atomically: a temporary file beside it
 * (not ending in .prom, so the textfile collector skips it), synced, made
 * readable by all, renamed over path. 0, or -1 with e naming the file. */
int metrics_file_write(const char *path, const buf_t *text, err_t *e);

/* s as a label value: \ " and newline escaped. */
int metrics_label(buf_t *out, const char *s);

#endif
