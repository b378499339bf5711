/* hello.c: the yardstick of bench/serve.sh: a libmicrohttpd server built
 * from the same library with the same threading model as licgated's HTTP
 * server (a pool of THREADS polling threads, default one per CPU as
 * http.threads = 0), answering every GET with a fixed 200 body.  Prints
 * its port, serves until killed.  Usage: hello [THREADS] */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ptr)
{
	static const char body[] = "{\"status\":\"ok\"}\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	static int marker;

	(void)cls; (void)url; (void)method; (void)version; (void)upload;
	(void)upload_size;
	/* The first call only sees the headers; answering then would make
	 * libmicrohttpd close the connection, as licgated's server avoids. */
	if (*ptr == NULL) {
		*ptr = &marker;
		return MHD_YES;
	}
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

	if (threads < 1 || threads > 64) {
		fprintf(stderr, "usage: hello [THREADS 1..64]\n");
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
