// tests/ejs/check.mjs: checks the Clique chain an EthereumJS node serves,
// with ethers only (none of its code or the EthereumJS client's), so the
// live chain the C engine follows is known to be valid EIP-225 on its own:
//   node check.mjs [--blocks N] [--save DIR]
// reads EJS_URL, EJS_SIGNER, EJS_GENESIS, EJS_EPOCH, EJS_PERIOD (1 if unset)
// and EJS_REGISTRY from the environment (tests/ejs/ejs.sh exports them),
// fetches blocks 0..N (5 by default) and checks that each header hashes to
// its hash, links to its parent, and is a valid Clique block sealed by
// EJS_SIGNER; then that the JSON-RPC methods licgate calls answer
// consistently.  Prints
// what it found (header layout, seal encoding, block times); exits 1 with
// the first failure.  --save DIR writes blocks 1-3, as eth_getBlockByNumber
// gave them, to DIR/ejs_N.json.
import { writeFileSync } from 'node:fs';
import {
	keccak256, encodeRlp, getBytes, toBeArray, hexlify, recoverAddress,
	Signature, zeroPadValue,
} from 'ethers';

const EMPTY_UNCLES =
    '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const EMPTY_TRIE =
    '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
const ZERO32 = '0x' + '00'.repeat(32);
const VANITY = 32, SEAL = 65;
// secp256k1's order halved: a seal's s above it is a high-s signature.
const HALF_N =
    0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

// The header's fields in RLP order: q = quantity, b = bytes.  The first 15
// are every fork's; each later fork appends its own, present or not at all.
const BASE = [
	['parentHash', 'b'], ['sha3Uncles', 'b'], ['miner', 'b'],
	['stateRoot', 'b'], ['transactionsRoot', 'b'], ['receiptsRoot', 'b'],
	['logsBloom', 'b'], ['difficulty', 'q'], ['number', 'q'],
	['gasLimit', 'q'], ['gasUsed', 'q'], ['timestamp', 'q'],
	['extraData', 'b'], ['mixHash', 'b'], ['nonce', 'b'],
];
const LATER = [
	['baseFeePerGas', 'q', 'London'], ['withdrawalsRoot', 'b', 'Shanghai'],
	['blobGasUsed', 'q', 'Cancun'], ['excessBlobGas', 'q', 'Cancun'],
	['parentBeaconBlockRoot', 'b', 'Cancun'], ['requestsHash', 'b', 'Prague'],
];

function fail(msg) {
	console.error(`check.mjs: ${msg}`);
	process.exit(1);
}

function env(name, dflt) {
	const v = process.env[name] ?? dflt;
	if (v === undefined || v === '')
		fail(`${name} is not set (source tests/ejs/ejs.sh and run ejs_start)`);
	return v;
}

async function rpc(method, params) {
	const res = await fetch(URL_, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
		signal: AbortSignal.timeout(10000),
	});
	const body = await res.json();
	if (body.error)
		fail(`${method}: ${JSON.stringify(body.error)}`);
	return body.result;
}

// The fields the header holds, in order; a later fork's field after a
// missing one would be a layout no fork has.
function headerFields(h) {
	const fields = BASE.slice();
	let gap = null;
	for (const f of LATER) {
		if (h[f[0]] === undefined || h[f[0]] === null)
			gap ??= f[0];
		else if (gap)
			fail(`block ${h.number}: ${f[0]} present without ${gap}`);
		else
			fields.push(f);
	}
	return fields;
}

function rlpItem(h, [name, kind]) {
	if (kind === 'q')
		return toBeArray(BigInt(h[name]));
	return getBytes(h[name]);
}

function headerRlp(h, extraData) {
	const items = headerFields(h).map((f) =>
	    f[0] === 'extraData' && extraData ? extraData : rlpItem(h, f));
	return encodeRlp(items);
}

// EIP-225: the extraData of block n splits into vanity, signer list and seal;
// the list is empty except on epoch blocks, where it names every signer.
function splitExtra(h) {
	const e = getBytes(h.extraData);
	const n = Number(h.number);
	if (e.length < VANITY + SEAL)
		fail(`block ${n}: extraData of ${e.length} bytes (< 97)`);
	const list = e.slice(VANITY, e.length - SEAL);
	if (list.length % 20 !== 0)
		fail(`block ${n}: signer list of ${list.length} bytes`);
	const signers = [];
	for (let i = 0; i < list.length; i += 20)
		signers.push(hexlify(list.slice(i, i + 20)));
	return { vanity: e.slice(0, VANITY), signers,
	    seal: e.slice(e.length - SEAL), unsealed: e.slice(0, e.length - SEAL) };
}

