/* check_http.c: the HTTP layer over real loopback HTTP (libcurl), with a
 * backend that records what it was asked. */
#include "config.h"

#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "metrics.h"
#include "testutil.h"

static struct http_server *srv;
static int backend_ready;
static struct http_attest last;		/* what the backend last received */
static uint8_t last_body[64];
static uint64_t last_license;

static void
be_attest(void *arg, const struct http_attest *a, struct http_reply *rep)
{
	(void)arg;
	last = *a;
	if (a->signed_req != NULL) {
		memcpy(last_body, a->signed_req,
		    a->signed_len < sizeof(last_body) ? a->signed_len : sizeof(last_body));
		last.signed_req = last_body;
	}
	http_reply_bytes(rep, 200, "application/cose; cose-type=\"cose-sign1\"",
	    (const uint8_t *)"TOKEN", 5);
}

static void
be_status(void *arg, struct http_reply *rep)
{
	(void)arg;
	http_reply_json(rep, 200, json_pack("{s:i}", "head", 42));
}

static void
be_device(void *arg, const uint8_t addr[20], struct http_reply *rep)
{
	char hex[43];

	(void)arg;
	http_reply_json(rep, 200, json_pack("{s:s}", "device",
	    hex_encode(hex, addr, 20)));
}

static void
be_firmware(void *arg, const uint8_t hash[32], struct http_reply *rep)
{
	(void)arg;
	(void)hash;
	http_reply_error(rep, 404, "unknown-firmware", "no such firmware");
}

static void
be_license(void *arg, uint64_t id, struct http_reply *rep)
{
	(void)arg;
	last_license = id;
	http_reply_json(rep, 200, json_pack("{s:I}", "id", (json_int_t)id));
}

static int
be_ready(void *arg, const char **why)
{
	(void)arg;
	*why = "catching up: 12 blocks behind";
	return backend_ready;
}

static const struct http_backend backend = {
	NULL, be_attest, be_status, be_device, be_firmware, be_license,
	be_ready, NULL, NULL
};

static void
start(int require_auth)
{
	struct http_config cfg = { "127.0.0.1", 0, 64, 1024, 5, 0, require_auth, 2 };
	const char *why = NULL;

	metrics_reset();
	ck_assert_msg(http_start(&srv, &cfg, &backend, &why), "%s", why);
	ck_assert_uint_gt(http_port(srv), 0);
	memset(&last, 0, sizeof(last));
}

static void
stop(void)
{
	http_stop(srv);
	srv = NULL;
}

struct body {
	char buf[16384];
	size_t len;
};

static size_t
collect(char *p, size_t sz, size_t n, void *arg)
{
	struct body *b = arg;
	size_t take = sz * n;

	if (take > sizeof(b->buf) - 1 - b->len)
		take = sizeof(b->buf) - 1 - b->len;
	memcpy(b->buf + b->len, p, take);
	b->len += take;
	b->buf[b->len] = '\0';
	return sz * n;
}

/* Performs one request; returns the status, body in *b. */
static long
fetch(const char *method, const char *path, const char *hdr,
    const char *body, size_t bodylen, struct body *b)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512];
	long status = 0;

	memset(b, 0, sizeof(*b));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", http_port(srv), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	if (hdr != NULL)
		h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)bodylen);
	}
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/* Asserts status and the JSON "error" code of an answer. */
static void
expect_error(const char *method, const char *path, const char *hdr,
    long want_status, const char *want_code)
{
	struct body b;
	json_t *j;
	long st = fetch(method, path, hdr, NULL, 0, &b);

	ck_assert_msg(st == want_status, "%s %s: status %ld, want %ld (%s)",
	    method, path, st, want_status, b.buf);
	j = json_loads(b.buf, 0, NULL);
	ck_assert_msg(j != NULL, "%s %s: error is not JSON: %s", method, path, b.buf);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), want_code);
	ck_assert(json_is_string(json_object_get(j, "message")));
	json_decref(j);
}

#define DEV "0x00112233445566778899aabbccddeeff00112233"
#define FW "0x" "aa00000000000000000000000000000000000000000000000000000000000001"

