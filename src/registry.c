/* registry.c: the event table is the single description of the registry's
 * events; the decoder accepts only the encoding solc's abi.encode produces.
 * The digest, its slots and the state tables follow the event table. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "registry.h"
#include "xmalloc.h"

#define A(n) { n, ABI_ADDRESS, 0 }
#define IA(n) { n, ABI_ADDRESS, 1 }

const struct registry_def registry_defs[REG_KIND_COUNT] = {
	{ REG_ADMIN_TRANSFERRED, "AdminTransferred", "AdminTransferred(address,address)",
	    "0xf8ccb027dfcd135e000e9d45e6cc2d662578a8825d4c45b5e32e0adf67e79ec6",
	    { IA("previousAdmin"), IA("newAdmin") }, 2 },
	{ REG_VENDOR_ADDED, "VendorAdded", "VendorAdded(address,string)",
	    "0x3bfb2a482f27320475ccb8d79591c7fad41a601402791a4194f05e5069d0ac03",
	    { IA("vendor"), { "name", ABI_STRING, 0 } }, 2 },
	{ REG_VENDOR_REMOVED, "VendorRemoved", "VendorRemoved(address)",
	    "0xceb8b5081e60cbeafb2db1ed5f2ef32309a5ba1d0d74ac127be270181f297e58",
	    { IA("vendor") }, 1 },
	{ REG_GATEWAY_AUTHORIZED, "GatewayAuthorized", "GatewayAuthorized(address,string)",
	    "0x0b2d4ebbd6ca733fdbbc99dd487dd09331d747ed8764ed4ad19d583c32b8ab14",
	    { IA("gateway"), { "label", ABI_STRING, 0 } }, 2 },
	{ REG_GATEWAY_WITHDRAWN, "GatewayWithdrawn", "GatewayWithdrawn(address)",
	    "0xaca45aace018ce4ed529c479f1f0e044d1c7695b2bf21671a52c6be069b352ce",
	    { IA("gateway") }, 1 },
	{ REG_DEVICE_REGISTERED, "DeviceRegistered",
	    "DeviceRegistered(address,address,uint8,bytes)",
	    "0xf064817c880fa2abe34f6038c165c8363a230b006b23a8507eec9d35633ffa84",
	    { IA("device"), IA("vendor"), { "role", ABI_UINT8, 0 },
	    { "publicKey", ABI_BYTES, 0 } }, 4 },
	{ REG_DEVICE_ROLE_CHANGED, "DeviceRoleChanged", "DeviceRoleChanged(address,uint8)",
	    "0xcc208409d13f771aee9578c7ff1bcaec8a373d84b0417d1c569be2af8550f077",
	    { IA("device"), { "role", ABI_UINT8, 0 } }, 2 },
	{ REG_DEVICE_REVOKED, "DeviceRevoked", "DeviceRevoked(address,uint32)",
	    "0xeb22f147ae919272b0836221f561723364946945ed4818243270d2613926b814",
	    { IA("device"), { "reason", ABI_UINT32, 0 } }, 2 },
	{ REG_FIRMWARE_REGISTERED, "FirmwareRegistered",
	    "FirmwareRegistered(bytes32,address,uint64,uint8,uint64,string)",
	    "0x77875ec7976a3da39bba0ff9d681ecadcae1535dcbded7e09623530becd94f6b",
	    { { "imageHash", ABI_BYTES32, 1 }, IA("vendor"),
	    { "version", ABI_UINT64, 0 }, { "role", ABI_UINT8, 0 },
	    { "endOfSupport", ABI_UINT64, 0 }, { "uri", ABI_STRING, 0 } }, 6 },
	{ REG_FIRMWARE_REVOKED, "FirmwareRevoked", "FirmwareRevoked(bytes32,uint32)",
	    "0x9ca859f34da718bd96b95c18e9e3af5d156d45cc98b28815f454bd82ac9a4363",
	    { { "imageHash", ABI_BYTES32, 1 }, { "reason", ABI_UINT32, 0 } }, 2 },
	{ REG_FLOOR_RAISED, "SecurityFloorRaised",
	    "SecurityFloorRaised(address,uint8,uint64)",
	    "0x29204834782341537d2b281742cdb17a28c39a8d703428ada435132e1625fca7",
	    { IA("vendor"), { "role", ABI_UINT8, 1 },
	    { "minVersion", ABI_UINT64, 0 } }, 3 },
	{ REG_LICENSE_ISSUED, "LicenseIssued",
	    "LicenseIssued(uint256,address,address,uint8,uint64,uint64,uint64,uint256)",
	    "0xcc37d328b748f688433c4334fd10aea1d216b00102872f3b14cf64359d3e6fdd",
	    { { "licenseId", ABI_UINT256, 1 }, IA("device"), IA("vendor"),
	    { "role", ABI_UINT8, 0 }, { "maxVersion", ABI_UINT64, 0 },
	    { "notBefore", ABI_UINT64, 0 }, { "expiresAt", ABI_UINT64, 0 },
	    { "features", ABI_UINT256, 0 } }, 8 },
	{ REG_LICENSE_RENEWED, "LicenseRenewed", "LicenseRenewed(uint256,uint64)",
	    "0xb418c857d3a385082267139357dec1216bab840d71eadc0035b94a79a443ea4e",
	    { { "licenseId", ABI_UINT256, 1 }, { "expiresAt", ABI_UINT64, 0 } }, 2 },
	{ REG_LICENSE_REVOKED, "LicenseRevoked", "LicenseRevoked(uint256,uint32)",
	    "0x73f0ab101816d51a46282eae22d9da70b692412913c864c24bef522f0529b019",
	    { { "licenseId", ABI_UINT256, 1 }, { "reason", ABI_UINT32, 0 } }, 2 },
	{ REG_INSTALLS_ANCHORED, "InstallsAnchored",
	    "InstallsAnchored(address,bytes32,uint64,uint64)",
	    "0xbc1915f550c40b4e26fb6be56f313206708ce4b33a6cbb98e6feaf190119217a",
	    { IA("gateway"), { "root", ABI_BYTES32, 1 },
	    { "firstSeq", ABI_UINT64, 0 }, { "count", ABI_UINT64, 0 } }, 4 },
};

/* Bytes at the top of a word that must be zero for a static type. */
static size_t
abi_zero_prefix(enum abi_type t)
{
	switch (t) {
	case ABI_ADDRESS:
		return 12;
	case ABI_UINT8:
		return 31;
	case ABI_UINT32:
		return 28;
	case ABI_UINT64:
		return 24;
	default:
		return 0;
	}
}

