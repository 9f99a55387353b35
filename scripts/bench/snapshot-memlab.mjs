#!/usr/bin/env node
// The memlab baseline for heap snapshots: load a `.heapsnapshot` with memlab, which computes the
// dominator tree and every node's retained size, then print a per-class summary, top N classes
// by retained size.
//
//   node [--max-old-space-size=N] scripts/bench/snapshot-memlab.mjs FILE [--top 20]
//
// memlab is not a dependency of this repository: it is loaded from $MEMLAB_DIR
// (default $BENCH_DIR/memlab, BENCH_DIR default /tmp/heapdiff-bench). Install it there with
//   mkdir -p /tmp/heapdiff-bench/memlab && cd /tmp/heapdiff-bench/memlab &&
//   echo '{"private":true}' > package.json && PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab@2
// (scripts/bench-snapshot.sh does this on first run).
//
// memlab API used: `getFullHeapFromFile(file)` from @memlab/heap-analysis: the parse
// (@memlab/core HeapParser: typed arrays for nodes/edges/locations, JSON.parse of the rest), then
// `analysis.preparePathFinder`: shortest paths to GC roots, dominators and retained sizes for
// all nodes (memlab's own rules: weak edges and some internal edges are not followed), plus its
// React-fiber marking. The summary then uses only the public node API
// (`heap.nodes.forEach`, node.type/name/self_size/retainedSize/dominatorNode/nodeIndex).
//
// Classes and class retained size follow Chrome DevTools' Summary view: an object's or native's
// name, "(system)" for hidden, "(compiled code)" for code, "(TYPE)" otherwise; a class's
// retained size is the sum of the retained sizes of its objects with a non-zero self size that
// have no object of the same class above them in the dominator tree.
// Phase times and peak RSS go to stderr as one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

const args = process.argv.slice(2);
let file = null, top = 20;
const usage = () => { console.error('usage: node snapshot-memlab.mjs FILE [--top N]'); process.exit(2); };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (file === null) file = args[i];
  else usage();
}
if (!file || !(top >= 0)) usage();
if (!fs.existsSync(file)) { console.error(`snapshot-memlab: ${file}: no such file`); process.exit(2); }

const memlabDir = process.env.MEMLAB_DIR || path.join(process.env.BENCH_DIR || '/tmp/heapdiff-bench', 'memlab');
const require = createRequire(path.join(path.resolve(memlabDir), 'package.json'));
let heapAnalysis, core;
try {
  heapAnalysis = require('@memlab/heap-analysis');
  core = require('@memlab/core');
} catch (e) {
  console.error(`snapshot-memlab: memlab not found in ${memlabDir} (${e.message.split('\n')[0]}).\n` +
    `Install it with: mkdir -p ${memlabDir} && cd ${memlabDir} && echo '{"private":true}' > package.json && ` +
    `PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab@2`);
  process.exit(2);
}
// memlab's progress lines go to stdout; keep stdout for the summary
core.config.muteConsole = true;

const t0 = performance.now();
const heap = await heapAnalysis.getFullHeapFromFile(path.resolve(file));
const tLoad = performance.now();

const n = heap.nodes.length;
const typeName = new Map();
const classId = new Int32Array(n);
const self = new Float64Array(n);
const retained = new Float64Array(n);
const dom = new Int32Array(n).fill(-1);
const names = [];
const ids = new Map();
let rootIdx = -1;
heap.nodes.forEach((node, i) => {
  const t = node.type;
  let name;
  if (t === 'object' || t === 'native') name = node.name;
  else {
    name = typeName.get(t);
    if (name === undefined) typeName.set(t, (name = t === 'hidden' ? '(system)' : t === 'code' ? '(compiled code)' : `(${t})`));
  }
  let c = ids.get(name);
  if (c === undefined) { c = names.length; names.push(name); ids.set(name, c); }
  classId[i] = c;
  self[i] = node.self_size;
  retained[i] = node.retainedSize;
  const d = node.dominatorNode;
  if (d && d.nodeIndex !== i) dom[i] = d.nodeIndex; else if (rootIdx < 0) rootIdx = i;
});
// dominator tree children (CSR), then a DFS from the root(s) with the classes on the path
const first = new Int32Array(n + 1);
for (let i = 0; i < n; i++) if (dom[i] >= 0) first[dom[i] + 1]++;
for (let i = 0; i < n; i++) first[i + 1] += first[i];
const kids = new Int32Array(first[n]);
const fill = first.slice(0, n);
for (let i = 0; i < n; i++) if (dom[i] >= 0) kids[fill[dom[i]]++] = i;
const C = names.length;
const count = new Float64Array(C), shallow = new Float64Array(C), ret = new Float64Array(C);
const onPath = new Int32Array(C);
const stack = new Int32Array(2 * n + 2);
let sp = 0;
for (let i = 0; i < n; i++) if (dom[i] < 0) stack[sp++] = i; // roots of the dominator forest
for (let i = 0; i < n; i++) { count[classId[i]]++; shallow[classId[i]] += self[i]; }
// entries: i ≥ 0 enter node i; ~c leave a node of class c
while (sp > 0) {
  const v = stack[--sp];
  if (v < 0) { onPath[~v]--; continue; }
  const c = classId[v];
  if (self[v] > 0) {
    if (onPath[c] === 0) ret[c] += retained[v];
    onPath[c]++;
    stack[sp++] = ~c;
  }
  for (let k = first[v]; k < first[v + 1]; k++) stack[sp++] = kids[k];
}
const tAgg = performance.now();

const order = [...Array(C).keys()].sort((a, b) => ret[b] - ret[a] || shallow[b] - shallow[a] || (names[a] < names[b] ? -1 : 1));
const total = shallow.reduce((s, x) => s + x, 0);
const out = [];
out.push(`${file}: ${n} nodes, ${heap.edges.length} edges; ${C} classes; total shallow size ${total} bytes; ` +
  `root retained size ${rootIdx >= 0 ? retained[rootIdx] : '?'} bytes (memlab)`);
out.push(`${'class'.padEnd(40)} ${'count'.padStart(10)} ${'shallow'.padStart(14)} ${'retained'.padStart(14)}`);
for (const c of order.slice(0, top)) {
  const nm = names[c].length > 40 ? `${names[c].slice(0, 37)}...` : names[c];
  out.push(`${nm.padEnd(40)} ${String(count[c]).padStart(10)} ${String(shallow[c]).padStart(14)} ${String(ret[c]).padStart(14)}`);
}
process.stdout.write(out.join('\n') + '\n');
console.error(JSON.stringify({phases_ms: {load_and_dominators: Math.round(tLoad - t0), summary: Math.round(tAgg - tLoad)},
  peak_rss_kib: Math.round(process.resourceUsage().maxRSS)}));
