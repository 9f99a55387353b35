'use strict';
// Program for fixtures/snapshot-diff/symbol-keys and heapsnapshot/symbol-keys
// (scripts/snapshots/gen-symbol-keys.mjs). It holds the plain objects of
// symbol-keys-shapes.js, takes a regular snapshot of itself through
// node:inspector (HeapProfiler.takeHeapSnapshot, chunks from
// HeapProfiler.addHeapSnapshotChunk written to the file as they come) to
// argv[2], lets some groups grow and some shrink, and takes a second one to
// argv[3]. One process, so the object ids are comparable.
const fs = require('node:fs');
const inspector = require('node:inspector');
const { buildSymbolKeyed } = require('./symbol-keys-shapes.js');

function takeSnapshot(session, file) {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(file, 'w');
    const onChunk = (m) => fs.writeSync(fd, m.params.chunk);
    session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, (err) => {
      session.removeListener('HeapProfiler.addHeapSnapshotChunk', onChunk);
      fs.closeSync(fd);
      if (err) reject(err);
      else resolve();
    });
  });
}

const SHRINKING = ['xTwoIds', 'nullProto'];

// Keeps the objects already there (same ids in both snapshots): the growing
// groups get their new objects, the shrinking ones lose two thirds of
// theirs. The rest of the rebuilt groups is garbage.
function changeGroups(groups) {
  for (const [name, list] of Object.entries(buildSymbolKeyed(60))) {
    const kept = groups[name];
    groups[name] = SHRINKING.includes(name)
      ? kept.filter((_, i) => i % 3 === 0)
      : kept.concat(list.slice(kept.length));
  }
}

async function main() {
  const session = new inspector.Session();
  session.connect();
  await new Promise((resolve, reject) => session.post('HeapProfiler.enable', {}, (e) => (e ? reject(e) : resolve())));
  globalThis.symbolKeyed = buildSymbolKeyed();
  await takeSnapshot(session, process.argv[2]);
  changeGroups(globalThis.symbolKeyed);
  await takeSnapshot(session, process.argv[3]);
  session.disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
