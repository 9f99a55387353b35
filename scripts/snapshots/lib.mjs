// Shared helpers for the heap snapshot fixture generators in scripts/snapshots/.
// Same conventions as scripts/fixtures/lib.mjs (case dirs, case.toml with
// `description` and `source`, gzip -9 -n for big inputs), for .heapsnapshot
// and .heaptimeline files.
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SNAPSHOTS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(SNAPSHOTS_DIR, '..', '..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');
export const NODE_VERSION = process.version;
// Inputs above this are stored gzipped (fixtures/README.md: 1 MiB rule).
export const MAX_PLAIN_BYTES = 1024 * 1024;
// Budget for one gzipped input.
export const MAX_GZ_BYTES = 1.5 * 1024 * 1024;

export function caseDir(rel) {
  const dir = path.join(FIXTURES_DIR, rel);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function tomlString(s) {
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new Error(`control character in ${s}`);
  return JSON.stringify(s);
}

// Writes `description` and `source` of case.toml. Anything else already in
// the file (the `[[run]]` tables the e2e tests add) is kept as it is.
export function writeCaseToml(dir, { description, source }) {
  const file = path.join(dir, 'case.toml');
  const head = `description = ${tomlString(description)}\nsource = ${tomlString(source)}\n`;
  let rest = '';
  if (fs.existsSync(file)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    rest = lines.filter((l) => !/^(description|source)\s*=/.test(l)).join('\n');
    rest = rest.replace(/^\n+/, '');
    if (rest) rest = `\n${rest}`;
  }
  fs.writeFileSync(file, head + rest);
}

// Light structural check of a snapshot text (V8 layout); returns counts.
export function checkSnapshot(text, label) {
  const head = text.slice(0, 4096);
  if (!head.startsWith('{"snapshot":{"meta":')) throw new Error(`${label}: not a V8 heap snapshot`);
  const obj = JSON.parse(text);
  const { meta, node_count: nodeCount, edge_count: edgeCount } = obj.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  if (obj.nodes.length !== nodeCount * nf) throw new Error(`${label}: nodes length ${obj.nodes.length} != ${nodeCount}*${nf}`);
  if (obj.edges.length !== edgeCount * ef) throw new Error(`${label}: edges length ${obj.edges.length} != ${edgeCount}*${ef}`);
  const ecCol = meta.node_fields.indexOf('edge_count');
  let sum = 0;
  for (let i = ecCol; i < obj.nodes.length; i += nf) sum += obj.nodes[i];
  if (sum !== edgeCount) throw new Error(`${label}: sum of edge_count ${sum} != ${edgeCount}`);
  const toCol = meta.edge_fields.indexOf('to_node');
  for (let i = toCol; i < obj.edges.length; i += ef) {
    const t = obj.edges[i];
    if (t % nf !== 0 || t >= obj.nodes.length) throw new Error(`${label}: bad to_node ${t} at ${i}`);
  }
  const detCol = meta.node_fields.indexOf('detachedness');
  const detached = { 0: 0, 1: 0, 2: 0 };
  if (detCol >= 0) for (let i = detCol; i < obj.nodes.length; i += nf) detached[obj.nodes[i]]++;
  return { nodeCount, edgeCount, strings: obj.strings.length, detachedness: detached, obj };
}

// Writes one input. If the text is over MAX_PLAIN_BYTES, or `gzip` is true,
// it is stored as NAME.gz made by `gzip -9 -n`; a stale plain or .gz twin is
// removed so that reruns leave exactly one copy. Returns the path written.
export function writeInput(dir, name, text, { gzip = undefined } = {}) {
  const plain = path.join(dir, name);
  const gz = `${plain}.gz`;
  const info = checkSnapshot(text, plain);
  const bytes = Buffer.byteLength(text);
  fs.rmSync(plain, { force: true });
  fs.rmSync(gz, { force: true });
  const zip = gzip ?? bytes > MAX_PLAIN_BYTES;
  if (!zip) {
    fs.writeFileSync(plain, text);
    log(`wrote ${rel(plain)}: ${bytes} bytes, ${info.nodeCount} nodes, ${info.edgeCount} edges`);
    return plain;
  }
  const zipped = execFileSync('gzip', ['-9', '-n', '-c'], { input: text, maxBuffer: 1 << 30 });
  if (zipped.length > MAX_GZ_BYTES) {
    throw new Error(`${gz}: ${zipped.length} bytes gzipped (budget ${MAX_GZ_BYTES}); lower the workload`);
  }
  fs.writeFileSync(gz, zipped);
  log(`wrote ${rel(gz)}: ${bytes} bytes raw, ${zipped.length} gzipped, ${info.nodeCount} nodes, ${info.edgeCount} edges`);
  return gz;
}

export function rel(p) {
  return path.relative(REPO_ROOT, p);
}

export function log(msg) {
  process.stderr.write(`[snapshots] ${msg}\n`);
}

// Runs the node program `program` in a temp dir with `names` as its arguments
// (the snapshot files it writes there) and returns the texts of those files.
export function runSnapshotProgram(program, names) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-snap-'));
  try {
    execFileSync(process.execPath, [program, ...names], { cwd: tmp, stdio: ['ignore', 'inherit', 'inherit'] });
    return names.map((name) => fs.readFileSync(path.join(tmp, name), 'utf8'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// Forks the node program `main` with an IPC channel and returns
// `{ child, exited, next }`: `exited` settles when it exits (rejects unless
// with code 0), `next(type)` waits for its next message of that `type`
// (rejects if it exits first).
export function forkWithMailbox(main, args, options) {
  const child = fork(main, args, { ...options, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve, reject) => {
    child.on('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`server exited ${code ?? sig}`))));
  });
  const inbox = [];
  let wake = null;
  child.on('message', (m) => {
    inbox.push(m);
    if (wake) wake();
  });
  const next = async (type) => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      await Promise.race([new Promise((r) => { wake = r; }), exited.then(() => { throw new Error('server exited early'); })]);
    }
  };
  return { child, exited, next };
}

// Promise wrapper for an inspector Session's post().
export function post(session, method, params = {}) {
  return new Promise((resolve, reject) => {
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

// Deterministic PRNG (mulberry32) so every run sends the same requests.
export function prng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
