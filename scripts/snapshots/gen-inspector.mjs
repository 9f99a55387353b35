// fixtures/heapsnapshot/inspector/input.heapsnapshot.gz and
// fixtures/heapsnapshot/expose-internals/input.heapsnapshot.gz.
//
// Runs workloads/small-program.cjs, which takes two snapshots of itself
// through node:inspector (HeapProfiler.takeHeapSnapshot, chunks from
// HeapProfiler.addHeapSnapshotChunk written to the file in order): first a
// regular one (the global object is `global / `, reached from the root by a
// shortcut edge: a user root), then one with exposeInternals: true (no user
// roots). Same process, so their ids are comparable.
// Usage: node scripts/snapshots/gen-inspector.mjs
import path from 'node:path';
import { caseDir, NODE_VERSION, runSnapshotProgram, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const PROGRAM = path.join(SNAPSHOTS_DIR, 'workloads', 'small-program.cjs');
const [regular, internals] = runSnapshotProgram(PROGRAM, ['regular.heapsnapshot', 'internals.heapsnapshot']);

const source = (opts) => `node scripts/snapshots/gen-inspector.mjs (scripts/snapshots/workloads/small-program.cjs; ` +
  `node:inspector HeapProfiler.takeHeapSnapshot ${opts}, addHeapSnapshotChunk chunks written in order; ` +
  `regular then exposeInternals snapshot from the same process; ${NODE_VERSION})`;
{
  const dir = caseDir('heapsnapshot/inspector');
  writeInput(dir, 'input.heapsnapshot', regular, { gzip: true });
  writeCaseToml(dir, {
    description: 'Small node program snapshotted through node:inspector: global shows as `global / ` (user root via a root shortcut edge named "2"); classes with script locations, {x, y} interface objects, Map/Set/WeakMap/WeakRef, closures, cons/sliced strings, mangled astral and lone-surrogate strings, bigint, symbol, regexp, typed array, Buffer.',
    source: source('{reportProgress: false}'),
  });
}
{
  const dir = caseDir('heapsnapshot/expose-internals');
  writeInput(dir, 'input.heapsnapshot', internals, { gzip: true });
  writeCaseToml(dir, {
    description: 'The same small node program as heapsnapshot/inspector, snapshotted right after it with exposeInternals: true: no root -> global shortcut edge, so no user roots (no shallow-size reassignment, distances from the root).',
    source: source('{reportProgress: false, exposeInternals: true}'),
  });
}
