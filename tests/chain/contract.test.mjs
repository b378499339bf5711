// contract.test.mjs: the registry's rules on a real node (ANVIL_URL), run by
// tests/contract.sh with node's test runner.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { ethers } from 'ethers';
import { connect, deploy, registry, wallet, send, deviceKey, digestOf, registryLogs, slots, random, proofFile } from './registry.mjs';

const provider = connect(process.env.ANVIL_URL);
// A hung call fails its test instead of blocking the suite.
const T = { timeout: 120000 };
let addr, admin, v1, v2, stranger;
const A = (i) => wallet(provider, i).address;
const FW = ethers.sha256(ethers.toUtf8Bytes('acme-sensor-7.bin'));

// Asserts the call reverts with custom error NAME and changes nothing.
async function rejects(contract, method, args, name) {
  const before = await slots(provider, addr);
  await assert.rejects(contract[method](...args), (e) => {
    const got = e.revert?.name ?? (e.data ? contract.interface.parseError(e.data)?.name : undefined);
    assert.equal(got, name, `${method}: got ${got ?? e.shortMessage}`);
    return true;
  });
  assert.deepEqual(await slots(provider, addr), before, `${method} changed state`);
}

// The one event a receipt carries, parsed.
function eventOf(c, receipt) {
  assert.equal(receipt.logs.length, 1, 'exactly one event per state change');
  return c.interface.parseLog(receipt.logs[0]);
}

before(async () => {
  ({ address: addr } = await deploy(provider));
  admin = registry(provider, addr, 0);
  v1 = registry(provider, addr, 1);
  v2 = registry(provider, addr, 2);
  stranger = registry(provider, addr, 7);
  await send(admin, 'addVendor', [A(1), 'Acme']);
  await send(admin, 'addVendor', [A(2), 'Globex']);
});

test('deployment emits AdminTransferred and counts it', T, async () => {
  const s = await slots(provider, addr);
  assert.ok(s.count >= 1);
  const logs = await registryLogs(provider, addr);
  const e = admin.interface.parseLog(logs[0]);
  assert.equal(e.name, 'AdminTransferred');
  assert.equal(e.args.newAdmin, A(0));
  assert.equal(await admin.admin(), A(0));
});

test('only the admin manages vendors and gateways', T, async () => {
  await rejects(stranger, 'addVendor', [A(5), 'x'], 'NotAdmin');
  await rejects(v1, 'addVendor', [A(5), 'x'], 'NotAdmin');
  await rejects(stranger, 'authorizeGateway', [A(9), 'gw'], 'NotAdmin');
  await rejects(admin, 'addVendor', [A(1), 'again'], 'AlreadyVendor');
  await rejects(admin, 'addVendor', [ethers.ZeroAddress, 'zero'], 'ZeroAddress');
  await rejects(admin, 'removeVendor', [A(6)], 'UnknownVendor');
  await rejects(admin, 'addVendor', [A(5), 'x'.repeat(257)], 'TextTooLong');
  const r = await send(admin, 'authorizeGateway', [A(9), 'hall 3']);
  const e = eventOf(admin, r);
  assert.equal(e.name, 'GatewayAuthorized');
  assert.equal(e.args.gateway, A(9));
  assert.equal(e.args.label, 'hall 3');
  await rejects(admin, 'authorizeGateway', [A(9), 'again'], 'AlreadyGateway');
  assert.equal(eventOf(admin, await send(admin, 'withdrawGateway', [A(9)])).name, 'GatewayWithdrawn');
  assert.equal(await admin.isGateway(A(9)), false);
});

test('only an authorised gateway anchors install reports', T, async () => {
  const gw = registry(provider, addr, 8);
  const root = ethers.keccak256(ethers.toUtf8Bytes('a batch of install reports'));
  await rejects(gw, 'anchorInstalls', [root, 1, 3], 'NotGateway');
  await rejects(v1, 'anchorInstalls', [root, 1, 3], 'NotGateway');
  await send(admin, 'authorizeGateway', [A(8), 'hall 4']);
  const e = eventOf(gw, await send(gw, 'anchorInstalls', [root, 1, 3]));
  assert.deepEqual([e.name, e.args.gateway, e.args.root, e.args.firstSeq, e.args.count],
    ['InstallsAnchored', A(8), root, 1n, 3n]);
  await rejects(gw, 'anchorInstalls', [root, 4, 0], 'EmptyBatch');
  await rejects(gw, 'anchorInstalls', [ethers.ZeroHash, 4, 1], 'EmptyBatch');
  // A withdrawn gateway's anchors are refused.
  await send(admin, 'withdrawGateway', [A(8)]);
  await rejects(gw, 'anchorInstalls', [root, 4, 2], 'NotGateway');
});

