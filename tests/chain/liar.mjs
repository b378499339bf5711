// liar.mjs: a JSON-RPC proxy in front of a real anvil that lies on demand,
// the adversary of licgate's lying-node tests.  Only the answers change; the
// node underneath is real.
//
//   node liar.mjs --upstream URL --registry ADDR [--port N] [--mode MODE]
//
// First stdout line: "liar listening on http://127.0.0.1:PORT".  Control:
// POST /__liar {"mode": M} sets the mode (and forgets the target); GET
// /__liar gives {"mode", "lies", "target"}.  The target is the first block
// asked about that holds a registry log; the proxy then lies about it on
// every request until the mode changes.  Modes:
//   honest                  forward untouched
//   drop-log                eth_getBlockReceipts(target) without one registry log
//   alter-data              one byte of a registry log's data changed
//   other-receipts          the receipts of another block with registry logs
//   alter-header[:FIELD]    eth_getBlockByNumber(target) with FIELD changed
//                           (stateRoot by default), its hash left alone
//   withhold-receipts[:null] receipts answered with an error (or null)
//   stale-proof             eth_getProof(B) answered with the real proof of an
//                           older block whose eventCount differs
//   other-slots             eth_getProof(B) answered with the real proof of
//                           slots 0x100 and 0x101 (last bytes as asked)
//   drop-send               eth_sendRawTransaction answered with an error,
//                           never forwarded (the node is gone at that moment)
import http from 'node:http';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const upstream = opt('--upstream');
const registry = (opt('--registry') ?? '').toLowerCase();
const port = Number(opt('--port', '0'));
if (!upstream || !/^0x[0-9a-f]{40}$/.test(registry)) {
  console.error('usage: node liar.mjs --upstream URL --registry ADDR [--port N] [--mode MODE]');
  process.exit(2);
}

let mode = opt('--mode', 'honest');
let target = null;
let lies = 0;
let nextId = 1;

