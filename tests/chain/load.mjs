// load.mjs: pressure on licgated's HTTP server for tests/http_load.sh.
//   node load.mjs PORT PATH SLOW FAST
// Opens SLOW slowloris connections, half dripping one header byte every
// 200 ms and never finishing, half going silent after the request line, and
// while they hang sends FAST complete requests for PATH, all at once, each
// on its own connection.  Prints JSON: {"ok": 200 answers, "failed": other
// outcomes, "idleClosed": silent connections the server closed, "idle":
// their number, "dripOpen": dripping ones still open at the end}.
import http from 'node:http';
import net from 'node:net';

const [port, path, slowN, fastN] = process.argv.slice(2);
const slow = [], idle = [];
let idleClosed = 0;
for (let i = 0; i < Number(slowN); i++) {
  const s = net.connect(Number(port), '127.0.0.1');
  s.on('error', () => {});
  if (i % 2) s.on('close', () => { idleClosed++; });
  s.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  (i % 2 ? idle : slow).push(s);
}
const drip = setInterval(() => { for (const s of slow) if (!s.destroyed) s.write('a'); }, 200);

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
function one() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path, agent, timeout: 30000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

const results = await Promise.all(Array.from({ length: Number(fastN) }, one));
// Give the server's idle timeout the time to close the silent ones.
const deadline = Date.now() + 8000;
while (idleClosed < idle.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
clearInterval(drip);
const ok = results.filter(Boolean).length;
const dripOpen = slow.filter((s) => !s.destroyed).length;
console.log(JSON.stringify({ ok, failed: results.length - ok, idleClosed, idle: idle.length, dripOpen }));
for (const s of [...slow, ...idle]) s.destroy();
process.exit(0);