test('device ids are the addresses of their keys, in every key form', T, async () => {
  for (const [i, form] of [[1, 'u65'], [2, 'c33'], [3, 'raw64']]) {
    const k = deviceKey(100 + i);
    const pub = form === 'u65' ? k.publicKey : form === 'c33' ? k.compressedPublicKey : '0x' + k.publicKey.slice(4);
    const r = await send(v1, 'registerDevice', [pub, 1]);
    const e = eventOf(v1, r);
    assert.equal(e.name, 'DeviceRegistered');
    assert.equal(e.args.device, ethers.computeAddress(k.publicKey), form);
    assert.equal(e.args.vendor, A(1));
    assert.equal(e.args.role, 1n);
    assert.equal(e.args.publicKey, pub);
  }
  await rejects(v1, 'registerDevice', [deviceKey(101).publicKey, 1], 'DeviceExists');
  await rejects(v1, 'registerDevice', ['0x' + '04'.repeat(20), 1], 'BadPublicKey');
  await rejects(v1, 'registerDevice', ['0x02' + 'ff'.repeat(32), 1], 'BadPublicKey');
  await rejects(v1, 'registerDevice', [deviceKey(150).publicKey, 0], 'BadRole');
  await rejects(stranger, 'registerDevice', [deviceKey(151).publicKey, 1], 'NotVendor');
});

test('only the registering vendor changes or revokes a device', T, async () => {
  const k = deviceKey(200);
  const dev = ethers.computeAddress(k.publicKey);
  await send(v1, 'registerDevice', [k.publicKey, 1]);
  await rejects(v2, 'changeDeviceRole', [dev, 2], 'NotDeviceVendor');
  await rejects(stranger, 'revokeDevice', [dev, 1], 'NotDeviceVendor');
  const e = eventOf(v1, await send(v1, 'changeDeviceRole', [dev, 3]));
  assert.equal(e.name, 'DeviceRoleChanged');
  assert.equal(e.args.role, 3n);
  const r = eventOf(v1, await send(v1, 'revokeDevice', [dev, 4]));
  assert.equal(r.name, 'DeviceRevoked');
  assert.equal(r.args.reason, 4n);
  await rejects(v1, 'changeDeviceRole', [dev, 2], 'DeviceIsRevoked');
  await rejects(v1, 'issueLicense', [dev, 1, 5, 0, 0, 0], 'DeviceIsRevoked');
});

test('firmware: registered once, revoked by its vendor only', T, async () => {
  const e = eventOf(v1, await send(v1, 'registerFirmware', [FW, 7, 2, 2000000000, 'https://fw.example/7.bin']));
  assert.equal(e.name, 'FirmwareRegistered');
  assert.deepEqual([e.args.imageHash, e.args.vendor, e.args.version, e.args.role, e.args.endOfSupport, e.args.uri],
    [FW, A(1), 7n, 2n, 2000000000n, 'https://fw.example/7.bin']);
  await rejects(v2, 'registerFirmware', [FW, 8, 2, 0, ''], 'FirmwareExists');
  await rejects(v1, 'registerFirmware', [ethers.ZeroHash, 8, 2, 0, ''], 'BadImageHash');
  await rejects(v2, 'revokeFirmware', [FW, 1], 'NotFirmwareVendor');
  await rejects(v1, 'revokeFirmware', [ethers.id('nope'), 1], 'UnknownFirmware');
});

