// noblockreceipts.mjs: a JSON-RPC proxy in front of a real node that does
// not serve eth_getBlockReceipts, as GoQuorum (geth 1.10) does not: each
// such call, alone or in a batch, is answered with geth's method-not-found
// error; everything else goes to the node untouched.  It counts the calls
// it sees by method.
//
//   node noblockreceipts.mjs --upstream URL [--port N]
//
// First stdout line: "noblockreceipts listening on http://127.0.0.1:PORT".
// GET /__counts gives {"METHOD": calls, ...}.
import http from 'node:http';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const upstream = opt('--upstream');
const port = Number(opt('--port', '0'));
if (!upstream) {
  console.error('usage: node noblockreceipts.mjs --upstream URL [--port N]');
  process.exit(2);
}

const counts = {};
const refused = 'eth_getBlockReceipts';

// geth's words (rpc/errors.go, methodNotFoundError).
function refusal(call) {
  return {
    jsonrpc: '2.0',
    id: call.id,
    error: { code: -32601, message: `the method ${call.method} does not exist/is not available` },
  };
}

async function forward(body) {
  const res = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return res.text();
}

async function handle(body) {
  const req = JSON.parse(body);
  const calls = Array.isArray(req) ? req : [req];
  for (const c of calls) counts[c.method] = (counts[c.method] ?? 0) + 1;
  if (!calls.some((c) => c.method === refused)) return forward(body);
  if (!Array.isArray(req)) return JSON.stringify(refusal(req));
  const rest = req.filter((c) => c.method !== refused);
  const answers = rest.length ? JSON.parse(await forward(JSON.stringify(rest))) : [];
  return JSON.stringify([...req.filter((c) => c.method === refused).map(refusal), ...answers]);
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', async () => {
    try {
      if (req.url === '/__counts') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(counts));
        return;
      }
      const out = await handle(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(out);
    } catch (e) {
      console.error(`noblockreceipts: ${e.message}`);
      res.writeHead(502);
      res.end();
    }
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`noblockreceipts listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
