// verify.mjs: an independent reader of licgate attestations, sharing no
// code with licgate: CBOR from the npm package "cbor", ECDSA from Node's
// crypto (OpenSSL).  For each token file it checks the COSE_Sign1 layout,
// alg -47, the ES256K signature over the Sig_structure (RFC 9052 section
// 4.4) with a low S, and that the payload is deterministic CBOR (the same
// bytes as cbor's canonical encoding of what it decoded), then prints one
// JSON line of claims.
//   node verify.mjs --key PUBHEX TOKENFILE...   exit 0 when all verify
import crypto from 'node:crypto';
import fs from 'node:fs';
import cbor from 'cbor';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const args = process.argv.slice(2);
const ki = args.indexOf('--key');
if (ki < 0 || args.length < 3) {
  console.error('usage: node verify.mjs --key PUBHEX TOKENFILE...');
  process.exit(2);
}
const pubHex = args[ki + 1].replace(/^0x/, '');
args.splice(ki, 2);
const uncompressed = Buffer.from(crypto.ECDH.convertKey(pubHex, 'secp256k1', 'hex', 'hex', 'uncompressed'), 'hex');
const key = crypto.createPublicKey({
  format: 'jwk',
  key: { kty: 'EC', crv: 'secp256k1', x: uncompressed.subarray(1, 33).toString('base64url'), y: uncompressed.subarray(33).toString('base64url') },
});

const hex = (b) => '0x' + Buffer.from(b).toString('hex');

// An OID's content bytes (X.690 8.19) in dotted form: the first byte
// holds 40 * a + b (a = 2 takes the rest), then base-128 groups.
function oid(b) {
  const arcs = [];
  let v = 0n;
  for (const x of b) {
    v = (v << 7n) | BigInt(x & 0x7f);
    if (!(x & 0x80)) { arcs.push(v); v = 0n; }
  }
  const first = arcs[0] >= 80n ? [2n, arcs[0] - 80n] : [arcs[0] / 40n, arcs[0] % 40n];
  return [...first, ...arcs.slice(1)].join('.');
}

function check(file) {
  let bytes = fs.readFileSync(file);
  if (bytes.subarray(0, 2).toString() === '0x') bytes = Buffer.from(bytes.toString().trim().slice(2), 'hex');
  const top = cbor.decodeFirstSync(bytes);
  if (!(top instanceof cbor.Tagged) || top.tag !== 18) throw new Error('not a COSE_Sign1 (tag 18)');
  const [prot, unprot, payload, sig] = top.value;
  const hdr = cbor.decodeFirstSync(prot);
  if (!(hdr instanceof Map) || hdr.size !== 1 || hdr.get(1) !== -47) throw new Error('protected header is not {1: -47}');
  const empty = unprot instanceof Map ? unprot.size === 0 : unprot !== null && typeof unprot === 'object' && Object.keys(unprot).length === 0;
  if (!empty) throw new Error('unprotected header is not an empty map');
  if (sig.length !== 64) throw new Error('signature is not 64 bytes');
  if (BigInt(hex(sig.subarray(32))) > N / 2n) throw new Error('high-S signature');
  const tbs = cbor.encodeCanonical(['Signature1', prot, Buffer.alloc(0), payload]);
  if (!crypto.verify('sha256', tbs, { key, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('signature does not verify');
  if (!cbor.encodeCanonical(top).equals(bytes)) throw new Error('token is not deterministic CBOR');
  const c = cbor.decodeFirstSync(payload);
  if (!cbor.encodeCanonical(c).equals(payload)) throw new Error('claims are not deterministic CBOR');
  const l = c.get(-65537);
  const num = (v) => Number(v);
  return {
    file, ok: true, size: bytes.length,
    eat_profile: oid(c.get(265)), sub: hex(c.get(2)), exp: num(c.get(4)), iat: num(c.get(6)),
    ...(c.has(7) ? { cti: hex(c.get(7)) } : {}), ...(c.has(10) ? { nonce: hex(c.get(10)) } : {}),
    verdict: num(l[0]), firmware: hex(l[1]), firmware_version: num(l[2]), license_id: num(l[3]),
    license_expiry: num(l[4]), max_version: num(l[5]), chain_id: num(l[6]), registry: hex(l[7]),
    block_number: num(l[8]), block_hash_prefix: hex(l[9]),
  };
}

let rc = 0;
for (const f of args) {
  try {
    console.log(JSON.stringify(check(f)));
  } catch (e) {
    console.log(JSON.stringify({ file: f, ok: false, error: e.message }));
    rc = 1;
  }
}
process.exit(rc);