function checkSignerList(h, x) {
	const n = BigInt(h.number);
	if (n % EPOCH === 0n) {
		if (x.signers.length !== 1 || x.signers[0] !== SIGNER)
			fail(`block ${n}: epoch block lists [${x.signers}], ` +
			    `not [${SIGNER}]`);
	} else if (x.signers.length !== 0) {
		fail(`block ${n}: signer list outside an epoch block`);
	}
}

// The seal: r || s || v over keccak(rlp(header minus the seal)).
function checkSeal(h, x, seen) {
	const n = Number(h.number);
	const sealHash = keccak256(headerRlp(h, x.unsealed));
	const v = x.seal[64];
	if (v !== 0 && v !== 1)
		fail(`block ${n}: seal v = ${v} (geth and EIP-225 write 0 or 1)`);
	const sig = Signature.from({ r: hexlify(x.seal.slice(0, 32)),
	    s: hexlify(x.seal.slice(32, 64)), v: 27 + v });
	const signer = recoverAddress(sealHash, sig).toLowerCase();
	if (signer !== SIGNER)
		fail(`block ${n}: sealed by ${signer}, not by ${SIGNER}`);
	// The seal covers the header: one second later, it names someone else.
	const later = { ...h, timestamp: '0x' + (BigInt(h.timestamp) + 1n).toString(16) };
	if (recoverAddress(keccak256(headerRlp(later, x.unsealed)), sig)
	    .toLowerCase() === SIGNER)
		fail(`block ${n}: the seal does not cover the timestamp`);
	seen.v.add(v);
	if (BigInt(sig.s) > HALF_N)
		seen.highS++;
}

function checkClique(h, parent, seen) {
	const n = Number(h.number);
	const x = splitExtra(h);
	checkSignerList(h, x);
	seen.vanity.add(hexlify(x.vanity));
	if (h.mixHash !== ZERO32)
		fail(`block ${n}: mixHash ${h.mixHash} is not zero`);
	if (h.sha3Uncles !== EMPTY_UNCLES)
		fail(`block ${n}: uncles in a Clique block`);
	if (h.nonce !== '0x0000000000000000' && h.nonce !== '0xffffffffffffffff')
		fail(`block ${n}: nonce ${h.nonce} is not a vote`);
	seen.nonce.add(h.nonce);
	seen.miner.add(h.miner);
	if (n === 0)
		return;
	// One signer is in turn at every block: difficulty 2.
	if (BigInt(h.difficulty) !== 2n)
		fail(`block ${n}: difficulty ${h.difficulty}, in turn is 2`);
	if (BigInt(h.timestamp) < BigInt(parent.timestamp) + PERIOD)
		fail(`block ${n}: sealed ${BigInt(h.timestamp) -
		    BigInt(parent.timestamp)} s after its parent (period ${PERIOD})`);
	checkSeal(h, x, seen);
}

function checkBlock(h, n, parent, seen) {
	if (!h)
		fail(`block ${n}: eth_getBlockByNumber answered null`);
	if (BigInt(h.number) !== BigInt(n))
		fail(`block ${n}: answered block ${h.number}`);
	const hash = keccak256(headerRlp(h));
	if (hash !== h.hash)
		fail(`block ${n}: keccak(rlp(header)) = ${hash}, not ${h.hash}`);
	if (n === 0 && h.hash !== GENESIS)
		fail(`block 0: hash ${h.hash}, EJS_GENESIS ${GENESIS}`);
	if (n > 0 && h.parentHash !== parent.hash)
		fail(`block ${n}: parentHash ${h.parentHash} is not block ` +
		    `${n - 1}'s hash ${parent.hash}`);
	checkClique(h, parent, seen);
	seen.layouts.add(headerFields(h).length);
}

