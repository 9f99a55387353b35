// Checks that DevTools' numbers for the worked-example fixtures (the
// *.devtools.* files written by scripts/oracle/expected.sh) are exactly those
// of docs/formats.md §11. Exits non-zero on any difference.
// Usage: node scripts/oracle/check-worked-examples.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (rel) => {
  const file = path.join(root, 'fixtures', rel);
  let data = fs.readFileSync(file);
  if (file.endsWith('.gz')) data = zlib.gunzipSync(data);
  return JSON.parse(data.toString('utf8'));
};

// §11.1 per node: id, class, adjusted self, retained, distance, dominator id
// (the table gives idom ordinals; ordinal k has id 2k+1).
const A_NODES = [
  [1, '(synthetic)', 0, 256, 100000000, null],
  [3, '(synthetic)', 0, 0, 100000001, 1],
  [5, '(synthetic)', 0, 0, 100000002, 3],
  [7, 'global / ', 40, 248, 1, 1],
  [9, 'Foo', 48, 48, 2, 7],
  [11, '(array)', 0, 0, 3, 9],
  [13, '(string)', 20, 20, 3, 7],
  [15, 'Foo', 32, 32, 2, 7],
  [17, 'Function', 60, 60, 2, 7],
  [19, '(system)', 0, 0, 3, 17],
  [21, 'Object', 24, 24, 2, 7],
  [23, 'Object', 24, 24, 2, 7],
  [25, 'Bar', 8, 8, -5, 1],
];
const A_DISPLAY = { 21: '{x, y}', 23: '{y, x}' };
// §11.1 Summary: key -> count, distance, shallow, retained.
const A_SUMMARY = {
  ',global / ': [1, 1, 40, 248],
  '1,0,10,Foo': [2, 2, 80, 80],
  ',Function': [1, 2, 60, 60],
  ',Object': [2, 2, 48, 48],
  ',(string)': [1, 3, 20, 20],
  ',Bar': [1, -5, 8, 8],
};
const A_STATISTICS = { total: 256, native: { total: 0, typedArrays: 0 }, v8heap: { total: 256, code: 0, jsArrays: 0, strings: 20, system: 0 } };

function checkSnapshotA(dir) {
  const summary = read(`${dir}/expected/summary.devtools.json`);
  assert.equal(summary.totalSize, 256, `${dir}: total size`);
  assert.equal(summary.nodeCount, 13);
  const got = Object.fromEntries(summary.classes.map((c) => [c.key, [c.count, c.distance, c.self, c.retained]]));
  assert.deepEqual(got, A_SUMMARY, `${dir}: summary`);
  const nodes = read(`${dir}/expected/nodes.devtools.json.gz`).nodes;
  assert.deepEqual(nodes.map((n) => [n.id, n.class, n.self, n.retained, n.distance, n.dominator]), A_NODES, `${dir}: nodes`);
  for (const n of nodes) if (A_DISPLAY[n.id]) assert.equal(n.name, A_DISPLAY[n.id], `${dir}: display name of @${n.id}`);
  assert.deepEqual(read(`${dir}/expected/statistics.devtools.json`), A_STATISTICS, `${dir}: statistics`);
}

checkSnapshotA('heapsnapshot/worked-example-a');

// §11.2: only one row.
const compareRows = [{ key: '1,0,10,Foo', name: 'Foo', new: 1, deleted: 1, delta: 0, allocSize: 32, freedSize: 32, sizeDelta: 0 }];
assert.deepEqual(read('snapshot-diff/worked-example/expected/compare.devtools.json').classes, compareRows, 'compare A -> B');
assert.deepEqual(read('snapshot-diff/worked-example/expected/compare-ui.devtools.json').classes, compareRows, 'compare-ui A -> B');

// §11.3: T is A plus allocation data, so the snapshot numbers are A's.
checkSnapshotA('heaptimeline/worked-example-t');
assert.deepEqual(read('heaptimeline/worked-example-t/expected/samples.devtools.json'),
  { timestamps: [0, 100, 200, 300], lastAssignedIds: [7, 11, 19, 25], sizes: [40, 48, 112, 56] }, 'timeline interval sizes');
assert.deepEqual(read('heaptimeline/worked-example-t/expected/allocation.devtools.json').tops, [
  { name: 'makeFoo', scriptName: 'app.js', line: 3, column: 15, count: 4, size: 128, liveCount: 3, liveSize: 80 },
  { name: 'makeObj', scriptName: 'app.js', line: 7, column: 15, count: 4, size: 96, liveCount: 0, liveSize: 0 },
  { name: 'main', scriptName: 'app.js', line: 1, column: 1, count: 1, size: 24, liveCount: 2, liveSize: 48 },
], 'allocation tops');

console.log('worked examples: DevTools reproduces docs/formats.md §11.1-§11.3 exactly');
