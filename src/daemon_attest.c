/* daemon_attest.c: /v1/attestation: look the pair up in the verified state,
 * decide the verdict, answer it. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chain/hex.h"
#include "daemon.h"
#include "verdict.h"

void
daemon_attestation(void *arg, const struct http_attest *req,
    struct http_reply *rep)
{
	struct daemon *d = arg;
	struct store_lookup lk;
	struct store_cursor c;
	struct verdict_input in;
	struct verdict_result vr;
	char err[256], hex[67];
	json_t *o;

	if (req->signed_req != NULL) {
		http_reply_error(rep, 501, "unsupported",
		    "device-signed requests are not supported yet");
		return;
	}
	if (!store_cursor(daemon_http_store(d), &c, err, sizeof(err)) ||
	    !store_lookup(daemon_http_store(d), req->device, req->firmware, &lk, err,
	    sizeof(err))) {
		http_reply_error(rep, 500, "database", "%s", err);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.now = (uint64_t)time(NULL);
	in.state_time = c.has_applied ? c.applied_time : 0;
	in.max_staleness = d->conf.max_staleness;
	in.device = lk.device;
	in.firmware = lk.firmware;
	in.licenses = lk.licenses;
	in.nlicenses = lk.nlicenses;
	verdict_decide(&vr, &in);
	o = json_object();
	json_object_set_new(o, "verdict", json_string(verdict_name(vr.verdict)));
	json_object_set_new(o, "device",
	    json_string(hex_encode(hex, req->device, 20)));
	json_object_set_new(o, "firmware",
	    json_string(hex_encode(hex, req->firmware, 32)));
	http_reply_json(rep, 200, o);
}
