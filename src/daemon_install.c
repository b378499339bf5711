/* daemon_install.c: POST /v1/installs: a device reports, signed with its
 * registered key, the image it installed (licgate-token(7), INSTALL
 * REPORTS).  The HTTP threads check a report and hand it to one writer
 * thread that owns the only connection writing reports: it commits what
 * has queued up meanwhile in one transaction, one fsync for all, and only
 * then answers the reports' requests, whose connections wait meanwhile
 * without holding an HTTP thread (http_deferred_reply).  A report is
 * acknowledged once it is durable; a replay is refused by the database's
 * UNIQUE constraints, which outlive a restart. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/sig.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "verify/lgv.h"
#include "xmalloc.h"

/* At most this many reports share a commit: a bound on what one
 * transaction holds (each waiting report is one open connection, and
 * http.max_connections is 1024 by default). */
#define INSTALL_BATCH 256

_Static_assert(LGV_NONCE_MAX <= sizeof(((struct store_install *)0)->nonce),
    "a report's nonce fits the store's row");

/* One report waiting for its commit; the writer frees it once answered. */
struct install_job {
	struct store_install row;
	struct http_deferred *later;
	struct install_job *next;
};

/* The writer: its queue, its thread and its connection.  Started before
 * the HTTP server and stopped before it, so that every waiting request is
 * answered while its connection exists. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* the queue has jobs, or stop */
	struct install_job *head, *tail;
	int running, stop;
	pthread_t thread;
	struct store *db;
} writer = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
};

/* Takes up to INSTALL_BATCH jobs off the queue into jobs; with the lock
 * held.  Returns how many. */
static size_t
take_batch(struct install_job **jobs)
{
	size_t n = 0;

	while (writer.head != NULL && n < INSTALL_BATCH) {
		jobs[n++] = writer.head;
		writer.head = writer.head->next;
	}
	if (writer.head == NULL)
		writer.tail = NULL;
	return n;
}

/* A refusal, counted in /metrics by reason (its error code). */
static void
refuse(struct http_reply *rep, int status, const char *code, const char *msg)
{
	metrics_count("licgate_install_reports_total", "result", code, NULL,
	    NULL, 1);
	http_reply_error(rep, status, code, "%s", msg);
}

/* Answers a job after its batch's commit (ok) or failure, and frees it.
 * Accepted reports are counted by the caller, once a batch: the metrics'
 * lock is the HTTP threads' too. */
static void
answer(struct install_job *job, int ok)
{
	struct http_reply rep = { 0, NULL, NULL, 0 };

	if (!ok)
		http_reply_error(&rep, 500, "database", "the report could not "
		    "be stored (see licgated's log)");
	else if (job->row.duplicate)
		refuse(&rep, 409, "replay", "this report, or another with its "
		    "device and nonce, is stored already");
	else
		http_reply_json(&rep, 201, json_pack("{s:I}", "seq",
		    (json_int_t)job->row.seq));
	http_deferred_reply(job->later, &rep);
	free(job);
}

/* Commits jobs[0..n) in one transaction and answers them. */
static void
commit_batch(struct install_job **jobs, size_t n, struct store_install *rows)
{
	char err[512];
	size_t i, accepted = 0;
	int ok;

	for (i = 0; i < n; i++)
		rows[i] = jobs[i]->row;
	if (!(ok = store_installs_add(writer.db, rows, n, err, sizeof(err))))
		log_warnx("install reports: %s", err);
	else
		metrics_count("licgate_install_commits_total", NULL, NULL, NULL,
		    NULL, 1);
	for (i = 0; ok && i < n; i++)
		accepted += !rows[i].duplicate;
	/* Counted before any answer, so that a device that reads /metrics
	 * after its 201 finds its report there. */
	if (accepted > 0)
		metrics_count("licgate_install_reports_total", "result",
		    "accepted", NULL, NULL, accepted);
	for (i = 0; i < n; i++) {
		jobs[i]->row.seq = rows[i].seq;
		jobs[i]->row.duplicate = rows[i].duplicate;
		answer(jobs[i], ok);
	}
}

/* The writer's loop: waits for jobs, commits them in batches, and on stop
 * drains the queue before it returns. */
static void *
writer_main(void *arg)
{
	struct install_job *jobs[INSTALL_BATCH];
	struct store_install *rows = xcalloc(INSTALL_BATCH, sizeof(*rows));
	size_t n;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&writer.lock);
		while (writer.head == NULL && !writer.stop)
			pthread_cond_wait(&writer.work, &writer.lock);
		n = take_batch(jobs);
		pthread_mutex_unlock(&writer.lock);
		if (n == 0)
			break;
		commit_batch(jobs, n, rows);
	}
	free(rows);
	return NULL;
}

int
daemon_install_start(struct daemon *d, char *err, size_t errsz)
{
	if (!store_open(&writer.db, d->conf.db_path, &d->id, err, errsz))
		return 0;
	writer.stop = 0;
	if (pthread_create(&writer.thread, NULL, writer_main, NULL) != 0) {
		snprintf(err, errsz, "install writer: cannot start a thread");
		store_close(writer.db);
		writer.db = NULL;
		return 0;
	}
	writer.running = 1;
	metrics_help("licgate_install_commits_total", "counter",
	    "transactions (one fsync each) that stored install reports");
	metrics_help("licgate_install_reports_total", "counter",
	    "install reports, by result: accepted or the error code");
	return 1;
}

