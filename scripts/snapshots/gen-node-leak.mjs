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
import os from 'node:os';
import path from 'node:path';
import { runLoad, serviceRequests } from '../http-load.mjs';
import { caseDir, forkWithMailbox, log, NODE_VERSION, prng, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const SERVER = path.join(SNAPSHOTS_DIR, 'leak-app', 'server.js');
const WARMUP = 300;
const LEAK_LOAD = 900;
const CONCURRENCY = 4;
const MAX_OLD_SPACE_MB = 64;

// About half POST /orders of two to four lines, GET /items/:id over 200 ids
// for most of the rest.
const TRAFFIC = { orders: 0.5, lookups: 0.95, itemIds: 200, lines: [2, 4], fixedWidth: false, noteMargin: ' ', customerMargin: '', currency: null };
let reqNo = 0;
const CLIENT = { connections: CONCURRENCY, requestId: () => `req-${++reqNo}` };

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
  await runLoad(port, serviceRequests(prng(20240611), WARMUP, TRAFFIC), CLIENT);
  before = await snapshot('before.heapsnapshot');
  await runLoad(port, serviceRequests(prng(20240612), LEAK_LOAD, TRAFFIC), CLIENT);
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
