/* licgated.c: the gateway daemon.  The main thread follows the chain one
 * verified batch at a time and handles signals between batches (so SIGTERM
 * never interrupts a batch); the HTTP server answers from its own threads. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "daemon.h"
#include "engine/engine.h"
#include "follow.h"
#include "key.h"
#include "log.h"
#include "metrics.h"
#include "sdnotify.h"
#include "store.h"
#include "xmalloc.h"

#define DEFAULT_CONF SYSCONFDIR "/licgate/gateway.conf"
#define PROGRESS_EVERY 5		/* seconds between progress lines */

static void
usage(FILE *f)
{
	fprintf(f, "usage: licgated [-d] [-n] [-c FILE]\n"
	    "       licgated --help | --version\n\n"
	    "Follow the chain, verify the license registry's events, keep them "
	    "in SQLite\nand answer devices with signed attestations.\n\n"
	    "  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
	    "  -d, --foreground   stay in the foreground, log to stderr\n"
	    "  -n, --check        check the configuration and key, then exit\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      the version\n\n"
	    "Signals: SIGTERM/SIGINT finish the current batch and exit 0; "
	    "SIGHUP reloads\nthe configuration.  See licgated(8) and "
	    "gateway.conf(5).\n");
}

static uint64_t
now_s(void)
{
	return (uint64_t)time(NULL);
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Loads what -n checks: the configuration, the bearer token and the key. */
static int
load_all(struct conf *c, uint8_t seckey[32], const char *file, char *err,
    size_t errsz)
{
	struct engine *e;
	int alg;

	if (!conf_load(c, file, err, errsz))
		return 0;
	if (!daemon_engine(&e, c, file, err, errsz)) {
		conf_free(c);
		return 0;
	}
	engine_destroy(e);
	return key_load_conf(seckey, &alg, c, err, errsz);
}

/* The sync loop ---------------------------------------------------------- */

struct progress {
	double since;			/* start of this catch-up */
	double last_line;
	uint64_t blocks, events;
	int caught_up;			/* READY sent */
	char last_error[512];
	uint64_t noted_head;		/* node head last written to meta */
	double noted_at;
};

static void
report_progress(struct progress *pg, const struct follow_stats *st)
{
	double t = mono_s(), dt = t - pg->since;

	pg->blocks += st->blocks;
	pg->events += st->events;
	if (t - pg->last_line < PROGRESS_EVERY)
		return;
	pg->last_line = t;
	log_info("sync: block %" PRIu64 " of %" PRIu64 " (lag %" PRIu64
	    "), %.0f blocks/s, %" PRIu64 " events verified", st->head,
	    st->node_head, st->node_head - st->head,
	    dt > 0 ? pg->blocks / dt : 0.0, pg->events);
}

static void
note_error(struct daemon *d, struct progress *pg, const char *msg)
{
	char err[256];
	int repeated = strcmp(msg, pg->last_error) == 0;

	/* Recorded before it is logged: whoever reads the log and then
	 * licgatectl status finds it there. */
	snprintf(pg->last_error, sizeof(pg->last_error), "%s", msg);
	daemon_sync_error(d);
	if (!store_set_error(d->store, msg, now_s(), err, sizeof(err)))
		log_warnx("%s", err);
	if (!repeated)
		log_warnx("%s", msg);
}

static void
clear_error(struct daemon *d, struct progress *pg)
{
	char err[256];

	if (pg->last_error[0] == '\0')
		return;
	if (!store_set_error(d->store, NULL, 0, err, sizeof(err)))
		log_warnx("%s", err);
	log_info("sync: verifying again after: %s", pg->last_error);
	pg->last_error[0] = '\0';
}

static void
caught_up(struct daemon *d, struct progress *pg,
    const struct follow_stats *st)
{
	char err[256];

	if (!pg->caught_up) {
		pg->caught_up = 1;
		log_info("caught up: block %" PRIu64 ", %" PRIu64 " events "
		    "verified in %.1f s", st->head, pg->events,
		    mono_s() - pg->since);
		sdnotify("READY=1");
	}
	daemon_web_caught_up(d);
	/* The node's head and the time of the check, for status; written
	 * when the head moves and once a minute, not at every poll. */
	if (st->node_head == pg->noted_head && mono_s() - pg->noted_at < 60)
		return;
	pg->noted_head = st->node_head;
	pg->noted_at = mono_s();
	if (!store_note_sync(d->store, st->node_head, now_s(), err,
	    sizeof(err)))
		log_warnx("%s", err);
}

/* Waits up to secs for a signal; returns it, or 0 on timeout. */
static int
wait_signal(const sigset_t *set, uint64_t secs)
{
	struct timespec ts = { (time_t)secs, 0 };
	int sig;

	do
		sig = sigtimedwait(set, NULL, &ts);
	while (sig == -1 && errno == EINTR);
	return sig == -1 ? 0 : sig;
}

/* Handles a signal; returns 1 when the daemon must stop. */
static int
on_signal(struct daemon *d, int sig)
{
	if (sig == SIGTERM || sig == SIGINT) {
		log_info("signal %d: stopping", sig);
		return 1;
	}
	if (sig == SIGHUP)
		daemon_reload(d);
	return 0;
}

/* What a step asked of the node, for /metrics. */
static void
count_step(const struct follow_stats *st)
{
	metrics_count("licgate_sync_receipt_blocks_total", NULL, NULL, NULL,
	    NULL, st->receipts);
	metrics_count("licgate_sync_proofs_deferred_total", NULL, NULL, NULL,
	    NULL, st->proofs_deferred);
	metrics_count("licgate_sync_hint_lies_total", NULL, NULL, NULL, NULL,
	    st->hint_lies);
}

static void
run(struct daemon *d, const sigset_t *set)
{
	struct progress pg;
	struct follow_stats st;
	enum follow_status rc;
	char msg[1024];
	uint64_t backoff = 0;		/* while halted: the next pause */
	int sig = 0;

	memset(&pg, 0, sizeof(pg));
	pg.since = mono_s();
	for (;;) {
		rc = follow_step(d->follower, &st, msg, sizeof(msg));
		count_step(&st);
		if (rc != FOLLOW_HALT)
			backoff = 0;
		switch (rc) {
		case FOLLOW_PROGRESS:
			clear_error(d, &pg);
			report_progress(&pg, &st);
			sig = wait_signal(set, 0);
			break;
		case FOLLOW_CAUGHT_UP:
			clear_error(d, &pg);
			pg.blocks += st.blocks;
			pg.events += st.events;
			caught_up(d, &pg, &st);
			sig = wait_signal(set, d->conf.poll_interval);
			break;
		case FOLLOW_RETRY:
			note_error(d, &pg, msg);
			sig = wait_signal(set, d->conf.poll_interval);
			break;
		case FOLLOW_HALT:
			/* An operator may be needed; the node may also come
			 * back to the chain, so it is asked again, ever less
			 * often (up to an hour). */
			backoff = backoff == 0 ? 2 * d->conf.poll_interval :
			    backoff * 2 > 3600 ? 3600 : backoff * 2;
			if (strcmp(msg, pg.last_error) != 0)
				log_warnx("sync stopped: %s (asking the node "
				    "again, less and less often)", msg);
			note_error(d, &pg, msg);
			sig = wait_signal(set, backoff);
			break;
		}
		if (sig != 0 && on_signal(d, sig))
			return;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = DEFAULT_CONF;
	int ch, foreground = 0, check = 0;
	struct daemon *d;
	char err[1024];
	sigset_t set;

	while ((ch = getopt_long(argc, argv, "c:dnhV", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': file = optarg; break;
		case 'd': foreground = 1; break;
		case 'n': check = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("licgated %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("licgated", foreground || check, 0);
	if (check) {
		struct conf c;
		uint8_t key[32];
		int ok = load_all(&c, key, file, err, sizeof(err));

		explicit_bzero(key, sizeof(key));
		if (ok)
			conf_free(&c);
		if (!ok) {
			fprintf(stderr, "licgated: %s\n", err);
			return 2;
		}
		printf("%s: ok\n", file);
		return 0;
	}
	/* Signals are taken synchronously by the main loop; the HTTP threads
	 * inherit the mask and never see them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!daemon_start(&d, file, foreground, err, sizeof(err))) {
		fprintf(stderr, "licgated: %s\n", err);
		if (!foreground)
			log_warnx("%s", err);
		return 2;
	}
	run(d, &set);
	sdnotify("STOPPING=1");
	daemon_stop(d);
	log_info("stopped");
	return 0;
}
