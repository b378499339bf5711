// registry.mjs: drives the LicenseRegistry on a node, for tests and the demo.
// Run with --help for the commands.  Accounts are anvil's default mnemonic
// accounts, chosen by index (--from N; 0 is the admin).  Every command prints
// JSON lines.  The registry address comes from --registry or LICGATE_REGISTRY.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { compile } from './compile.mjs';

export const MNEMONIC = 'test test test test test test test test test test test junk';

export function wallet(provider, index) {
  return ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
}

// Fresh nonces for every transaction: anvil mines each one at once.
export function connect(rpc) {
  const p = new ethers.JsonRpcProvider(rpc, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  p.pollingInterval = 50;
  return p;
}

async function waitReceipt(provider, hash) {
  for (let i = 0; i < 1500; i++) {
    const r = await provider.getTransactionReceipt(hash);
    if (r) return r;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  throw new Error(`no receipt for ${hash} after 30 s`);
}

export async function deploy(provider) {
  const { abi, bin } = compile();
  const factory = new ethers.ContractFactory(abi, bin, wallet(provider, 0));
  const c = await factory.deploy();
  const receipt = await waitReceipt(provider, c.deploymentTransaction().hash);
  const net = await provider.getNetwork();
  return { address: await c.getAddress(), block: receipt.blockNumber, chainId: Number(net.chainId), gasUsed: Number(receipt.gasUsed) };
}

export function registry(provider, address, from = 0) {
  const { abi } = compile.cached ?? (compile.cached = compile());
  return new ethers.Contract(address, abi, wallet(provider, from));
}

// Sends one call and returns its receipt.  The receipt is polled for
// directly: ethers' tx.wait() relies on a block poller that was seen to stall
// under load, leaving a test hung with the receipt already on chain.
export async function send(contract, method, args) {
  const tx = await contract[method](...args);
  const r = await waitReceipt(contract.runner.provider, tx.hash);
  if (r.status !== 1) throw new Error(`${method}: transaction ${tx.hash} failed`);
  return r;
}

// The digest rule, recomputed from logs: d = keccak(d ‖ topics ‖ keccak(data)).
export function digestOf(logs) {
  let d = ethers.ZeroHash;
  for (const l of logs) d = ethers.keccak256(ethers.concat([d, ...l.topics, ethers.keccak256(l.data)]));
  return { count: logs.length, digest: d };
}

export async function registryLogs(provider, address, toBlock = 'latest') {
  return provider.getLogs({ address, fromBlock: 0, toBlock });
}

export async function slots(provider, address, blockTag = 'latest') {
  const count = BigInt(await provider.getStorage(address, 0, blockTag));
  const digest = ethers.zeroPadValue(await provider.getStorage(address, 1, blockTag), 32);
  return { count: Number(count), digest };
}

// Deterministic device keys: the device's key is keccak("device" ‖ i).
export function deviceKey(i) {
  return new ethers.SigningKey(ethers.keccak256(ethers.toUtf8Bytes(`licgate-device-${i}`)));
}

// State rebuilt from the logs alone, as an independent reader sees it.
export async function dump(provider, address) {
  const iface = registry(provider, address).interface;
  const s = { admin: null, vendors: {}, gateways: {}, devices: {}, firmware: {}, floors: {}, licenses: {}, anchors: {}, events: 0 };
  for (const log of await registryLogs(provider, address)) {
    const e = iface.parseLog(log);
    const a = e.args;
    s.events++;
    switch (e.name) {
      case 'AdminTransferred': s.admin = a.newAdmin.toLowerCase(); break;
      case 'VendorAdded': s.vendors[a.vendor.toLowerCase()] = { name: a.name, active: true }; break;
      case 'VendorRemoved': s.vendors[a.vendor.toLowerCase()].active = false; break;
      case 'GatewayAuthorized': s.gateways[a.gateway.toLowerCase()] = { label: a.label, active: true }; break;
      case 'GatewayWithdrawn': s.gateways[a.gateway.toLowerCase()].active = false; break;
      case 'DeviceRegistered': s.devices[a.device.toLowerCase()] = { vendor: a.vendor.toLowerCase(), role: Number(a.role), publicKey: a.publicKey, revoked: false }; break;
      case 'DeviceRoleChanged': s.devices[a.device.toLowerCase()].role = Number(a.role); break;
      case 'DeviceRevoked': s.devices[a.device.toLowerCase()].revoked = true; break;
      case 'FirmwareRegistered': s.firmware[a.imageHash] = { vendor: a.vendor.toLowerCase(), version: Number(a.version), role: Number(a.role), endOfSupport: Number(a.endOfSupport), uri: a.uri, revoked: false }; break;
      case 'FirmwareRevoked': s.firmware[a.imageHash].revoked = true; break;
      case 'SecurityFloorRaised': s.floors[`${a.vendor.toLowerCase()}/${a.role}`] = Number(a.minVersion); break;
      case 'LicenseIssued': s.licenses[a.licenseId.toString()] = { device: a.device.toLowerCase(), vendor: a.vendor.toLowerCase(), role: Number(a.role), maxVersion: Number(a.maxVersion), notBefore: Number(a.notBefore), expiresAt: Number(a.expiresAt), features: ethers.toBeHex(a.features), revoked: false }; break;
      case 'LicenseRenewed': s.licenses[a.licenseId.toString()].expiresAt = Number(a.expiresAt); break;
      case 'LicenseRevoked': s.licenses[a.licenseId.toString()].revoked = true; break;
      case 'InstallsAnchored': {
        const k = `${a.gateway.toLowerCase()}/${a.root}`;
        s.anchors[k] ??= { firstSeq: Number(a.firstSeq), count: Number(a.count) };
        break;
      }
      default: throw new Error(`unknown event ${e.name}`);
    }
  }
  return s;
}

// N valid mixed calls from vendors 1..3, reproducible from seed.
export async function random(provider, address, n, seed = 1, log = () => {}) {
  let x = seed >>> 0;
  const rnd = (k) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % k; };
  const admin = registry(provider, address, 0);
  const vendors = [1, 2, 3];
  const st = { vendors: new Set(), devices: [], firmware: [], licenses: [], floors: {}, devIndex: 1000 + seed * 1000 };
  for (const v of vendors) {
    const addr = wallet(provider, v).address;
    if (!(await admin.isVendor(addr))) await send(admin, 'addVendor', [addr, `vendor ${v}`]);
    st.vendors.add(v);
  }
  for (let i = 0; i < n; i++) {
    const v = vendors[rnd(3)];
    const c = registry(provider, address, v);
    const mine = (arr) => arr.filter((o) => o.v === v && !o.dead);
    const kind = rnd(10);
    let r;
    if (kind < 3 || mine(st.devices).length === 0) {
      const key = deviceKey(st.devIndex++);
      const pub = rnd(2) ? key.publicKey : key.compressedPublicKey;
      r = await send(c, 'registerDevice', [pub, 1 + rnd(4)]);
      st.devices.push({ v, addr: ethers.computeAddress(key.publicKey) });
    } else if (kind < 5) {
      const h = ethers.keccak256(ethers.toUtf8Bytes(`fw-${seed}-${i}`));
      r = await send(c, 'registerFirmware', [h, 1 + rnd(20), 1 + rnd(4), 2000000000 + rnd(1000), `https://fw.example/${i}`]);
      st.firmware.push({ v, h });
    } else if (kind < 7) {
      const d = mine(st.devices)[rnd(mine(st.devices).length)];
      r = await send(c, 'issueLicense', [d.addr, 1 + rnd(4), 1 + rnd(30), 0, rnd(3) ? 2000000000 + rnd(1000) : 0, rnd(256)]);
      st.licenses.push({ v, id: BigInt(r.logs[0].topics[1]) });
    } else if (kind === 7 && mine(st.licenses).length) {
      const ls = mine(st.licenses); const l = ls[rnd(ls.length)];
      const id = l.id;
      if (rnd(2)) { r = await send(c, 'renewLicense', [id, 2100000000 + rnd(1000)]); }
      else { r = await send(c, 'revokeLicense', [id, 1 + rnd(5)]); l.dead = true; }
    } else if (kind === 8) {
      const role = 1 + rnd(4); const k = `${v}/${role}`;
      const onChain = Number(await c.securityFloor(wallet(provider, v).address, role));
      st.floors[k] = Math.max(st.floors[k] ?? 0, onChain) + 1 + rnd(3);
      r = await send(c, 'raiseFloor', [role, st.floors[k]]);
    } else {
      const ds = mine(st.devices); const d = ds[rnd(ds.length)];
      if (rnd(3)) r = await send(c, 'changeDeviceRole', [d.addr, 1 + rnd(4)]);
      else { r = await send(c, 'revokeDevice', [d.addr, 1 + rnd(9)]); d.dead = true; }
    }
    log(r);
  }
}

// {header, proof} of slots 0 and 1 at a block, for licgatectl verify-proof.
export async function proofFile(provider, address, blockTag = 'latest') {
  const block = await provider.send('eth_getBlockByNumber', [blockTag, false]);
  // anvil wants storage keys as 32-byte data, not quantities.
  const keys = [0, 1].map((i) => ethers.zeroPadValue(ethers.toBeHex(i), 32));
  const proof = await provider.send('eth_getProof', [address, keys, block.number]);
  return { header: block, proof };
}

// Sends method with its string arguments taken as 0x hex bytes: ethers
// encodes a JS string as UTF-8, so bytes that are not (ff fe, a NUL) are
// encoded as type bytes, whose ABI encoding is a string's, under the
// function's own selector.  The receipt's logs are printed raw: a reader
// that decodes strings as UTF-8 could not parse them.
export async function sendRaw(contract, method, args) {
  const f = contract.interface.getFunction(method);
  const types = f.inputs.map((i) => (i.type === 'string' ? 'bytes' : i.type));
  const data = ethers.concat([f.selector, ethers.AbiCoder.defaultAbiCoder().encode(types, args)]);
  const tx = await contract.runner.sendTransaction({ to: await contract.getAddress(), data });
  const r = await waitReceipt(contract.runner.provider, tx.hash);
  if (r.status !== 1) throw new Error(`${method}: transaction ${tx.hash} failed`);
  return r;
}

// count licenses from vendor `from` for one device, fast: automine off,
// transactions with explicit nonces sent in JSON-RPC batches and one
// evm_mine per block, as bulk.mjs does; anvil signs them itself (its
// accounts are unlocked), which is 10 times faster than signing here.
export async function bulkLicenses(provider, address, from, [device, role, maxVersion, count]) {
  const c = registry(provider, address, from);
  const w = wallet(provider, from);
  const args = (i) => [device, role, maxVersion, 0, 2000000000 + i, i];
  const gas = Number(await c.issueLicense.estimateGas(...args(0))) * 2;
  const perBlock = Math.floor(20000000 / gas);
  const selector = c.interface.getFunction('issueLicense').selector;
  // Node's fetch, not the provider: ethers converts request and answer
  // text to and from UTF-8 in JavaScript, slower than the node is.
  const url = provider._getConnection().url;
  const rpc = async (calls) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))) });
    const out = await res.json();
    for (const a of out) if (a.error) throw new Error(`${calls[a.id][0]}: ${a.error.message}`);
    return out;
  };
  let nonce = await provider.getTransactionCount(w.address, 'pending');
  await rpc([['evm_setAutomine', [false]]]);
  try {
    for (let done = 0; done < Number(count);) {
      const txs = [];
      for (let k = 0; k < perBlock && done < Number(count); k++, done++) {
        // All arguments are static: words after the selector, written by
        // hand (ethers' encoder took most of the run time).
        const data = selector + args(done).map((a) => BigInt(a).toString(16).padStart(64, '0')).join('');
        txs.push(['eth_sendTransaction', [{ from: w.address, to: address, data, nonce: ethers.toQuantity(nonce++),
          gas: ethers.toQuantity(gas), gasPrice: ethers.toQuantity(2000000000n) }]]);
      }
      await rpc(txs);
      await rpc([['evm_mine', []]]);
      const [blk] = await rpc([['eth_getBlockReceipts', ['latest']]]);
      if (blk.result.length !== txs.length || blk.result.some((rc) => rc.status !== '0x1')) throw new Error('a bulk license transaction failed or was not mined');
    }
  } finally {
    await rpc([['evm_setAutomine', [true]]]);
  }
  return { licenses: Number(count), block: await provider.getBlockNumber() };
}

