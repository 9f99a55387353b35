// fixtures/heaptimeline/node-worker/input.heaptimeline.gz: an allocation
// timeline of a node 20 program recorded IN PROCESS: a worker thread opens an
// inspector session on the main thread (inspector.Session +
// connectToMainThread()), starts HeapProfiler.startTrackingHeapObjects
// ({trackAllocations: true}) and, when the main thread's ~4 s workload is
// done, stopTrackingHeapObjects({reportProgress: false}); the chunks of
// HeapProfiler.addHeapSnapshotChunk are written in order
// (workloads/node-worker-app.cjs). The first half of the workload allocates
// only garbage; from ~2 s on leakyCollect() keeps its LeakedEntry objects in
// the module-level array leakStore.
//
// In-process sessions can write a header trace_function_count smaller than
// the number of trace_function_infos records (docs/formats.md §5.8), which DevTools'
// loader does not survive. If this run's file has that mismatch, it is kept
// as it is in node-worker and a copy with the header count set to the real
// number is written to fixtures/heaptimeline/node-worker-fixed-header, so the
// oracle has a real node timeline to load; otherwise no such copy is made (a
// stale one from an earlier run is removed).
// Usage: node scripts/timelines/gen-node-worker.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  caseDir, FIXTURES_DIR, fixTraceFunctionCount, log, NODE_VERSION, removeStaleCase, timelineInfo, TIMELINES_DIR,
  writeCaseToml, writeInput,
} from './lib.mjs';

const PROGRAM = path.join(TIMELINES_DIR, 'workloads', 'node-worker-app.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-tl-node-'));
let text;
try {
  execFileSync(process.execPath, [PROGRAM, 'out.heaptimeline'], { cwd: tmp, stdio: ['ignore', 'inherit', 'inherit'] });
  text = fs.readFileSync(path.join(tmp, 'out.heaptimeline'), 'utf8');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const info = timelineInfo(text, 'node-worker');
log(`node-worker: ${JSON.stringify(info)}`);
const mismatch = info.headerTraceFunctionCount !== info.traceFunctionInfos;
const countNote = mismatch
  ? `Header trace_function_count ${info.headerTraceFunctionCount} < ${info.traceFunctionInfos} trace_function_infos records (the in-process mismatch; DevTools' loader fails on it, so there are no oracle files; see node-worker-fixed-header)`
  : `Header trace_function_count ${info.headerTraceFunctionCount} = trace_function_infos records (no in-process count mismatch in this run)`;
const source = `node scripts/timelines/gen-node-worker.mjs (scripts/timelines/workloads/node-worker-app.cjs; worker_threads Worker with node:inspector Session.connectToMainThread(): HeapProfiler.enable, startTrackingHeapObjects {trackAllocations: true}, ~4 s main-thread workload in 4 ms slices with setTimeout between, stopTrackingHeapObjects {reportProgress: false}, addHeapSnapshotChunk chunks joined in order; ${NODE_VERSION})`;
const describe = (extra) =>
  `Allocation timeline of a node program recorded in process (a worker thread's inspector session on the main thread): ~4 s of garbage from makeGarbageRecord/formatReport/buildTempPoints/TempPoint, and from ~2 s on leakyCollect() (LeakedEntry records with tag/note/label strings and values/tags arrays; the function is kept too big for TurboFan to inline) kept by the module-level array leakStore, so leakyCollect/LeakedEntry have the big live sizes while the garbage functions have big total sizes. ${info.samples} timeline samples over ${(info.durationUs / 1e6).toFixed(2)} s; ${info.traceFunctionInfos} trace function infos, ${info.traceNodes} trace nodes. ${extra}`;

{
  const dir = caseDir('heaptimeline/node-worker');
  writeInput(dir, 'input.heaptimeline', text);
  writeCaseToml(dir, { description: describe(countNote + '.'), source });
}
const fixedDir = path.join(FIXTURES_DIR, 'heaptimeline', 'node-worker-fixed-header');
if (mismatch) {
  const dir = caseDir('heaptimeline/node-worker-fixed-header');
  writeInput(dir, 'input.heaptimeline', fixTraceFunctionCount(text, info.traceFunctionInfos));
  writeCaseToml(dir, {
    description: describe(`Copy of heaptimeline/node-worker with ONE edit: the header's trace_function_count changed from ${info.headerTraceFunctionCount} to ${info.traceFunctionInfos} (the real number of trace_function_infos records) so that DevTools' loader can read it; everything else is byte for byte what V8 wrote.`),
    source: `${source}; header trace_function_count fixed by gen-node-worker.mjs`,
  });
} else {
  removeStaleCase(fixedDir, 'gen-node-worker.mjs');
}