static int
abi_dynamic(enum abi_type t)
{
	return t == ABI_BYTES || t == ABI_STRING;
}

static int
word_ok(const uint8_t w[32], enum abi_type t, const char **why)
{
	size_t i, n = abi_zero_prefix(t);

	for (i = 0; i < n; i++)
		if (w[i] != 0) {
			*why = "registry: non-zero padding in a static value";
			return 0;
		}
	return 1;
}

/* A word as a size, refusing anything that does not fit comfortably. */
static int
word_size(size_t *out, const uint8_t w[32])
{
	size_t i;

	*out = 0;
	for (i = 0; i < 28; i++)
		if (w[i] != 0)
			return 0;
	*out = (size_t)w[28] << 24 | (size_t)w[29] << 16 | (size_t)w[30] << 8 | w[31];
	return *out <= REGISTRY_MAX_DATA;
}

/* Length of the well-formed UTF-8 sequence at p (1 to 4 bytes, no
 * overlong forms, surrogates or values past U+10FFFF), or 0.  *cp gets its
 * code point. */
static size_t
utf8_seq(uint32_t *cp, const uint8_t *p, size_t n)
{
	size_t k, need;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		need = 1, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		need = 2, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		need = 3, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (need > n - 1)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need + 1;
}

/* A code point shown as it is: not a C0 control, DEL or a C1 control. */
static int
text_printable(uint32_t c)
{
	return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f);
}

