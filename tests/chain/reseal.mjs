// reseal.mjs: a JSON-RPC proxy that makes a real anvil's chain look like a
// Clique (EIP-225) or a QBFT (Besu) chain sealed by test keys, and lies about
// its seals on demand: the adversary of licgate's consensus-engine tests.
// State, receipts and proofs are anvil's own; only headers are re-sealed.
//
//   node reseal.mjs --upstream URL --engine clique|qbft [--port N]
//        [--signers N] [--epoch E] [--mode MODE] [--seals K] [--round R]
//        [--empty-vote 0xc0|0x80] [--round-bytes scalar|4]
//
// --signers   signers (clique, default 3) or validators (qbft, default 4);
//             their keys are the private keys 1, 2, ..., N.  Any key 1..64
//             that a vote brings in seals too.
// --epoch     epoch length (default 30000): clique epoch blocks list the
//             signers; both engines forget pending votes at epochs.
// --seals     qbft: commit seals per block, by the first K validators in
//             address order (default all N; at least ceil(2N/3) to be honest).
// --round     qbft: the round every block carries (default: block number
//             mod 3, so that rounds other than 0 tell the commit-seal hash,
//             round kept, from the block hash, round zeroed).
// --empty-vote qbft: the RLP of "no vote", an empty list 0xc0 (default, as
//             Besu's QBFT writes it) or an empty string 0x80.
// --round-bytes qbft: the round as a minimal scalar (default, QBFT) or as
//             IBFT 2.0's fixed 4 bytes.
//
// First stdout line: "reseal listening on http://127.0.0.1:PORT"; second:
// JSON {"engine", "epoch", "signers" (sorted), "outsider", "attacker",
// "genesis" (the re-sealed genesis hash, for chain.checkpoint_hash)}, once
// every block anvil has at start is re-sealed.
// The outsider is private key 0xbad, the attacker 0xa77ac: never signers.
//
// What is re-sealed.  Every header anvil returns (eth_getBlockByNumber,
// eth_getBlockByHash, either detail) is rewritten block by block from
// genesis, cached by number with anvil's own hash; when anvil's block at a
// number changes (anvil_reorg, anvil_rollback, evm_revert) it is re-sealed
// from there.  The re-sealed parent's hash becomes parentHash; stateRoot,
// transactionsRoot, receiptsRoot, logsBloom, timestamp, gas fields and every
// later-fork field anvil has (baseFeePerGas, withdrawalsRoot, blob fields,
// parentBeaconBlockRoot, requestsHash) stay and are hashed as they are, so
// receipts and proofs still verify.  totalDifficulty is left out (it would be
// anvil's); size is anvil's.
//   clique: miner 0x0 and nonce 0x00..00 (or a vote: the candidate and
//     0xff..ff to add, 0x00..00 to drop), mixHash zero, difficulty 2 in turn
//     (sorted signers, sorted[n % len]) and 1 out of turn, extraData = 32
//     zero bytes of vanity, the sorted signers on epoch blocks, and the
//     65-byte seal r|s|v (v 0 or 1) over keccak256(rlp(header without the
//     seal)); hash = keccak256(rlp(header)).  The sealer is the in-turn
//     signer unless it sealed one of the last len/2 blocks (after a vote
//     changed the set), then the first signer in address order who did not.
//     Genesis lists the signers and has 65 zero bytes as seal, difficulty 1.
//   qbft: extraData = rlp([vanity, validators (sorted), vote, round,
//     seals]), vote = [] or [address, 0xff add / 0x00 drop] (Besu's bytes),
//     difficulty 1, mixHash the BFT constant, nonce zero, miner the
//     proposer sorted[(n + round) % len]; commit seals over
//     keccak256(rlp(header with seals [], round kept)); hash (Besu's rule) =
//     keccak256(rlp(header with seals [] and round 0)).  Genesis has round
//     0, no seals, miner 0x0.
// Everything else that names a block hash follows: receipts and logs
// (eth_getBlockReceipts, eth_getTransactionReceipt, eth_getLogs, filters),
// transactions (full blocks, eth_getTransactionBy*); a re-sealed hash in
// any request's parameters (eth_getBlockByHash, EIP-1898 {blockHash}) is
// mapped back to anvil's.  Other calls and batches pass through.
//
// Control: POST /__reseal {"mode": M} sets the lie mode; GET /__reseal
// gives {"mode", "lies", "target", "signers"} (signers at the head).  The
// target is the first block above anvil's head when the mode is set (for
// epoch-vote, the first epoch block above it): every block from the target
// on is sealed with the lie, its hash and parentHash chain computed right,
// until the mode changes; then those blocks are re-sealed honestly and
// blocks below the target keep their hashes.  "lies" counts the lying
// headers served.  POST /__reseal {"vote": {"candidate": ADDR,
// "authorize": true|false}} makes the blocks above the head carry that
// vote, proposer by proposer, until it has passed.  Votes follow geth and
// Besu: a vote passes when more than half of the signers (validators) voted
// for it since the last epoch; a dropped signer's own votes go; clique
// votes never sit on epoch blocks; Besu forgets votes at the block before
// an epoch block, whose own vote is ignored.
//   honest         seal by the rules
//   clique modes:
//   not-signer     sealed by the outsider key
//   difficulty     the honest sealer with 1 in turn, 2 out of turn
//   recent         sealed by the sealer of the block before in the honest
//                  chain, within its window (needs 2+ signers)
//   epoch-vote     an epoch block whose miner (the outsider) and nonce
//                  0xff..ff cast a vote; use a small --epoch
//   qbft modes:
//   two-seals      ceil(2N/3) - 1 seals (2 of 4)
//   outsider-seal  the last validator's seal replaced by the outsider's: a
//                  quorum of validators still sealed, one seal is foreign
//   repeated-seal  ceil(2N/3) - 1 validators' seals and the first again
//   wrong-round    every seal over round + 1, extraData says round
//   attacker-vote  a vote adding the attacker, sealed by ceil(2N/3) - 1
//                  validators and the attacker, as if the vote had passed
//                  (the validator list is the honest one)
// Besu's block hash leaves the seals out, so a qbft block sealed with a lie
// has the hash of its honest self, except under attacker-vote (the vote is
// hashed): a follower must check the seals of a block whose hash it knows.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { ethers } from 'ethers';

