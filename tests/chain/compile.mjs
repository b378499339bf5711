// compile.mjs [--check]: compiles contracts-abi/LicenseRegistry.sol with the
// pinned solc and writes LicenseRegistry.abi.json (the ABI exactly as solc
// emits it, pretty-printed) and LicenseRegistry.bin (deploy bytecode).
// --check compares with the committed files instead and exits 1 if stale.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'contracts-abi');

// compile({cache}): solc's abi and deploy bytecode of the registry, through
// compileCached.  cache: false always compiles.
export function compile({ cache = true } = {}) {
  const source = readFileSync(join(dir, 'LicenseRegistry.sol'), 'utf8');
  return compileCached('LicenseRegistry', source, { cache });
}

// compileCached(name, source, {cache}): {abi, bin, version} of contract name
// in source (the Byzantium EVM, optimised).  Under the test suite
// (LICGATE_BUILDDIR set) the output is kept in the build directory, named by
// a SHA-256 of the solc version and the whole input (source and settings),
// so each test script's dozen calls of the registry CLI compile once: solc
// takes seconds of CPU a time.  cache: false always compiles.
export function compileCached(name, source, { cache = true } = {}) {
  const input = {
    language: 'Solidity',
    sources: { [`${name}.sol`]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'byzantium',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const build = process.env.LICGATE_BUILDDIR;
  const key = createHash('sha256').update(require('solc/package.json').version)
    .update('\0').update(JSON.stringify(input)).digest('hex');
  const file = cache && build ? join(build, 'tests', 'solc-cache', `${key}.json`) : null;
  if (file) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // not compiled yet (or unreadable): compile below
    }
  }
  const solc = require('solc');
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts[`${name}.sol`][name];
  const result = { abi: c.abi, bin: '0x' + c.evm.bytecode.object, version: solc.version() };
  if (file) {
    // Written whole under another name, then renamed: scripts running at
    // once never read half a file.
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(result));
    renameSync(`${file}.${process.pid}`, file);
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    console.log('usage: node tests/chain/compile.mjs [--check]');
    process.exit(0);
  }
  const { abi, bin, version } = compile({ cache: false });
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
