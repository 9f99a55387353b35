#!/usr/bin/env node
// The memlab baseline for allocation timelines: load a `.heaptimeline` with memlab (which, as for
// any heap snapshot, computes the dominator tree and every node's retained size), then print
// DevTools' Allocation view per function (count, size, live count, live size; top N by allocated
// size) and a per-class summary (top N classes by retained size).
//
//   node [--max-old-space-size=N] scripts/bench/timeline-memlab.mjs FILE [--top 20]
//
// memlab is not a dependency of this repository: it is loaded from $MEMLAB_DIR
// (default $BENCH_DIR/memlab, BENCH_DIR default /tmp/heapdiff-bench). Install it there with
//   mkdir -p /tmp/heapdiff-bench/memlab && cd /tmp/heapdiff-bench/memlab &&
//   echo '{"private":true}' > package.json && PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab@2
// (scripts/bench-timeline.sh does this on first run).
//
// memlab API used: `getFullHeapFromFile(file)` from @memlab/heap-analysis: the parse
// (@memlab/core HeapParser: typed arrays for nodes/edges/locations, JSON.parse of the rest, which
// keeps trace_function_infos and trace_tree in the raw snapshot object) and
// `analysis.preparePathFinder` (paths to GC roots, dominators, retained sizes). memlab has no
// allocation-trace view of its own, so the per-function part reads the raw trace sections memlab
// parsed (`heap.snapshot`) and groups memlab's nodes by `node.trace_node_id` with their
// `self_size` (raw self sizes, as scripts/bench/timeline-node-parse.mjs does). The class summary
// is that of scripts/bench/snapshot-memlab.mjs (DevTools' Summary classes; a class's retained
// size counts its objects with no object of the same class above them in the dominator tree).
// Phase times and peak RSS go to stderr as one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

const args = process.argv.slice(2);
let file = null, top = 20;
const usage = () => { console.error('usage: node timeline-memlab.mjs FILE [--top N]'); process.exit(2); };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (file === null) file = args[i];
  else usage();
}
if (!file || !(top >= 0)) usage();
if (!fs.existsSync(file)) { console.error(`timeline-memlab: ${file}: no such file`); process.exit(2); }

const memlabDir = process.env.MEMLAB_DIR || path.join(process.env.BENCH_DIR || '/tmp/heapdiff-bench', 'memlab');
const require = createRequire(path.join(path.resolve(memlabDir), 'package.json'));
let heapAnalysis, core;
try {
  heapAnalysis = require('@memlab/heap-analysis');
  core = require('@memlab/core');
} catch (e) {
  console.error(`timeline-memlab: memlab not found in ${memlabDir} (${e.message.split('\n')[0]}).\n` +
    `Install it with: mkdir -p ${memlabDir} && cd ${memlabDir} && echo '{"private":true}' > package.json && ` +
    `PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab@2`);
  process.exit(2);
}
// memlab's progress lines go to stdout; keep stdout for the summary
core.config.muteConsole = true;

const t0 = performance.now();
const heap = await heapAnalysis.getFullHeapFromFile(path.resolve(file));
const tLoad = performance.now();

// ---- the allocation trace memlab parsed (raw sections of heap.snapshot)
const raw = heap.snapshot || {};
const meta = (raw.snapshot && raw.snapshot.meta) || {};
if (!meta.trace_function_info_fields || !meta.trace_node_fields || !raw.trace_tree || !raw.trace_tree.length) {
  console.error(`timeline-memlab: ${file}: memlab's parse has no allocation trace (not an allocation timeline?)`);
  process.exit(2);
}
const strings = raw.strings;
const FI = meta.trace_function_info_fields;
const fiN = FI.length;
const fName = FI.indexOf('name'), fScript = FI.indexOf('script_name'), fLine = FI.indexOf('line'), fCol = FI.indexOf('column');
const infos = raw.trace_function_infos;
const nFunc = infos.length / fiN;
const fCount = new Float64Array(nFunc), fSize = new Float64Array(nFunc);
const fLiveCount = new Float64Array(nFunc), fLiveSize = new Float64Array(nFunc);
const TN = meta.trace_node_fields;
const tnN = TN.length;
const tId = TN.indexOf('id'), tFn = TN.indexOf('function_info_index'), tCount = TN.indexOf('count'),
  tSize = TN.indexOf('size'), tKids = TN.indexOf('children');