export const ZERO32 = '0x' + '00'.repeat(32);
export const BFT_MIX = '0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365';
export const EMPTY_UNCLES = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
export const MODES = {
  clique: ['honest', 'not-signer', 'difficulty', 'recent', 'epoch-vote'],
  qbft: ['honest', 'two-seals', 'outsider-seal', 'repeated-seal', 'wrong-round', 'attacker-vote'],
};

// Header fields in RLP order; q marks a quantity (minimal big-endian).  The
// later-fork fields are hashed when the node gives them, in this order.
const FIELDS = [
  ['parentHash'], ['sha3Uncles'], ['miner'], ['stateRoot'], ['transactionsRoot'],
  ['receiptsRoot'], ['logsBloom'], ['difficulty', 'q'], ['number', 'q'],
  ['gasLimit', 'q'], ['gasUsed', 'q'], ['timestamp', 'q'], ['extraData'],
  ['mixHash'], ['nonce'],
];
const LATER = [
  ['baseFeePerGas', 'q'], ['withdrawalsRoot'], ['blobGasUsed', 'q'],
  ['excessBlobGas', 'q'], ['parentBeaconBlockRoot'], ['requestsHash'],
];

const quantity = (v) => ethers.hexlify(ethers.toBeArray(BigInt(v)));

export function headerRlp(h) {
  const list = FIELDS.map(([f, q]) => (q ? quantity(h[f]) : h[f]));
  for (const [f, q] of LATER) {
    if (h[f] === undefined || h[f] === null) break;
    list.push(q ? quantity(h[f]) : h[f]);
  }
  return ethers.encodeRlp(list);
}

export const headerHash = (h) => ethers.keccak256(headerRlp(h));
export const keyOf = (i) => new ethers.SigningKey(ethers.toBeHex(i, 32));
export const addressOf = (k) => ethers.computeAddress(k.publicKey).toLowerCase();

// r|s|v with v 0 or 1, as Clique seals and QBFT commit seals carry it.
export function seal65(key, hash) {
  const s = key.sign(hash);
  return ethers.concat([s.r, s.s, s.yParity ? '0x01' : '0x00']);
}