static size_t
put_byte_escape(char *out, uint8_t b)
{
	static const char hexd[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hexd[b >> 4];
	out[3] = hexd[b & 15];
	return 4;
}

size_t
registry_text(char *out, const uint8_t *p, size_t n)
{
	size_t i = 0, o = 0, k, len;
	uint32_t c;

	while (i < n) {
		len = utf8_seq(&c, p + i, n - i);
		if (len > 0 && text_printable(c)) {
			if (c == '\\')
				out[o++] = '\\';
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		/* A control character is escaped byte by byte (a C1 control
		 * is two bytes); a byte that starts no sequence alone. */
		for (k = 0; k < (len > 0 ? len : 1); k++)
			o += put_byte_escape(out + o, p[i + k]);
		i += k;
	}
	out[o] = '\0';
	return o;
}

char *
registry_text_alloc(const uint8_t *p, size_t n, size_t *len)
{
	char *s = xmalloc(REGISTRY_TEXT_SIZE(n));
	size_t l = registry_text(s, p, n);

	if (len != NULL)
		*len = l;
	return s;
}

/* Reads the dynamic value whose head word is at head; *next is where a
 * canonical encoder puts it, and moves past it. */
static int
decode_dynamic(struct registry_value *v, enum abi_type t, const uint8_t *data,
    size_t len, const uint8_t head[32], size_t *next, const char **why)
{
	size_t off, n, padded, i;

	if (!word_size(&off, head) || off != *next) {
		*why = "registry: dynamic value not at its canonical offset";
		return 0;
	}
	if (off + 32 > len || !word_size(&n, data + off) || n > len - off - 32) {
		*why = "registry: dynamic value runs past the end of the data";
		return 0;
	}
	padded = (n + 31) / 32 * 32;
	if (padded > len - off - 32) {
		*why = "registry: dynamic value padding runs past the end";
		return 0;
	}
	for (i = n; i < padded; i++)
		if (data[off + 32 + i] != 0) {
			*why = "registry: non-zero padding after a dynamic value";
			return 0;
		}
	if (n > (t == ABI_BYTES ? REGISTRY_MAX_PUBKEY : REGISTRY_MAX_TEXT)) {
		*why = "registry: value longer than its cap";
		return 0;
	}
	v->ptr = data + off + 32;
	v->len = n;
	*next = off + 32 + padded;
	return 1;
}

/* The table keeps topic0 as lowercase hex: encode the log's once and
 * compare text, rather than decoding every row for every log. */
static const struct registry_def *
registry_find(const uint8_t topic0[32])
{
	char hex[67];
	size_t k;

	hex_encode(hex, topic0, 32);
	for (k = 0; k < REG_KIND_COUNT; k++)
		if (strcmp(hex, registry_defs[k].topic0) == 0)
			return &registry_defs[k];
	return NULL;
}

static int
decode_args(struct registry_event *ev, const uint8_t (*topics)[32],
    const uint8_t *data, size_t len, const char **why)
{
	const struct registry_def *d = ev->def;
	size_t i, ti = 1, hi = 0, nhead = 0, next;

	for (i = 0; i < d->nargs; i++)
		nhead += !d->args[i].indexed;
	if (len < 32 * nhead) {
		*why = "registry: log data shorter than its head";
		return 0;
	}
	next = 32 * nhead;
	for (i = 0; i < d->nargs; i++) {
		const struct registry_arg *a = &d->args[i];
		const uint8_t *w = a->indexed ? topics[ti++] : data + 32 * hi++;

		if (abi_dynamic(a->type)) {
			if (!decode_dynamic(&ev->v[i], a->type, data, len, w, &next, why))
				return 0;
			continue;
		}
		if (!word_ok(w, a->type, why))
			return 0;
		memcpy(ev->v[i].word, w, 32);
	}
	if (next != len) {
		*why = "registry: trailing bytes after the log data";
		return 0;
	}
	return 1;
}

int
registry_decode(struct registry_event *ev, const uint8_t (*topics)[32],
    size_t ntopics, const uint8_t *data, size_t len, const char **why)
{
	size_t i, nindexed = 0;

	memset(ev, 0, sizeof(*ev));
	if (ntopics == 0 || (ev->def = registry_find(topics[0])) == NULL) {
		*why = "registry: not a registry event (unknown topic0)";
		return 0;
	}
	for (i = 0; i < ev->def->nargs; i++)
		nindexed += ev->def->args[i].indexed;
	if (ntopics != 1 + nindexed) {
		*why = "registry: wrong number of topics for the event";
		goto fail;
	}
	if (len > REGISTRY_MAX_DATA) {
		*why = "registry: log data too large";
		goto fail;
	}
	if (!decode_args(ev, topics, data, len, why))
		goto fail;
	return 1;
fail:
	memset(ev, 0, sizeof(*ev));
	return 0;
}

uint64_t
registry_u64(const struct registry_event *ev, size_t i)
{
	uint64_t v = 0;
	int k;

	for (k = 24; k < 32; k++)
		v = v << 8 | ev->v[i].word[k];
	return v;
}

const uint8_t *
registry_addr(const struct registry_event *ev, size_t i)
{
	return ev->v[i].word + 12;
}

static json_t *
value_json(const struct registry_value *v, enum abi_type t)
{
	char hex[2 * 32 + 3], *s;
	json_t *j;

	switch (t) {
	case ABI_ADDRESS:
		return json_string(hex_encode(hex, v->word + 12, 20));
	case ABI_UINT8:
	case ABI_UINT32:
	case ABI_UINT64: {
		uint64_t x = 0;
		int k;

		for (k = 24; k < 32; k++)
			x = x << 8 | v->word[k];
		/* JSON numbers stay exact up to 2^53; larger ones as text. */
		return x < (1ULL << 53) ? json_integer((json_int_t)x) :
		    json_string(hex_format_u64(hex, x));
	}
	case ABI_UINT256:
	case ABI_BYTES32:
		return json_string(hex_encode(hex, v->word, 32));
	case ABI_BYTES:
		s = hex_encode_alloc(v->ptr, v->len);
		j = json_string(s);
		free(s);
		return j;
	case ABI_STRING:
		s = registry_text_alloc(v->ptr, v->len, NULL);
		j = json_string(s);
		free(s);
		return j;
	}
	return json_null();
}

/* A JSON string body for n bytes of valid UTF-8, escaped as jansson
 * escapes it: the two-character forms where JSON has them, \u00XX for the
 * other control characters, everything else as it is. */
static char *
put_json_string(char *p, const uint8_t *s, size_t n)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t i;

	*p++ = '"';
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		default:
			memcpy(p, "u00", 3);
			p[3] = hexd[c >> 4];
			p[4] = hexd[c & 15];
			p += 5;
		}
	}
	*p++ = '"';
	return p;
}

