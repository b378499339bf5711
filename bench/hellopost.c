/* hellopost.c: the yardstick of bench/installs.sh, as bench/hello is
 * bench/serve.sh's: a libmicrohttpd server built from the same library with
 * licgated's threading model (a pool of THREADS polling threads) that
 * takes POST bodies of up to 512 bytes and, for each, does the least any
 * server on this library that takes signed reports must do:
 *   verify      SHA-256 of the body and one secp256k1 verification (by
 *               sig_verify, as licgated checks a report: a 65-byte key
 *               parsed per request), then 201;
 *   store DB    the same, then the body stored in SQLite file DB as
 *               licgated stores reports (WAL, synchronous = FULL, one
 *               writer thread committing what queued meanwhile in one
 *               transaction, a UNIQUE key of random order), the
 *               connection suspended until its commit.
 * Prints its port, serves until killed.
 * Usage: hellopost THREADS verify | THREADS store DB */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sqlite3.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "chain/sig.h"

#define BODY_MAX 512
#define PAIRS 64		/* signatures verified in turn */
#define BATCH 256		/* licgated's INSTALL_BATCH */

/* One request: its body, and for store its place in the writer's queue. */
struct req {
	uint8_t body[BODY_MAX];
	size_t len;
	int too_large, queued, done, ok;
	struct MHD_Connection *c;
	struct req *next;
};

static struct {
	uint8_t pub[65];
	uint8_t hash[PAIRS][32], sig[PAIRS][64];
	unsigned long counter;
} keys;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct req *head, *tail;
	sqlite3 *db;
	sqlite3_stmt *insert;
} writer = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
};

/* PAIRS signatures by one key over hashes that differ, made once. */
static int
keys_make(void)
{
	static const uint8_t key[32] = { [31] = 7 };
	uint8_t msg[32] = { 0 };
	int i;

	if (!sig_pubkey_create(keys.pub, sizeof(keys.pub), key))
		return 0;
	for (i = 0; i < PAIRS; i++) {
		msg[0] = (uint8_t)i;
		sha256(keys.hash[i], msg, sizeof(msg));
		if (!sig_sign(keys.sig[i], NULL, keys.hash[i], key))
			return 0;
	}
	return 1;
}

/* The body's hash (the work of hashing what was signed; a report's hash
 * is its Sig_structure's) and one verification of a good signature. */
static int
verify(const struct req *r)
{
	unsigned long k = __atomic_fetch_add(&keys.counter, 1,
	    __ATOMIC_RELAXED) % PAIRS;
	uint8_t h[32];

	sha256(h, r->body, r->len);
	return sig_verify(keys.sig[k], keys.hash[k], keys.pub, sizeof(keys.pub));
}

