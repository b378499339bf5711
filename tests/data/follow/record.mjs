// record.mjs: records the JSON-RPC answers tests/check_follow.c replays.
// Run by hand, not by the suite, against an anvil it does not start:
//   . tests/chain/anvil.sh
//   chain_start --max-persisted-states 100000 --cache-path /tmp/states
//   node tests/data/follow/record.mjs "$ANVIL_URL" > tests/data/follow/chain.json
// The chain: the registry deployed, 20 mixed calls (seed 21) and 4 empty
// blocks, then a snapshot (the fork block F).  Branch "a" adds 6 calls
// (seed 77) and 6 empty blocks; anvil_revert goes back to F and branch "b"
// adds 3 calls (seed 78) and 8 empty blocks.  For each block of a branch
// (b holds only those above F) it keeps the node's answers to
// eth_getBlockByNumber(n, false), eth_getBlockReceipts(n) and
// eth_getProof(registry, [slot 0, slot 1], n); and eth_getLogs of the
// registry over the branch, the registry's count and digest at its head,
// and its state there as registry.mjs dump gives it.
import { connect, deploy, random, dump, slots } from '../../chain/registry.mjs';

const url = process.argv[2];
if (!url) throw new Error('usage: record.mjs ANVIL_URL');
const SLOTS = ['0x' + '0'.repeat(64), '0x' + '0'.repeat(63) + '1'];
let id = 0;

async function rpc(method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
  });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

const q = (n) => '0x' + n.toString(16);
const head = async () => Number(await rpc('eth_blockNumber'));

// The answers for blocks from..head of the branch the node is on now.
async function branch(provider, registry, from) {
  const top = await head();
  const blocks = [];
  for (let n = from; n <= top; n++) {
    blocks.push({
      header: await rpc('eth_getBlockByNumber', [q(n), false]),
      receipts: await rpc('eth_getBlockReceipts', [q(n)]),
      proof: await rpc('eth_getProof', [registry, SLOTS, q(n)]),
    });
  }
  const logs = await rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: q(top), address: registry }]);
  const { count, digest } = await slots(provider, registry, top);
  return { from, head: top, blocks, logs, count, digest, dump: await dump(provider, registry) };
}

const provider = connect(url);
const { address } = await deploy(provider);
const registry = address.toLowerCase();
await random(provider, registry, 20, 21);
await rpc('anvil_mine', [q(4)]);
const fork = await head();
const snap = await rpc('anvil_snapshot');
await random(provider, registry, 6, 77);
await rpc('anvil_mine', [q(6)]);
const a = await branch(provider, registry, 0);
if (!(await rpc('anvil_revert', [snap]))) throw new Error('anvil_revert refused');
if ((await head()) !== fork) throw new Error('anvil_revert did not go back to the fork block');
await random(provider, registry, 3, 78);
await rpc('anvil_mine', [q(8)]);
const b = await branch(provider, registry, fork + 1);
process.stdout.write(JSON.stringify({
  chainId: await rpc('eth_chainId'), registry, fork, branches: { a, b },
}) + '\n');
provider.destroy();