void
daemon_install_stop(void)
{
	if (!writer.running)
		return;
	pthread_mutex_lock(&writer.lock);
	writer.stop = 1;
	pthread_cond_signal(&writer.work);
	pthread_mutex_unlock(&writer.lock);
	pthread_join(writer.thread, NULL);
	writer.running = 0;
	store_close(writer.db);
	writer.db = NULL;
}

/* Queues job for the writer, which answers it.  Returns 0 when the
 * writer is not running (job is still the caller's). */
static int
submit(struct install_job *job)
{
	pthread_mutex_lock(&writer.lock);
	if (!writer.running || writer.stop) {
		pthread_mutex_unlock(&writer.lock);
		return 0;
	}
	job->next = NULL;
	if (writer.tail != NULL)
		writer.tail->next = job;
	else
		writer.head = job;
	writer.tail = job;
	pthread_cond_signal(&writer.work);
	pthread_mutex_unlock(&writer.lock);
	return 1;
}

/* What binds a report to this gateway and to now: its audience is this
 * gateway's address and its iat within attestation.request_window of the
 * clock.  Returns 1, or 0 with rep set. */
static int
report_bound_here(struct daemon *d, const struct lgv_install *q,
    uint64_t now, struct http_reply *rep)
{
	uint64_t w = d->conf.request_window;

	if (memcmp(q->gateway, d->address, 20) != 0) {
		refuse(rep, 403, "wrong-gateway", "the report is addressed to "
		    "another gateway");
		return 0;
	}
	if (q->iat + w < now || q->iat > now + w) {
		refuse(rep, 403, "report-time", "the report's time is outside "
		    "attestation.request_window of the gateway's clock");
		return 0;
	}
	return 1;
}

/* The device must be registered, not revoked, and have signed the report
 * with the key it was registered with (whose address is the device's).
 * Returns 1, or 0 with rep set. */
static int
report_signed(struct daemon *d, const uint8_t *body, size_t len,
    struct lgv_install *q, struct http_reply *rep)
{
	struct store_lookup lk;
	struct store *ro;
	uint8_t addr[20];
	char err[256];

	if ((ro = daemon_web_store(d, err, sizeof(err))) == NULL ||
	    !store_lookup_device(ro, q->device, &lk, err, sizeof(err))) {
		http_reply_error(rep, 500, "database", "%s", err);
		return 0;
	}
	if (!lk.device.found || lk.device.public_key_len == 0) {
		refuse(rep, 403, "device-unknown", "the registry has no such "
		    "device");
		return 0;
	}
	if (lk.device.revoked) {
		refuse(rep, 403, "device-revoked", "the registry has revoked "
		    "this device");
		return 0;
	}
	if (!sig_pubkey_to_address(addr, lk.device.public_key,
	    lk.device.public_key_len) || memcmp(addr, q->device, 20) != 0 ||
	    lgv_install_verify(q, body, len, lk.device.public_key,
	    lk.device.public_key_len) != LGV_OK) {
		refuse(rep, 403, "bad-signature", "the report is not signed with "
		    "the device's registered key");
		return 0;
	}
	return 1;
}

static void
row_from_report(struct store_install *row, const struct lgv_install *q,
    const uint8_t *body, size_t len, uint64_t now)
{
	memset(row, 0, sizeof(*row));
	memcpy(row->device, q->device, 20);
	memcpy(row->firmware, q->firmware, 32);
	row->version = q->version;
	row->has_replaced = q->has_replaced;
	memcpy(row->replaced, q->replaced, 32);
	row->has_cti = q->has_cti;
	memcpy(row->cti, q->cti, 4);
	row->block = q->block;
	memcpy(row->nonce, q->nonce, q->nonce_len);
	row->nonce_len = q->nonce_len;
	row->reported_at = q->iat;
	row->received_at = now;
	row->report = body;
	row->report_len = len;
}

/* Checks a report; returns 1 with q filled, or 0 with rep set. */
static int
report_check(struct daemon *d, const uint8_t *body, size_t len,
    uint64_t now, struct lgv_install *q, struct http_reply *rep)
{
	enum lgv_result r;

	if ((r = lgv_install_decode(q, body, len)) != LGV_OK) {
		metrics_count("licgate_install_reports_total", "result",
		    "bad-report", NULL, NULL, 1);
		http_reply_error(rep, 400, "bad-report", "not a licgate install "
		    "report (%s; see licgate-token(7))", lgv_result_name(r));
		return 0;
	}
	return report_bound_here(d, q, now, rep) &&
	    report_signed(d, body, len, q, rep);
}

void
daemon_install(void *arg, const uint8_t *body, size_t len,
    struct http_deferred *later)
{
	struct daemon *d = arg;
	struct http_reply rep = { 0, NULL, NULL, 0 };
	uint64_t now = (uint64_t)time(NULL);
	struct install_job *job;
	struct lgv_install q;

	/* A withdrawn gateway could never anchor the report: storing it
	 * would promise the device a proof that cannot come. */
	if (daemon_web_withdrawn(d)) {
		refuse(&rep, 503, "gateway-withdrawn", "the registry has "
		    "withdrawn this gateway's key; it takes no install report "
		    "until authorised again");
		http_deferred_reply(later, &rep);
		return;
	}
	if (!report_check(d, body, len, now, &q, &rep)) {
		http_deferred_reply(later, &rep);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	row_from_report(&job->row, &q, body, len, now);
	job->later = later;
	if (!submit(job)) {
		free(job);
		http_reply_error(&rep, 503, "stopping", "licgated is stopping");
		http_deferred_reply(later, &rep);
	}
}
