// busy.mjs: a busy chain for bench/busy.sh and tests/hint_lie.sh: blocks
// full of another contract's logs, so that nearly every block's logsBloom
// matches the registry's address, with registry events sprinkled among them.
//
//   node busy.mjs --rpc URL [--registry ADDR] [--blocks B] [--txs T]
//                 [--logs L] [--data BYTES] [--events E] [--heavy] [--seed S]
//
// Deploys the registry (unless --registry names one, whose admin is
// account 0) and a small noisy contract, adds three vendors, then mines B
// blocks (default 1000) of T transactions (20) each emitting L logs (40)
// of three topics and BYTES bytes of data (32; --heavy: 480, over 1 MiB of
// receipts a block), and about E registry calls (100) of several kinds in
// random blocks among them.  Automine off, transactions with explicit
// nonces sent in JSON-RPC batches, one evm_mine per block; anvil signs them
// itself (its accounts are unlocked): signing 20,000 transactions here
// would take longer than mining them.  Progress on stderr; the last stdout
// line is JSON {"registry", "noise", "firstBlock", "lastBlock",
// "eventCount", "registryBlocks", "bloomBlocks", "receiptBytesMin",
// "receiptBytesMax"}: registryBlocks the number of blocks holding registry
// events, bloomBlocks of those whose logsBloom matches the registry's
// address, the receipt sizes those of eth_getBlockReceipts answers of the
// noisy blocks sampled.
import { ethers } from 'ethers';
import { compileCached } from './compile.mjs';
import { connect, deploy, deviceKey, registry, send, wallet } from './registry.mjs';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const heavy = process.argv.includes('--heavy');
const rpc = opt('--rpc', process.env.ANVIL_URL);
const given = opt('--registry', null);
const blocks = Number(opt('--blocks', '1000'));
const txs = Number(opt('--txs', '20'));
const logs = Number(opt('--logs', '40'));
const size = Number(opt('--data', heavy ? '480' : '32'));
const calls = Number(opt('--events', '100'));
let seed = Number(opt('--seed', '1')) >>> 0;
const rnd = (k) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % k; };

// Three topics a log, two of them new each time: a block's 800 logs set
// most of the bloom's 2048 bits, as a token or exchange contract's do.
const NOISE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Noise {
    function noise(uint256 n, uint256 size, uint256 salt) external {
        assembly {
            let p := mload(0x40)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let t := add(salt, i)
                if gt(size, 31) { mstore(p, t) }
                log3(p, size, 0x6e6f697365, t, not(t))
            }
        }
    }
}
`;

let nextId = 1;
async function rawBatch(list) {
  const body = JSON.stringify(list.map(([method, params]) => ({ jsonrpc: '2.0', id: nextId++, method, params })));
  const res = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const out = await res.json();
  const first = nextId - list.length;
  const byId = [];
  for (const a of out) {
    if (a.error) throw new Error(`${list[a.id - first][0]}: ${a.error.message}`);
    byId[a.id - first] = a.result;
  }
  return byId;
}
const raw = async (method, params) => (await rawBatch([[method, params]]))[0];

// The gas a noise call needs, with room: 375 a log, 375 a topic, 8 a byte.
const noiseGas = 60000 + logs * (1800 + 8 * size);

async function setup(provider) {
  const address = given ? ethers.getAddress(given) : (await deploy(provider)).address;
  const firstBlock = Number(await raw('eth_blockNumber', []));
  const admin = registry(provider, address, 0);
  const vendors = [];
  for (const v of [1, 2, 3]) {
    const w = wallet(provider, v);
    if (!(await admin.isVendor(w.address))) await send(admin, 'addVendor', [w.address, `busy vendor ${v}`]);
    const c = registry(provider, address, v);
    const key = deviceKey(7000 + v);
    await send(c, 'registerDevice', [key.publicKey, 1]);
    vendors.push({ from: w.address, device: ethers.computeAddress(key.publicKey), licenses: [], floor: 0n, fw: 0 });
  }
  const { abi, bin } = compileCached('Noise', NOISE);
  const f = new ethers.ContractFactory(abi, bin, wallet(provider, 4));
  const noise = await f.deploy();
  await noise.waitForDeployment();
  return { address, firstBlock, admin, vendors, noise: await noise.getAddress(), noiseIface: new ethers.Interface(abi) };
}

// One registry call of a random kind from a random vendor, as calldata.
function registryCall(iface, vendors, address) {
  const v = vendors[rnd(3)];
  const r = rnd(100);
  const known = v.licenses;
  let data;
  if (r < 45 || known.length === 0) {
    data = iface.encodeFunctionData('issueLicense', [v.device, 1, 100 + rnd(50), 0, 2000000000 + rnd(1000), rnd(256)]);
  } else if (r < 65) {
    data = iface.encodeFunctionData('renewLicense', [known[rnd(known.length)], 2100000000 + rnd(1000)]);
  } else if (r < 80) {
    data = iface.encodeFunctionData('registerFirmware', [ethers.keccak256(ethers.toUtf8Bytes(`busy ${address} ${v.from} ${v.fw++}`)), 1 + rnd(200), 1, 2000000000, `https://fw.example/busy/${v.fw}`]);
  } else if (r < 90) {
    v.floor += 1n;
    data = iface.encodeFunctionData('raiseFloor', [1, v.floor]);
  } else {
    // A revoked license leaves the list at once: it can be neither renewed
    // nor revoked again.
    const i = rnd(known.length);
    const id = known[i];
    known[i] = known[known.length - 1];
    known.pop();
    data = iface.encodeFunctionData('revokeLicense', [id, 9]);
  }
  return { from: v.from, to: address, data, gas: '0x' + (400000).toString(16) };
}

