/* check_conf.c: gateway.conf parsing: every type, range and mistake gives
 * its FILE:LINE: message; defaults apply; secret files are checked. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "file.h"
#include "testutil.h"

/* Every required option but registry.address, then all of them. */
#define REQ_HEAD "rpc.url = http://127.0.0.1:8545\nchain.id = 31337\n" \
	"chain.checkpoint_number = 0\nchain.checkpoint_hash = 0x" \
	"1111111111111111111111111111111111111111111111111111111111111111\n"
#define REQ REQ_HEAD "registry.address = 0x5fbdb2315678afecb367f032d93f642f64180aa3\n"

static char path[64];

static const char *
write_conf(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/licgate-conf-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text; returns the error line ("" when it loaded). */
static const char *
load(struct conf *c, const char *text)
{
	static char err[512];

	err[0] = '\0';
	if (conf_load(c, write_conf(text), err, sizeof(err)))
		ck_assert_str_eq(err, "");
	else
		ck_assert_str_ne(err, "");
	unlink(path);
	return err;
}

/* Asserts the error of text, after the "FILE:" prefix. */
static void
expect(const char *text, const char *want)
{
	struct conf c;
	const char *err = load(&c, text);
	const char *rest = strchr(err, ':');

	ck_assert_msg(rest != NULL && strcmp(rest + 1, want) == 0,
	    "got '%s', want '<file>:%s'", err, want);
}

START_TEST(conf_defaults_and_values)
{
	struct conf c;

	ck_assert_str_eq(load(&c, REQ), "");
	ck_assert_uint_eq(c.rpc_nurl, 1);
	ck_assert_uint_eq(c.chain_id, 31337);
	ck_assert_str_eq(c.chain_engine, "none");
	ck_assert_uint_eq(c.confirmations, 12);
	ck_assert_uint_eq(c.rpc_timeout, 10);
	ck_assert_uint_eq(c.rpc_max_response, 16u << 20);
	ck_assert_uint_eq(c.http_port, 8477);
	ck_assert_str_eq(c.http_listen, "127.0.0.1");
	ck_assert_uint_eq(c.max_staleness, 3600);
	ck_assert_int_eq(c.require_device_auth, 0);
	ck_assert_str_eq(c.attestation_alg, "ES256K");
	ck_assert_uint_eq(c.registry[0], 0x5f);
	ck_assert_uint_eq(c.checkpoint_hash[31], 0x11);
	conf_free(&c);
	ck_assert_str_eq(load(&c, REQ "rpc.url = https://u:p@node.example/x\n"
	    "  chain.engine = \"qbft\"   # quoted\n"
	    "attestation.ttl = 2m\nattestation.max_staleness = 7d\n"
	    "http.max_body_size = 8k\nhttp.listen = ::1\n"
	    "attestation.require_device_auth = yes\n\n# comment\n"
	    "attestation.alg = ES256\n"), "");
	/* a word that begins another (ES256, ES256K) is still a word */
	ck_assert_str_eq(c.attestation_alg, "ES256");
	ck_assert_uint_eq(c.rpc_nurl, 2);
	ck_assert_str_eq(c.rpc_url[1], "https://u:p@node.example/x");
	ck_assert_str_eq(c.chain_engine, "qbft");
	ck_assert_uint_eq(c.attestation_ttl, 120);
	ck_assert_uint_eq(c.max_staleness, 7 * 86400);
	ck_assert_uint_eq(c.http_max_body, 8192);
	ck_assert_str_eq(c.http_listen, "::1");
	ck_assert_int_eq(c.require_device_auth, 1);
	conf_free(&c);
}
END_TEST

START_TEST(conf_errors)
{
	expect(REQ "chain.confirmations = 10001\n",
	    "6: chain.confirmations: 10001 is out of range (0 to 10000)");
	expect(REQ "chain.confirmatons = 3\n",
	    "6: unknown option 'chain.confirmatons' (did you mean 'chain.confirmations'?)");
	expect(REQ "colour = red\n", "6: unknown option 'colour'");
	expect(REQ "chain.id = 5\n", "6: chain.id given twice (first on line 2)");
	expect(REQ "chain.engine = pow\n",
	    "6: chain.engine: 'pow' is not one of none|clique|qbft|quorum");
	expect(REQ "chain.engine = cliq\n",
	    "6: chain.engine: 'cliq' is not one of none|clique|qbft|quorum");
	expect(REQ "attestation.alg = ES25\n",
	    "6: attestation.alg: 'ES25' is not one of ES256K|ES256");
	expect(REQ "attestation.alg = K\n",
	    "6: attestation.alg: 'K' is not one of ES256K|ES256");
	expect(REQ "rpc.timeout = 10 minutes\n",
	    "6: rpc.timeout: '10 minutes' is not a duration (like 30s, 5m, 2h, 7d)");
	expect(REQ "rpc.timeout = 0s\n", "6: rpc.timeout: 0s is out of range (1 to 600)");
	expect(REQ "http.max_body_size = 1T\n",
	    "6: http.max_body_size: '1T' is not a size (like 64k, 16M)");
	expect(REQ "http.port = -1\n", "6: http.port: '-1' is not a whole number");
	expect(REQ "attestation.require_device_auth = maybe\n",
	    "6: attestation.require_device_auth: 'maybe' is not yes or no");
	expect(REQ "http.listen = localhost\n",
	    "6: http.listen: 'localhost' is not an IPv4 or IPv6 address");
	expect(REQ "rpc.url = ftp://x\n", "6: rpc.url: 'ftp://x' is not an http or https URL");
	expect(REQ_HEAD "registry.address = 0x1234\n", "5: registry.address: '0x1234': "
	    "hex data has the wrong length (want 0x and 40 hex digits)");
	expect(REQ "db.path = \"/var/lib/x\n", "6: db.path: unterminated quote");
	expect(REQ "just words\n", "6: expected 'option = value'");
	expect("rpc.url = http://127.0.0.1:8545\n", " missing required option chain.id");
}
END_TEST

START_TEST(conf_missing_file)
{
	struct conf c;
	char err[256];

	ck_assert(!conf_load(&c, "/nonexistent/gateway.conf", err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/gateway.conf: No such file or directory");
}
END_TEST

START_TEST(conf_secret_files)
{
	char msg[256], want[256], link[80];
	uint8_t buf[16];
	size_t len;

	write_conf("0123\n");
	chmod(path, 0600);
	ck_assert(file_read_secret(buf, sizeof(buf), &len, path, msg,
	    sizeof(msg)));
	ck_assert_uint_eq(len, 5);
	ck_assert(memcmp(buf, "0123\n", 5) == 0);
	chmod(path, 0640);
	ck_assert(!file_read_secret(buf, sizeof(buf), &len, path, msg,
	    sizeof(msg)));
	snprintf(want, sizeof(want), "%s: mode 0640 lets group or others read "
	    "or write it; run: chmod 600 %s", path, path);
	ck_assert_str_eq(msg, want);
	/* Refused reads leave nothing of the file behind in the buffer. */
	ck_assert_uint_eq(len, 0);
	ck_assert(memcmp(buf, (uint8_t[16]){ 0 }, sizeof(buf)) == 0);
	chmod(path, 0604);
	ck_assert(!file_read_secret(buf, sizeof(buf), &len, path, msg,
	    sizeof(msg)));
	/* A symbolic link to a good secret file is not followed. */
	chmod(path, 0600);
	snprintf(link, sizeof(link), "%s.link", path);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert(!file_read_secret(buf, sizeof(buf), &len, link, msg,
	    sizeof(msg)));
	ck_assert_msg(strstr(msg, "symbolic link") != NULL, "%s", msg);
	unlink(link);
	/* Larger than the caller's cap: refused, not cut. */
	ck_assert(!file_read_secret(buf, 4, &len, path, msg, sizeof(msg)));
	ck_assert_msg(strstr(msg, "file too large") != NULL, "%s", msg);
	ck_assert(memcmp(buf, (uint8_t[4]){ 0 }, 4) == 0);
	/* Owned by another user (only root can make one here). */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
		ck_assert(!file_read_secret(buf, sizeof(buf), &len, path, msg,
		    sizeof(msg)));
		ck_assert_msg(strstr(msg, "owned by uid 65534") != NULL, "%s",
		    msg);
	}
	unlink(path);
	ck_assert(!file_read_secret(buf, sizeof(buf), &len, "/tmp", msg,
	    sizeof(msg)));
	ck_assert_str_eq(msg, "/tmp: not a regular file");
}
END_TEST

/* conf_print (licgatectl init's writer): the settings under their help
 * lines, each after its why, advice commented out, the rest at their
 * defaults; what it writes loads; a setting that names no option is
 * refused before anything is written. */
START_TEST(conf_print_settings)
{
	static const struct conf_setting set[] = {
		{ "rpc.url", "http://127.0.0.1:8545", "given with --rpc", 0 },
		{ "chain.id", "31337", NULL, 0 },
		{ "chain.checkpoint_number", "7", "a long reason that goes on "
		    "and on, past the width of one comment line, so that it is "
		    "broken at a space", 0 },
		{ "chain.checkpoint_hash", "0x1111111111111111111111111111111111"
		    "111111111111111111111111111111", NULL, 0 },
		{ "chain.signers", NULL, "FILL IN", 1 },
		{ "registry.address", "0x5fbdb2315678afecb367f032d93f642f64180aa3",
		    NULL, 0 },
	};
	static const struct conf_setting bad[] = { { "chain.idd", "1", NULL, 0 } };
	char *text = NULL, err[256];
	size_t len = 0;
	struct conf c;
	FILE *f = open_memstream(&text, &len);

	ck_assert(conf_print(f, "head line", set, 6, err, sizeof(err)));
	fclose(f);
	ck_assert(strncmp(text, "# head line\n", 12) == 0);
	ck_assert(strstr(text, "(repeatable) (reload)\n# given with --rpc\n"
	    "rpc.url = http://127.0.0.1:8545\n") != NULL);
	ck_assert(strstr(text, "# a long reason that goes on and on, past the "
	    "width of one comment line, so\n# that it is broken at a space\n"
	    "chain.checkpoint_number = 7\n") != NULL);
	ck_assert(strstr(text, "# FILL IN\n#chain.signers =\n") != NULL);
	ck_assert(strstr(text, "\n#sync.batch_size = 5000\n") != NULL);
	ck_assert_str_eq(load(&c, text), "");
	ck_assert_uint_eq(c.checkpoint_number, 7);
	conf_free(&c);
	free(text);
	f = open_memstream(&text, &len);
	ck_assert(!conf_print(f, "", bad, 1, err, sizeof(err)));
	fclose(f);
	ck_assert_str_eq(err, "no option chain.idd");
	ck_assert_uint_eq(len, 0);
	free(text);
}
END_TEST

/* A reload takes what the table marks (reload) and names the rest, each
 * once, keeping the running value. */
START_TEST(conf_reload_follows_the_table)
{
	const char *restart[CONF_MAX_OPTIONS];
	struct conf run, next;
	size_t n;

	ck_assert_str_eq(load(&run, REQ "attestation.ttl = 5m\n"), "");
	ck_assert_str_eq(load(&next, REQ "rpc.url = http://10.0.0.5:8545\n"
	    "attestation.ttl = 1m\nchain.confirmations = 2\nhttp.port = 1\n"
	    "log.verbose = yes\nhttp.threads = 4\n"), "");
	n = conf_reload(&run, &next, restart, CONF_MAX_OPTIONS);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(restart[0], "chain.confirmations");
	ck_assert_str_eq(restart[1], "http.port");
	ck_assert_str_eq(restart[2], "http.threads");
	ck_assert_uint_eq(run.attestation_ttl, 60);
	ck_assert_int_eq(run.log_verbose, 1);
	ck_assert_uint_eq(run.rpc_nurl, 2);
	ck_assert_str_eq(run.rpc_url[1], "http://10.0.0.5:8545");
	ck_assert_uint_eq(run.confirmations, 12);
	ck_assert_uint_eq(run.http_port, 8477);
	ck_assert_uint_eq(run.http_threads, 0);
	/* The old values went to next, whose freeing frees them. */
	ck_assert_uint_eq(next.rpc_nurl, 1);
	ck_assert_uint_eq(next.attestation_ttl, 300);
	conf_free(&next);
	/* Nothing changed: nothing to name. */
	ck_assert_str_eq(load(&next, REQ "rpc.url = http://10.0.0.5:8545\n"
	    "attestation.ttl = 1m\nlog.verbose = yes\n"), "");
	ck_assert_uint_eq(conf_reload(&run, &next, restart, CONF_MAX_OPTIONS),
	    0);
	conf_free(&next);
	conf_free(&run);
	ck_assert(conf_reloadable("attestation.ttl"));
	ck_assert(conf_reloadable("rpc.url"));
	ck_assert(!conf_reloadable("chain.confirmations"));
	ck_assert(!conf_reloadable("attestation.require_device_auth"));
	ck_assert(!conf_reloadable("no.such_option"));
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_test(tc, conf_defaults_and_values);
	tcase_add_test(tc, conf_errors);
	tcase_add_test(tc, conf_missing_file);
	tcase_add_test(tc, conf_secret_files);
	tcase_add_test(tc, conf_print_settings);
	tcase_add_test(tc, conf_reload_follows_the_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(conf_suite());
}
