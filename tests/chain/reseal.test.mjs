// reseal.test.mjs: reseal.mjs in front of a real anvil (ANVIL_URL, else one
// started here), checked by rules written out again below with ethers alone:
// every re-sealed header hashes to its hash by its engine's rule, links to
// its parent and carries seals of the signers; receipts, logs and
// transactions name the new hashes; the QBFT encoding reproduces a real Besu
// header; each lie mode breaks its rule and only that.  Run by
// tests/reseal.sh with node's test runner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { qbftExtra, headerHash as resealHash } from './reseal.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DATA = process.env.LICGATE_TESTDATA ?? join(here, '..', 'data');
const ANVIL_BIN = join(here, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const T = { timeout: 60000 };
const ZERO32 = '0x' + '00'.repeat(32);
const EMPTY_UNCLES = ethers.keccak256(ethers.encodeRlp([]));
// The last 32 bytes of "Practical Byzantine Fault Tolerance", lower case.
const BFT_MIX = ethers.hexlify(ethers.toUtf8Bytes('ctical byzantine fault tolerance'));
const NONCE_ADD = '0xffffffffffffffff';
const NONCE_ZERO = '0x0000000000000000';
const CLIQUE_EPOCH = 8;
const children = [];
let anvil, clique, qbft;
let nextId = 1;

// JSON-RPC --------------------------------------------------------------------

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

async function rpc(url, method, params = []) {
  const j = await post(url, { jsonrpc: '2.0', id: nextId++, method, params });
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

const hex = (n) => '0x' + n.toString(16);
const block = (url, n, full = false) => rpc(url, 'eth_getBlockByNumber', [hex(n), full]);
const headOf = async (url) => Number(await rpc(url, 'eth_blockNumber'));
const mine = (n = 1) => rpc(anvil, 'anvil_mine', [hex(n)]);

async function control(p, body) {
  const res = await fetch(p.url + '/__reseal', body ? { method: 'POST', body: JSON.stringify(body) } : {});
  const j = await res.json();
  assert.equal(res.status, 200, j.error);
  return j;
}

// Anvil mines each transaction at once, yet may answer before its receipt
// is there.
async function receipt(tx) {
  for (let i = 0; i < 200; i++) {
    const r = await rpc(anvil, 'eth_getTransactionReceipt', [tx]);
    if (r) return r;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no receipt for ${tx}`);
}

// Processes -------------------------------------------------------------------

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(cmd, args) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  p.stderr.on('data', (d) => { p.log = (p.log ?? '') + d; });
  return p;
}

// Starts reseal.mjs; resolves with its URL and its JSON line.
function proxy(args) {
  const p = start(process.execPath, [join(here, 'reseal.mjs'), '--upstream', anvil, ...args]);
  const lines = [];
  return new Promise((resolve, reject) => {
    p.on('exit', (code) => reject(new Error(`reseal.mjs exited ${code}: ${p.log}`)));
    createInterface({ input: p.stdout }).on('line', (l) => {
      lines.push(l);
      if (lines.length === 2) {
        const url = lines[0].match(/^reseal listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.[1];
        if (!url) reject(new Error(`unexpected first line: ${lines[0]}`));
        resolve({ url, info: JSON.parse(lines[1]), proc: p });
      }
    });
  });
}

async function startAnvil() {
  const port = await freePort();
  start(ANVIL_BIN, ['--host', '127.0.0.1', '--port', String(port), '--silent']);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      await rpc(url, 'eth_chainId');
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('anvil did not start');
}

// The rules, written out again --------------------------------------------------

const QUANTITIES = new Set(['difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp', 'baseFeePerGas', 'blobGasUsed', 'excessBlobGas']);
const ORDER = ['parentHash', 'sha3Uncles', 'miner', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'logsBloom',
  'difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp', 'extraData', 'mixHash', 'nonce',
  'baseFeePerGas', 'withdrawalsRoot', 'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot', 'requestsHash'];

function rlpOf(h) {
  const items = [];
  for (const f of ORDER) {
    if (h[f] == null) break;
    items.push(QUANTITIES.has(f) ? ethers.hexlify(ethers.toBeArray(h[f])) : h[f]);
  }
  return ethers.encodeRlp(items);
}

const keccakHeader = (h) => ethers.keccak256(rlpOf(h));

function recover(hash, sig65) {
  const b = ethers.getBytes(sig65);
  assert.equal(b.length, 65, 'a seal is 65 bytes');
  assert.ok(b[64] === 0 || b[64] === 1, 'seal v is 0 or 1');
  const sig = { r: ethers.hexlify(b.slice(0, 32)), s: ethers.hexlify(b.slice(32, 64)), v: 27 + b[64] };
  return ethers.recoverAddress(hash, sig).toLowerCase();
}

// Clique (EIP-225): the rules b breaks, given its parent, the signers and
// the signers of the last len/2 blocks.
function cliqueBroken(b, parent, signers, recents) {
  const broken = [];
  const n = Number(b.number);
  const extra = ethers.getBytes(b.extraData);
  const listed = extra.slice(32, extra.length - 65);
  if (keccakHeader(b) !== b.hash) broken.push('hash');
  if (parent && b.parentHash !== parent.hash) broken.push('parent');
  if (b.mixHash !== ZERO32 || b.sha3Uncles !== EMPTY_UNCLES || ![NONCE_ZERO, NONCE_ADD].includes(b.nonce) || extra.length < 97) {
    broken.push('fields');
  }
  if (n % CLIQUE_EPOCH === 0) {
    const list = [];
    for (let i = 0; i < listed.length; i += 20) list.push(ethers.hexlify(listed.slice(i, i + 20)));
    if (list.join() !== signers.join()) broken.push('epoch-list');
    if (b.miner !== ethers.ZeroAddress || b.nonce !== NONCE_ZERO) broken.push('epoch-vote');
  } else if (listed.length !== 0) {
    broken.push('fields');
  }
  if (n === 0) return { broken, signer: null };
  const sealHash = keccakHeader({ ...b, extraData: ethers.hexlify(extra.slice(0, extra.length - 65)) });
  const signer = recover(sealHash, extra.slice(extra.length - 65));
  if (!signers.includes(signer)) return { broken: [...broken, 'signer'], signer };
  if (recents.includes(signer)) broken.push('recent');
  const inturn = signers[n % signers.length] === signer;
  if (Number(b.difficulty) !== (inturn ? 2 : 1)) broken.push('difficulty');
  return { broken, signer };
}

// Walks blocks 0..to through the proxy, applying add votes; returns the
// blocks, their sealers and the signers after each.
async function cliqueWalk(url, initial, to) {
  let signers = [...initial];
  let votes = new Map();
  const blocks = [];
  const sealers = [];
  for (let n = 0; n <= to; n++) {
    const b = await block(url, n);
    const recents = sealers.slice(Math.max(0, n - Math.floor(signers.length / 2)));
    const { broken, signer } = cliqueBroken(b, blocks[n - 1], signers, recents.filter(Boolean));
    assert.deepEqual(broken, [], `block ${n} breaks ${broken}`);
    blocks.push(b);
    sealers.push(signer);
    if (n % CLIQUE_EPOCH === 0) votes = new Map();
    if (b.nonce === NONCE_ADD && !signers.includes(b.miner)) {
      const voters = votes.get(b.miner) ?? new Set();
      voters.add(signer);
      votes.set(b.miner, voters);
      if (voters.size > signers.length / 2) {
        signers = [...signers, b.miner].sort();
        votes.delete(b.miner);
      }
    }
    b.signersAfter = signers;
  }
  return { blocks, sealers, signers };
}

// QBFT (Besu): extraData decoded, and the rules b breaks given its parent
// and the validators.
function qbftDecode(b) {
  const [vanity, validators, vote, round, seals] = ethers.decodeRlp(b.extraData);
  return { vanity, validators, vote, round, seals };
}

// Round 0 in the block hash keeps the round's encoding: a scalar (0x80) or
// IBFT 2.0's 4 bytes.
function qbftHashes(b, x) {
  const extra = (round) => ethers.encodeRlp([x.vanity, x.validators, x.vote, round, []]);
  return {
    commit: keccakHeader({ ...b, extraData: extra(x.round) }),
    block: keccakHeader({ ...b, extraData: extra(x.round.length === 10 ? '0x00000000' : '0x') }),
  };
}

function qbftBroken(b, parent, validators) {
  const broken = [];
  const x = qbftDecode(b);
  const { commit, block: hash } = qbftHashes(b, x);
  if (hash !== b.hash) broken.push('hash');
  if (parent && b.parentHash !== parent.hash) broken.push('parent');
  if (Number(b.difficulty) !== 1 || b.mixHash !== BFT_MIX || b.nonce !== NONCE_ZERO || b.sha3Uncles !== EMPTY_UNCLES) {
    broken.push('fields');
  }
  if (x.validators.join() !== validators.join()) broken.push('validators');
  if (Number(b.number) === 0) return { broken, x, committers: [] };
  if (!validators.includes(b.miner)) broken.push('proposer');
  const committers = x.seals.map((s) => recover(commit, s));
  if (committers.some((a) => !validators.includes(a))) broken.push('seal-member');
  if (new Set(committers).size !== committers.length) broken.push('seal-distinct');
  const valid = new Set(committers.filter((a) => validators.includes(a)));
  if (valid.size < Math.ceil((2 * validators.length) / 3)) broken.push('quorum');
  return { broken, x, committers };
}

// Blocks 0..to through the proxy, the rules checked from block from on
// (each costs four recoveries).
async function qbftWalk(url, validators, to, from = 0) {
  const blocks = [];
  for (let n = 0; n <= to; n++) {
    const b = await block(url, n);
    const { broken } = n >= from ? qbftBroken(b, blocks[n - 1], validators) : { broken: [] };
    assert.deepEqual(broken, [], `block ${n} breaks ${broken}`);
    blocks.push(b);
  }
  return blocks;
}

// Setup -------------------------------------------------------------------------

let logTx, logBlock, account;

before(async () => {
  anvil = process.env.ANVIL_URL ?? (await startAnvil());
  [account] = await rpc(anvil, 'eth_accounts');
  // Init code PUSH1 0 PUSH1 0 LOG0 STOP: one log, no contract.
  logTx = await rpc(anvil, 'eth_sendTransaction', [{ from: account, data: '0x60006000a000' }]);
  logBlock = Number((await receipt(logTx)).blockNumber);
  await receipt(await rpc(anvil, 'eth_sendTransaction', [{ from: account, to: ethers.ZeroAddress, value: '0x1' }]));
  await mine(9);
  clique = await proxy(['--engine', 'clique', '--epoch', String(CLIQUE_EPOCH)]);
  qbft = await proxy(['--engine', 'qbft']);
});

after(() => {
  for (const p of children) p.kill();
});

// Clique --------------------------------------------------------------------------

test('clique: every header hashes to its hash, links to its parent, is sealed by the signer in turn', T, async () => {
  const { signers } = clique.info;
  assert.equal(signers.length, 3);
  assert.deepEqual(signers, [...signers].sort());
  const to = await headOf(anvil);
  const { blocks, sealers } = await cliqueWalk(clique.url, signers, to);
  assert.equal(blocks[0].hash, clique.info.genesis);
  for (let n = 1; n <= to; n++) {
    assert.equal(sealers[n], signers[n % 3], `block ${n} sealed in turn`);
    assert.equal(Number(blocks[n].difficulty), 2);
    const a = await block(anvil, n);
    for (const f of ['stateRoot', 'receiptsRoot', 'transactionsRoot', 'logsBloom', 'timestamp', 'baseFeePerGas', 'requestsHash']) {
      assert.equal(blocks[n][f], a[f], `block ${n}: ${f} is anvil's`);
    }
    assert.notEqual(blocks[n].hash, a.hash);
  }
  assert.equal(ethers.getBytes(blocks[8].extraData).length, 32 + 3 * 20 + 65, 'epoch block 8 lists the signers');
  assert.equal(blocks[0].extraData, ethers.concat([ZERO32, ...signers, '0x' + '00'.repeat(65)]));
});