// Receipts of the registry calls just mined: all succeeded, one event each;
// issued licenses are remembered for renewals and revocations.
async function checkRegistry(hashes, iface, vendors) {
  if (hashes.length === 0) return 0;
  const rs = await rawBatch(hashes.map((h) => ['eth_getTransactionReceipt', [h]]));
  let events = 0;
  for (const rc of rs) {
    if (!rc || rc.status !== '0x1') throw new Error(`registry transaction ${rc?.transactionHash} failed`);
    for (const l of rc.logs) {
      const e = iface.parseLog(l);
      if (e.name === 'LicenseIssued') {
        vendors.find((x) => x.from.toLowerCase() === e.args.vendor.toLowerCase()).licenses.push(e.args.licenseId);
      }
      events++;
    }
  }
  return events;
}

// The size of a noisy block's receipts as eth_getBlockReceipts answers
// them, and that every noise call in it logged all it should.
async function sample(n) {
  const res = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockReceipts', params: [ethers.toQuantity(n)] }) });
  const text = await res.text();
  const rs = JSON.parse(text).result;
  const short = rs.filter((rc) => rc.status !== '0x1' || (rc.logs.length !== logs && rc.logs.length !== 1));
  if (short.length) throw new Error(`block ${n}: ${short.length} transactions failed or logged too little`);
  return text.length;
}

// The blocks up to last whose logsBloom has the three bits of the
// registry's address set (the yellow paper's M3:2048).
async function bloomBlocks(address, last) {
  const h = ethers.getBytes(ethers.keccak256(address));
  const bits = [0, 2, 4].map((i) => ((h[i] << 8) | h[i + 1]) & 2047);
  let n = 0;
  for (let b = 0; b <= last; b += 200) {
    const list = [];
    for (let k = b; k <= Math.min(last, b + 199); k++) list.push(['eth_getBlockByNumber', [ethers.toQuantity(k), false]]);
    for (const blk of await rawBatch(list)) {
      const bloom = ethers.getBytes(blk.logsBloom);
      if (bits.every((x) => bloom[255 - (x >> 3)] & (1 << (x & 7)))) n++;
    }
  }
  return n;
}

async function main() {
  const provider = connect(rpc);
  const s = await setup(provider);
  const iface = s.admin.interface;
  const senders = [4, 5, 6, 7, 8, 9].map((i) => wallet(provider, i).address);
  const nonces = await Promise.all(senders.map((a) => provider.getTransactionCount(a)));
  for (const v of s.vendors) v.nonce = await provider.getTransactionCount(v.from);
  // Which blocks get registry calls: calls picks among the blocks, a
  // block picked twice gets two.
  const want = new Array(blocks).fill(0);
  for (let i = 0; i < calls; i++) want[rnd(blocks)]++;
  const sizes = [];
  const t0 = Date.now();
  await raw('evm_setAutomine', [false]);
  for (let b = 0; b < blocks; b++) {
    const list = [];
    for (let i = 0; i < txs; i++) {
      const k = (b * txs + i) % senders.length;
      const data = s.noiseIface.encodeFunctionData('noise', [logs, size, BigInt(b) * 1000000n + BigInt(i) * 1000n]);
      list.push(['eth_sendTransaction', [{ from: senders[k], to: s.noise, data, nonce: ethers.toQuantity(nonces[k]++),
        gas: ethers.toQuantity(noiseGas), gasPrice: '0x77359400' }]]);
    }
    // Registry calls among the noise, at a random position.
    const reg = [];
    for (let i = 0; i < want[b]; i++) {
      const tx = registryCall(iface, s.vendors, s.address);
      const v = s.vendors.find((x) => x.from === tx.from);
      tx.nonce = ethers.toQuantity(v.nonce++);
      tx.gasPrice = '0x77359400';
      const at = rnd(list.length + 1);
      list.splice(at, 0, ['eth_sendTransaction', [tx]]);
      reg.push(tx);
    }
    const hashes = await rawBatch(list);
    await raw('evm_mine', []);
    const regHashes = list.map((c, i) => (c[1][0].to === s.address ? hashes[i] : null)).filter(Boolean);
    await checkRegistry(regHashes, iface, s.vendors);
    const head = Number(await raw('eth_blockNumber', []));
    if (b === 0 || b === blocks - 1 || b % 50 === 0) sizes.push(await sample(head));
    if (b % 100 === 99) console.error(`busy: ${b + 1} of ${blocks} blocks, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  await raw('evm_setAutomine', [true]);
  const lastBlock = Number(await raw('eth_blockNumber', []));
  const eventCount = Number(BigInt(await raw('eth_getStorageAt', [s.address, '0x0', 'latest'])));
  const regLogs = await raw('eth_getLogs', [{ address: s.address, fromBlock: '0x0', toBlock: ethers.toQuantity(lastBlock) }]);
  if (regLogs.length !== eventCount) throw new Error(`eventCount ${eventCount} differs from the ${regLogs.length} registry logs`);
  const registryBlocks = new Set(regLogs.map((l) => l.blockNumber)).size;
  console.log(JSON.stringify({ registry: s.address.toLowerCase(), noise: s.noise.toLowerCase(), firstBlock: s.firstBlock,
    lastBlock, eventCount, registryBlocks, bloomBlocks: await bloomBlocks(s.address, lastBlock), receiptBytesMin: Math.min(...sizes), receiptBytesMax: Math.max(...sizes) }));
}

main().then(() => process.exit(0), (e) => { console.error(`busy.mjs: ${e.shortMessage ?? e.message}`); process.exit(1); });