// What licgate calls besides headers: the same block with its transactions,
// its receipts (none, and so the empty trie's root), and the registry's
// slots 0 and 1 as the follower asks for them: one proof per 32-byte key,
// from a root node that hashes to the block's stateRoot.
async function checkMethods(h) {
	const n = '0x' + BigInt(h.number).toString(16);
	const full = await rpc('eth_getBlockByNumber', [n, true]);
	if (!full || full.hash !== h.hash || !Array.isArray(full.transactions))
		fail(`eth_getBlockByNumber(${n}, true) differs from (false)`);
	const receipts = await rpc('eth_getBlockReceipts', [n]);
	if (!Array.isArray(receipts) ||
	    receipts.length !== full.transactions.length ||
	    (receipts.length === 0 && h.receiptsRoot !== EMPTY_TRIE))
		fail(`eth_getBlockReceipts(${n}): ${JSON.stringify(receipts)}`);
	const slots = [0n, 1n].map((k) => zeroPadValue(toBeArray(k), 32));
	const proof = await rpc('eth_getProof', [REGISTRY, slots, n]);
	if (!proof?.accountProof?.length ||
	    keccak256(proof.accountProof[0]) !== h.stateRoot)
		fail(`eth_getProof(${n}): its root node is not block ${n}'s ` +
		    `stateRoot ${h.stateRoot}`);
	const sp = proof.storageProof ?? [];
	if (sp.length !== 2 || sp.some((p, i) => BigInt(p.key) !== BigInt(i) ||
	    BigInt(p.value) !== 0n))
		fail(`eth_getProof(${REGISTRY}, slots 0 and 1, ${n}): ` +
		    `storageProof ${JSON.stringify(sp)}`);
	const chainId = await rpc('eth_chainId', []);
	const head = await rpc('eth_blockNumber', []);
	if (BigInt(head) < BigInt(h.number))
		fail(`eth_blockNumber ${head} is below block ${h.number}`);
	return { chainId, head, txs: full.transactions.length,
	    receipts: receipts.length, proofNodes: proof.accountProof.length };
}

function layoutName(count) {
	if (count === BASE.length)
		return `${count} fields (pre-London)`;
	const added = LATER.slice(0, count - BASE.length);
	return `${count} fields (15 + ${added.map((f) => f[0]).join(', ')}: ` +
	    `${added[added.length - 1][2]})`;
}

function report(blocks, seen, m) {
	const times = blocks.slice(1).map((b) => Number(b.timestamp));
	const gaps = times.slice(1).map((t, i) => t - times[i]);
	console.log(`blocks 0..${blocks.length - 1}: hashes, parent links and ` +
	    `Clique seals of ${SIGNER} all valid (epoch ${EPOCH}, period ${PERIOD})`);
	console.log(`header layout: ${[...seen.layouts].map(layoutName).join('; ')}`);
	console.log(`seal: v in {${[...seen.v]}}, ${seen.highS} high-s; ` +
	    `vanity ${[...seen.vanity].join(' ')}`);
	console.log(`nonce ${[...seen.nonce]}, miner ${[...seen.miner]}, ` +
	    `difficulty ${blocks.slice(1).map((b) => Number(b.difficulty))}`);
	console.log(`seconds between blocks: ${gaps.join(' ')}`);
	console.log(`rpc: eth_chainId ${m.chainId}, eth_blockNumber ${m.head}, ` +
	    `eth_getBlockByNumber true (${m.txs} txs), eth_getBlockReceipts ` +
	    `(${m.receipts}), eth_getProof (${m.proofNodes} account nodes, ` +
	    `slots 0 and 1 of ${REGISTRY}): ok`);
}

function save(dir, blocks) {
	for (const b of blocks.slice(1, 4)) {
		const file = `${dir}/ejs_${Number(b.number)}.json`;
		writeFileSync(file, JSON.stringify(b, null, 1) + '\n');
		console.log(`saved ${file}`);
	}
}

function args(argv) {
	const o = { blocks: 5, save: null };
	for (let i = 0; i < argv.length; i += 2) {
		if (argv[i] === '--blocks')
			o.blocks = Number(argv[i + 1]);
		else if (argv[i] === '--save')
			o.save = argv[i + 1];
		else
			fail(`usage: node check.mjs [--blocks N] [--save DIR]`);
	}
	if (!Number.isInteger(o.blocks) || o.blocks < 1)
		fail('--blocks wants a number of blocks, 1 or more');
	return o;
}

const URL_ = env('EJS_URL');
const SIGNER = env('EJS_SIGNER').toLowerCase();
const GENESIS = env('EJS_GENESIS');
const EPOCH = BigInt(env('EJS_EPOCH'));
const PERIOD = BigInt(env('EJS_PERIOD', '1'));
const REGISTRY = env('EJS_REGISTRY');
const opt = args(process.argv.slice(2));
const seen = { layouts: new Set(), v: new Set(), highS: 0, vanity: new Set(),
    nonce: new Set(), miner: new Set() };

async function main() {
	const blocks = [];
	for (let n = 0; n <= opt.blocks; n++) {
		const h = await rpc('eth_getBlockByNumber',
		    ['0x' + n.toString(16), false]);
		checkBlock(h, n, blocks[n - 1], seen);
		blocks.push(h);
	}
	const m = await checkMethods(blocks[blocks.length - 1]);
	report(blocks, seen, m);
	if (opt.save)
		save(opt.save, blocks);
}

// A node that does not answer, or answers something other than JSON, is a
// failure like any other, not a stack trace.
main().catch((e) => fail(`${URL_}: ${e.message}`));