// QBFT extraData.  vote: null or {address, authorize}; opts.emptyVote
// '0xc0' or '0x80'; opts.roundBytes 'scalar' or 4.
export function qbftExtra({ vanity = ZERO32, validators, vote = null, round, seals = [] }, opts = {}) {
  let v = opts.emptyVote === '0x80' ? '0x' : [];
  if (vote) v = [vote.address, vote.authorize ? '0xff' : '0x00'];
  const r = opts.roundBytes === 4 || opts.roundBytes === '4' ? ethers.toBeHex(round, 4) : quantity(round);
  return ethers.encodeRlp([vanity, validators, v, r, seals]);
}

export const quorum = (n) => Math.ceil((2 * n) / 3);
const lower = (a) => a.toLowerCase();
const sorted = (list) => [...list].map(lower).sort();

// clique snapshot -----------------------------------------------------------
// The same bookkeeping as geth's (and src/engine/clique.c): recents by block,
// only block n - limit forgotten at block n; votes by (signer, candidate).

function cliqueGenesisState(signers) {
  return { signers: sorted(signers), recents: new Map(), votes: [] };
}

function cliqueCopy(s) {
  return { signers: [...s.signers], recents: new Map(s.recents), votes: s.votes.map((v) => ({ ...v })) };
}

function cliqueExpire(s, n) {
  const limit = Math.floor(s.signers.length / 2) + 1;
  if (n >= limit) s.recents.delete(n - limit);
}

const cliqueRecent = (s, a) => [...s.recents.values()].includes(a);

// State after block n sealed by sealer with vote (null or {candidate,
// authorize}); s is the state after block n - 1 and is not changed.
function cliqueApply(s, n, epoch, sealer, vote) {
  const t = cliqueCopy(s);
  if (n % epoch === 0) t.votes = [];
  cliqueExpire(t, n);
  t.recents.set(n, sealer);
  if (!vote) return t;
  const c = vote.candidate;
  t.votes = t.votes.filter((v) => !(v.signer === sealer && v.candidate === c));
  if (t.signers.includes(c) === vote.authorize) return t;
  t.votes.push({ signer: sealer, candidate: c, authorize: vote.authorize });
  if (t.votes.filter((v) => v.candidate === c).length <= t.signers.length / 2) return t;
  if (vote.authorize) {
    t.signers = sorted([...t.signers, c]);
  } else {
    t.signers = t.signers.filter((a) => a !== c);
    cliqueExpire(t, n);
    t.votes = t.votes.filter((v) => v.signer !== c);
  }
  t.votes = t.votes.filter((v) => v.candidate !== c);
  return t;
}

// qbft validators and Besu's VoteTally ----------------------------------------

function qbftGenesisState(validators) {
  return { validators: sorted(validators), add: new Map(), drop: new Map() };
}

function qbftApply(s, n, epoch, proposer, vote) {
  const t = {
    validators: [...s.validators],
    add: new Map([...s.add].map(([k, v]) => [k, new Set(v)])),
    drop: new Map([...s.drop].map(([k, v]) => [k, new Set(v)])),
  };
  if ((n + 1) % epoch === 0) {
    t.add.clear();
    t.drop.clear();
    return t;
  }
  if (!vote) return t;
  const c = vote.candidate;
  if (!t.add.has(c)) t.add.set(c, new Set());
  if (!t.drop.has(c)) t.drop.set(c, new Set());
  (vote.authorize ? t.add : t.drop).get(c).add(proposer);
  (vote.authorize ? t.drop : t.add).get(c).delete(proposer);
  const limit = Math.floor(t.validators.length / 2) + 1;
  if (t.add.get(c).size >= limit) {
    if (!t.validators.includes(c)) t.validators = sorted([...t.validators, c]);
    t.add.delete(c);
    t.drop.delete(c);
  }
  if (t.drop.get(c)?.size >= limit) {
    t.validators = t.validators.filter((a) => a !== c);
    t.add.delete(c);
    t.drop.delete(c);
    for (const m of [t.add, t.drop]) for (const set of m.values()) set.delete(c);
  }
  return t;
}

// The sealer ------------------------------------------------------------------

