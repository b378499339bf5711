// tests/mutate.mjs IN OUTDIR COUNT SEED: writes COUNT copies of the JSON file
// IN into OUTDIR, each with one hex digit of one verified field changed, and
// prints a manifest line per copy: "FILE<TAB>JSONPATH".  The fields are those
// verify-block checks (header fields, receipt and log consensus fields and
// positions); a quantity keeps its canonical form so the change is a lie,
// not malformed input.  Deterministic for a given SEED.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [, , inPath, outDir, countArg, seedArg] = process.argv;
if (!inPath || !outDir) {
  console.error('usage: node tests/mutate.mjs IN OUTDIR [COUNT] [SEED]');
  process.exit(2);
}
const count = Number(countArg ?? 20);
let seed = Number(seedArg ?? 1) >>> 0;
const rand = () => {  // mulberry32
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(rand() * n);

const HEADER = ['parentHash', 'sha3Uncles', 'miner', 'stateRoot', 'transactionsRoot',
  'receiptsRoot', 'logsBloom', 'difficulty', 'number', 'gasLimit', 'gasUsed',
  'timestamp', 'extraData', 'mixHash', 'nonce', 'baseFeePerGas', 'withdrawalsRoot',
  'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot', 'requestsHash', 'hash'];
const RECEIPT = ['type', 'status', 'root', 'cumulativeGasUsed', 'logsBloom',
  'blockHash', 'blockNumber', 'transactionIndex', 'gasUsed'];
const LOG = ['address', 'data', 'blockHash', 'blockNumber', 'transactionIndex', 'logIndex'];
const QUANTITY = new Set(['difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp',
  'baseFeePerGas', 'blobGasUsed', 'excessBlobGas', 'cumulativeGasUsed', 'blockNumber',
  'transactionIndex', 'logIndex']);

// Candidates: [container, key, jsonpath].
function candidates(doc) {
  const out = [];
  const add = (obj, keys, path) => {
    for (const k of keys)
      if (typeof obj[k] === 'string' && obj[k].startsWith('0x')) out.push([obj, k, `${path}.${k}`]);
  };
  const header = doc.header ?? (doc.rawHeader ? null : doc);
  if (header) add(header, HEADER, doc.header ? '$.header' : '$');
  if (doc.header && typeof doc.blockHash === 'string') add(doc, ['blockHash'], '$');
  (doc.receipts ?? []).forEach((r, i) => {
    add(r, RECEIPT, `$.receipts[${i}]`);
    (r.logs ?? []).forEach((l, j) => {
      add(l, LOG, `$.receipts[${i}].logs[${j}]`);
      (l.topics ?? []).forEach((_, t) => out.push([l.topics, t, `$.receipts[${i}].logs[${j}].topics[${t}]`]));
    });
  });
  return out;
}

function mutate(obj, key) {
  const v = obj[key];
  const digits = '0123456789abcdef';
  if (key === 'type') return `0x${[0, 1, 2, 3, 4].filter((t) => t !== Number(v))[pick(4)]}`;
  if (key === 'status') return v === '0x1' ? '0x0' : '0x1';
  if (v.length <= 2) return null;  // empty data: nothing to change
  const pos = 2 + pick(v.length - 2);
  const cur = v[pos].toLowerCase();
  let choices = digits.split('').filter((d) => d !== cur);
  if (QUANTITY.has(key) && pos === 2 && v.length > 3) choices = choices.filter((d) => d !== '0');
  return v.slice(0, pos) + choices[pick(choices.length)] + v.slice(pos + 1);
}

const text = readFileSync(inPath, 'utf8');
const name = basename(inPath, '.json');
for (let n = 0, made = 0; made < count && n < count * 20; n++) {
  const doc = JSON.parse(text);
  const cands = candidates(doc);
  const [obj, key, path] = cands[pick(cands.length)];
  const nv = mutate(obj, key);
  if (nv === null || nv === obj[key]) continue;
  obj[key] = nv;
  const file = `${outDir}/${name}.${made}.json`;
  writeFileSync(file, JSON.stringify(doc));
  console.log(`${file}\t${path}`);
  made++;
}
