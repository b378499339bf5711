// timing.mjs: does the gateway take as long to refuse one request as
// another?  POSTs two request files in random interleaving over one
// keep-alive connection (so that neither process start-up nor connection
// set-up is in the figure) and prints, as JSON, each one's median time,
// their ratio, and the statuses and bodies seen.
//   node timing.mjs URL FILE_A FILE_B ROUNDS
import fs from 'node:fs';
import http from 'node:http';

const [url, fa, fb, rounds] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const bodies = [fs.readFileSync(fa), fs.readFileSync(fb)];

function post(body) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/cose', 'Content-Length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ us: Number(process.hrtime.bigint() - t0) / 1000, status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const times = [[], []], seen = [new Set(), new Set()];
const n = Number(rounds);
for (let i = 0; i < n + n / 10; i++) {
  const order = Math.random() < 0.5 ? [0, 1] : [1, 0];
  for (const k of order) {
    const r = await post(bodies[k]);
    if (i < n / 10) continue;	// warm-up: caches, branch predictors, the first pages
    times[k].push(r.us);
    seen[k].add(`${r.status} ${r.body}`);
  }
}
agent.destroy();
const [ma, mb] = [median(times[0]), median(times[1])];
console.log(JSON.stringify({ median_a_us: +ma.toFixed(1), median_b_us: +mb.toFixed(1), ratio: +(ma / mb).toFixed(3),
  answers_a: [...seen[0]], answers_b: [...seen[1]] }));