static int
db_open(const char *path)
{
	if (sqlite3_open(path, &writer.db) != SQLITE_OK ||
	    sqlite3_exec(writer.db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 16384;"
	    "CREATE TABLE IF NOT EXISTS r (seq INTEGER PRIMARY KEY,"
	    "  key TEXT NOT NULL UNIQUE, report BLOB NOT NULL) STRICT",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(writer.db, "INSERT INTO r (key, report) VALUES "
	    "(?1, ?2) ON CONFLICT DO NOTHING", -1, SQLITE_PREPARE_PERSISTENT,
	    &writer.insert, NULL) != SQLITE_OK) {
		fprintf(stderr, "hellopost: %s: %s\n", path,
		    sqlite3_errmsg(writer.db));
		return 0;
	}
	return 1;
}

/* Inserts r, keyed by its body's hash in hex (random order, as
 * licgated's (device, nonce)). */
static int
db_insert(const struct req *r)
{
	uint8_t h[32];
	char hex[67];
	int rc;

	sha256(h, r->body, r->len);
	hex_encode(hex, h, 32);
	sqlite3_bind_text(writer.insert, 1, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(writer.insert, 2, r->body, (int)r->len,
	    SQLITE_TRANSIENT);
	rc = sqlite3_step(writer.insert);
	sqlite3_reset(writer.insert);
	return rc == SQLITE_DONE;
}

/* Commits jobs[0..n) in one transaction, then resumes their connections. */
static void
commit(struct req **jobs, size_t n)
{
	int ok = sqlite3_exec(writer.db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL) == SQLITE_OK;
	size_t i;

	for (i = 0; i < n && ok; i++)
		ok = db_insert(jobs[i]);
	if (!ok || sqlite3_exec(writer.db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqlite3_exec(writer.db, "ROLLBACK", NULL, NULL, NULL);
		ok = 0;
	}
	for (i = 0; i < n; i++) {
		jobs[i]->ok = ok;
		__atomic_store_n(&jobs[i]->done, 1, __ATOMIC_RELEASE);
		MHD_resume_connection(jobs[i]->c);
	}
}

static void *
writer_main(void *arg)
{
	struct req *jobs[BATCH];
	size_t n;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&writer.lock);
		while (writer.head == NULL)
			pthread_cond_wait(&writer.work, &writer.lock);
		for (n = 0; writer.head != NULL && n < BATCH; n++) {
			jobs[n] = writer.head;
			writer.head = writer.head->next;
		}
		if (writer.head == NULL)
			writer.tail = NULL;
		pthread_mutex_unlock(&writer.lock);
		commit(jobs, n);
	}
	return NULL;
}

static void
submit(struct req *r)
{
	pthread_mutex_lock(&writer.lock);
	r->next = NULL;
	if (writer.tail != NULL)
		writer.tail->next = r;
	else
		writer.head = r;
	writer.tail = r;
	pthread_cond_signal(&writer.work);
	pthread_mutex_unlock(&writer.lock);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status)
{
	static const char body[] = "{\"seq\":1}\n";
	struct MHD_Response *rsp;
	enum MHD_Result ret;

	rsp = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(rsp, "Content-Type", "application/json");
	ret = MHD_queue_response(c, status, rsp);
	MHD_destroy_response(rsp);
	return ret;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ptr)
{
	struct req *r = *ptr;
	int store = cls != NULL;	/* main passes the writer for store */

	(void)url; (void)method; (void)version;
	if (r == NULL) {
		*ptr = calloc(1, sizeof(*r));
		return *ptr != NULL ? MHD_YES : MHD_NO;
	}
	if (*upload_size != 0) {
		if (r->len + *upload_size > BODY_MAX)
			r->too_large = 1;
		else
			memcpy(r->body + r->len, upload, *upload_size);
		r->len += r->too_large ? 0 : *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->queued)
		return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) ?
		    reply(c, r->ok ? 201 : 500) : MHD_YES;
	if (r->too_large || !verify(r))
		return reply(c, 400);
	if (!store)
		return reply(c, 201);
	r->queued = 1;
	r->c = c;
	MHD_suspend_connection(c);
	submit(r);
	return MHD_YES;
}

static void
completed(void *cls, struct MHD_Connection *c, void **ptr,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls; (void)c; (void)toe;
	free(*ptr);
	*ptr = NULL;
}

int
main(int argc, char **argv)
{
	long threads = argc > 2 ? atol(argv[1]) : 0;
	int store = argc == 4 && strcmp(argv[2], "store") == 0;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *i;
	pthread_t t;
	sigset_t set;
	int sig;

	if (threads < 1 || threads > 64 || !(store || (argc == 3 &&
	    strcmp(argv[2], "verify") == 0))) {
		fprintf(stderr, "usage: hellopost THREADS verify | "
		    "THREADS store DB\n");
		return 2;
	}
	if (!keys_make() || (store && !db_open(argv[3])))
		return 1;
	if (store && pthread_create(&t, NULL, writer_main, NULL) != 0)
		return 1;
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, answer, store ? &writer :
	    NULL, MHD_OPTION_CONNECTION_LIMIT, 1024u,
	    MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? (unsigned)threads : 0u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)8192,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "hellopost: cannot start\n");
		return 1;
	}
	i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("port %u\n", (unsigned)i->port);
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
	/* The writer may hold connections; the process ends with them. */
	_exit(0);
}
