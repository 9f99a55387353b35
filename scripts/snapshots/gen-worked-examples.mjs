// Writes the worked examples of docs/formats.md §11 as real V8 JSON
// (same keys, key order, meta and line layout as V8's serializer):
//
//   fixtures/heapsnapshot/worked-example-a/input.heapsnapshot    Snapshot A (§11.1)
//   fixtures/snapshot-diff/worked-example/{before,after}.heapsnapshot
//                                                                A → B (§11.2)
//   fixtures/heaptimeline/worked-example-t/input.heaptimeline    Timeline T (§11.3)
//
// The graphs are the hand-written ones of §11; this script only lays them
// out. scripts/oracle/check-worked-examples.mjs checks DevTools' numbers on
// them against §11.
// Usage: node scripts/snapshots/gen-worked-examples.mjs
import { caseDir, writeCaseToml, writeInput } from './lib.mjs';

const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic',
  'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
  trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
  trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
  sample_fields: ['timestamp_us', 'last_assigned_id'],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};
const NF = META.node_fields.length;

// Graph description: nodes [type, name, id, self, traceNodeId?]; edges
// [from ordinal, type, name-or-index, to ordinal] in file order (grouped by
// source node, as V8 writes them); locations [ordinal, script, line, col].
function serialize({ nodes, edges, locations = [], traceFunctionInfos = [], traceTree = [], samples = [] }) {
  const strings = ['<dummy>'];
  const index = new Map();
  const str = (s) => {
    if (!index.has(s)) {
      index.set(s, strings.length);
      strings.push(s);
    }
    return index.get(s);
  };
  str('');
  const edgeCount = new Array(nodes.length).fill(0);
  let last = -1;
  for (const [from] of edges) {
    if (from < last) throw new Error('edges must be grouped by source node, in node order');
    last = from;
    edgeCount[from]++;
  }
  const nodeRows = nodes.map(([type, name, id, self, trace = 0], i) =>
    [NODE_TYPES.indexOf(type), str(name), id, self, edgeCount[i], trace, 0]);
  const edgeRows = edges.map(([, type, name, to]) => {
    const t = EDGE_TYPES.indexOf(type);
    if (t < 0) throw new Error(`edge type ${type}`);
    const numeric = type === 'element' || type === 'hidden';
    return [t, numeric ? name : str(String(name)), to * NF];
  });
  const tfiRows = traceFunctionInfos.map(([fid, name, script, scriptId, line, col]) =>
    [fid, str(name), str(script), scriptId, line, col]);
  const locRows = locations.map(([ord, script, line, col]) => [ord * NF, script, line, col]);
  const sampleRows = [];
  for (let i = 0; i < samples.length; i += 2) sampleRows.push([samples[i], samples[i + 1]]);
  const flat = (rows) => rows.map((r) => r.join(',')).join('\n,');
  const header = {
    meta: META,
    node_count: nodes.length,
    edge_count: edges.length,
    trace_function_count: traceFunctionInfos.length,
  };
  return `{"snapshot":${JSON.stringify(header)},\n` +
    `"nodes":[${flat(nodeRows)}],\n` +
    `"edges":[${flat(edgeRows)}],\n` +
    `"trace_function_infos":[${flat(tfiRows)}],\n` +
    `"trace_tree":${JSON.stringify(traceTree)},\n` +
    `"samples":[${flat(sampleRows)}],\n` +
    `"locations":[${flat(locRows)}],\n` +
    `"strings":[${strings.map((s) => JSON.stringify(s)).join(',\n')}]}`;
}