/* One value as value_json's value would be dumped. */
static char *
put_value(char *p, const struct registry_value *v, enum abi_type t)
{
	char hex[2 * 32 + 3], *text;
	size_t len;
	uint64_t x = 0;
	int k;

	switch (t) {
	case ABI_ADDRESS:
		return put_json_string(p, (const uint8_t *)hex_encode(hex,
		    v->word + 12, 20), 42);
	case ABI_UINT8:
	case ABI_UINT32:
	case ABI_UINT64:
		for (k = 24; k < 32; k++)
			x = x << 8 | v->word[k];
		if (x < (1ULL << 53))
			return p + sprintf(p, "%" PRIu64, x);
		hex_format_u64(hex, x);
		return put_json_string(p, (const uint8_t *)hex, strlen(hex));
	case ABI_UINT256:
	case ABI_BYTES32:
		return put_json_string(p, (const uint8_t *)hex_encode(hex,
		    v->word, 32), 66);
	case ABI_BYTES:
		*p++ = '"';
		hex_encode(p, v->ptr, v->len);
		p += 2 + 2 * v->len;
		*p++ = '"';
		return p;
	case ABI_STRING:
		text = registry_text_alloc(v->ptr, v->len, &len);
		p = put_json_string(p, (const uint8_t *)text, len);
		free(text);
		return p;
	}
	memcpy(p, "null", 4);
	return p + 4;
}

