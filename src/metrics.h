/* metrics.h: counters, gauges and histograms shared by the HTTP server and the
 * follower, rendered in the Prometheus text format.  Thread-safe. */
#ifndef LICGATE_METRICS_H
#define LICGATE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Counters with up to two labels are keyed by their label values. */
#define METRICS_MAX_SERIES 256

/* Adds delta to counter NAME{labels}; label names/values may be NULL.
 * Series beyond METRICS_MAX_SERIES are dropped (and counted in
 * licgate_metrics_dropped_total). */
void metrics_count(const char *name, const char *l1, const char *v1,
    const char *l2, const char *v2, uint64_t delta);

/* Sets gauge NAME (no labels) to value. */
void metrics_gauge(const char *name, double value);

/* Records one observation in histogram NAME (seconds; fixed buckets from
 * 10 us to 1 s). */
void metrics_observe(const char *name, double seconds);

/* Writes every series as Prometheus text into a new string (caller frees),
 * with HELP lines from metrics_help(). */
char *metrics_render(void);

/* Registers the HELP text and type of a metric family (called once at start
 * for each family); NAME must stay valid. */
void metrics_help(const char *name, const char *type, const char *help);

/* Forgets every series (tests). */
void metrics_reset(void);

#endif