const HELP = `usage: node tests/chain/registry.mjs --rpc URL [--registry ADDR] [--from N] [--raw-strings] COMMAND ARGS
  deploy                                  deploy the registry (from account 0, the admin)
  vendor add|remove ADDR [NAME]           admin adds or removes a vendor
  gateway add|remove ADDR [LABEL]         admin authorises or withdraws a gateway
  device register PUBKEY ROLE             vendor registers a device (prints its address)
  device role|revoke ADDR ROLE|REASON     vendor changes a device's role or revokes it
  firmware register HASH VERSION ROLE EOS URI
  firmware revoke HASH REASON
  firmware floor ROLE MINVERSION          vendor raises its security floor for a role
  license issue DEVICE ROLE MAXVERSION NOTBEFORE EXPIRESAT FEATURES
  license renew|revoke ID EXPIRESAT|REASON
  license bulk DEVICE ROLE MAXVERSION COUNT  COUNT licenses at once (automine off, batched)
  account N                               address of anvil account N
  devkey N                                a deterministic device key pair
  random N [SEED]                         N valid mixed calls from vendors 1..3
  digest                                  recompute the digest from logs, compare with slots 0/1
  dump                                    the state rebuilt from logs, as JSON
  proof [BLOCK]                           {header, proof} of slots 0/1 (for licgatectl verify-proof)
  gas                                     gas used by each call, measured on this node
--raw-strings: a call's string arguments are 0x hex bytes, sent as they are (any bytes)`;