const fnOfTraceNode = new Map();
const tstack = [[raw.trace_tree, 0]];
let traceNodes = 0;
while (tstack.length) {
  const [arr, off] = tstack.pop();
  const f = arr[off + tFn];
  traceNodes++;
  fnOfTraceNode.set(arr[off + tId], f);
  fCount[f] += arr[off + tCount];
  fSize[f] += arr[off + tSize];
  const kids = arr[off + tKids];
  for (let k = 0; k < kids.length; k += tnN) tstack.push([kids, k]);
}

// ---- one pass over memlab's nodes: trace node → function (live), classes, dominators
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
  const tid = node.trace_node_id;
  if (tid) {
    const f = fnOfTraceNode.get(tid);
    if (f !== undefined) { fLiveCount[f]++; fLiveSize[f] += self[i]; }
  }
});
// class retained sizes: DFS of the dominator tree with the classes on the path
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
for (let i = 0; i < n; i++) if (dom[i] < 0) stack[sp++] = i;
for (let i = 0; i < n; i++) { count[classId[i]]++; shallow[classId[i]] += self[i]; }
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

// ---- output
const out = [];
const fnRows = [];
let totalCount = 0, totalSize = 0;
for (let f = 0; f < nFunc; f++) { totalCount += fCount[f]; totalSize += fSize[f]; if (fCount[f] > 0) fnRows.push(f); }
fnRows.sort((a, b) => fSize[b] - fSize[a] || fCount[b] - fCount[a] || a - b);
out.push(`${file}: ${n} nodes, ${heap.edges.length} edges; ${nFunc} trace functions, ${traceNodes} trace nodes; ` +
  `allocated ${totalCount} objects / ${totalSize} bytes; root retained size ${rootIdx >= 0 ? retained[rootIdx] : '?'} bytes (memlab)`);
out.push(``, `Allocation (per function, by allocated size)`);
out.push(`${'live count'.padStart(10)} ${'count'.padStart(10)} ${'live size'.padStart(12)} ${'size'.padStart(12)}  ${'function'.padEnd(28)} location`);
for (const f of fnRows.slice(0, top || fnRows.length)) {
  const o = f * fiN;
  let nm = strings[infos[o + fName]] || '(anonymous)';
  if (nm.length > 28) nm = `${nm.slice(0, 25)}...`;
  const script = strings[infos[o + fScript]] || '';
  const line = infos[o + fLine], col = infos[o + fCol];
  const loc = script ? `${script}${line > 0 ? `:${line}${col > 0 ? `:${col}` : ''}` : ''}` : '';
  out.push(`${String(fLiveCount[f]).padStart(10)} ${String(fCount[f]).padStart(10)} ${String(fLiveSize[f]).padStart(12)} ` +
    `${String(fSize[f]).padStart(12)}  ${nm.padEnd(28)} ${loc}`);
}
out.push(``, `Classes (by retained size)`);
out.push(`${'class'.padEnd(40)} ${'count'.padStart(10)} ${'shallow'.padStart(14)} ${'retained'.padStart(14)}`);
const order = [...Array(C).keys()].sort((a, b) => ret[b] - ret[a] || shallow[b] - shallow[a] || (names[a] < names[b] ? -1 : 1));
for (const c of order.slice(0, top || C)) {
  const nm = names[c].length > 40 ? `${names[c].slice(0, 37)}...` : names[c];
  out.push(`${nm.padEnd(40)} ${String(count[c]).padStart(10)} ${String(shallow[c]).padStart(14)} ${String(ret[c]).padStart(14)}`);
}
process.stdout.write(out.join('\n') + '\n');
console.error(JSON.stringify({phases_ms: {load_and_dominators: Math.round(tLoad - t0), summary: Math.round(tAgg - tLoad)},
  peak_rss_kib: Math.round(process.resourceUsage().maxRSS)}));