export class Sealer {
  // o: {engine, signers (count), epoch, seals, round, emptyVote, roundBytes}
  constructor(o) {
    this.o = o;
    this.pool = new Map();
    for (let i = 1; i <= 64; i++) {
      const k = keyOf(i);
      this.pool.set(addressOf(k), k);
    }
    this.outsider = keyOf(0xbad);
    this.attacker = keyOf(0xa77ac);
    this.initial = sorted([...this.pool.keys()].slice(0, o.signers));
    this.mode = 'honest';
    this.target = null;
    this.votes = []; // {from, candidate, authorize}, in the order asked
  }

  // The vote block n carries under state s, or null.
  voteFor(n, s) {
    const members = this.o.engine === 'clique' ? s.signers : s.validators;
    let asked = null;
    for (const v of this.votes) if (v.from <= n) asked = v;
    if (!asked || members.includes(asked.candidate) === asked.authorize) return null;
    if (this.o.engine === 'clique' && n % this.o.epoch === 0) return null;
    return { candidate: asked.candidate, authorize: asked.authorize };
  }

  lying(n) {
    if (this.mode === 'honest' || this.target === null || n < this.target) return false;
    return this.mode !== 'epoch-vote' || n % this.o.epoch === 0;
  }

  // The re-sealed block n from anvil's header b and the state after n - 1
  // (null for genesis): {fields, hash, state, lie}.
  seal(b, prev) {
    const n = Number(b.number);
    return this.o.engine === 'clique' ? this.sealClique(b, n, prev) : this.sealQbft(b, n, prev);
  }

  sealClique(b, n, prev) {
    const h = { ...b, sha3Uncles: EMPTY_UNCLES, mixHash: ZERO32, miner: ethers.ZeroAddress, nonce: '0x0000000000000000' };
    const vanity = ZERO32;
    if (n === 0) {
      const state = cliqueGenesisState(this.initial);
      h.difficulty = '0x1';
      h.extraData = ethers.concat([vanity, ...state.signers, '0x' + '00'.repeat(65)]);
      return { fields: h, hash: headerHash(h), state, lie: false };
    }
    const s = prev;
    const len = s.signers.length;
    const limitState = cliqueCopy(s);
    cliqueExpire(limitState, n);
    const ok = (a) => this.pool.has(a) && !cliqueRecent(limitState, a);
    let signer = s.signers[n % len];
    if (!ok(signer)) signer = s.signers.find(ok);
    if (!signer) throw new Error(`clique: no signer whose key this proxy holds may seal block ${n}`);
    const vote = this.voteFor(n, s);
    const state = cliqueApply(s, n, this.o.epoch, signer, vote);
    const epochList = n % this.o.epoch === 0 ? s.signers : [];
    let key = this.pool.get(signer);
    let inturn = s.signers[n % len] === signer;
    if (vote) {
      h.miner = vote.candidate;
      h.nonce = vote.authorize ? '0xffffffffffffffff' : '0x0000000000000000';
    }
    const lie = this.lying(n);
    if (lie && this.mode === 'not-signer') key = this.outsider;
    if (lie && this.mode === 'recent') {
      const last = s.recents.get(n - 1);
      if (last === undefined) throw new Error(`clique: recent: block ${n - 1} has no sealer to repeat`);
      key = this.pool.get(last);
      inturn = s.signers[n % len] === last;
    }
    if (lie && this.mode === 'epoch-vote') {
      h.miner = addressOf(this.outsider);
      h.nonce = '0xffffffffffffffff';
    }
    let difficulty = inturn ? 2 : 1;
    if (lie && this.mode === 'difficulty') difficulty = 3 - difficulty;
    h.difficulty = '0x' + difficulty.toString(16);
    h.extraData = ethers.concat([vanity, ...epochList]);
    const sig = seal65(key, headerHash(h));
    h.extraData = ethers.concat([h.extraData, sig]);
    return { fields: h, hash: headerHash(h), state, lie };
  }

  roundOf(n) {
    return this.o.round === undefined ? n % 3 : this.o.round;
  }

