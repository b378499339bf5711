/* store_query.c: the reads: the lookups behind an attestation, the dump,
 * status, events and single rows, each returned in the store's own
 * structs or as JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chain/hex.h"
#include "registry.h"
#include "store.h"
#include "store_int.h"

/* dump --------------------------------------------------------------- */

/* ethers' toBeHex: the shortest even-length hex of a number, 0x00 for 0. */
static json_t *
short_hex(const char *hex64)
{
	const char *p = hex64 + 2;
	char out[67];

	while (p[0] == '0' && p[1] == '0' && p[2] != '\0')
		p += 2;
	snprintf(out, sizeof(out), "0x%s", p);
	return json_string(out);
}

static json_t *
dump_value(sqlite3_stmt *st, int i, enum registry_dump_as as)
{
	switch (as) {
	case REGISTRY_AS_INT:
		return json_integer(sqlite3_column_int64(st, i));
	case REGISTRY_AS_BOOL:
		return json_boolean(sqlite3_column_int64(st, i) != 0);
	case REGISTRY_AS_SHORT_HEX:
		return short_hex((const char *)sqlite3_column_text(st, i));
	case REGISTRY_AS_TEXT:
		break;
	}
	return json_string((const char *)sqlite3_column_text(st, i));
}

/* One table as an object keyed by its first column; a table whose only
 * column has no name maps keys to plain values (floors).  A table a file
 * does not have yet (registry_tables_added_sql, made on licgated's next
 * start) is empty. */
static json_t *
dump_table(struct store *s, const struct registry_dump_table *t, char *err,
    size_t errsz)
{
	json_t *obj = json_object(), *row;
	sqlite3_stmt *st;
	const struct registry_dump_col *c;
	int rc, i, have;

	if (!store_has_table(s, t->member, &have, err, errsz)) {
		json_decref(obj);
		return NULL;
	}
	if (have == 0)
		return obj;
	if (!store_prepare(s, &st, t->sql, err, errsz)) {
		json_decref(obj);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (t->cols[0].name == NULL) {
			json_object_set_new(obj, key,
			    dump_value(st, 1, t->cols[0].as));
			continue;
		}
		row = json_object();
		for (c = t->cols, i = 1; c->name != NULL; c++, i++)
			json_object_set_new(row, c->name,
			    dump_value(st, i, c->as));
		json_object_set_new(obj, key, row);
	}
	store_done(s, st);
	if (rc != SQLITE_DONE) {
		json_decref(obj);
		store_fail(err, errsz, "database", s->db);
		return NULL;
	}
	return obj;
}

json_t *
store_dump(struct store *s, char *err, size_t errsz)
{
	const struct registry_dump_table *d;
	json_t *out = json_object(), *t;
	char admin[64];
	int found;
	int64_t n;

	if (!store_meta_get(s, "admin", &found, NULL, admin, sizeof(admin), err,
	    errsz))
		goto fail;
	json_object_set_new(out, "admin", found ? json_string(admin) :
	    json_null());
	for (d = registry_dump_tables; d->member != NULL; d++) {
		if ((t = dump_table(s, d, err, errsz)) == NULL)
			goto fail;
		json_object_set_new(out, d->member, t);
	}
	if (!store_query_int(s,
	    "SELECT count(*) FROM events WHERE block_number <= "
	    "coalesce((SELECT value FROM meta WHERE key = 'applied_number'), "
	    "-1)", &n, err, errsz))
		goto fail;
	json_object_set_new(out, "events", json_integer(n));
	return out;
fail:
	json_decref(out);
	return NULL;
}

static json_t *
column_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

/* status ------------------------------------------------------------- */

