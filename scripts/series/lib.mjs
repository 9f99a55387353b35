// Shared helpers of the series generators (scripts/series/). Case dirs and
// case.toml follow scripts/snapshots/lib.mjs; inputs are checked with the
// profile and snapshot checks of scripts/fixtures/lib.mjs and
// scripts/snapshots/lib.mjs, and every one is stored gzipped (gzip -9 -n), so
// that the files of one series are named alike whatever their size.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProfile } from '../fixtures/lib.mjs';
import { checkSnapshot } from '../snapshots/lib.mjs';

export { caseDir, NODE_VERSION, prng, REPO_ROOT, rel, writeCaseToml } from '../snapshots/lib.mjs';

export const SERIES_DIR = path.dirname(fileURLToPath(import.meta.url));
// Budget for one gzipped file.
export const MAX_STORED_BYTES = 1.5 * 1024 * 1024;

export function log(msg) {
  process.stderr.write(`[series] ${msg}\n`);
}

function checkInput(name, text) {
  if (name.endsWith('.heapprofile')) return checkProfile(JSON.parse(text), name) && 'profile';
  if (name.endsWith('.heapsnapshot') || name.endsWith('.heaptimeline')) return checkSnapshot(text, name) && 'snapshot';
  throw new Error(`${name}: unknown input kind`);
}

// Writes one input as NAME.gz (gzip -9 -n); a stale plain twin is removed.
// Returns the file name written.
export function writeInput(dir, name, text) {
  checkInput(name, text);
  const plain = path.join(dir, name);
  const gz = `${plain}.gz`;
  fs.rmSync(plain, { force: true });
  fs.rmSync(gz, { force: true });
  const bytes = Buffer.byteLength(text);
  const data = execFileSync('gzip', ['-9', '-n', '-c'], { input: text, maxBuffer: 1 << 30 });
  if (data.length > MAX_STORED_BYTES) {
    throw new Error(`${gz}: ${data.length} bytes gzipped (budget ${MAX_STORED_BYTES}); lower the workload`);
  }
  fs.writeFileSync(gz, data);
  log(`wrote ${path.basename(dir)}/${path.basename(gz)}: ${bytes} bytes raw, ${data.length} gzipped`);
  return path.basename(gz);
}