START_TEST(http_attestation_params)
{
	struct body b;

	start(0);
	ck_assert_int_eq(fetch("GET", "/v1/attestation?device=" DEV "&firmware="
	    FW "&nonce=0102030405060708", NULL, NULL, 0, &b), 200);
	ck_assert_str_eq(b.buf, "TOKEN");
	ck_assert_uint_eq(last.device[1], 0x11);
	ck_assert_uint_eq(last.firmware[0], 0xaa);
	ck_assert_uint_eq(last.firmware[31], 0x01);
	ck_assert_uint_eq(last.nonce_len, 8);
	ck_assert_uint_eq(last.nonce[7], 8);
	ck_assert(!last.want_json);
	ck_assert_int_eq(fetch("GET", "/v1/attestation?device=" DEV "&firmware="
	    FW, "Accept: application/json", NULL, 0, &b), 200);
	ck_assert(last.want_json);
	ck_assert_uint_eq(last.nonce_len, 0);
	expect_error("GET", "/v1/attestation?firmware=" FW, NULL, 400,
	    "missing-parameter");
	expect_error("GET", "/v1/attestation?device=0x1234&firmware=" FW, NULL,
	    400, "bad-device");
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=0xzz", NULL,
	    400, "bad-firmware");
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=" FW
	    "&nonce=0102", NULL, 400, "bad-nonce");
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=" FW
	    "&nonce=" "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f00",
	    NULL, 400, "bad-nonce");
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=" FW
	    "&colour=red", NULL, 400, "unknown-parameter");
	expect_error("GET", "/v1/attestation?device=" DEV "&device=" DEV
	    "&firmware=" FW, NULL, 400, "duplicate-parameter");
	/* a nonce named without a value is a bad nonce, not no nonce */
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=" FW
	    "&nonce", NULL, 400, "bad-nonce");
	ck_assert_int_eq(fetch("GET", "/v1/attestation?device=" DEV "&firmware="
	    FW "&nonce=0x0102030405060708", NULL, NULL, 0, &b), 200);
	ck_assert_uint_eq(last.nonce_len, 8);
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=" FW
	    "&a&b&c&d&e&f&g&h&i&j&k&l&m&n&o", NULL, 400, "too-many-parameters");
	/* a parameter name that is not UTF-8 is still named in valid JSON */
	expect_error("GET", "/v1/attestation?%BD%00x=1", NULL, 400,
	    "unknown-parameter");
	stop();
}
END_TEST

START_TEST(http_device_auth)
{
	struct body b;
	static const char req[] = "\xd2\x84signed";

	start(1);
	expect_error("GET", "/v1/attestation?device=" DEV "&firmware=" FW, NULL,
	    403, "device-auth-required");
	ck_assert_int_eq(fetch("POST", "/v1/attestation",
	    "Content-Type: application/cose", req, sizeof(req) - 1, &b), 200);
	ck_assert_uint_eq(last.signed_len, sizeof(req) - 1);
	ck_assert_mem_eq(last.signed_req, req, sizeof(req) - 1);
	stop();
}
END_TEST

/* With device auth, whether a device exists is not for strangers: every
 * device or license id, well formed or not, gets the refusal's 403, byte
 * for byte, and the backend is never asked. */
START_TEST(http_device_auth_no_lookup)
{
	static const char *const paths[] = { "/v1/devices/" DEV,
	    "/v1/devices/0x12", "/v1/licenses/1",
	    "/v1/licenses/x" };
	struct body b, first;
	size_t i;

	start(1);
	last_license = 0;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ck_assert_int_eq(fetch("GET", paths[i], NULL, NULL, 0, &b), 403);
		if (i == 0)
			first = b;
		ck_assert_uint_eq(b.len, first.len);
		ck_assert_mem_eq(b.buf, first.buf, b.len);
	}
	ck_assert_str_eq(first.buf,
	    "{\"error\":\"forbidden\",\"message\":\"request refused\"}");
	ck_assert_uint_eq(last_license, 0);
	ck_assert_int_eq(fetch("GET", "/v1/firmware/" FW, NULL, NULL, 0, &b), 404);
	stop();
}
END_TEST

