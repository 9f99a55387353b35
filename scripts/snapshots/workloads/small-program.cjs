'use strict';
// Small program for fixtures/heapsnapshot/inspector and expose-internals
// (scripts/snapshots/gen-inspector.mjs). It builds a few kinds of objects that
// heap snapshot readers must handle, then takes two snapshots of itself
// through node:inspector (HeapProfiler.takeHeapSnapshot, chunks from
// HeapProfiler.addHeapSnapshotChunk, written to the file as they come), in
// this order:
//   argv[2]  regular snapshot (user roots; global shows as `global / `)
//   argv[3]  exposeInternals: true (no root -> global shortcut edges)
// Both come from this one process, so their object ids are comparable.
const fs = require('node:fs');
const inspector = require('node:inspector');

class Shape {
  constructor(name) {
    this.name = name;
  }
}
class Circle extends Shape {
  constructor(r) {
    super('circle');
    this.r = r;
  }
}
class Square extends Shape {
  constructor(side) {
    super('square');
    this.side = side;
  }
}

function makeCounter(start) {
  let count = start;
  const label = `counter from ${start}`;
  return function tick() {
    count += 1;
    return `${label}: ${count}`;
  };
}

const long = 'abcdefghijklmnopqrstuvwxyz'.repeat(20);
const keys = [];
for (let i = 0; i < 8; i++) keys.push({ key: i });
const weakValues = new WeakMap();
for (const k of keys) weakValues.set(k, { payload: `value for ${k.key}` });

globalThis.app = {
  shapes: Array.from({ length: 24 }, (_, i) => (i % 2 ? new Circle(i) : new Square(i))),
  points: Array.from({ length: 30 }, (_, i) => ({ x: i, y: i * 2 })),
  swapped: Array.from({ length: 3 }, (_, i) => ({ y: i, x: -i })),
  wide: { alpha: 1, 'with space': 2, 'comma,key': 3, '"quoted"': 4, '{brace}': 5 },
  byName: new Map(Array.from({ length: 10 }, (_, i) => [`name-${i}`, { id: i, tags: new Set([`t${i}`, `u${i}`]) }])),
  keys,
  weakValues,
  weakRef: new WeakRef(keys[0]),
  counters: [makeCounter(1), makeCounter(100)],
  cons: long.slice(0, 30) + ' joined with ' + String(Date.now() % 7),
  sliced: long.substring(5, 400),
  unicode: ['héllo wörld', 'emoji 😀 astral', 'lone \ud800 surrogate', 'tab\tnew\nline "q" \\'],
  numbers: [1.5, 2.25, Math.PI, 2 ** 40, -0.5],
  big: 2n ** 80n,
  sym: Symbol('heapdiff-symbol'),
  re: /heap(diff)?\s+[a-z]+/gi,
  when: new Date(0),
  bytes: new Uint8Array(4096).fill(7),
  buffer: Buffer.from('node buffer contents'),
};

// Streams the chunks straight to FILE, so no copy of the first snapshot's
// text is left in the heap when the second one is taken.
function takeSnapshot(session, params, file) {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(file, 'w');
    const onChunk = (m) => fs.writeSync(fd, m.params.chunk);
    session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    session.post('HeapProfiler.takeHeapSnapshot', params, (err) => {
      session.removeListener('HeapProfiler.addHeapSnapshotChunk', onChunk);
      fs.closeSync(fd);
      if (err) reject(err);
      else resolve();
    });
  });
}

async function main() {
  const session = new inspector.Session();
  session.connect();
  await new Promise((resolve, reject) => session.post('HeapProfiler.enable', {}, (e) => (e ? reject(e) : resolve())));
  await takeSnapshot(session, { reportProgress: false }, process.argv[2]);
  await takeSnapshot(session, { reportProgress: false, exposeInternals: true }, process.argv[3]);
  session.disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
