// delay.mjs: a transparent JSON-RPC proxy that holds every answer back D
// milliseconds, a far-away node for bench/busy.sh --delay.  Requests are
// forwarded as they come, any number at once, over kept-alive connections
// on both sides; only the time changes.
//
//   node delay.mjs --upstream URL [--delay MS] [--port N]
//
// Listens on 127.0.0.1 only (a free port unless --port); the first stdout
// line is "delay listening on http://127.0.0.1:PORT".  GET /__delay gives
// {"delay", "requests", "bytes"}: the answers given and their body bytes.
import http from 'node:http';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const upstream = opt('--upstream');
const delay = Number(opt('--delay', '50'));
const port = Number(opt('--port', '0'));
if (!upstream || !(delay >= 0)) {
  console.error('usage: node delay.mjs --upstream URL [--delay MS] [--port N]');
  process.exit(2);
}

let requests = 0;
let bytes = 0;
const later = (ms) => new Promise((ok) => setTimeout(ok, ms));

// Node's http with a keep-alive agent, not fetch: fetch took several
// milliseconds more a request here, which would weigh on the side that
// asks more often.
const up = new URL(upstream);
const agent = new http.Agent({ keepAlive: true });
function forward(req, body) {
  return new Promise((ok, ko) => {
    const r = http.request({ host: up.hostname, port: up.port, path: up.pathname + up.search, method: 'POST', agent,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'content-length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => ok({ status: res.statusCode, type: res.headers['content-type'] ?? 'application/json', body: Buffer.concat(chunks) }));
      res.on('error', ko);
    });
    r.on('error', ko);
    r.end(body);
  });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', async () => {
    if (req.url === '/__delay') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ delay, requests, bytes }));
      return;
    }
    let ans;
    try {
      ans = await forward(req, Buffer.concat(chunks));
    } catch (e) {
      console.error(`delay: ${e.message}`);
      ans = { status: 502, type: 'text/plain', body: Buffer.from('upstream failed\n') };
    }
    // One round trip of a distant link: the node's answer arrives D ms
    // after the node gave it.
    await later(delay);
    requests++;
    bytes += ans.body.length;
    res.writeHead(ans.status, { 'content-type': ans.type, 'content-length': ans.body.length });
    res.end(ans.body);
  });
});
// Clients keep their connections between requests, as licgated's curl does.
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;

server.listen(port, '127.0.0.1', () => {
  console.log(`delay listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
