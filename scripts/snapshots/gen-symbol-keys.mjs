// fixtures/snapshot-diff/symbol-keys/{before,after}.heapsnapshot.gz and
// fixtures/heapsnapshot/symbol-keys/input.heapsnapshot.gz (a copy of after).
//
// Runs workloads/symbol-keys.cjs: plain objects whose property lists repeat a
// name (several symbol-keyed properties, symbols with the same description,
// `x` plus symbols; see workloads/symbol-keys-shapes.js), snapshotted through
// node:inspector, then again after some groups grew and some shrank. Same
// process, so their ids are comparable.
// Usage: node scripts/snapshots/gen-symbol-keys.mjs
import path from 'node:path';
import { caseDir, NODE_VERSION, runSnapshotProgram, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const PROGRAM = path.join(SNAPSHOTS_DIR, 'workloads', 'symbol-keys.cjs');
const [before, after] = runSnapshotProgram(PROGRAM, ['before.heapsnapshot', 'after.heapsnapshot']);

const source = `node scripts/snapshots/gen-symbol-keys.mjs (scripts/snapshots/workloads/symbol-keys.cjs with ` +
  `symbol-keys-shapes.js; node:inspector HeapProfiler.takeHeapSnapshot {reportProgress: false}, addHeapSnapshotChunk ` +
  `chunks written in order; before, then after the groups changed, same process; ${NODE_VERSION})`;
const shapes = 'plain objects whose property names repeat: {<symbol>, <symbol>}, {x, <symbol id>, <symbol id>} ' +
  'next to {x, <symbol id>}, a shared and a fresh Symbol(\'tag\'), Symbol.for(\'reg\') beside Symbol(\'reg\'), ' +
  'Symbol.iterator beside Symbol(\'Symbol.iterator\'), a \'<symbol>\' string key beside a symbol, interleaved ' +
  'names, dictionary-mode and null-prototype objects';
{
  const dir = caseDir('snapshot-diff/symbol-keys');
  writeInput(dir, 'before.heapsnapshot', before, { gzip: true });
  writeInput(dir, 'after.heapsnapshot', after, { gzip: true });
  writeCaseToml(dir, {
    description: `Two snapshots of one node process (ids comparable) holding ${shapes}; between them {<symbol>} and ` +
      '{x, <symbol id>} grow and {x, <symbol id>, <symbol id>} shrinks, so the interface definitions of the two ' +
      'snapshots come in different orders.',
    source,
  });
}
{
  const dir = caseDir('heapsnapshot/symbol-keys');
  writeInput(dir, 'input.heapsnapshot', after, { gzip: true });
  writeCaseToml(dir, {
    description: `Copy of snapshot-diff/symbol-keys/after: a node process holding ${shapes}.`,
    source,
  });
}