function opt(argv, name, def) {
  const i = argv.indexOf(name);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}

const CALLS = {
  'vendor add': ['addVendor', 0], 'vendor remove': ['removeVendor', 0],
  'gateway add': ['authorizeGateway', 0], 'gateway remove': ['withdrawGateway', 0],
  'device register': ['registerDevice'], 'device role': ['changeDeviceRole'], 'device revoke': ['revokeDevice'],
  'firmware register': ['registerFirmware'], 'firmware revoke': ['revokeFirmware'], 'firmware floor': ['raiseFloor'],
  'license issue': ['issueLicense'], 'license renew': ['renewLicense'], 'license revoke': ['revokeLicense'],
};

async function gasTable(provider) {
  const d = await deploy(provider);
  const rows = [['deploy', d.gasUsed]];
  const a = registry(provider, d.address, 0), v = registry(provider, d.address, 1);
  const g = async (name, c, m, args) => rows.push([name, Number((await send(c, m, args)).gasUsed)]);
  const vend = wallet(provider, 1).address;
  await g('addVendor', a, 'addVendor', [vend, 'Acme Sensors GmbH']);
  await g('authorizeGateway', a, 'authorizeGateway', [wallet(provider, 9).address, 'hall 3 gateway']);
  const k1 = deviceKey(1), k2 = deviceKey(2), k3 = deviceKey(3);
  await g('registerDevice (65-byte key)', v, 'registerDevice', [k1.publicKey, 1]);
  await g('registerDevice (33-byte key)', v, 'registerDevice', [k2.compressedPublicKey, 1]);
  await g('registerDevice (64-byte key)', v, 'registerDevice', ['0x' + k3.publicKey.slice(4), 1]);
  const dev = ethers.computeAddress(k1.publicKey);
  await g('changeDeviceRole', v, 'changeDeviceRole', [dev, 2]);
  const h = ethers.sha256(ethers.toUtf8Bytes('firmware image'));
  await g('registerFirmware', v, 'registerFirmware', [h, 7, 2, 2000000000, 'https://fw.example/acme/7.bin']);
  await g('raiseFloor', v, 'raiseFloor', [2, 5]);
  await g('issueLicense', v, 'issueLicense', [dev, 2, 9, 0, 2000000000, 3]);
  await g('renewLicense', v, 'renewLicense', [1, 2100000000]);
  await g('revokeLicense', v, 'revokeLicense', [1, 2]);
  await g('revokeFirmware', v, 'revokeFirmware', [h, 1]);
  await g('revokeDevice', v, 'revokeDevice', [dev, 1]);
  const gw = registry(provider, d.address, 9);
  await g('anchorInstalls', gw, 'anchorInstalls', [ethers.keccak256(ethers.toUtf8Bytes('reports')), 1, 100]);
  await g('withdrawGateway', a, 'withdrawGateway', [wallet(provider, 9).address]);
  await g('removeVendor', a, 'removeVendor', [vend]);
  await g('transferAdmin', a, 'transferAdmin', [wallet(provider, 8).address]);
  return rows;
}

