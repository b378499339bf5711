// hintliar.mjs: a JSON-RPC proxy in front of a real anvil that hides one
// registry log from eth_getLogs, and from nothing else: headers, receipts
// and proofs stay true.  The adversary of tests/hint_lie.sh: a follower
// that takes eth_getLogs as its hint of which blocks to fetch must catch
// the lie with the registry's digest proof and still find the event.
//
//   node hintliar.mjs --upstream URL --registry ADDR [--drop N] [--port N]
//
// The hidden log is the registry's Nth (default 1) on the chain, in block
// and log order, looked up at the first eth_getLogs; it is left out of
// every eth_getLogs answer that holds it, alone or in a batch.  First
// stdout line: "hintliar listening on http://127.0.0.1:PORT".  GET
// /__hintliar gives {"drop", "lies", "target"}: lies the answers that
// left it out, target {"block", "logIndex"} once known.
import http from 'node:http';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const upstream = opt('--upstream');
const registry = (opt('--registry') ?? '').toLowerCase();
const drop = Number(opt('--drop', '1'));
const port = Number(opt('--port', '0'));
if (!upstream || !/^0x[0-9a-f]{40}$/.test(registry) || !(drop >= 1)) {
  console.error('usage: node hintliar.mjs --upstream URL --registry ADDR [--drop N] [--port N]');
  process.exit(2);
}

let target = null;
let lies = 0;

async function call(method, params) {
  const res = await fetch(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

// The Nth registry log, as {block, logIndex} numbers.
async function findTarget() {
  if (target !== null) return target;
  const logs = await call('eth_getLogs', [{ address: registry, fromBlock: '0x0', toBlock: 'latest' }]);
  if (logs.length < drop) throw new Error(`the registry has ${logs.length} logs, fewer than ${drop}`);
  const l = logs[drop - 1];
  target = { block: parseInt(l.blockNumber, 16), logIndex: parseInt(l.logIndex, 16) };
  console.error(`hintliar: hiding the registry's log ${drop}: block ${target.block}, log ${target.logIndex}`);
  return target;
}

const isTarget = (l, t) => l.address?.toLowerCase() === registry &&
  parseInt(l.blockNumber, 16) === t.block && parseInt(l.logIndex, 16) === t.logIndex;

// One answer, without the hidden log if it answers eth_getLogs.
async function alter(req, ans) {
  if (req?.method !== 'eth_getLogs' || !Array.isArray(ans.result)) return ans;
  const t = await findTarget();
  const kept = ans.result.filter((l) => !isTarget(l, t));
  if (kept.length === ans.result.length) return ans;
  lies++;
  console.error(`hintliar: hid block ${t.block} log ${t.logIndex} from eth_getLogs ${JSON.stringify(req.params)}`);
  return { ...ans, result: kept };
}

async function handle(body) {
  const res = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const raw = await res.text();
  if (!body.includes('eth_getLogs')) return raw;
  const req = JSON.parse(body);
  const ans = JSON.parse(raw);
  if (!Array.isArray(req)) return JSON.stringify(await alter(req, ans));
  if (!Array.isArray(ans)) return raw;
  const byId = new Map(req.map((r) => [r.id, r]));
  const out = [];
  for (const a of ans) out.push(await alter(byId.get(a.id), a));
  return JSON.stringify(out);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', async () => {
    try {
      if (req.url === '/__hintliar') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ drop, lies, target }));
        return;
      }
      const out = await handle(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(out);
    } catch (e) {
      console.error(`hintliar: ${e.message}`);
      res.writeHead(502);
      res.end();
    }
  });
});
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;

server.listen(port, '127.0.0.1', () => {
  console.log(`hintliar listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
