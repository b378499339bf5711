// bulk.mjs: many registry events fast, for bench/sync.  Automine off,
// signed transactions with explicit nonces sent in JSON-RPC batches, one
// evm_mine per busy block, empty blocks between busy ones.
//
//   node bulk.mjs --rpc URL --events N [--per-block K] [--empty E] [--seed S]
//                 [--only-licenses]
//
// Deploys the registry, adds three vendors with a device each, then issues,
// renews and revokes licenses and registers firmware and floors until N
// registry events exist.  Progress on stderr; the last stdout line is JSON
// {"registry", "events", "firstBlock", "lastBlock", "eventCount"}, eventCount
// read back from the contract's slot 0.
import { ethers } from 'ethers';
import { connect, deploy, deviceKey, registry, send, wallet } from './registry.mjs';

function opt(name, def) {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : process.argv[i + 1];
}

const rpc = opt('--rpc', process.env.ANVIL_URL);
const total = Number(opt('--events', '20000'));
const perBlock = Number(opt('--per-block', '40'));
const empty = Number(opt('--empty', '4'));
let seed = Number(opt('--seed', '1')) >>> 0;
const onlyLicenses = process.argv.includes('--only-licenses');
const rnd = (k) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % k; };

async function raw(method, params) {
  const res = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

async function rawBatch(calls) {
  const res = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))) });
  const out = await res.json();
  for (const a of out) if (a.error) throw new Error(`${calls[a.id][0]}: ${a.error.message}`);
  return out;
}

async function main() {
  const provider = connect(rpc);
  const { address, block: firstBlock } = await deploy(provider);
  const admin = registry(provider, address, 0);
  const vendors = [];
  let events = 1;			// AdminTransferred at deployment
  for (const v of [1, 2, 3]) {
    const w = wallet(provider, v);
    await send(admin, 'addVendor', [w.address, `bulk vendor ${v}`]);
    const c = registry(provider, address, v);
    const key = deviceKey(5000 + v);
    await send(c, 'registerDevice', [key.publicKey, 1]);
    // One image per vendor for role 1, version 1: licensed by every license.
    await send(c, 'registerFirmware', [ethers.keccak256(ethers.toUtf8Bytes(`bulk image ${v}`)), 1, 1, 2000000000, `https://fw.example/bulk/${v}`]);
    events += 3;
    vendors.push({ w, c, device: ethers.computeAddress(key.publicKey), nonce: await provider.getTransactionCount(w.address),
      licenses: [], floor: 0n, fw: 0 });
  }
  const iface = admin.interface;
  const chainId = 31337n;
  await raw('evm_setAutomine', [false]);
  const t0 = Date.now();
  let lastReport = 0;
  while (events < total) {
    const txs = [];
    const n = Math.min(perBlock, total - events);
    for (let i = 0; i < n; i++) {
      const v = vendors[rnd(3)];
      const r = rnd(100);
      const known = v.licenses;	// ids learnt from mined blocks, not revoked
      let data;
      if (onlyLicenses || r < 55 || known.length === 0) {
        data = iface.encodeFunctionData('issueLicense', [v.device, 1, 100 + rnd(50), 0, 2000000000 + rnd(1000), rnd(256)]);
      } else if (r < 75) {
        data = iface.encodeFunctionData('renewLicense', [known[rnd(known.length)], 2100000000 + rnd(1000)]);
      } else if (r < 85) {
        data = iface.encodeFunctionData('registerFirmware', [ethers.keccak256(ethers.toUtf8Bytes(`${address} ${v.w.address} ${v.fw++}`)), 1 + rnd(200), 1, 2000000000, `https://fw.example/${v.fw}`]);
      } else if (r < 92) {
        v.floor += 1n;
        data = iface.encodeFunctionData('raiseFloor', [1, v.floor]);
      } else {
        // A revoked license can be neither renewed nor revoked again:
        // it leaves the list at once (swap with the last, O(1)).
        const i = rnd(known.length);
        const id = known[i];
        known[i] = known[known.length - 1];
        known.pop();
        data = iface.encodeFunctionData('revokeLicense', [id, 9]);
      }
      const tx = { to: address, data, nonce: v.nonce++, gasLimit: 400000, gasPrice: 2000000000n, chainId, type: 0 };
      txs.push(['eth_sendRawTransaction', [await v.w.signTransaction(tx)]]);
    }
    await rawBatch(txs);
    await raw('evm_mine', []);
    const blk = await raw('eth_getBlockReceipts', ['latest']);
    for (const rc of blk) {
      if (rc.status !== '0x1') {
        const tx = await raw('eth_getTransactionByHash', [rc.transactionHash]);
        const call = iface.parseTransaction({ data: tx.input });
        throw new Error(`transaction ${rc.transactionHash} (${call.name} ${call.args.join(' ')}) failed`);
      }
      for (const l of rc.logs) {
        const e = iface.parseLog(l);
        if (e.name === 'LicenseIssued') {
          const v = vendors.find((x) => x.w.address.toLowerCase() === e.args.vendor.toLowerCase());
          v.licenses.push(e.args.licenseId);
        }
      }
    }
    events += blk.reduce((k, rc) => k + rc.logs.length, 0);
    if (empty > 0) await raw('anvil_mine', [ethers.toQuantity(empty)]);
    if (events - lastReport >= 2000) {
      lastReport = events;
      console.error(`bulk: ${events} events, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  await raw('evm_setAutomine', [true]);
  const lastBlock = Number(await raw('eth_blockNumber', []));
  const eventCount = Number(BigInt(await raw('eth_getStorageAt', [address, '0x0', 'latest'])));
  console.log(JSON.stringify({ registry: address.toLowerCase(), events, firstBlock, lastBlock, eventCount }));
  if (eventCount !== events) throw new Error(`eventCount ${eventCount} differs from the ${events} events counted`);
}

main().then(() => process.exit(0), (e) => { console.error(`bulk.mjs: ${e.shortMessage ?? e.message}`); process.exit(1); });