async function call(method, params) {
  const res = await fetch(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

const num = (q) => (typeof q === 'string' && q.startsWith('0x') ? parseInt(q, 16) : null);
const hex = (n) => '0x' + n.toString(16);
const isRegistryLog = (l) => l.address.toLowerCase() === registry;

// Flips the last hex digit: still valid hex, a different value.
function flip(h) {
  const last = h[h.length - 1];
  return h.slice(0, -1) + (last === '0' ? '1' : '0');
}

const hasLogs = new Map();
async function blockHasRegistryLogs(n) {
  if (!hasLogs.has(n)) {
    const rs = (await call('eth_getBlockReceipts', [hex(n)])) ?? [];
    hasLogs.set(n, rs.some((r) => r.logs.some(isRegistryLog)));
  }
  return hasLogs.get(n);
}

async function isTarget(n) {
  if (n === null) return false;
  // Two batches may ask at once: the first to be found keeps the target.
  if (target === null && (await blockHasRegistryLogs(n)) && target === null) {
    target = n;
    console.error(`liar: ${mode}: target is block ${n}`);
  }
  return target === n;
}

function lie(what) {
  lies++;
  console.error(`liar: ${mode} ${what}`);
}

// The latest block before b whose eventCount (slot 0) differs from b's.
async function olderState(b) {
  const count = await call('eth_getStorageAt', [registry, '0x0', hex(b)]);
  for (let k = b - 1; k >= 0; k--) {
    if ((await call('eth_getStorageAt', [registry, '0x0', hex(k)])) !== count) return k;
  }
  return null;
}

async function otherReceipts(n) {
  const logs = await call('eth_getLogs', [{ address: registry, fromBlock: '0x0', toBlock: hex(Math.max(n - 1, 0)) }]);
  const other = logs.length ? num(logs[logs.length - 1].blockNumber) : Math.max(n - 1, 0);
  return { other, receipts: await call('eth_getBlockReceipts', [hex(other)]) };
}

// Alters one answer; req is the call it answers.
async function alter(req, ans) {
  const [kind, variant] = mode.split(':');
  if (kind === 'honest' || ans.error) return ans;
  const m = req.method;
  const n = num(req.params?.[m === 'eth_getProof' ? 2 : 0]);
  if (m === 'eth_getBlockReceipts' && ['drop-log', 'alter-data', 'other-receipts', 'withhold-receipts'].includes(kind)) {
    if (!(await isTarget(n))) return ans;
    if (kind === 'withhold-receipts') {
      lie(`withheld the receipts of block ${n}`);
      return variant === 'null' ? { ...ans, result: null } : { jsonrpc: '2.0', id: ans.id, error: { code: -32000, message: 'header not found' } };
    }
    if (kind === 'other-receipts') {
      const { other, receipts } = await otherReceipts(n);
      lie(`answered block ${n} with the receipts of block ${other}`);
      return { ...ans, result: receipts };
    }
    const rs = structuredClone(ans.result);
    for (const r of rs) {
      const i = r.logs.findIndex((l) => isRegistryLog(l) && (kind === 'drop-log' || l.data.length > 2));
      if (i < 0) continue;
      if (kind === 'drop-log') {
        r.logs.splice(i, 1);
        lie(`dropped log ${i} of transaction ${num(r.transactionIndex)} in block ${n}`);
      } else {
        r.logs[i].data = flip(r.logs[i].data);
        lie(`changed the data of log ${i} of transaction ${num(r.transactionIndex)} in block ${n}`);
      }
      return { ...ans, result: rs };
    }
    return ans;
  }
  if (m === 'eth_getBlockByNumber' && kind === 'alter-header' && ans.result && (await isTarget(n))) {
    const field = variant ?? 'stateRoot';
    lie(`changed ${field} of block ${n}`);
    return { ...ans, result: { ...ans.result, [field]: flip(ans.result[field]) } };
  }
  if (m === 'eth_getProof' && kind === 'other-slots' && n !== null) {
    if (target === null) target = n;
    lie(`answered eth_getProof at block ${n} with the proof of slots 0x100 and 0x101`);
    const slots = req.params[1].map((k) => '0x' + (BigInt(k) + 256n).toString(16).padStart(64, '0'));
    return { ...ans, result: await call('eth_getProof', [req.params[0], slots, req.params[2]]) };
  }
  if (m === 'eth_getProof' && kind === 'stale-proof' && n !== null) {
    const older = await olderState(n);
    if (older === null) return ans;
    if (target === null) target = n;
    lie(`answered eth_getProof at block ${n} with the proof at block ${older}`);
    return { ...ans, result: await call('eth_getProof', [req.params[0], req.params[1], hex(older)]) };
  }
  return ans;
}

async function forward(body) {
  const res = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return res.text();
}

async function handle(body) {
  const req = JSON.parse(body);
  if (mode === 'drop-send' && req.method === 'eth_sendRawTransaction') {
    lie('withheld a transaction from the node');
    return JSON.stringify({ jsonrpc: '2.0', id: req.id, error: { code: -32000, message: 'liar: transaction withheld' } });
  }
  const raw = await forward(body);
  if (mode === 'honest') return raw;
  const ans = JSON.parse(raw);
  if (!Array.isArray(req)) return JSON.stringify(await alter(req, ans));
  const byId = new Map(req.map((r) => [r.id, r]));
  const out = [];
  for (const a of ans) out.push(byId.has(a.id) ? await alter(byId.get(a.id), a) : a);
  return JSON.stringify(out);
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', async () => {
    try {
      if (req.url === '/__liar') {
        if (req.method === 'POST') {
          mode = JSON.parse(body).mode;
          target = null;
          console.error(`liar: mode ${mode}`);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ mode, lies, target }));
        return;
      }
      const out = await handle(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(out);
    } catch (e) {
      console.error(`liar: ${e.message}`);
      res.writeHead(502);
      res.end();
    }
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`liar listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
