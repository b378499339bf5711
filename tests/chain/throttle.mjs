// throttle.mjs: a JSON-RPC proxy in front of a real anvil that behaves like a
// hosted endpoint with limits: it answers every Nth request with HTTP 429 and
// a Retry-After, and refuses batches of more than K calls the way geth does
// (HTTP 200, one error in an array, with the first call's id: -32600 "batch
// too large").  Everything else is forwarded untouched.
//
//   node throttle.mjs --upstream URL [--every N] [--retry-after S]
//                     [--max-batch K] [--port P]
//
// First stdout line: "throttle listening on http://127.0.0.1:PORT".
// GET /__throttle gives {"requests", "throttled", "refused", "bytes"}:
// JSON-RPC requests received, answered 429, refused for their size, and
// answer body bytes sent (all of them, 429s and refusals too).
import http from 'node:http';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const upstream = opt('--upstream');
const every = Number(opt('--every', '0'));
const retryAfter = opt('--retry-after', '1');
const maxBatch = Number(opt('--max-batch', '0'));
const port = Number(opt('--port', '0'));
if (!upstream) {
  console.error('usage: node throttle.mjs --upstream URL [--every N] [--retry-after S] [--max-batch K] [--port P]');
  process.exit(2);
}

const stats = { requests: 0, throttled: 0, refused: 0, bytes: 0 };

function answer(res, status, headers, body) {
  stats.bytes += Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

// geth's answer to a batch over its BatchRequestLimit (rpc/handler.go:
// respondWithBatchTooLarge).
function gethTooLarge(calls) {
  const first = calls.find((c) => c && c.id !== undefined);
  return JSON.stringify([{ jsonrpc: '2.0', id: first ? first.id : null,
    error: { code: -32600, message: 'batch too large' } }]);
}

async function serve(req, res, body) {
  if (req.method === 'GET' && req.url === '/__throttle') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  stats.requests++;
  if (every > 0 && stats.requests % every === 0) {
    stats.throttled++;
    answer(res, 429, { 'retry-after': retryAfter }, '{"error":"too many requests"}');
    return;
  }
  let calls = null;
  try {
    calls = JSON.parse(body);
  } catch {
    // forwarded as it is: the node says what is wrong with it
  }
  if (maxBatch > 0 && Array.isArray(calls) && calls.length > maxBatch) {
    stats.refused++;
    answer(res, 200, {}, gethTooLarge(calls));
    return;
  }
  const up = await fetch(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  answer(res, up.status, {}, await up.text());
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    serve(req, res, Buffer.concat(chunks).toString()).catch((e) => {
      answer(res, 502, {}, JSON.stringify({ error: String(e) }));
    });
  });
});
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => {
  console.log(`throttle listening on http://127.0.0.1:${server.address().port}`);
});
