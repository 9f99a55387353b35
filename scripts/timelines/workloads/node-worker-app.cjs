'use strict';
// Workload for fixtures/heaptimeline/node-worker (scripts/timelines/gen-node-worker.mjs).
//
// A worker thread opens an inspector session on the MAIN thread
// (inspector.Session + connectToMainThread()), so the main thread keeps
// running JS normally while its allocations are tracked:
//   worker: HeapProfiler.enable, startTrackingHeapObjects({trackAllocations: true})
//   main:   ~RUN_MS of work in short slices (the event loop turns between
//           slices so V8's heap stats pushes, the timeline samples, happen);
//           the first half allocates only garbage, from LEAK_AT_MS on
//           leakyCollect() also keeps its objects in the module-level leakStore
//   worker: stopTrackingHeapObjects({reportProgress: false}), chunks from
//           HeapProfiler.addHeapSnapshotChunk joined in order -> argv[2]
// Usage: node node-worker-app.cjs OUT.heaptimeline
const fs = require('node:fs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const RUN_MS = 4000;
const LEAK_AT_MS = 2000;
const SLICE_MS = 4;

if (!isMainThread) {
  // ---- worker: the inspector client ----
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connectToMainThread();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  const chunks = [];
  // A pending session.post() does not keep the worker alive; this does until
  // the file is written.
  const keepAlive = setInterval(() => {}, 1000);
  session.on('HeapProfiler.addHeapSnapshotChunk', (m) => chunks.push(m.params.chunk));
  (async () => {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
    parentPort.postMessage('started');
    await new Promise((resolve) => parentPort.once('message', resolve));
    await post('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
    await post('HeapProfiler.disable');
    session.disconnect();
    fs.writeFileSync(workerData.out, chunks.join(''));
    clearInterval(keepAlive);
    parentPort.postMessage('done');
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
  return;
}

// ---- main thread: the tracked program ----

// The leak: everything leakyCollect() makes stays reachable from here.
const leakStore = [];

class LeakedEntry {
  constructor(seq) {
    this.seq = seq;
    this.tag = `leaked-${seq}`;
    this.values = [seq, seq + 1, seq + 2];
  }
}

class TempPoint {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}

function makeGarbageRecord(i) {
  return { i, name: `record-${i}`, tags: ['a', 'b', String(i % 7)] };
}

function buildTempPoints(n) {
  const pts = [];
  for (let k = 0; k < n; k++) pts.push(new TempPoint(k, k * 2));
  return pts;
}

function formatReport(records) {
  return records.map((r) => `${r.name}:${r.tags.join(',')}`).join(';');
}

// Keeps n LeakedEntry records per call in leakStore: the leak. Its bytecode is
// kept above TurboFan's inlining limit (460 bytes) on purpose: an inlined
// callee's allocations are attributed by the allocation tracker to the
// optimized caller (workSlice), and the fixture wants them under leakyCollect.
function leakyCollect(seq, n) {
  for (let k = 0; k < n; k++) {
    const s = new LeakedEntry(seq + k);
    switch ((seq + k) % 6) {
      case 0: s.kind = 'login'; s.weight = 1; s.flags = seq & 1; break;
      case 1: s.kind = 'view'; s.weight = 2; s.flags = seq & 3; break;
      case 2: s.kind = 'click'; s.weight = 3; s.flags = seq & 7; break;
      case 3: s.kind = 'scroll'; s.weight = 4; s.flags = seq & 15; break;
      case 4: s.kind = 'search'; s.weight = 5; s.flags = seq & 31; break;
      default: s.kind = 'logout'; s.weight = 6; s.flags = seq & 63; break;
    }
    if (s.weight > 3 && s.flags > 2) s.note = 'heavy ' + s.kind + ' ' + s.flags;
    else if (s.weight > 1) s.note = 'light ' + s.kind;
    else s.note = null;
    if (s.values.length > 2 && s.tag.length > 5) s.score = s.values[0] + s.values[1] * 2 + s.values[2] * 3 + s.weight;
    else s.score = s.weight;
    s.label = s.tag + '/' + s.kind + '#' + (seq + k);
    s.tags = s.weight > 2 ? ['hot', s.kind] : ['cold'];
    leakStore.push(s);
  }
  return leakStore.length;
}

let seq = 0;
let sink = 0;
function workSlice(leaking) {
  const end = Date.now() + SLICE_MS;
  while (Date.now() < end) {
    const recs = [];
    for (let k = 0; k < 8; k++) recs.push(makeGarbageRecord(seq++));
    sink += formatReport(recs).length;
    sink += buildTempPoints(6).length;
    if (leaking && (seq & 127) === 0) leakyCollect(seq, 3);
  }
}

function tick() {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

async function runWorkload() {
  const t0 = Date.now();
  let slices = 0;
  let leakSlices = 0;
  while (Date.now() - t0 < RUN_MS) {
    const leaking = Date.now() - t0 >= LEAK_AT_MS;
    workSlice(leaking);
    slices++;
    if (leaking) leakSlices++;
    await tick();
  }
  return { ms: Date.now() - t0, slices, leakSlices };
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node node-worker-app.cjs OUT.heaptimeline');
  process.exit(2);
}
const worker = new Worker(__filename, { workerData: { out } });
worker.once('error', (e) => {
  console.error(e);
  process.exit(1);
});
worker.once('message', async (m) => {
  if (m !== 'started') throw new Error(`unexpected ${m}`);
  const stats = await runWorkload();
  console.error(`[node-worker-app] ${JSON.stringify({ ...stats, leaked: leakStore.length, records: seq, sink })}`);
  worker.once('message', (d) => {
    if (d !== 'done') throw new Error(`unexpected ${d}`);
  });
  worker.postMessage('stop');
});
