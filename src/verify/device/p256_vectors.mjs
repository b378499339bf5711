// p256_vectors.mjs: prints the C definitions of vec_p256 (vectors.h): a
// P-256 signature made here with Node's crypto (r || s, IEEE P1363) over
// a message, and altered copies, each with the SHA-256 of its message;
// whether each must verify is what Node's own verify says, not assumed.
import crypto from "node:crypto";

const hash = (m) => crypto.createHash("sha256").update(m).digest();
const point = (k) => k.export({ type: "spki", format: "der" }).subarray(-65);
const sign = (k, m) => crypto.sign("sha256", m, { key: k, dsaEncoding: "ieee-p1363" });
const flip = (b, i) => { const c = Buffer.from(b); c[i] ^= 1; return c; };

const a = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
const b = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
const msg = Buffer.from("licgate ES256 on a Cortex-M3");
const sig = sign(a.privateKey, msg);
const cases = [
	["the host's signature", a.publicKey, msg, sig],
	["a message with one byte changed", a.publicKey, flip(msg, 3), sig],
	["r with one bit changed", a.publicKey, msg, flip(sig, 7)],
	["s with one bit changed", a.publicKey, msg, flip(sig, 40)],
	["another key's signature", a.publicKey, msg, sign(b.privateKey, msg)],
];
const arr = (buf) => "{ " + [...buf].map((x) => "0x" + x.toString(16).padStart(2, "0")).join(", ") + " }";
console.log("const struct vec_p256 vec_p256[] = {");
for (const [name, key, m, s] of cases) {
	const valid = crypto.verify("sha256", m, { key, dsaEncoding: "ieee-p1363" }, s) ? 1 : 0;
	console.log(`\t{ "${name}", ${arr(point(key))},\n\t    ${arr(hash(m))},\n\t    ${arr(s)}, ${valid} },`);
}
console.log("};\nconst size_t vec_np256 = sizeof(vec_p256) / sizeof(vec_p256[0]);");
