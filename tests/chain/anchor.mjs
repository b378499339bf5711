// tests/chain/anchor.mjs: anchors a batch of install reports as a gateway
// does, for tests that need anchors before licgated makes its own:
//   node anchor.mjs --rpc URL --registry ADDR --key FILE FIRST_SEQ LEAF...
// The root is computed here, independently of licgate's merkle.c, as
// RFC 9162 section 2.1.1 defines it over the leaf hashes given (0x hex, as
// licgatectl installs --json shows them); the gateway's account (its key
// file: 64 hex digits, licgatectl keygen's) is given funds by account 0,
// then calls anchorInstalls(root, FIRST_SEQ, count).  Prints {root, block, tx,
// txIndex, gasUsed}.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ethers } from 'ethers';
import { connect, registry, send, wallet } from './registry.mjs';

const sha256 = (...parts) => '0x' + createHash('sha256').update(ethers.getBytes(ethers.concat(parts))).digest('hex');

// MTH(D[n]): the leaves are hashed already; a node is SHA-256(0x01 || l || r),
// the left subtree of n leaves holding the largest power of two below n.
export function root(leaves) {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256('0x01', root(leaves.slice(0, k)), root(leaves.slice(k)));
}

function opt(argv, name) {
  const i = argv.indexOf(name);
  if (i < 0) throw new Error(`${name} is required`);
  return argv.splice(i, 2)[1];
}

async function main(argv) {
  const provider = connect(opt(argv, '--rpc'));
  const address = opt(argv, '--registry');
  const key = '0x' + readFileSync(opt(argv, '--key'), 'utf8').trim().replace(/^0x/, '');
  const [first, ...leaves] = argv;
  if (leaves.length === 0) throw new Error('usage: anchor.mjs --rpc URL --registry ADDR --key FILE FIRST_SEQ LEAF...');
  const gw = new ethers.Wallet(key, provider);
  // Funds by a transfer: anvil_setBalance changes state outside any block,
  // and anvil's eth_getProof at the next block then fails to verify
  // against that block's stateRoot.
  if (await provider.getBalance(gw.address) < ethers.parseEther('1')) {
    const tx = await wallet(provider, 0).sendTransaction({ to: gw.address, value: ethers.parseEther('10') });
    await tx.wait();
  }
  const r = root(leaves);
  const c = registry(provider, address, 0).connect(gw);
  const rc = await send(c, 'anchorInstalls', [r, BigInt(first), BigInt(leaves.length)]);
  console.log(JSON.stringify({ root: r, block: rc.blockNumber, tx: rc.hash, txIndex: rc.index, gasUsed: Number(rc.gasUsed) }));
}

main(process.argv.slice(2)).catch((e) => { console.error(e.shortMessage ?? e.message); process.exit(1); });