// §11.1 Snapshot A.
const A_NODES = [
  ['synthetic', '', 1, 0],
  ['synthetic', '(GC roots)', 3, 0],
  ['synthetic', '(Handle scope)', 5, 0],
  ['object', 'global / ', 7, 40],
  ['object', 'Foo', 9, 32],
  ['array', '', 11, 16],
  ['string', 'hello', 13, 20],
  ['object', 'Foo', 15, 32],
  ['closure', 'bar', 17, 36],
  ['hidden', 'system / Context', 19, 24],
  ['object', 'Object', 21, 24],
  ['object', 'Object', 23, 24],
  ['object', 'Bar', 25, 8],
];
const A_EDGES = [
  [0, 'element', 1, 1],
  [0, 'shortcut', 'global', 3],
  [1, 'element', 1, 2],
  [2, 'hidden', 1, 3],
  [3, 'property', 'a', 4],
  [3, 'property', 'c', 7],
  [3, 'property', 'bar', 8],
  [3, 'property', 'p', 10],
  [3, 'property', 'q', 11],
  [4, 'internal', 'elements', 5],
  [4, 'property', 's', 6],
  [7, 'property', 's', 6],
  [7, 'weak', 'w', 12],
  [8, 'internal', 'context', 9],
  [9, 'context', 'foo', 4],
  [10, 'property', 'x', 6],
  [10, 'property', 'y', 6],
  [11, 'property', 'y', 6],
  [11, 'property', 'x', 6],
];
const A = { nodes: A_NODES, edges: A_EDGES, locations: [[4, 1, 0, 10], [7, 1, 0, 10]] };

// §11.2 Snapshot B: A without Foo id 15 (ordinal 7) and its edges, plus a new
// Foo id 27 (self 32, same location) at the end, retained by global as `d`
// and holding `s` → hello. Ordinals after 7 shift down by one.
function snapshotB() {
  const map = (o) => (o < 7 ? o : o === 7 ? null : o - 1);
  const nodes = A_NODES.filter((_, i) => i !== 7).concat([['object', 'Foo', 27, 32]]);
  const foo27 = nodes.length - 1;
  const edges = [];
  for (const [from, type, name, to] of A_EDGES) {
    if (from === 7 || to === 7) continue;
    edges.push([map(from), type, name, map(to)]);
    if (from === 3 && name === 'q') edges.push([3, 'property', 'd', foo27]);
  }
  edges.push([foo27, 'property', 's', map(6)]);
  return { nodes, edges, locations: [[4, 1, 0, 10], [foo27, 1, 0, 10]] };
}

// §11.3 Timeline T: A plus allocation data.
function timelineT() {
  const traceOf = { 9: 3, 11: 3, 15: 4, 21: 2, 23: 2 };
  return {
    ...A,
    nodes: A_NODES.map(([type, name, id, self]) => [type, name, id, self, traceOf[id] ?? 0]),
    traceFunctionInfos: [
      [0, '(root)', '', 0, 0, 0],
      [1, 'main', 'app.js', 1, 1, 1],
      [2, 'makeFoo', 'app.js', 1, 3, 15],
      [3, 'makeObj', 'app.js', 1, 7, 15],
    ],
    traceTree: [1, 0, 0, 0, [2, 1, 1, 24, [3, 2, 3, 96, [], 4, 2, 1, 32, []], 5, 3, 4, 96, []]],
    samples: [0, 7, 100000, 11, 200000, 19, 300000, 25],
  };
}

const SOURCE = 'hand-written: the graph of docs/formats.md §11, laid out in V8\'s JSON layout (node_fields with trace_node_id and detachedness) by node scripts/snapshots/gen-worked-examples.mjs';

{
  const dir = caseDir('heapsnapshot/worked-example-a');
  writeInput(dir, 'input.heapsnapshot', serialize(A), { gzip: false });
  writeCaseToml(dir, {
    description: 'Snapshot A of formats §11.1: owned array/context reassignment, a weak-only Bar (distance -5, dominated by root), location class key 1,0,10,Foo, {x, y} vs {y, x} objects staying Object; DevTools numbers in expected/.',
    source: SOURCE,
  });
}
{
  const dir = caseDir('snapshot-diff/worked-example');
  writeInput(dir, 'before.heapsnapshot', serialize(A), { gzip: false });
  writeInput(dir, 'after.heapsnapshot', serialize(snapshotB()), { gzip: false });
  writeCaseToml(dir, {
    description: 'Comparison A -> B of formats §11.2: Foo id 15 deleted and Foo id 27 new under the same class key 1,0,10,Foo (New 1, Deleted 1, size delta 0); no other class appears.',
    source: SOURCE,
  });
}
{
  const dir = caseDir('heaptimeline/worked-example-t');
  writeInput(dir, 'input.heaptimeline', serialize(timelineT()), { gzip: false });
  writeCaseToml(dir, {
    description: 'Timeline T of formats §11.3: snapshot A with trace_node_ids, trace_function_infos, trace_tree and samples; interval sizes [40, 48, 112, 56] and the allocation tops makeFoo/makeObj/main.',
    source: SOURCE,
  });
}
