// compile.mjs [--check]: compiles contracts-abi/LicenseRegistry.sol with the
// pinned solc and writes LicenseRegistry.abi.json (the ABI exactly as solc
// emits it, pretty-printed) and LicenseRegistry.bin (deploy bytecode).
// --check compares with the committed files instead and exits 1 if stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'contracts-abi');
export function compile() {
  const source = readFileSync(join(dir, 'LicenseRegistry.sol'), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { 'LicenseRegistry.sol': { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts['LicenseRegistry.sol'].LicenseRegistry;
  return { abi: c.abi, bin: '0x' + c.evm.bytecode.object, version: solc.version() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    console.log('usage: node tests/chain/compile.mjs [--check]');
    process.exit(0);
  }
  const { abi, bin, version } = compile();
  const abiText = JSON.stringify(abi, null, 2) + '\n';
  if (process.argv.includes('--check')) {
    const committed = readFileSync(join(dir, 'LicenseRegistry.abi.json'), 'utf8');
    if (committed !== abiText) {
      console.error('contracts-abi/LicenseRegistry.abi.json is stale: run make abi');
      process.exit(1);
    }
    console.log(`ABI up to date (solc ${version})`);
  } else {
    writeFileSync(join(dir, 'LicenseRegistry.abi.json'), abiText);
    writeFileSync(join(dir, 'LicenseRegistry.bin'), bin + '\n');
    console.log(`wrote contracts-abi/LicenseRegistry.abi.json and .bin (solc ${version})`);
  }
}