  sealQbft(b, n, prev) {
    const h = { ...b, sha3Uncles: EMPTY_UNCLES, mixHash: BFT_MIX, nonce: '0x0000000000000000', difficulty: '0x1' };
    const enc = { emptyVote: this.o.emptyVote, roundBytes: this.o.roundBytes };
    const withExtra = (x) => ({ ...h, extraData: qbftExtra(x, enc) });
    if (n === 0) {
      const state = qbftGenesisState(this.initial);
      h.miner = ethers.ZeroAddress;
      h.extraData = qbftExtra({ validators: state.validators, round: 0 }, enc);
      return { fields: h, hash: headerHash(h), state, lie: false };
    }
    const s = prev;
    const validators = s.validators;
    const round = this.roundOf(n);
    const proposer = validators[(n + round) % validators.length];
    h.miner = proposer;
    let vote = this.voteFor(n, s);
    const state = qbftApply(s, n, this.o.epoch, proposer, vote);
    const lie = this.lying(n);
    const held = validators.filter((a) => this.pool.has(a)).map((a) => this.pool.get(a));
    const q = quorum(validators.length);
    let keys = held.slice(0, this.o.seals ?? validators.length);
    let sealRound = round;
    if (lie && this.mode === 'two-seals') keys = held.slice(0, q - 1);
    if (lie && this.mode === 'outsider-seal') keys = [...keys.slice(0, -1), this.outsider];
    if (lie && this.mode === 'repeated-seal') keys = [...held.slice(0, q - 1), held[0]];
    if (lie && this.mode === 'wrong-round') sealRound = round + 1;
    if (lie && this.mode === 'attacker-vote') {
      vote = { candidate: addressOf(this.attacker), authorize: true };
      keys = [...held.slice(0, q - 1), this.attacker];
    }
    const v = vote && { address: vote.candidate, authorize: vote.authorize };
    const sealHash = headerHash(withExtra({ validators, vote: v, round: sealRound }));
    const seals = keys.map((k) => seal65(k, sealHash));
    const hash = headerHash(withExtra({ validators, vote: v, round: 0 }));
    h.extraData = qbftExtra({ validators, vote: v, round, seals }, enc);
    return { fields: h, hash, state, lie };
  }
}


// The proxy -------------------------------------------------------------------

const CHANGED = ['parentHash', 'sha3Uncles', 'miner', 'difficulty', 'extraData', 'mixHash', 'nonce'];
const isHash = (x) => typeof x === 'string' && /^0x[0-9a-fA-F]{64}$/.test(x);

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

function options() {
  const engine = opt('--engine');
  const o = {
    upstream: opt('--upstream'),
    port: Number(opt('--port', '0')),
    engine,
    signers: Number(opt('--signers', engine === 'clique' ? '3' : '4')),
    epoch: Number(opt('--epoch', '30000')),
    mode: opt('--mode', 'honest'),
    seals: opt('--seals') === undefined ? undefined : Number(opt('--seals')),
    round: opt('--round') === undefined ? undefined : Number(opt('--round')),
    emptyVote: opt('--empty-vote', '0xc0'),
    roundBytes: opt('--round-bytes', 'scalar'),
  };
  const bad = !o.upstream || !MODES[engine] || !MODES[engine].includes(o.mode) ||
    !(o.signers >= 1 && o.signers <= 64 && o.epoch >= 1) ||
    !['0xc0', '0x80'].includes(o.emptyVote) || !['scalar', '4'].includes(o.roundBytes);
  if (bad) {
    console.error('usage: node reseal.mjs --upstream URL --engine clique|qbft [--port N] [--signers N] [--epoch E] [--mode MODE]\n' +
      '       [--seals K] [--round R] [--empty-vote 0xc0|0x80] [--round-bytes scalar|4]');
    process.exit(2);
  }
  return o;
}