char *
registry_args_text(const struct registry_event *ev)
{
	const struct registry_def *d = ev->def;
	size_t order[REGISTRY_MAX_ARGS], i, j, k, cap = 3;
	char *s, *p;

	/* Keys in strcmp order, as JSON_SORT_KEYS puts them. */
	for (i = 0; i < d->nargs; i++) {
		for (j = i; j > 0 && strcmp(d->args[order[j - 1]].name,
		    d->args[i].name) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < d->nargs; i++)
		cap += strlen(d->args[i].name) + 4 + (ev->def->args[i].type ==
		    ABI_BYTES ? 2 * ev->v[i].len + 4 : ev->def->args[i].type ==
		    ABI_STRING ? 6 * ev->v[i].len + 2 : 70);
	p = s = xmalloc(cap);
	*p++ = '{';
	for (k = 0; k < d->nargs; k++) {
		i = order[k];
		if (k > 0)
			*p++ = ',';
		p = put_json_string(p, (const uint8_t *)d->args[i].name,
		    strlen(d->args[i].name));
		*p++ = ':';
		p = put_value(p, &ev->v[i], d->args[i].type);
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

json_t *
registry_args_json(const struct registry_event *ev)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < ev->def->nargs; i++)
		json_object_set_new(o, ev->def->args[i].name,
		    value_json(&ev->v[i], ev->def->args[i].type));
	return o;
}

/* The digest ------------------------------------------------------------ */

const uint8_t registry_slot_count[32] = { 0 };
const uint8_t registry_slot_digest[32] = { [31] = 1 };

/* keccak256(key as a word || slot as a word): where Solidity keeps
 * mapping[key] of a mapping declared in slot. */
static void
mapping_slot(uint8_t out[32], const uint8_t key[20], uint8_t slot)
{
	uint8_t buf[64] = { 0 };

	memcpy(buf + 12, key, 20);
	buf[63] = slot;
	keccak256(out, buf, sizeof(buf));
}

/* LicenseRegistry.sol's declaration order: eventCount, eventDigest, admin,
 * nextLicenseId, isVendor, isGateway, devices. */
void
registry_slot_gateway(uint8_t out[32], const uint8_t gateway[20])
{
	mapping_slot(out, gateway, 5);
}

void
registry_slot_device(uint8_t out[32], const uint8_t device[20])
{
	mapping_slot(out, device, 6);
}

int
registry_device_word(int *registered, int *revoked, const uint8_t *value,
    size_t len)
{
	uint8_t w[32] = { 0 };
	size_t i;

	*registered = *revoked = 0;
	if (len > 32)
		return 0;
	memcpy(w + 32 - len, value, len);
	for (i = 12; i < 32; i++)	/* vendor: the word's low 20 bytes */
		*registered |= w[i] != 0;
	*revoked = w[10] != 0;		/* then role (byte 11), revoked */
	return 1;
}

void
registry_digest_step(uint8_t d[32], const uint8_t (*topics)[32],
    size_t ntopics, const uint8_t *data, size_t len)
{
	uint8_t dh[32];

	keccak256(dh, data, len);
	registry_digest_step_hashed(d, topics, ntopics, dh);
}

void
registry_digest_step_hashed(uint8_t d[32], const uint8_t (*topics)[32],
    size_t ntopics, const uint8_t data_hash[32])
{
	struct keccak_ctx k;
	size_t i;

	keccak256_init(&k);
	keccak256_update(&k, d, 32);
	for (i = 0; i < ntopics; i++)
		keccak256_update(&k, topics[i], 32);
	keccak256_update(&k, data_hash, 32);
	keccak256_final(&k, d);
}

/* Calls ----------------------------------------------------------------- */

/* A uint64 as an ABI word. */
static void
abi_put_u64(uint8_t w[32], uint64_t v)
{
	int i;

	memset(w, 0, 32);
	for (i = 0; i < 8; i++)
		w[31 - i] = (uint8_t)(v >> (8 * i));
}

void
registry_anchor_call(uint8_t out[REGISTRY_ANCHOR_CALL_LEN],
    const uint8_t root[32], uint64_t first_seq, uint64_t count)
{
	static const char sig[] = "anchorInstalls(bytes32,uint64,uint64)";
	uint8_t h[32];

	keccak256(h, sig, sizeof(sig) - 1);
	memcpy(out, h, 4);
	memcpy(out + 4, root, 32);
	abi_put_u64(out + 36, first_seq);
	abi_put_u64(out + 68, count);
}

/* The state tables ------------------------------------------------------ */

/* What the events leave for a gateway to read: one table per kind of
 * record, keyed as the contract keys it, with the block of the last change;
 * and views that spell the times and states out for people. */
const char registry_tables_sql[] =
	"CREATE TABLE vendors ("
	"  address TEXT PRIMARY KEY, name TEXT NOT NULL,"
	"  active INTEGER NOT NULL, updated_block INTEGER NOT NULL) STRICT;"
	"CREATE TABLE gateways ("
	"  address TEXT PRIMARY KEY, label TEXT NOT NULL,"
	"  active INTEGER NOT NULL, updated_block INTEGER NOT NULL) STRICT;"
	"CREATE TABLE devices ("
	"  address TEXT PRIMARY KEY, vendor TEXT NOT NULL,"
	"  role INTEGER NOT NULL, public_key TEXT NOT NULL,"
	"  revoked INTEGER NOT NULL, revoke_reason INTEGER,"
	"  updated_block INTEGER NOT NULL) STRICT;"
	"CREATE TABLE firmware ("
	"  image_hash TEXT PRIMARY KEY, vendor TEXT NOT NULL,"
	"  version INTEGER NOT NULL, role INTEGER NOT NULL,"
	"  end_of_support INTEGER NOT NULL, uri TEXT NOT NULL,"
	"  revoked INTEGER NOT NULL, revoke_reason INTEGER,"
	"  updated_block INTEGER NOT NULL) STRICT;"
	"CREATE TABLE floors ("
	"  vendor TEXT NOT NULL, role INTEGER NOT NULL,"
	"  min_version INTEGER NOT NULL, updated_block INTEGER NOT NULL,"
	"  PRIMARY KEY (vendor, role)) STRICT;"
	"CREATE TABLE licenses ("
	"  id INTEGER PRIMARY KEY, device TEXT NOT NULL, vendor TEXT NOT NULL,"
	"  role INTEGER NOT NULL, max_version INTEGER NOT NULL,"
	"  not_before INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	"  features TEXT NOT NULL, revoked INTEGER NOT NULL,"
	"  revoke_reason INTEGER, updated_block INTEGER NOT NULL) STRICT;"
	"CREATE INDEX licenses_device ON licenses (device);"
	"CREATE INDEX licenses_pick ON licenses (device, vendor, role);"
	"CREATE VIEW v_devices AS SELECT address, vendor, role, public_key,"
	"  CASE WHEN revoked THEN 'revoked' ELSE 'active' END AS status,"
	"  revoke_reason, updated_block FROM devices;"
	"CREATE VIEW v_firmware AS SELECT image_hash, vendor, version, role,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', end_of_support, 'unixepoch')"
	"  AS end_of_support, uri,"
	"  CASE WHEN revoked THEN 'revoked' ELSE 'active' END AS status,"
	"  revoke_reason, updated_block FROM firmware;"
	"CREATE VIEW v_licenses AS SELECT id, device, vendor, role, max_version,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', not_before, 'unixepoch') AS not_before,"
	"  CASE WHEN expires_at = 0 THEN 'never' ELSE"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', expires_at, 'unixepoch') END"
	"  AS expires_at, features,"
	"  CASE WHEN revoked THEN 'revoked'"
	"  WHEN expires_at != 0 AND expires_at <= unixepoch() THEN 'expired'"
	"  WHEN not_before > unixepoch() THEN 'not yet valid'"
	"  ELSE 'active' END AS status, revoke_reason, updated_block"
	"  FROM licenses;";

/* Batches of install reports a gateway anchored: the first anchor of a
 * root counts (a gateway that sends one twice gains nothing). */
const char registry_tables_added_sql[] =
	"CREATE TABLE IF NOT EXISTS anchors ("
	"  gateway TEXT NOT NULL, root TEXT NOT NULL,"
	"  first_seq INTEGER NOT NULL, count INTEGER NOT NULL,"
	"  block INTEGER NOT NULL, PRIMARY KEY (gateway, root)) STRICT;"
	"CREATE VIEW IF NOT EXISTS v_anchors AS SELECT gateway, root,"
	"  first_seq, first_seq + count - 1 AS last_seq, count, block"
	"  FROM anchors;";

const char registry_clear_sql[] =
	"DELETE FROM vendors; DELETE FROM gateways;"
	"DELETE FROM devices; DELETE FROM firmware; DELETE FROM floors;"
	"DELETE FROM licenses; DELETE FROM anchors;"
	"DELETE FROM meta WHERE key = 'admin'";

/* The contract only emits an update for a row it created, so an update
 * never misses; the admin is kept in meta, as the contract keeps one. */
const char *const registry_apply_sql[REG_KIND_COUNT] = {
	[REG_ADMIN_TRANSFERRED] =
	    "INSERT OR REPLACE INTO meta VALUES ('admin', ?2)",
	[REG_VENDOR_ADDED] =
	    "INSERT OR REPLACE INTO vendors VALUES (?1, ?2, 1, ?9)",
	[REG_VENDOR_REMOVED] =
	    "UPDATE vendors SET active = 0, updated_block = ?9 "
	    "WHERE address = ?1",
	[REG_GATEWAY_AUTHORIZED] =
	    "INSERT OR REPLACE INTO gateways VALUES (?1, ?2, 1, ?9)",
	[REG_GATEWAY_WITHDRAWN] =
	    "UPDATE gateways SET active = 0, updated_block = ?9 "
	    "WHERE address = ?1",
	[REG_DEVICE_REGISTERED] =
	    "INSERT OR REPLACE INTO devices VALUES (?1, ?2, ?3, ?4, 0, NULL, ?9)",
	[REG_DEVICE_ROLE_CHANGED] =
	    "UPDATE devices SET role = ?2, updated_block = ?9 "
	    "WHERE address = ?1",
	[REG_DEVICE_REVOKED] =
	    "UPDATE devices SET revoked = 1, revoke_reason = ?2, "
	    "updated_block = ?9 WHERE address = ?1",
	[REG_FIRMWARE_REGISTERED] =
	    "INSERT OR REPLACE INTO firmware VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, 0, NULL, ?9)",
	[REG_FIRMWARE_REVOKED] =
	    "UPDATE firmware SET revoked = 1, revoke_reason = ?2, "
	    "updated_block = ?9 WHERE image_hash = ?1",
	[REG_FLOOR_RAISED] =
	    "INSERT OR REPLACE INTO floors VALUES (?1, ?2, ?3, ?9)",
	[REG_LICENSE_ISSUED] =
	    "INSERT OR REPLACE INTO licenses VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, NULL, ?9)",
	[REG_LICENSE_RENEWED] =
	    "UPDATE licenses SET expires_at = ?2, updated_block = ?9 "
	    "WHERE id = ?1",
	[REG_LICENSE_REVOKED] =
	    "UPDATE licenses SET revoked = 1, revoke_reason = ?2, "
	    "updated_block = ?9 WHERE id = ?1",
	[REG_INSTALLS_ANCHORED] =
	    "INSERT OR IGNORE INTO anchors VALUES (?1, ?2, ?3, ?4, ?9)",
};

static void
sql_hex(struct registry_sql_value *out, const uint8_t *p, size_t n)
{
	out->text = hex_encode_alloc(p, n);
}

/* SQLite integers are signed: larger values (a "forever" version or time)
 * are kept as the largest one, which compares the same way. */
static void
sql_u64(struct registry_sql_value *out, uint64_t v)
{
	out->num = v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* License ids are uint256 on chain and counted from 1: anything that does
 * not fit an SQLite integer is refused rather than aliased. */
static int
sql_license_id(struct registry_sql_value *out,
    const struct registry_event *ev, size_t k, const char **why)
{
	size_t z;

	for (z = 0; z < 24; z++)
		if (ev->v[k].word[z] != 0)
			break;
	if (z < 24 || registry_u64(ev, k) > INT64_MAX) {
		*why = "license id out of range";
		return 0;
	}
	out->num = (int64_t)registry_u64(ev, k);
	return 1;
}

int
registry_sql_arg(struct registry_sql_value *out,
    const struct registry_event *ev, size_t k, const char **why)
{
	const struct registry_value *v = &ev->v[k];

	memset(out, 0, sizeof(*out));
	switch (ev->def->args[k].type) {
	case ABI_ADDRESS:
		sql_hex(out, v->word + 12, 20);
		return 1;
	case ABI_UINT8:
	case ABI_UINT32:
	case ABI_UINT64:
		sql_u64(out, registry_u64(ev, k));
		return 1;
	case ABI_UINT256:
		if (strcmp(ev->def->args[k].name, "licenseId") == 0)
			return sql_license_id(out, ev, k, why);
		/* FALLTHROUGH */
	case ABI_BYTES32:
		sql_hex(out, v->word, 32);
		return 1;
	case ABI_BYTES:
		sql_hex(out, v->ptr, v->len);
		return 1;
	case ABI_STRING:
		out->text = registry_text_alloc(v->ptr, v->len, NULL);
		return 1;
	}
	*why = "unknown argument type";
	return 0;
}

/* The state as the test harness's `registry.mjs dump` shows it: the
 * contract's own names for the fields. */
#define DT(n) { n, REGISTRY_AS_TEXT }
#define DI(n) { n, REGISTRY_AS_INT }
#define DB(n) { n, REGISTRY_AS_BOOL }

const struct registry_dump_table registry_dump_tables[] = {
	{ "vendors", "SELECT address, name, active FROM vendors",
	    { DT("name"), DB("active") } },
	{ "gateways", "SELECT address, label, active FROM gateways",
	    { DT("label"), DB("active") } },
	{ "devices", "SELECT address, vendor, role, public_key, revoked "
	    "FROM devices",
	    { DT("vendor"), DI("role"), DT("publicKey"), DB("revoked") } },
	{ "firmware", "SELECT image_hash, vendor, version, role, "
	    "end_of_support, uri, revoked FROM firmware",
	    { DT("vendor"), DI("version"), DI("role"), DI("endOfSupport"),
	    DT("uri"), DB("revoked") } },
	{ "floors", "SELECT vendor || '/' || role, min_version FROM floors",
	    { DI(NULL) } },
	{ "licenses", "SELECT CAST(id AS TEXT), device, vendor, role, "
	    "max_version, not_before, expires_at, features, revoked "
	    "FROM licenses",
	    { DT("device"), DT("vendor"), DI("role"), DI("maxVersion"),
	    DI("notBefore"), DI("expiresAt"),
	    { "features", REGISTRY_AS_SHORT_HEX }, DB("revoked") } },
	{ "anchors", "SELECT gateway || '/' || root, first_seq, count "
	    "FROM anchors",
	    { DI("firstSeq"), DI("count") } },
	{ NULL, NULL, { DT(NULL) } }
};
