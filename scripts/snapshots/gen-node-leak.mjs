// fixtures/snapshot-diff/node-leak/{before,after}.heapsnapshot.gz and
// fixtures/heapsnapshot/node-leak/input.heapsnapshot.gz (a copy of after).
//
// Runs the service in leak-app/ (its cache.js keeps every POST /orders as a
// RequestRecord in the module-level Map `requestLog`, never trimmed) under a
// bounded load from a client on 127.0.0.1. In ONE process (so object ids are
// comparable): warm-up load, v8.writeHeapSnapshot -> before, more load,
// v8.writeHeapSnapshot -> after.
// Usage: node scripts/snapshots/gen-node-leak.mjs
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { caseDir, forkWithMailbox, log, NODE_VERSION, prng, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const SERVER = path.join(SNAPSHOTS_DIR, 'leak-app', 'server.js');
const WARMUP = 300;
const LEAK_LOAD = 900;
const CONCURRENCY = 4;
const MAX_OLD_SPACE_MB = 64;

function buildRequests(seed, n) {
  const rnd = prng(seed);
  const reqs = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.5) {
      const items = [];
      const k = 2 + Math.floor(rnd() * 3);
      for (let j = 0; j < k; j++) {
        items.push({
          sku: `sku-${Math.floor(rnd() * 5000)}`,
          qty: 1 + Math.floor(rnd() * 9),
          price: Math.round(rnd() * 10000) / 100,
          note: ` gift wrap ${j}, deliver before ${1 + Math.floor(rnd() * 28)} March `,
        });
      }
      const body = JSON.stringify({ customer: `customer-${Math.floor(rnd() * 900)}`, items });
      reqs.push({ method: 'POST', path: '/orders', body });
    } else if (r < 0.95) {
      reqs.push({ method: 'GET', path: `/items/${Math.floor(rnd() * 200)}` });
    } else {
      reqs.push({ method: 'GET', path: '/stats' });
    }
  }
  return reqs;
}

let reqNo = 0;
function send(agent, port, r) {
  return new Promise((resolve, reject) => {
    const headers = { 'x-request-id': `req-${++reqNo}`, accept: 'application/json' };
    if (r.body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`${r.method} ${r.path}: ${res.statusCode}`))));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(r.body);
  });
}

async function runLoad(port, reqs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  async function worker() {
    while (next < reqs.length) await send(agent, port, reqs[next++]);
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-leak-'));
let before;
let after;
try {
  const { child, exited, next } = forkWithMailbox(SERVER, [], {
    cwd: tmp,
    execArgv: [`--max-old-space-size=${MAX_OLD_SPACE_MB}`],
  });
  const snapshot = async (name) => {
    child.send({ type: 'snapshot', file: name });
    const m = await next('written');
    return fs.readFileSync(path.join(tmp, m.file), 'utf8');
  };
  const { port } = await next('listening');
  await runLoad(port, buildRequests(20240611, WARMUP));
  before = await snapshot('before.heapsnapshot');
  await runLoad(port, buildRequests(20240612, LEAK_LOAD));
  after = await snapshot('after.heapsnapshot');
  child.send({ type: 'stop' });
  await exited;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const SOURCE = `node scripts/snapshots/gen-node-leak.mjs (scripts/snapshots/leak-app, node --max-old-space-size=${MAX_OLD_SPACE_MB}; ` +
  `${WARMUP} warm-up requests, v8.writeHeapSnapshot before, ${LEAK_LOAD} more requests, v8.writeHeapSnapshot after, same process; ` +
  `${CONCURRENCY} keep-alive connections on 127.0.0.1; ${NODE_VERSION})`;
{
  const dir = caseDir('snapshot-diff/node-leak');
  writeInput(dir, 'before.heapsnapshot', before, { gzip: true });
  writeInput(dir, 'after.heapsnapshot', after, { gzip: true });
  writeCaseToml(dir, {
    description: 'Two snapshots of one node HTTP service process (ids comparable): cache.js keeps every POST body as a RequestRecord (with OrderLine objects) in the module-level Map requestLog, so RequestRecord and OrderLine grow and retainer paths lead through requestLog.',
    source: SOURCE,
  });
}
{
  const dir = caseDir('heapsnapshot/node-leak');
  writeInput(dir, 'input.heapsnapshot', after, { gzip: true });
  writeCaseToml(dir, {
    description: 'v8.writeHeapSnapshot of a node HTTP service with a leak (global shows as `global`, no name resolver): RequestRecord objects retained by the Map requestLog in cache.js. Same file as snapshot-diff/node-leak/after.',
    source: SOURCE,
  });
}
