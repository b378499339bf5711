/* hello.c: the yardstick of bench/serve.sh: a libmicrohttpd server built
 * from the same library with the same threading model as licgated's HTTP
 * server (a pool of THREADS polling threads, default one per CPU as
 * http.threads = 0), answering every GET with a fixed 200 body.  With
 * "sign" it also signs once per request as licgated does (SHA-256 of 200
 * bytes that differ per request, one signature by sig_sign) and answers
 * with a body of a token's size that ends in the signature: the least any
 * server on this library that signs per request must do.  Prints its port,
 * serves until killed.  Usage: hello [THREADS [sign]] */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "chain/hash.h"
#include "chain/sig.h"

#define SIGNED_BODY 249

static int sign_each;

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ptr)
{
	static const char body[] = "{\"status\":\"ok\"}\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	static int marker;
	uint8_t msg[200], h[32], *out;

	(void)cls; (void)url; (void)method; (void)version; (void)upload;
	(void)upload_size;
	/* The first call only sees the headers; answering then would make
	 * libmicrohttpd close the connection, as licgated's server avoids. */
	if (*ptr == NULL) {
		*ptr = &marker;
		return MHD_YES;
	}
	if (sign_each) {
		static const uint8_t key[32] = { [31] = 7 };
		static unsigned long counter;
		unsigned long n = __atomic_fetch_add(&counter, 1,
		    __ATOMIC_RELAXED);

		memset(msg, 0x5a, sizeof(msg));
		memcpy(msg, &n, sizeof(n));
		sha256(h, msg, sizeof(msg));
		if ((out = calloc(1, SIGNED_BODY)) == NULL ||
		    !sig_sign(out + SIGNED_BODY - 64, NULL, h, key)) {
			free(out);
			return MHD_NO;
		}
		r = MHD_create_response_from_buffer(SIGNED_BODY, out,
		    MHD_RESPMEM_MUST_FREE);
	} else
		r = MHD_create_response_from_buffer(strlen(body), (void *)body,
		    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int
main(int argc, char **argv)
{
	long threads = argc > 1 ? atol(argv[1]) : sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *i;
	sigset_t set;
	int sig;

	sign_each = argc > 2 && strcmp(argv[2], "sign") == 0;
	if (threads < 1 || threads > 64 || (argc > 2 && !sign_each) ||
	    argc > 3) {
		fprintf(stderr, "usage: hello [THREADS 1..64 [sign]]\n");
		return 2;
	}
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
	    answer, NULL, MHD_OPTION_CONNECTION_LIMIT, 1024u,
	    MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? (unsigned)threads : 0u,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "hello: cannot start\n");
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
	MHD_stop_daemon(d);
	return 0;
}
