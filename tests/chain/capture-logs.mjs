// capture-logs.mjs OUT: on the node at ANVIL_URL, deploys a registry, makes
// every kind of registry event at least once plus a seeded random mix, and
// writes the raw logs (address, topics, data, block, indexes) with ethers'
// decoding of each, for tests/data/registry/logs.json.
import { writeFileSync } from 'node:fs';
import { ethers } from 'ethers';
import { connect, deploy, registry, wallet, send, deviceKey, random, registryLogs } from './registry.mjs';

const provider = connect(process.env.ANVIL_URL);
const { address } = await deploy(provider);
const admin = registry(provider, address, 0), v1 = registry(provider, address, 1);
const A = (i) => wallet(provider, i).address;
await send(admin, 'addVendor', [A(1), 'Acme Sensors GmbH — Zürich']);
await send(admin, 'authorizeGateway', [A(9), 'hall 3']);
const k = deviceKey(1);
const dev = ethers.computeAddress(k.publicKey);
await send(v1, 'registerDevice', [k.compressedPublicKey, 1]);
await send(v1, 'changeDeviceRole', [dev, 2]);
const fw = ethers.sha256(ethers.toUtf8Bytes('acme-7.bin'));
await send(v1, 'registerFirmware', [fw, 7, 2, 2000000000, 'https://fw.example/acme/7.bin']);
await send(v1, 'raiseFloor', [2, 5]);
await send(v1, 'issueLicense', [dev, 2, 9, 0, 2000000000, 0b1011]);
await send(v1, 'renewLicense', [1, 2100000000]);
await send(v1, 'revokeLicense', [1, 2]);
await send(v1, 'revokeFirmware', [fw, 1]);
await send(v1, 'revokeDevice', [dev, 3]);
await send(registry(provider, address, 9), 'anchorInstalls', [ethers.keccak256(ethers.toUtf8Bytes('reports 1..100')), 1, 100]);
await send(admin, 'withdrawGateway', [A(9)]);
await random(provider, address, 60, 11);
await send(admin, 'removeVendor', [A(1)]);
await send(admin, 'transferAdmin', [A(8)]);
const iface = admin.interface;
const logs = (await registryLogs(provider, address)).map((l) => {
  const e = iface.parseLog(l);
  // Each argument in the form licgate's decoder gives it (registry.h).
  const canon = (type, v) => type === 'address' ? v.toLowerCase()
    : type === 'uint256' ? ethers.toBeHex(v, 32)
    : type.startsWith('uint') ? Number(v)
    : type === 'string' ? v : v.toLowerCase();
  const args = {};
  e.fragment.inputs.forEach((inp, i) => { args[inp.name] = canon(inp.type, e.args[i]); });
  return { address: l.address.toLowerCase(), topics: l.topics, data: l.data, blockNumber: l.blockNumber,
    transactionIndex: l.transactionIndex, logIndex: l.index, event: e.name, args };
});
const out = { registry: address.toLowerCase(), logs };
writeFileSync(process.argv[2], JSON.stringify(out, null, 1) + '\n');
console.log(`${logs.length} logs written to ${process.argv[2]}`);
