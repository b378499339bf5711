// request.mjs: device requests (POST /v1/attestation, licgate-token(7)
// REQUESTS) written and read without licgate's code: CBOR from the npm
// package "cbor", ECDSA from Node's crypto (OpenSSL).
//   node request.mjs sign --key PRIVHEX --device ADDR --gateway ADDR --firmware HASH --nonce HEX [--time UNIX] --out FILE
//   node request.mjs check --pub PUBHEX --device ADDR --gateway ADDR --time UNIX --firmware HASH --nonce HEX FILE
// sign writes a request as a device would (the time: now unless given);
// check verifies one written by `licgatectl request` (layout, deterministic
// CBOR, alg -47, a low-S ES256K signature over the Sig_structure, the
// fields); exit 0 when good.
import crypto from 'node:crypto';
import fs from 'node:fs';
import cbor from 'cbor';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const FIRMWARE_KEY = -65538;
const AUD = 3, IAT = 6;

function opts(argv) {
  const o = { rest: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) o[argv[i].slice(2)] = argv[++i];
    else o.rest.push(argv[i]);
  }
  return o;
}
const bytes = (h) => Buffer.from(h.replace(/^0x/, ''), 'hex');
const protectedHeader = () => cbor.encodeCanonical(new Map([[1, -47]]));
const tbs = (prot, payload) => cbor.encodeCanonical(['Signature1', prot, Buffer.alloc(0), payload]);

function keyPair(privHex) {
  const ecdh = crypto.createECDH('secp256k1');
  ecdh.setPrivateKey(bytes(privHex));
  const pub = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'secp256k1', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') };
  return {
    priv: crypto.createPrivateKey({ format: 'jwk', key: { ...jwk, d: bytes(privHex).toString('base64url') } }),
    pub: crypto.createPublicKey({ format: 'jwk', key: jwk }),
  };
}

function publicKey(pubHex) {
  const u = Buffer.from(crypto.ECDH.convertKey(pubHex.replace(/^0x/, ''), 'secp256k1', 'hex', 'hex', 'uncompressed'), 'hex');
  return crypto.createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'secp256k1', x: u.subarray(1, 33).toString('base64url'), y: u.subarray(33).toString('base64url') } });
}

// OpenSSL may give either S; ES256K as licgate takes it wants the low one.
function lowS(sig) {
  const s = BigInt('0x' + sig.subarray(32).toString('hex'));
  if (s <= N / 2n) return sig;
  return Buffer.concat([sig.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
}

function sign(o) {
  const iat = o.time !== undefined ? Number(o.time) : Math.floor(Date.now() / 1000);
  const payload = cbor.encodeCanonical(new Map([[2, bytes(o.device)], [AUD, bytes(o.gateway)], [IAT, iat],
    [10, bytes(o.nonce)], [FIRMWARE_KEY, bytes(o.firmware)]]));
  const prot = protectedHeader();
  const sig = lowS(crypto.sign('sha256', tbs(prot, payload), { key: keyPair(o.key).priv, dsaEncoding: 'ieee-p1363' }));
  fs.writeFileSync(o.out, cbor.encodeCanonical(new cbor.Tagged(18, [prot, new Map(), payload, sig])));
}

function check(o, file) {
  const raw = fs.readFileSync(file);
  const top = cbor.decodeFirstSync(raw);
  if (!(top instanceof cbor.Tagged) || top.tag !== 18) throw new Error('not a COSE_Sign1 (tag 18)');
  const [prot, unprot, payload, sig] = top.value;
  if (!prot.equals(protectedHeader())) throw new Error('protected header is not {1: -47}');
  const empty = unprot instanceof Map ? unprot.size === 0 : unprot !== null && typeof unprot === 'object' && Object.keys(unprot).length === 0;
  if (!empty) throw new Error('unprotected header is not an empty map');
  if (sig.length !== 64 || BigInt('0x' + sig.subarray(32).toString('hex')) > N / 2n) throw new Error('not a low-S 64-byte signature');
  if (!crypto.verify('sha256', tbs(prot, payload), { key: publicKey(o.pub), dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('signature does not verify');
  if (!cbor.encodeCanonical(top).equals(raw)) throw new Error('request is not deterministic CBOR');
  const m = cbor.decodeFirstSync(payload);
  if (!(m instanceof Map) || m.size !== 5) throw new Error('payload is not a map of five entries');
  for (const [k, want] of [[2, o.device], [AUD, o.gateway], [10, o.nonce], [FIRMWARE_KEY, o.firmware]]) {
    if (!Buffer.isBuffer(m.get(k)) || !m.get(k).equals(bytes(want))) throw new Error(`entry ${k} is not ${want}`);
  }
  if (m.get(IAT) !== Number(o.time)) throw new Error(`iat is ${m.get(IAT)}, not ${o.time}`);
}

const [cmd, ...rest] = process.argv.slice(2);
const o = opts(rest);
try {
  if (cmd === 'sign' && o.key && o.device && o.gateway && o.firmware && o.nonce && o.out) sign(o);
  else if (cmd === 'check' && o.pub && o.device && o.gateway && o.time && o.firmware && o.nonce && o.rest.length === 1) check(o, o.rest[0]);
  else {
    console.error('usage: node request.mjs sign --key PRIVHEX --device ADDR --gateway ADDR --firmware HASH --nonce HEX [--time UNIX] --out FILE\n' +
      '       node request.mjs check --pub PUBHEX --device ADDR --gateway ADDR --time UNIX --firmware HASH --nonce HEX FILE');
    process.exit(2);
  }
} catch (e) {
  console.error(`request.mjs: ${e.message}`);
  process.exit(1);
}