async function main() {
  const o = options();
  const sealer = new Sealer(o);
  const chain = []; // by number: {anvilHash, fields, hash, state, lie}
  const byHash = new Map(); // re-sealed hash -> number
  const byAnvil = new Map(); // anvil's hash -> number
  let lies = 0;
  let nextId = 1;

  async function call(method, params) {
    const res = await fetch(o.upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    });
    const j = await res.json();
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result;
  }

  // Forgets blocks from n on: a reorg, a mode or a vote changed them.
  function truncate(n) {
    for (let k = n; k < chain.length; k++) {
      if (!chain[k]) continue;
      byHash.delete(chain[k].hash);
      byAnvil.delete(chain[k].anvilHash);
    }
    if (chain.length > n) chain.length = n;
  }

  // Seals anvil's block b on the re-sealed block below it.  Synchronous, so
  // that concurrent requests never see half a chain.
  function sealOne(b) {
    const n = Number(b.number);
    if (chain[n]?.anvilHash === b.hash) return;
    if (headerHash(b) !== b.hash) throw new Error(`block ${n}: anvil's header does not hash to its hash (a field this proxy does not know?)`);
    if (n > 0 && chain[n - 1]?.anvilHash !== b.parentHash) throw new Error(`block ${n}: its parent changed while re-sealing`);
    truncate(n);
    const parent = n > 0 ? chain[n - 1] : null;
    const r = sealer.seal({ ...b, parentHash: parent ? parent.hash : b.parentHash }, parent?.state ?? null);
    const fields = Object.fromEntries(CHANGED.map((f) => [f, r.fields[f]]));
    chain[n] = { anvilHash: b.hash, fields, hash: r.hash, state: r.state, lie: r.lie };
    byHash.set(r.hash, n);
    byAnvil.set(b.hash, n);
  }

  // Re-seals anvil's block b and every block below it not yet re-sealed (or
  // changed since), walking down by parentHash; returns b's entry.  A mode,
  // vote or reorg that forgot blocks while this walked starts it again.
  async function ensure(b, tries = 3) {
    const todo = [];
    let cur = b;
    for (;;) {
      const n = Number(cur.number);
      if (chain[n]?.anvilHash === cur.hash) break;
      todo.push(cur);
      if (n === 0 || chain[n - 1]?.anvilHash === cur.parentHash) break;
      cur = await call('eth_getBlockByHash', [cur.parentHash, false]);
      if (!cur) throw new Error(`anvil lost block ${n - 1} while re-sealing`);
    }
    while (todo.length) {
      const x = todo.pop();
      const n = Number(x.number);
      if (n > 0 && chain[n - 1]?.anvilHash !== x.parentHash) {
        if (tries === 0) throw new Error(`block ${n}: its parent keeps changing while re-sealing`);
        return ensure(b, tries - 1);
      }
      sealOne(x);
    }
    return chain[Number(b.number)];
  }

  // The re-sealed hash of anvil's block (number n, hash h); h itself when
  // anvil no longer has that block.
  async function resealed(n, h) {
    if (chain[n]?.anvilHash === h) return chain[n].hash;
    const b = await call('eth_getBlockByHash', [h, false]);
    return b ? (await ensure(b)).hash : h;
  }

  async function head() {
    return ensure(await call('eth_getBlockByNumber', ['latest', false]));
  }

  function blockOut(b, e) {
    if (e.lie) {
      lies++;
      console.error(`reseal: ${sealer.mode}: served block ${Number(b.number)}`);
    }
    const out = { ...b, ...e.fields, hash: e.hash };
    delete out.totalDifficulty;
    if (Array.isArray(out.transactions)) {
      out.transactions = out.transactions.map((t) => (typeof t === 'object' ? { ...t, blockHash: e.hash } : t));
    }
    return out;
  }

  // A re-sealed hash anywhere in the parameters becomes anvil's.
  function mapParams(x) {
    if (isHash(x) && byHash.has(x.toLowerCase())) return chain[byHash.get(x.toLowerCase())].anvilHash;
    if (Array.isArray(x)) return x.map(mapParams);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapParams(v)]));
    return x;
  }

  // Every {blockHash, blockNumber} in an answer (receipts, logs,
  // transactions) names the re-sealed block instead.
  async function mapBlockHashes(x) {
    if (Array.isArray(x)) {
      const out = [];
      for (const v of x) out.push(await mapBlockHashes(v));
      return out;
    }
    if (!x || typeof x !== 'object') return x;
    const out = {};
    for (const [k, v] of Object.entries(x)) out[k] = await mapBlockHashes(v);
    if (isHash(x.blockHash) && x.blockNumber != null) out.blockHash = await resealed(Number(x.blockNumber), x.blockHash);
    return out;
  }

  async function alter(req, ans) {
    if (ans.error || ans.result == null) return ans;
    const m = req.method;
    if (m === 'eth_getBlockByNumber' || m === 'eth_getBlockByHash') {
      if (!isHash(ans.result.hash)) return ans; // pending
      const out = blockOut(ans.result, await ensure(ans.result));
      if (m === 'eth_getBlockByHash' && out.hash !== String(req.params[0]).toLowerCase()) {
        return { ...ans, result: null }; // asked by anvil's own hash
      }
      return { ...ans, result: out };
    }
    if (m === 'eth_getFilterChanges' && ans.result.every?.((x) => isHash(x))) {
      const out = [];
      for (const h of ans.result) {
        const b = await call('eth_getBlockByHash', [h, false]);
        out.push(b ? (await ensure(b)).hash : h);
      }
      return { ...ans, result: out };
    }
    return { ...ans, result: await mapBlockHashes(ans.result) };
  }

  async function handle(body) {
    const req = JSON.parse(body);
    const reqs = Array.isArray(req) ? req : [req];
    const mapped = reqs.map((r) => (r && r.params ? { ...r, params: mapParams(r.params) } : r));
    const res = await fetch(o.upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Array.isArray(req) ? mapped : mapped[0]),
    });
    const ans = JSON.parse(await res.text());
    if (!Array.isArray(req)) return JSON.stringify(await alter(req, ans));
    const byId = new Map(req.map((r) => [r.id, r]));
    const out = [];
    for (const a of ans) out.push(byId.has(a.id) ? await alter(byId.get(a.id), a) : a);
    return JSON.stringify(out);
  }

  // The first block above anvil's head (for epoch-vote, the first epoch
  // block above it).
  async function nextTarget(mode) {
    const n = Number(await call('eth_blockNumber', [])) + 1;
    if (mode !== 'epoch-vote') return n;
    return Math.ceil(n / o.epoch) * o.epoch;
  }

  async function setMode(mode) {
    if (!MODES[o.engine].includes(mode)) throw new Error(`unknown ${o.engine} mode ${mode}`);
    if (mode === 'recent' && o.signers < 2) throw new Error('recent: one signer may seal every block');
    if (sealer.target !== null) truncate(sealer.target);
    sealer.mode = mode;
    sealer.target = mode === 'honest' ? sealer.target : await nextTarget(mode);
    if (mode !== 'honest') truncate(sealer.target);
    console.error(`reseal: mode ${mode}, target ${sealer.target}`);
  }

  async function setVote(v) {
    const candidate = String(v?.candidate ?? '').toLowerCase();
    if (!/^0x[0-9a-f]{40}$/.test(candidate) || typeof v.authorize !== 'boolean') {
      throw new Error('vote: {"candidate": ADDRESS, "authorize": true|false}');
    }
    const from = Number(await call('eth_blockNumber', [])) + 1;
    truncate(from);
    sealer.votes.push({ from, candidate, authorize: v.authorize });
    console.error(`reseal: vote ${v.authorize ? 'to add' : 'to drop'} ${candidate} from block ${from}`);
  }

  async function control(method, body) {
    if (method === 'POST') {
      const j = JSON.parse(body);
      if (j.mode !== undefined) await setMode(j.mode);
      if (j.vote !== undefined) await setVote(j.vote);
    }
    const s = (await head()).state;
    return { mode: sealer.mode, lies, target: sealer.target, signers: o.engine === 'clique' ? s.signers : s.validators };
  }

  // Sealing the chain anvil has now keeps that work out of the first
  // answers (and out of what a benchmark behind this proxy measures).
  await head();
  const genesis = chain[0];
  if (o.mode !== 'honest') await setMode(o.mode);

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      try {
        const out = req.url === '/__reseal' ? JSON.stringify(await control(req.method, body)) : await handle(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(out);
      } catch (e) {
        console.error(`reseal: ${e.message}`);
        res.writeHead(req.url === '/__reseal' ? 400 : 502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: e.message }));
      }
    });
  });

  server.listen(o.port, '127.0.0.1', () => {
    console.log(`reseal listening on http://127.0.0.1:${server.address().port}`);
    console.log(JSON.stringify({
      engine: o.engine,
      epoch: o.epoch,
      signers: sealer.initial,
      outsider: addressOf(sealer.outsider),
      attacker: addressOf(sealer.attacker),
      genesis: genesis.hash,
    }));
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(`reseal: ${e.message}`);
    process.exit(1);
  });
}