test('the security floor only goes up', T, async () => {
  const e = eventOf(v1, await send(v1, 'raiseFloor', [2, 5]));
  assert.equal(e.name, 'SecurityFloorRaised');
  assert.deepEqual([e.args.vendor, e.args.role, e.args.minVersion], [A(1), 2n, 5n]);
  await rejects(v1, 'raiseFloor', [2, 5], 'FloorNotRaised');
  await rejects(v1, 'raiseFloor', [2, 4], 'FloorNotRaised');
  await send(v1, 'raiseFloor', [2, 6]);
  assert.equal(await v1.securityFloor(A(1), 2), 6n);
  assert.equal(await v1.securityFloor(A(2), 2), 0n, 'floors are per vendor');
});

test('licenses: unique ids, fields, renew and revoke by the issuer only', T, async () => {
  const k = deviceKey(300);
  const dev = ethers.computeAddress(k.publicKey);
  await send(v1, 'registerDevice', [k.publicKey, 2]);
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const e = eventOf(v1, await send(v1, 'issueLicense', [dev, 2, 9 + i, 100, 2000000000, 0b101]));
    assert.equal(e.name, 'LicenseIssued');
    assert.deepEqual([e.args.device, e.args.vendor, e.args.role, e.args.maxVersion, e.args.notBefore, e.args.expiresAt, e.args.features],
      [dev, A(1), 2n, BigInt(9 + i), 100n, 2000000000n, 5n]);
    ids.push(e.args.licenseId);
  }
  assert.equal(new Set(ids.map(String)).size, 5);
  ids.forEach((id, i) => i && assert.equal(id, ids[i - 1] + 1n));
  await rejects(v1, 'issueLicense', [dev, 2, 9, 200, 100, 0], 'BadValidity');
  await rejects(v1, 'issueLicense', [A(6), 2, 9, 0, 0, 0], 'UnknownDevice');
  await rejects(v2, 'renewLicense', [ids[0], 2100000000], 'NotLicenseVendor');
  await rejects(v1, 'renewLicense', [ids[0], 50], 'BadValidity');
  await rejects(v1, 'renewLicense', [999999, 0], 'UnknownLicense');
  const r = eventOf(v1, await send(v1, 'renewLicense', [ids[0], 2100000000]));
  assert.deepEqual([r.name, r.args.licenseId, r.args.expiresAt], ['LicenseRenewed', ids[0], 2100000000n]);
  const x = eventOf(v1, await send(v1, 'revokeLicense', [ids[0], 3]));
  assert.deepEqual([x.name, x.args.licenseId, x.args.reason], ['LicenseRevoked', ids[0], 3n]);
  await rejects(v1, 'revokeLicense', [ids[0], 3], 'LicenseIsRevoked');
  // A removed vendor can no longer act, and a revoked license's id stays taken.
  await send(admin, 'removeVendor', [A(1)]);
  await rejects(v1, 'renewLicense', [ids[1], 2100000000], 'NotLicenseVendor');
  await rejects(v1, 'issueLicense', [dev, 2, 9, 0, 0, 0], 'NotVendor');
  await send(admin, 'addVendor', [A(1), 'Acme again']);
  const next = eventOf(v1, await send(v1, 'issueLicense', [dev, 2, 9, 0, 0, 0])).args.licenseId;
  assert.equal(next, ids[4] + 1n);
});

test('the digest from logs equals storage and its proof after 300 mixed calls', T, async () => {
  await random(provider, addr, 300, 42);
  const logs = await registryLogs(provider, addr);
  const mine = digestOf(logs);
  const stored = await slots(provider, addr);
  assert.equal(stored.count, logs.length);
  assert.equal(mine.count, stored.count);
  assert.equal(mine.digest, stored.digest);
  const pf = await proofFile(provider, addr);
  assert.equal(BigInt(pf.proof.storageProof[0].value), BigInt(stored.count));
  assert.equal(ethers.zeroPadValue(ethers.toBeHex(BigInt(pf.proof.storageProof[1].value)), 32), stored.digest);
  // The same proof verifies with licgate's own C primitives.
  const file = `${process.env.TMPDIR ?? '/tmp'}/registry-proof-${process.pid}.json`;
  writeFileSync(file, JSON.stringify(pf));
  let out;
  try {
    out = execFileSync(process.env.LICGATECTL, ['verify-proof', file], { encoding: 'utf8' });
  } finally {
    rmSync(file, { force: true });
  }
  assert.match(out, /^ok 0x[0-9a-f]{40} account present, 2 storage slots \(2 present, 0 absent\)/);
});