async function main(argv) {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) { console.log(HELP); return 0; }
  const rpc = opt(argv, '--rpc', process.env.ANVIL_URL);
  const address = opt(argv, '--registry', process.env.LICGATE_REGISTRY);
  const from = Number(opt(argv, '--from', '1'));
  const rawStrings = argv.includes('--raw-strings');
  if (rawStrings) argv.splice(argv.indexOf('--raw-strings'), 1);
  if (!rpc) throw new Error('--rpc URL (or ANVIL_URL) is required');
  const provider = connect(rpc);
  const [cmd, sub, ...rest] = argv;
  const need = () => { if (!address) throw new Error('--registry ADDR (or LICGATE_REGISTRY) is required'); return address; };
  const out = (o) => console.log(JSON.stringify(o, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  if (cmd === 'deploy') out(await deploy(provider));
  else if (cmd === 'account') out({ index: Number(sub), address: wallet(provider, Number(sub)).address.toLowerCase() });
  else if (cmd === 'devkey') { const k = deviceKey(Number(sub)); out({ privateKey: k.privateKey, publicKey: k.publicKey, compressedPublicKey: k.compressedPublicKey, address: ethers.computeAddress(k.publicKey).toLowerCase() }); }
  else if (cmd === 'random') await random(provider, need(), Number(sub), Number(rest[0] ?? 1), (r) => out({ tx: r.hash, block: r.blockNumber, gasUsed: r.gasUsed }));
  else if (cmd === 'digest') {
    const fromLogs = digestOf(await registryLogs(provider, need()));
    const stored = await slots(provider, need());
    out({ logs: fromLogs, storage: stored, equal: fromLogs.count === stored.count && fromLogs.digest === stored.digest });
    return fromLogs.digest === stored.digest && fromLogs.count === stored.count ? 0 : 1;
  } else if (cmd === 'dump') out(await dump(provider, need()));
  else if (cmd === 'proof') out(await proofFile(provider, need(), sub ?? 'latest'));
  else if (cmd === 'gas') for (const [name, gas] of await gasTable(provider)) out({ call: name, gasUsed: gas });
  else if (cmd === 'license' && sub === 'bulk') out(await bulkLicenses(provider, need(), from, rest));
  else if (rawStrings && CALLS[`${cmd} ${sub}`]) {
    const [method, fixedFrom] = CALLS[`${cmd} ${sub}`];
    const r = await sendRaw(registry(provider, need(), fixedFrom ?? from), method, rest);
    out({ tx: r.hash, block: r.blockNumber, gasUsed: r.gasUsed, logs: r.logs.map((l) => ({ topics: l.topics, data: l.data })) });
  } else if (CALLS[`${cmd} ${sub}`]) {
    const [method, fixedFrom] = CALLS[`${cmd} ${sub}`];
    const c = registry(provider, need(), fixedFrom ?? from);
    const r = await send(c, method, rest);
    const events = r.logs.map((l) => c.interface.parseLog(l)).map((e) => ({ event: e.name, args: Object.fromEntries(e.fragment.inputs.map((inp, i) => [inp.name, e.args[i]])) }));
    out({ tx: r.hash, block: r.blockNumber, gasUsed: r.gasUsed, events });
  } else { console.error(`registry.mjs: unknown command '${cmd}${sub ? ' ' + sub : ''}' (--help lists them)`); return 2; }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((rc) => process.exit(rc), (e) => {
    console.error(`registry.mjs: ${e.shortMessage ?? e.message}`);
    process.exit(1);
  });
}