test('clique: receipts, logs and transactions name the re-sealed block; by hash, batches and EIP-1898 map back', T, async () => {
  const b = await block(clique.url, logBlock, true);
  assert.equal(b.transactions[0].hash, logTx);
  assert.equal(b.transactions[0].blockHash, b.hash);
  const byHash = await rpc(clique.url, 'eth_getBlockByHash', [b.hash, false]);
  assert.equal(byHash.hash, b.hash);
  assert.equal(await rpc(clique.url, 'eth_getBlockByHash', [(await block(anvil, logBlock)).hash, false]), null,
    "anvil's own hash names no block behind the proxy");
  for (const rs of [await rpc(clique.url, 'eth_getBlockReceipts', [hex(logBlock)]), await rpc(clique.url, 'eth_getBlockReceipts', [b.hash])]) {
    assert.equal(rs.length, 1);
    assert.equal(rs[0].blockHash, b.hash);
    assert.equal(rs[0].logs.length, 1);
    assert.equal(rs[0].logs[0].blockHash, b.hash);
  }
  const r = await rpc(clique.url, 'eth_getTransactionReceipt', [logTx]);
  assert.equal(r.blockHash, b.hash);
  assert.equal(r.logs[0].blockHash, b.hash);
  assert.equal((await rpc(clique.url, 'eth_getTransactionByHash', [logTx])).blockHash, b.hash);
  const logs = await rpc(clique.url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
  assert.deepEqual(logs.map((l) => l.blockHash), [b.hash]);
  assert.deepEqual((await rpc(clique.url, 'eth_getLogs', [{ blockHash: b.hash }])).map((l) => l.transactionHash), [logTx]);
  const proof = await rpc(clique.url, 'eth_getProof', [account, [], { blockHash: b.hash }]);
  assert.equal(proof.address.toLowerCase(), account.toLowerCase());
  const batch = await post(clique.url, [
    { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
    { jsonrpc: '2.0', id: 2, method: 'eth_getBlockByNumber', params: [hex(logBlock), false] },
    { jsonrpc: '2.0', id: 3, method: 'eth_getBlockReceipts', params: [hex(logBlock)] },
  ]);
  const got = new Map(batch.map((a) => [a.id, a.result]));
  assert.equal(got.get(1), await rpc(anvil, 'eth_chainId'));
  assert.equal(got.get(2).hash, b.hash);
  assert.equal(got.get(3)[0].blockHash, b.hash);
});

// Each lie: the target block breaks exactly its rule; back to honest, the
// target is sealed honestly and the blocks below kept their hashes.
const CLIQUE_LIES = { 'not-signer': ['signer'], difficulty: ['difficulty'], recent: ['recent'], 'epoch-vote': ['epoch-vote'] };
for (const [mode, rules] of Object.entries(CLIQUE_LIES)) {
  test(`clique lie ${mode}: breaks ${rules} and nothing else, then heals`, T, async (t) => {
    const { signers, outsider } = clique.info;
    const head = await headOf(anvil);
    const before = await cliqueWalk(clique.url, signers, head);
    const st = await control(clique, { mode });
    t.after(() => control(clique, { mode: 'honest' }));
    assert.equal(st.target, mode === 'epoch-vote' ? Math.ceil((head + 1) / CLIQUE_EPOCH) * CLIQUE_EPOCH : head + 1);
    await mine(st.target - head);
    const w = await cliqueWalk(clique.url, signers, st.target - 1);
    const b = await block(clique.url, st.target);
    const recents = w.sealers.slice(st.target - Math.floor(signers.length / 2));
    const parent = w.blocks[st.target - 1];
    const { broken, signer } = cliqueBroken(b, parent, signers, recents);
    assert.deepEqual(broken, rules);
    if (mode === 'not-signer') assert.equal(signer, outsider);
    if (mode === 'epoch-vote') assert.equal(b.miner, outsider);
    assert.ok((await control(clique)).lies >= 1);
    await control(clique, { mode: 'honest' });
    const after = await cliqueWalk(clique.url, signers, st.target);
    assert.notEqual(after.blocks[st.target].hash, b.hash, 'the target is sealed again, honestly');
    assert.deepEqual(after.blocks.slice(0, head + 1).map((x) => x.hash), before.blocks.map((x) => x.hash));
  });
}

test('clique: anvil replacing blocks (evm_revert) is followed and re-sealed from there', T, async () => {
  const snap = await rpc(anvil, 'evm_snapshot');
  const base = await headOf(anvil);
  await mine(2);
  const old = await cliqueWalk(clique.url, clique.info.signers, base + 2);
  await rpc(anvil, 'evm_revert', [snap]);
  await receipt(await rpc(anvil, 'eth_sendTransaction', [{ from: account, to: ethers.ZeroAddress, value: '0x2' }]));
  await mine(1);
  const now = await cliqueWalk(clique.url, clique.info.signers, base + 2);
  assert.equal(now.blocks[base].hash, old.blocks[base].hash);
  assert.notEqual(now.blocks[base + 1].hash, old.blocks[base + 1].hash);
  assert.notEqual(now.blocks[base + 2].hash, old.blocks[base + 2].hash);
  const r = await rpc(clique.url, 'eth_getBlockReceipts', [hex(base + 1)]);
  assert.equal(r[0].blockHash, now.blocks[base + 1].hash);
});

test('clique: a vote adds a signer once more than half voted; the next epoch block lists it', T, async () => {
  const candidate = ethers.computeAddress(ethers.toBeHex(4, 32)).toLowerCase();
  const head = await headOf(anvil);
  await control(clique, { vote: { candidate, authorize: true } });
  let st;
  for (let i = 0; i < 8 && !(st = await control(clique)).signers.includes(candidate); i++) await mine(1);
  assert.ok(st.signers.includes(candidate), 'the vote passed');
  const to = Math.ceil((await headOf(anvil) + 1) / CLIQUE_EPOCH) * CLIQUE_EPOCH + 4;
  await mine(to - (await headOf(anvil)));
  const w = await cliqueWalk(clique.url, clique.info.signers, to);
  const voters = w.blocks.filter((b) => Number(b.number) > head && b.miner === candidate && b.nonce === NONCE_ADD)
    .map((b) => w.sealers[Number(b.number)]);
  assert.ok(new Set(voters).size >= 2, 'two of three signers voted');
  assert.deepEqual(w.signers, [...clique.info.signers, candidate].sort());
  assert.ok(w.sealers.slice(head).includes(candidate), 'the new signer seals');
  assert.deepEqual(st.signers, w.signers);
});

// QBFT ------------------------------------------------------------------------------

test('qbft: the encoding reproduces a real Besu QBFT header and the extraData vectors', T, () => {
  const f = JSON.parse(readFileSync(join(DATA, 'qbft/besu_qbft_7528.json'), 'utf8'));
  const h = f.header;
  assert.equal(rlpOf(h), f.headerRlp);
  const x = qbftDecode(h);
  const { commit, block: hash } = qbftHashes(h, x);
  assert.equal(commit, f.expectedCommitSealHash);
  assert.equal(hash, f.blockHashPerBesuQbftRule);
  assert.equal(rlpOf({ ...h, extraData: ethers.encodeRlp([x.vanity, x.validators, x.vote, x.round, []]) }), f.headerRlpWithoutCommitSeals);
  assert.deepEqual(x.seals.map((s) => recover(commit, s)), f.expectedCommitSealSigners);
  // reseal.mjs's own encoder, on the same header.
  const d = f.extraDataDecoded;
  assert.equal(qbftExtra({ vanity: d.vanity, validators: d.validators, round: d.round, seals: d.committedSeals }), h.extraData);
  assert.equal(resealHash({ ...h, extraData: qbftExtra({ validators: d.validators, round: 0 }) }), f.blockHashPerBesuQbftRule);
  assert.equal(resealHash({ ...h, extraData: qbftExtra({ validators: d.validators, round: 1 }) }), f.expectedCommitSealHash);
  const vectors = JSON.parse(readFileSync(join(DATA, 'qbft/qbft_extra_data_rlp_vectors.json'), 'utf8'));
  for (const [name, { qbft_extra_data: v, rlp }] of Object.entries(vectors)) {
    const vote = v.vote && { address: v.vote.recipient, authorize: v.vote.voteType === '0xff' };
    const got = qbftExtra({ vanity: v.vanityData, validators: v.validators, vote, round: v.round, seals: v.seals }, { emptyVote: '0x80', roundBytes: 4 });
    assert.equal(got, rlp, name);
  }
});

test('qbft: every header hashes by Besu\'s rule, links to its parent, carries all validators\' commit seals', T, async () => {
  const { signers: validators } = qbft.info;
  assert.equal(validators.length, 4);
  const to = await headOf(anvil);
  const blocks = await qbftWalk(qbft.url, validators, to);
  assert.equal(blocks[0].hash, qbft.info.genesis);
  let otherRound = 0;
  for (let n = 1; n <= to; n++) {
    const { x, committers } = qbftBroken(blocks[n], blocks[n - 1], validators);
    assert.deepEqual([...committers].sort(), validators, `block ${n}: all four sealed`);
    assert.deepEqual(x.vote, []);
    const { commit } = qbftHashes(blocks[n], x);
    if (x.round !== '0x') {
      otherRound++;
      assert.notEqual(commit, blocks[n].hash, 'round kept in the commit-seal hash, zeroed in the block hash');
    }
  }
  assert.ok(otherRound > 0);
  const rs = await rpc(qbft.url, 'eth_getBlockReceipts', [hex(logBlock)]);
  assert.equal(rs[0].blockHash, blocks[logBlock].hash);
  assert.equal(rs[0].logs[0].blockHash, blocks[logBlock].hash);
});

test('qbft: --empty-vote 0x80 --round-bytes 4 seal by the same rules in those encodings', T, async () => {
  const p = await proxy(['--engine', 'qbft', '--empty-vote', '0x80', '--round-bytes', '4', '--round', '1']);
  try {
    const to = await headOf(anvil);
    const blocks = await qbftWalk(p.url, p.info.signers, to);
    const x = qbftDecode(blocks[to]);
    assert.equal(x.vote, '0x');
    assert.equal(x.round, '0x00000001');
    assert.equal(blocks[to].extraData, qbftExtra({ validators: p.info.signers, round: 1, seals: x.seals }, { emptyVote: '0x80', roundBytes: 4 }));
    assert.equal(qbftDecode(blocks[0]).round, '0x00000000');
  } finally {
    p.proc.kill();
  }
});

const QBFT_LIES = {
  'two-seals': ['quorum'],
  'outsider-seal': ['seal-member'],
  'repeated-seal': ['seal-distinct', 'quorum'],
  'wrong-round': ['seal-member', 'quorum'],
  'attacker-vote': ['seal-member', 'quorum'],
};
for (const [mode, rules] of Object.entries(QBFT_LIES)) {
  test(`qbft lie ${mode}: breaks ${rules} and nothing else, then heals`, T, async (t) => {
    const { signers: validators, outsider, attacker } = qbft.info;
    const head = await headOf(anvil);
    const before = await qbftWalk(qbft.url, validators, head, head);
    const st = await control(qbft, { mode });
    t.after(() => control(qbft, { mode: 'honest' }));
    assert.equal(st.target, head + 1);
    await mine(1);
    const b = await block(qbft.url, st.target);
    const { broken, x, committers } = qbftBroken(b, before[head], validators);
    assert.deepEqual(broken, rules);
    if (mode === 'two-seals') assert.equal(committers.length, 2);
    if (mode === 'outsider-seal') assert.deepEqual(committers.filter((a) => !validators.includes(a)), [outsider]);
    if (mode === 'repeated-seal') assert.equal(committers.length, 3);
    if (mode === 'wrong-round') {
      const other = qbftHashes(b, { ...x, round: ethers.hexlify(ethers.toBeArray(ethers.toBigInt(x.round === '0x' ? 0 : x.round) + 1n)) }).commit;
      assert.deepEqual(x.seals.map((s) => recover(other, s)).sort(), validators, 'sealed over round + 1');
    }
    if (mode === 'attacker-vote') {
      assert.deepEqual(x.vote, [attacker, '0xff']);
      assert.ok(committers.includes(attacker));
    }
    await control(qbft, { mode: 'honest' });
    const after = await qbftWalk(qbft.url, validators, st.target, st.target);
    assert.notEqual(after[st.target].extraData, b.extraData, 'the target is sealed again, honestly');
    // Besu's block hash leaves the seals out: only the vote changes it.
    assert.equal(after[st.target].hash === b.hash, mode !== 'attacker-vote');
    assert.deepEqual(after.slice(0, head + 1).map((y) => y.hash), before.map((y) => y.hash));
  });
}

test('qbft: a vote in extraData adds a validator once more than half of the proposers cast it', T, async () => {
  const candidate = ethers.computeAddress(ethers.toBeHex(5, 32)).toLowerCase();
  const head = await headOf(anvil);
  await control(qbft, { vote: { candidate, authorize: true } });
  let st;
  for (let i = 0; i < 12 && !(st = await control(qbft)).signers.includes(candidate); i++) await mine(1);
  const validators = [...qbft.info.signers, candidate].sort();
  assert.deepEqual(st.signers, validators, 'the vote passed');
  await mine(1);
  const voters = new Set();
  let bigger = 0;
  for (let n = head + 1; n <= (await headOf(anvil)); n++) {
    const b = await block(qbft.url, n);
    const x = qbftDecode(b);
    if (x.vote.length) {
      assert.deepEqual(x.vote, [candidate, '0xff']);
      voters.add(b.miner);
    }
    if (x.validators.length === 5) {
      bigger++;
      assert.deepEqual(qbftBroken(b, null, validators).broken, []);
      assert.equal(x.seals.length, 5);
    }
  }
  assert.equal(voters.size, 3, 'three of four proposers voted');
  assert.ok(bigger > 0, 'blocks after the vote list five validators');
});