int
store_gateway(struct store *s, const uint8_t address[20],
    struct store_gateway *out, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	memset(out, 0, sizeof(*out));
	if (!store_prepare(s, &st, "SELECT active, updated_block, label FROM "
	    "gateways WHERE address = ?1", err, errsz))
		return 0;
	store_bind_hex(st, 1, address, 20);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->state = sqlite3_column_int(st, 0) ? STORE_GW_AUTHORISED :
		    STORE_GW_WITHDRAWN;
		out->block = (uint64_t)sqlite3_column_int64(st, 1);
		snprintf(out->label, sizeof(out->label), "%s",
		    (const char *)sqlite3_column_text(st, 2));
	} else if (rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

/* status's "engine": the consensus rules licgated last ran with. */
static int
status_engine(struct store *s, json_t *out, char *err, size_t errsz)
{
	char name[32];
	uint64_t trusted = 0;
	int found, f2;

	if (!store_meta_get(s, "engine", &found, NULL, name, sizeof(name), err,
	    errsz) || !store_meta_get(s, "node_is_trusted", &f2, &trusted, NULL,
	    0, err, errsz))
		return 0;
	if (found)
		json_object_set_new(out, "engine", json_pack("{s:s, s:b}",
		    "name", name, "node_is_trusted", (int)(trusted != 0)));
	return 1;
}

/* status's "gateway": the address licgated signs with and what the
 * verified state says of it. */
static int
status_gateway(struct store *s, json_t *out, char *err, size_t errsz)
{
	static const char *const states[] = { "not-authorised",
	    "authorised", "withdrawn" };
	struct store_gateway g;
	uint8_t addr[20];
	char hex[43];
	int found;
	json_t *o;

	if (!store_meta_get_hex(s, "gateway", &found, addr, 20, err, errsz))
		return 0;
	if (!found)
		return 1;
	if (!store_gateway(s, addr, &g, err, errsz))
		return 0;
	o = json_pack("{s:s, s:s}", "address", hex_encode(hex, addr, 20),
	    "state", states[g.state]);
	if (g.state != STORE_GW_NONE) {
		json_object_set_new(o, "label", json_string(g.label));
		json_object_set_new(o, "block", json_integer((json_int_t)g.block));
	}
	json_object_set_new(out, "authorisation", o);
	return 1;
}

/* Where the registry's digest was last proved, and what waits above it. */
static int
status_proved(struct store *s, json_t *out, char *err, size_t errsz)
{
	struct store_cursor c;
	uint64_t pending;

	if (!store_cursor(s, &c, err, errsz) ||
	    !store_pending(s, &pending, err, errsz))
		return 0;
	json_object_set_new(out, "proved_block", c.has_proved ?
	    json_integer((json_int_t)c.proved_number) : json_null());
	json_object_set_new(out, "pending_events",
	    json_integer((json_int_t)pending));
	return 1;
}

json_t *
store_status_json(struct store *s, char *err, size_t errsz)
{
	static const char *const tables[] = { "vendors", "gateways",
	    "devices", "firmware", "licenses", "events" };
	static const char *const keys[] = { "node_head", "checked_at",
	    "last_error", "last_error_time" };
	json_t *out = json_object(), *counts = json_object();
	sqlite3_stmt *st;
	char sql[64];
	size_t i;
	int64_t n;

	json_object_set_new(out, "counts", counts);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		    tables[i]);
		if (!store_query_int(s, sql, &n, err, errsz))
			goto fail;
		json_object_set_new(counts, tables[i], json_integer(n));
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!store_prepare(s, &st,
		    "SELECT value FROM meta WHERE key = ?1", err, errsz))
			goto fail;
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(out, keys[i], column_json(st, 0));
		store_done(s, st);
	}
	if (!status_gateway(s, out, err, errsz) ||
	    !status_engine(s, out, err, errsz) ||
	    !status_proved(s, out, err, errsz) ||
	    !store_anchor_status(s, out, err, errsz))
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* reads for the HTTP side -------------------------------------------- */

static int
col_hex(uint8_t *out, size_t cap, size_t *len, sqlite3_stmt *st, int i)
{
	const char *why;
	size_t n;

	if (!hex_decode(out, cap, &n, (const char *)sqlite3_column_text(st, i),
	    &why))
		return 0;
	if (len != NULL)
		*len = n;
	else if (n != cap)
		return 0;
	return 1;
}

