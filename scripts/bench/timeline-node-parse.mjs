#!/usr/bin/env node
// The naive node baseline for allocation timelines: the script a developer would write first.
// `JSON.parse(fs.readFileSync(file, 'utf8'))`, then Chrome DevTools' Allocation view: one row per
// function of trace_function_infos with the allocations of every trace_tree node of that function
// summed (count, size: what was allocated while recording) and the snapshot's nodes grouped by
// their trace_node_id (live count, live size: what is still alive at the end), top N functions by
// allocated size.
//
//   node [--max-old-space-size=N] scripts/bench/timeline-node-parse.mjs FILE [--top 20]
//
// Live sizes here are the raw self sizes of the nodes (DevTools adjusts a few, e.g. it moves a
// JSArrayBuffer's backing store into it; heapdiff follows DevTools), so a few live sizes differ
// a little from heapdiff's; counts and allocated sizes are the same.
// Expected to fail for files over V8's string limit (0x1fffffe8 chars, ~512 MiB): readFileSync
// cannot return them as one string. That is a limit of this approach: the failure is reported
// on stderr and the exit code is 2. Phase times and peak RSS go to stderr as one JSON line.
import fs from 'node:fs';

const args = process.argv.slice(2);
let file = null, top = 20;
const usage = () => { console.error('usage: node timeline-node-parse.mjs FILE [--top N]'); process.exit(2); };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (file === null) file = args[i];
  else usage();
}
if (!file || !(top >= 0)) usage();

const t0 = performance.now();
let text;
try {
  text = fs.readFileSync(file, 'utf8');
} catch (e) {
  console.error(`timeline-node-parse: cannot read ${file} as one string: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  process.exit(2);
}
const tRead = performance.now();
let snap;
try {
  snap = JSON.parse(text);
} catch (e) {
  console.error(`timeline-node-parse: JSON.parse failed: ${e.message}`);
  process.exit(2);
}
text = null;
const tParse = performance.now();
if (!snap.snapshot || !snap.nodes || !snap.strings) { console.error(`timeline-node-parse: ${file}: not a heap snapshot`); process.exit(2); }
const meta = snap.snapshot.meta;
if (!meta.trace_function_info_fields || !meta.trace_node_fields || !snap.trace_tree || !snap.trace_tree.length) {
  console.error(`timeline-node-parse: ${file}: no allocation trace (not an allocation timeline)`);
  process.exit(2);
}

// functions
const {strings} = snap;
const FI = meta.trace_function_info_fields;
const fiN = FI.length;
const fName = FI.indexOf('name'), fScript = FI.indexOf('script_name'), fLine = FI.indexOf('line'), fCol = FI.indexOf('column');
const infos = snap.trace_function_infos;
const nFunc = infos.length / fiN;
const count = new Float64Array(nFunc), size = new Float64Array(nFunc);
const liveCount = new Float64Array(nFunc), liveSize = new Float64Array(nFunc);

// trace tree: [id, function_info_index, count, size, children] nested; walked with a stack
const TN = meta.trace_node_fields;
const tnN = TN.length;
const tId = TN.indexOf('id'), tFn = TN.indexOf('function_info_index'), tCount = TN.indexOf('count'),
  tSize = TN.indexOf('size'), tKids = TN.indexOf('children');
const fnOfTraceNode = new Map(); // trace node id → function info index
const stack = [[snap.trace_tree, 0]]; // [array, offset of a node tuple]
let traceNodes = 0;
while (stack.length) {
  const [arr, off] = stack.pop();
  const f = arr[off + tFn];
  traceNodes++;
  fnOfTraceNode.set(arr[off + tId], f);
  count[f] += arr[off + tCount];
  size[f] += arr[off + tSize];
  const kids = arr[off + tKids];
  for (let k = 0; k < kids.length; k += tnN) stack.push([kids, k]);
}

// live objects: snapshot nodes by trace_node_id
const NF = meta.node_fields;
const F = NF.length;
const traceOff = NF.indexOf('trace_node_id'), sizeOff = NF.indexOf('self_size');
const {nodes} = snap;
let live = 0, unattributed = 0;
for (let i = 0; i < nodes.length; i += F) {
  const tid = nodes[i + traceOff];
  if (tid === 0) continue;
  const f = fnOfTraceNode.get(tid);
  if (f === undefined) { unattributed++; continue; }
  liveCount[f]++;
  liveSize[f] += nodes[i + sizeOff];
  live++;
}
const tAgg = performance.now();

const fnLabel = (f) => {
  const o = f * fiN;
  return strings[infos[o + fName]] || '(anonymous)';
};
const locLabel = (f) => {
  const o = f * fiN;
  const script = strings[infos[o + fScript]] || '';
  const line = infos[o + fLine], col = infos[o + fCol];
  return script ? `${script}${line > 0 ? `:${line}${col > 0 ? `:${col}` : ''}` : ''}` : '';
};
const rows = [];
let totalCount = 0, totalSize = 0;
for (let f = 0; f < nFunc; f++) {
  totalCount += count[f]; totalSize += size[f];
  if (count[f] > 0) rows.push(f);
}
rows.sort((a, b) => size[b] - size[a] || count[b] - count[a] || a - b);
const out = [];
out.push(`${file}: ${nodes.length / F} nodes, ${snap.snapshot.edge_count} edges, ${nFunc} trace functions, ` +
  `${traceNodes} trace nodes, ${snap.samples ? snap.samples.length / meta.sample_fields.length : 0} samples; ` +
  `allocated ${totalCount} objects / ${totalSize} bytes, ${live} live objects attributed (${unattributed} with unknown trace node)`);
out.push(`${'live count'.padStart(10)} ${'count'.padStart(10)} ${'live size'.padStart(12)} ${'size'.padStart(12)}  ${'function'.padEnd(28)} location`);
for (const f of rows.slice(0, top || rows.length)) {
  let nm = fnLabel(f);
  if (nm.length > 28) nm = `${nm.slice(0, 25)}...`;
  out.push(`${String(liveCount[f]).padStart(10)} ${String(count[f]).padStart(10)} ${String(liveSize[f]).padStart(12)} ` +
    `${String(size[f]).padStart(12)}  ${nm.padEnd(28)} ${locLabel(f)}`);
}
out.push(``, `showing ${Math.min(rows.length, top || rows.length)} of ${rows.length} functions`);
process.stdout.write(out.join('\n') + '\n');
console.error(JSON.stringify({phases_ms: {read: Math.round(tRead - t0), parse: Math.round(tParse - tRead),
  aggregate: Math.round(tAgg - tParse)}, peak_rss_kib: Math.round(process.resourceUsage().maxRSS)}));
