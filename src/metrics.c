/* metrics.c: a fixed table of series under one mutex; small enough that a
 * linear search per update costs less than the request it counts. */
#include "config.h"

#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "xmalloc.h"

enum series_kind { S_COUNTER, S_GAUGE, S_HISTOGRAM };

static const double metrics_buckets[] = {
	0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.05, 0.1, 0.5, 1.0
};
#define NBUCKETS (sizeof(metrics_buckets) / sizeof(metrics_buckets[0]))

struct series {
	enum series_kind kind;
	char name[64];
	char labels[160];	/* rendered: l1="v1",l2="v2" */
	double value;		/* counter or gauge; histogram: sum */
	uint64_t count;		/* histogram observations */
	uint64_t buckets[NBUCKETS];
};

struct family {
	const char *name, *type, *help;
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct series metrics_series[METRICS_MAX_SERIES];
static size_t metrics_nseries;
static uint64_t metrics_dropped;
static struct family metrics_families[64];
static size_t metrics_nfamilies;

/* Appends l="v" (after a comma unless first) to out, escaping the value
 * (they come from our own code, but escape them anyway); a pair that does
 * not fit is left out whole.  Called on every request: no stdio. */
static void
label_pair(char *out, size_t outsz, const char *l, const char *v)
{
	size_t n = strlen(out), start = n, ln;
	const char *p;

	if (l == NULL || v == NULL)
		return;
	ln = strlen(l);
	if (n + (n > 0) + ln + 4 > outsz)
		return;
	if (n > 0)
		out[n++] = ',';
	memcpy(out + n, l, ln);
	n += ln;
	out[n++] = '=';
	out[n++] = '"';
	for (p = v; *p; p++) {
		if (n + 3 >= outsz) {
			out[start] = '\0';
			return;
		}
		if (*p == '"' || *p == '\\' || *p == '\n')
			out[n++] = '\\';
		out[n++] = *p == '\n' ? 'n' : *p;
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* Finds or creates a series; NULL when the table is full.  Lock held. */
static struct series *
series_get(enum series_kind kind, const char *name, const char *labels)
{
	struct series *s;
	size_t i;

	for (i = 0; i < metrics_nseries; i++) {
		s = &metrics_series[i];
		if (strcmp(s->name, name) == 0 && strcmp(s->labels, labels) == 0)
			return s;
	}
	if (metrics_nseries == METRICS_MAX_SERIES) {
		metrics_dropped++;
		return NULL;
	}
	s = &metrics_series[metrics_nseries++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->labels, sizeof(s->labels), "%s", labels);
	return s;
}

void
metrics_count(const char *name, const char *l1, const char *v1,
    const char *l2, const char *v2, uint64_t delta)
{
	char labels[160] = "";
	struct series *s;

	label_pair(labels, sizeof(labels), l1, v1);
	label_pair(labels, sizeof(labels), l2, v2);
	pthread_mutex_lock(&metrics_lock);
	if ((s = series_get(S_COUNTER, name, labels)) != NULL)
		s->value += (double)delta;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_gauge(const char *name, double value)
{
	struct series *s;

	pthread_mutex_lock(&metrics_lock);
	if ((s = series_get(S_GAUGE, name, "")) != NULL)
		s->value = value;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_observe(const char *name, double seconds)
{
	struct series *s;
	size_t i;

	pthread_mutex_lock(&metrics_lock);
	if ((s = series_get(S_HISTOGRAM, name, "")) != NULL) {
		s->count++;
		s->value += seconds;
		for (i = 0; i < NBUCKETS; i++)
			if (seconds <= metrics_buckets[i])
				s->buckets[i]++;
	}
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_help(const char *name, const char *type, const char *help)
{
	size_t i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < metrics_nfamilies; i++)
		if (strcmp(metrics_families[i].name, name) == 0)
			break;
	if (i == metrics_nfamilies && i < sizeof(metrics_families) /
	    sizeof(metrics_families[0]))
		metrics_nfamilies++;
	if (i < metrics_nfamilies)
		metrics_families[i] = (struct family){ name, type, help };
	pthread_mutex_unlock(&metrics_lock);
}

/* A growable string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0);
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	b->len += (size_t)n;
}

static const struct family *
family_of(const char *name)
{
	size_t i;

	for (i = 0; i < metrics_nfamilies; i++)
		if (strcmp(metrics_families[i].name, name) == 0)
			return &metrics_families[i];
	return NULL;
}

static void
render_series(struct sbuf *b, const struct series *s)
{
	const char *sep = s->labels[0] ? "," : "";
	size_t i;

	if (s->kind != S_HISTOGRAM) {
		sbuf_printf(b, "%s%s%s%s %.17g\n", s->name, s->labels[0] ? "{" : "",
		    s->labels, s->labels[0] ? "}" : "", s->value);
		return;
	}
	for (i = 0; i < NBUCKETS; i++)
		sbuf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", s->name,
		    s->labels, sep, metrics_buckets[i],
		    (unsigned long long)s->buckets[i]);
	sbuf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", s->name, s->labels,
	    sep, (unsigned long long)s->count);
	sbuf_printf(b, "%s_sum %.9g\n%s_count %llu\n", s->name, s->value,
	    s->name, (unsigned long long)s->count);
}

char *
metrics_render(void)
{
	struct sbuf b = { xmalloc(4096), 0, 4096 };
	const struct family *f;
	size_t i, j;

	b.p[0] = '\0';
	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < metrics_nseries; i++) {
		/* HELP/TYPE once, before the first series of a family. */
		for (j = 0; j < i; j++)
			if (strcmp(metrics_series[j].name, metrics_series[i].name) == 0)
				break;
		if (j == i && (f = family_of(metrics_series[i].name)) != NULL)
			sbuf_printf(&b, "# HELP %s %s\n# TYPE %s %s\n", f->name,
			    f->help, f->name, f->type);
		if (j == i)
			for (j = i; j < metrics_nseries; j++)
				if (strcmp(metrics_series[j].name,
				    metrics_series[i].name) == 0)
					render_series(&b, &metrics_series[j]);
	}
	sbuf_printf(&b, "licgate_metrics_dropped_total %llu\n",
	    (unsigned long long)metrics_dropped);
	pthread_mutex_unlock(&metrics_lock);
	return b.p;
}

void
metrics_reset(void)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_nseries = 0;
	metrics_dropped = 0;
	pthread_mutex_unlock(&metrics_lock);
}