static int
lookup_device(struct store *s, const uint8_t dev[20], struct store_lookup *o,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	if (!store_prepare(s, &st,
	    "SELECT role, revoked, public_key FROM devices "
	    "WHERE address = ?1", err, errsz))
		return 0;
	store_bind_hex(st, 1, dev, 20);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->device.found = 1;
		o->device.role = (uint8_t)sqlite3_column_int(st, 0);
		o->device.revoked = sqlite3_column_int(st, 1) != 0;
		if (!col_hex(o->device.public_key,
		    sizeof(o->device.public_key), &o->device.public_key_len,
		    st, 2))
			o->device.public_key_len = 0;
	} else if (rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

static int
lookup_firmware(struct store *s, const uint8_t fw[32], struct store_lookup *o,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	if (!store_prepare(s, &st,
	    "SELECT f.vendor, f.version, f.role, f.revoked, "
	    "coalesce(fl.min_version, 0), f.end_of_support, "
	    "coalesce(v.active, 0) FROM firmware f LEFT JOIN floors fl "
	    "ON fl.vendor = f.vendor AND fl.role = f.role "
	    "LEFT JOIN vendors v ON v.address = f.vendor "
	    "WHERE f.image_hash = ?1", err, errsz))
		return 0;
	store_bind_hex(st, 1, fw, 32);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->firmware.found = col_hex(o->firmware.vendor, 20, NULL, st,
		    0);
		o->firmware.version = (uint64_t)sqlite3_column_int64(st, 1);
		o->firmware.role = (uint8_t)sqlite3_column_int(st, 2);
		o->firmware.revoked = sqlite3_column_int(st, 3) != 0;
		o->firmware.min_version = (uint64_t)sqlite3_column_int64(st, 4);
		o->firmware.end_of_support =
		    (uint64_t)sqlite3_column_int64(st, 5);
		o->firmware.vendor_active = sqlite3_column_int(st, 6) != 0;
	} else if (rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

/* Binds what selects the licenses covering the firmware: ?1 device,
 * ?2 vendor, ?3 role, ?4 version, ?5 now. */
static void
bind_covering(sqlite3_stmt *st, const uint8_t dev[20],
    const struct store_firmware_row *fw, uint64_t now)
{
	store_bind_hex(st, 1, dev, 20);
	store_bind_hex(st, 2, fw->vendor, 20);
	sqlite3_bind_int(st, 3, fw->role);
	store_bind_u64(st, 4, fw->version);
	store_bind_u64(st, 5, now);
}

/* The covering license verdict_decide would pick among all of them, by
 * its ranking (valid 3, expired 2, revoked 1, not started 0; among valid ones
 * the longest lasting, no end first), the newest among equals. */
static int
lookup_license(struct store *s, const uint8_t dev[20], uint64_t now,
    struct store_lookup *o, char *err, size_t errsz)
{
	struct store_license_row *l = &o->license;
	sqlite3_stmt *st;
	int rc;

	if (!store_prepare(s, &st, "SELECT id, vendor, role, max_version, "
	    "not_before, expires_at, revoked, CASE WHEN revoked THEN 1 "
	    "WHEN expires_at != 0 AND expires_at <= ?5 THEN 2 "
	    "WHEN not_before > ?5 THEN 0 ELSE 3 END AS r FROM licenses "
	    "WHERE device = ?1 AND vendor = ?2 AND role = ?3 AND "
	    "max_version >= ?4 ORDER BY r DESC, "
	    "(r = 3 AND expires_at = 0) DESC, "
	    "CASE WHEN r = 3 THEN expires_at END DESC, id DESC LIMIT 1",
	    err, errsz))
		return 0;
	bind_covering(st, dev, &o->firmware, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    col_hex(l->vendor, 20, NULL, st, 1)) {
		l->id = (uint64_t)sqlite3_column_int64(st, 0);
		l->role = (uint8_t)sqlite3_column_int(st, 2);
		l->max_version = (uint64_t)sqlite3_column_int64(st, 3);
		l->not_before = (uint64_t)sqlite3_column_int64(st, 4);
		l->expires_at = (uint64_t)sqlite3_column_int64(st, 5);
		l->revoked = sqlite3_column_int(st, 6) != 0;
		o->nlicenses = 1;
	}
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

/* Keeps t in *next when it is after now and before *next (0: none yet). */
static void
earliest(uint64_t *next, uint64_t t, uint64_t now)
{
	if (t > now && (*next == 0 || t < *next))
		*next = t;
}

/* When the verdict can next change by the clock: a covering unrevoked
 * license starting or ending, or the firmware's end of support. */
static int
lookup_next_change(struct store *s, const uint8_t dev[20], uint64_t now,
    struct store_lookup *o, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	earliest(&o->next_change, o->firmware.end_of_support, now);
	if (!store_prepare(s, &st, "SELECT min(CASE WHEN not_before > ?5 THEN "
	    "not_before END), min(CASE WHEN expires_at > ?5 THEN expires_at "
	    "END) FROM licenses WHERE device = ?1 AND vendor = ?2 AND "
	    "role = ?3 AND max_version >= ?4 AND revoked = 0", err, errsz))
		return 0;
	bind_covering(st, dev, &o->firmware, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		earliest(&o->next_change,
		    (uint64_t)sqlite3_column_int64(st, 0), now);
		earliest(&o->next_change,
		    (uint64_t)sqlite3_column_int64(st, 1), now);
	}
	store_done(s, st);
	if (rc != SQLITE_ROW)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

/* The applied block's number, time and hash. */
static int
lookup_applied(struct store *s, struct store_lookup *o, char *err,
    size_t errsz)
{
	struct store_cursor c;
	int found;

	if (!store_read_cursor(s, &c, err, errsz))
		return 0;
	if (!(o->has_applied = c.has_applied))
		return 1;
	o->applied_number = c.applied_number;
	o->applied_time = c.applied_time;
	if (!store_block_hash(s, c.applied_number, o->applied_hash, &found,
	    err, errsz))
		return 0;
	if (!found) {
		snprintf(err, errsz, "database: the applied block %" PRIu64
		    " is not kept", c.applied_number);
		return 0;
	}
	return 1;
}

int
store_lookup(struct store *s, const uint8_t device[20],
    const uint8_t firmware[32], uint64_t now, struct store_lookup *out,
    char *err, size_t errsz)
{
	int ok;

	memset(out, 0, sizeof(*out));
	if (!store_exec(s, "BEGIN", err, errsz))
		return 0;
	ok = lookup_applied(s, out, err, errsz) &&
	    lookup_device(s, device, out, err, errsz) &&
	    lookup_firmware(s, firmware, out, err, errsz) &&
	    (!out->firmware.found ||
	    (lookup_license(s, device, now, out, err, errsz) &&
	    lookup_next_change(s, device, now, out, err, errsz)));
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return ok;
}

int
store_lookup_device(struct store *s, const uint8_t device[20],
    struct store_lookup *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	return lookup_device(s, device, out, err, errsz);
}

json_t *
store_row_json(struct store *s, const char *table, const char *key,
    int *found, char *err, size_t errsz)
{
	static const char *const sql[][2] = {
		{ "devices", "SELECT * FROM devices WHERE address = ?1" },
		{ "gateways", "SELECT * FROM gateways WHERE address = ?1" },
		{ "firmware", "SELECT * FROM firmware WHERE image_hash = ?1" },
		{ "licenses", "SELECT * FROM licenses WHERE id = CAST(?1 AS "
		    "INTEGER)" },
	};
	sqlite3_stmt *st;
	json_t *obj = NULL;
	size_t i;
	int rc, k;

	*found = 0;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (strcmp(sql[i][0], table) == 0)
			break;
	if (i == sizeof(sql) / sizeof(sql[0])) {
		snprintf(err, errsz, "no table %s", table);
		return NULL;
	}
	if (!store_prepare(s, &st, sql[i][1], err, errsz))
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		obj = json_object();
		for (k = 0; k < sqlite3_column_count(st); k++)
			json_object_set_new(obj, sqlite3_column_name(st, k),
			    column_json(st, k));
	} else if (rc == SQLITE_DONE)
		obj = json_object();
	else
		store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return obj;
}

/* events ------------------------------------------------------------- */

/* The caller's callback and its argument, for store_each_since. */
struct event_cb {
	int (*fn)(void *, const struct store_event_row *);
	void *arg;
};

static int
event_row(sqlite3_stmt *st, void *arg)
{
	const struct event_cb *cb = arg;
	struct store_event_row r;

	r.seq = (uint64_t)sqlite3_column_int64(st, 0);
	r.block_number = (uint64_t)sqlite3_column_int64(st, 1);
	r.time = (const char *)sqlite3_column_text(st, 2);
	r.tx_index = (uint64_t)sqlite3_column_int64(st, 3);
	r.log_index = (uint64_t)sqlite3_column_int64(st, 4);
	r.kind = (const char *)sqlite3_column_text(st, 5);
	r.args = (const char *)sqlite3_column_text(st, 6);
	r.effective = sqlite3_column_int(st, 7) != 0;
	return cb->fn(cb->arg, &r);
}

int
store_events(struct store *s, uint64_t since,
    int (*fn)(void *, const struct store_event_row *), void *arg, char *err,
    size_t errsz)
{
	struct event_cb cb = { fn, arg };

	return store_each_since(s,
	    "SELECT seq, block_number, coalesce(time, ''), "
	    "tx_index, log_index, kind, args, effective FROM v_events "
	    "WHERE block_number >= ?1 ORDER BY seq", since, event_row, &cb,
	    err, errsz);
}
