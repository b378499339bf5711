#!/usr/bin/env python3
"""verify_es256.py: an independent reader of licgate's ES256 attestations,
sharing no code with licgate: CBOR from Debian's python3-cbor2, ECDSA from
python3-cryptography (OpenSSL).  For each token file it checks the
COSE_Sign1 layout (tag 18, protected header exactly {1: -7}, an empty
unprotected map, a 64-byte signature), verifies the signature over the
Sig_structure built as RFC 9052 section 4.4 says, and prints one JSON line
of the claims.  With --compare, each FILE's claims must equal those in
FILE.json, what `licgatectl verify --json` printed for it.

  python3 verify_es256.py --key PUBHEX [--compare] TOKENFILE...
exit 0 when every token verifies (and matches)."""
import json
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils


def read_token(path):
    data = open(path, 'rb').read()
    if data[:2] == b'0x':
        data = bytes.fromhex(data.decode().strip()[2:])
    return data


def hx(b):
    return '0x' + b.hex()


def oid_text(b):
    # X.690 8.19: the first byte holds the first two arcs (40 * a + b,
    # a = 2 takes the rest), then base-128 groups, high bit "more".
    arcs, v = [], 0
    for x in b:
        v = v << 7 | (x & 0x7f)
        if not x & 0x80:
            arcs.append(v)
            v = 0
    first = [2, arcs[0] - 80] if arcs[0] >= 80 else list(divmod(arcs[0], 40))
    return '.'.join(str(a) for a in first + arcs[1:])


def claims(payload):
    c = cbor2.loads(payload)
    if cbor2.dumps(c, canonical=True) != payload:
        raise ValueError('claims are not deterministic CBOR')
    lic = c[-65537]
    out = {
        'eat_profile': oid_text(c[265]),
        'sub': hx(c[2]), 'exp': c[4], 'iat': c[6],
        'verdict_code': lic[0], 'firmware': hx(lic[1]),
        'firmware_version': lic[2], 'license_id': lic[3],
        'license_expiry': lic[4], 'max_version': lic[5], 'chain_id': lic[6],
        'registry': hx(lic[7]), 'block_number': lic[8],
        'block_hash_prefix': hx(lic[9]),
    }
    if 10 in c:
        out['nonce'] = hx(c[10])
    else:
        out['cti'] = hx(c[7])
    return out


def check(path, key):
    tok = read_token(path)
    top = cbor2.loads(tok)
    if not isinstance(top, cbor2.CBORTag) or top.tag != 18:
        raise ValueError('not a COSE_Sign1 (tag 18)')
    prot, unprot, payload, sig = top.value
    if cbor2.loads(prot) != {1: -7}:
        raise ValueError('protected header is not {1: -7}')
    if unprot != {}:
        raise ValueError('unprotected header is not an empty map')
    if len(sig) != 64:
        raise ValueError('signature is not 64 bytes')
    # RFC 9052 section 4.4: Sig_structure = [context, body_protected,
    # external_aad, payload], context "Signature1", external_aad empty.
    tbs = cbor2.dumps(['Signature1', prot, b'', payload])
    der = utils.encode_dss_signature(int.from_bytes(sig[:32], 'big'),
                                     int.from_bytes(sig[32:], 'big'))
    key.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
    out = {'file': path, 'ok': True, 'size': len(tok), 'alg': 'ES256'}
    out.update(claims(payload))
    return out


def compare(got, path):
    want = json.load(open(path + '.json'))
    diff = [k for k in got if k not in ('file', 'ok', 'size', 'verdict_code')
            and want.get(k) != got[k]]
    if want.get('size') != got['size']:
        diff.append('size')
    if diff:
        raise ValueError('differs from licgatectl verify in ' + ', '.join(diff))


def main(argv):
    if '--key' not in argv or len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    i = argv.index('--key')
    pub = bytes.fromhex(argv[i + 1].removeprefix('0x'))
    files = argv[:i] + argv[i + 2:]
    cmp_json = '--compare' in files
    files = [f for f in files if f != '--compare']
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub)
    rc = 0
    for f in files:
        try:
            got = check(f, key)
            if cmp_json:
                compare(got, f)
            print(json.dumps(got))
        except (ValueError, KeyError, IndexError, TypeError,
                InvalidSignature, cbor2.CBORDecodeError) as e:
            print(json.dumps({'file': f, 'ok': False,
                              'error': str(e) or type(e).__name__}))
            rc = 1
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