START_TEST(http_post_limits)
{
	struct body b;
	char big[2048];
	json_t *j;

	start(0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(fetch("POST", "/v1/attestation",
	    "Content-Type: application/cose", big, sizeof(big), &b), 413);
	j = json_loads(b.buf, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
	    "body-too-large");
	json_decref(j);
	ck_assert_int_eq(fetch("POST", "/v1/attestation",
	    "Content-Type: text/plain", "abc", 3, &b), 415);
	ck_assert_int_eq(fetch("POST", "/v1/attestation",
	    "Content-Type: application/cose", "", 0, &b), 400);
	stop();
}
END_TEST

START_TEST(http_resources)
{
	struct body b;

	start(0);
	ck_assert_int_eq(fetch("GET", "/v1/devices/" DEV, NULL, NULL, 0, &b), 200);
	ck_assert(strstr(b.buf, DEV) != NULL);
	expect_error("GET", "/v1/devices/0x12", NULL, 400, "bad-device");
	expect_error("GET", "/v1/devices/" DEV "/x", NULL, 404, "not-found");
	expect_error("GET", "/v1/firmware/" FW, NULL, 404, "unknown-firmware");
	expect_error("GET", "/v1/firmware/abc", NULL, 400, "bad-firmware");
	ck_assert_int_eq(fetch("GET", "/v1/licenses/12", NULL, NULL, 0, &b), 200);
	ck_assert_uint_eq(last_license, 12);
	ck_assert_int_eq(fetch("GET", "/v1/licenses/0x1f", NULL, NULL, 0, &b), 200);
	ck_assert_uint_eq(last_license, 31);
	expect_error("GET", "/v1/licenses/0", NULL, 400, "bad-license-id");
	expect_error("GET", "/v1/licenses/12a", NULL, 400, "bad-license-id");
	expect_error("GET", "/v1/licenses/99999999999999999999", NULL, 400,
	    "bad-license-id");
	expect_error("GET", "/nothing", NULL, 404, "not-found");
	expect_error("DELETE", "/v1/status", NULL, 405, "method-not-allowed");
	expect_error("GET", "/v1/status?verbose=1", NULL, 400, "unknown-parameter");
	ck_assert_int_eq(fetch("GET", "/v1/status", NULL, NULL, 0, &b), 200);
	ck_assert_str_eq(b.buf, "{\"head\":42}");
	stop();
}
END_TEST

START_TEST(http_health_and_metrics)
{
	struct body b;

	start(0);
	ck_assert_int_eq(fetch("GET", "/healthz", NULL, NULL, 0, &b), 200);
	backend_ready = 0;
	expect_error("GET", "/readyz", NULL, 503, "not-ready");
	backend_ready = 1;
	ck_assert_int_eq(fetch("GET", "/readyz", NULL, NULL, 0, &b), 200);
	ck_assert_int_eq(fetch("GET", "/healthz", NULL, NULL, 0, &b), 200);
	ck_assert_int_eq(fetch("GET", "/metrics", NULL, NULL, 0, &b), 200);
	ck_assert_msg(strstr(b.buf, "licgate_http_requests_total{route=\"healthz\","
	    "code=\"200\"} 2\n") != NULL, "%s", b.buf);
	ck_assert(strstr(b.buf, "licgate_http_requests_total{route=\"readyz\","
	    "code=\"503\"} 1\n") != NULL);
	stop();
}
END_TEST

/* Label values are escaped as the text format wants; a pair too long for
 * the series is left out whole, never cut inside its quotes; the same
 * labels count into one series. */
START_TEST(metrics_labels)
{
	char long_value[200], *text;

	memset(long_value, 'x', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	metrics_reset();
	metrics_count("licgate_test_total", "route", "a\"b\\c\nd", "code",
	    "200", 2);
	metrics_count("licgate_test_total", "route", "a\"b\\c\nd", "code",
	    "200", 3);
	metrics_count("licgate_test_total", "route", "plain", NULL, NULL, 1);
	metrics_count("licgate_test_total", "route", long_value, "code", "404",
	    1);
	text = metrics_render();
	ck_assert_msg(strstr(text, "licgate_test_total{route=\"a\\\"b\\\\c"
	    "\\nd\",code=\"200\"} 5\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "licgate_test_total{route=\"plain\"} 1\n")
	    != NULL, "%s", text);
	ck_assert_msg(strstr(text, "licgate_test_total{code=\"404\"} 1\n")
	    != NULL, "%s", text);
	ck_assert(strstr(text, "xxxx") == NULL);
	free(text);
	metrics_reset();
}
END_TEST

START_TEST(http_port_in_use)
{
	struct http_config cfg = { "127.0.0.1", 0, 8, 1024, 5, 0, 0, 1 };
	struct http_server *second;
	const char *why = NULL;

	start(0);
	cfg.port = http_port(srv);
	ck_assert(!http_start(&second, &cfg, &backend, &why));
	ck_assert_ptr_nonnull(why);
	cfg.listen = "localhost";
	ck_assert(!http_start(&second, &cfg, &backend, &why));
	ck_assert_str_eq(why, "listen address is not an IPv4 or IPv6 literal");
	stop();
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, http_attestation_params);
	tcase_add_test(tc, http_device_auth);
	tcase_add_test(tc, http_device_auth_no_lookup);
	tcase_add_test(tc, http_post_limits);
	tcase_add_test(tc, http_resources);
	tcase_add_test(tc, http_health_and_metrics);
	tcase_add_test(tc, metrics_labels);
	tcase_add_test(tc, http_port_in_use);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return tu_run(http_suite());
}
