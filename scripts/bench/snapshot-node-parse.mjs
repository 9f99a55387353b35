#!/usr/bin/env node
// The naive node baseline for heap snapshots: the script a developer would write first.
// `JSON.parse(fs.readFileSync(file, 'utf8'))`, then a per-class shallow-size summary (no
// dominators, no retained sizes), top N classes by shallow size.
//
//   node [--max-old-space-size=N] scripts/bench/snapshot-node-parse.mjs FILE [--top 20]
//
// Class names follow Chrome DevTools' Summary view: an object's or native's name; "(system)" for
// hidden nodes, "(compiled code)" for code, "(TYPE)" for the other types ("(string)",
// "(closure)", "(array)", "(concatenated string)", …).
// Expected to fail for files over V8's string limit (0x1fffffe8 chars, ~512 MiB): readFileSync
// cannot return them as one string. That is a limit of this approach: the failure is reported
// on stderr and the exit code is 2.
import fs from 'node:fs';

const args = process.argv.slice(2);
let file = null, top = 20;
const usage = () => { console.error('usage: node snapshot-node-parse.mjs FILE [--top N]'); process.exit(2); };
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
  console.error(`snapshot-node-parse: cannot read ${file} as one string: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  process.exit(2);
}
const tRead = performance.now();
let snap;
try {
  snap = JSON.parse(text);
} catch (e) {
  console.error(`snapshot-node-parse: JSON.parse failed: ${e.message}`);
  process.exit(2);
}
text = null;
const tParse = performance.now();
if (!snap.snapshot || !snap.nodes || !snap.strings) { console.error(`snapshot-node-parse: ${file}: not a heap snapshot`); process.exit(2); }

const meta = snap.snapshot.meta;
const F = meta.node_fields.length;
const typeOff = meta.node_fields.indexOf('type');
const nameOff = meta.node_fields.indexOf('name');
const sizeOff = meta.node_fields.indexOf('self_size');
const types = meta.node_types[typeOff];
const {nodes, strings} = snap;
const classOfType = types.map((t) => (t === 'hidden' ? '(system)' : t === 'code' ? '(compiled code)' : `(${t})`));
const byName = types.map((t) => t === 'object' || t === 'native');

const classes = new Map(); // class name → [count, shallow]
let total = 0;
for (let i = 0; i < nodes.length; i += F) {
  const t = nodes[i + typeOff];
  const name = byName[t] ? strings[nodes[i + nameOff]] : classOfType[t];
  const self = nodes[i + sizeOff];
  total += self;
  const c = classes.get(name);
  if (c) { c[0]++; c[1] += self; } else classes.set(name, [1, self]);
}
const tAgg = performance.now();

const rows = [...classes].sort((a, b) => b[1][1] - a[1][1] || (a[0] < b[0] ? -1 : 1)).slice(0, top);
const out = [];
out.push(`${file}: ${nodes.length / F} nodes, ${snap.snapshot.edge_count} edges, ${strings.length} strings; ` +
  `${classes.size} classes; total shallow size ${total} bytes`);
out.push(`${'class'.padEnd(40)} ${'count'.padStart(10)} ${'shallow'.padStart(14)} ${'%'.padStart(6)}`);
for (const [name, [count, shallow]] of rows) {
  const n = name.length > 40 ? `${name.slice(0, 37)}...` : name;
  out.push(`${n.padEnd(40)} ${String(count).padStart(10)} ${String(shallow).padStart(14)} ${(100 * shallow / total).toFixed(1).padStart(6)}`);
}
process.stdout.write(out.join('\n') + '\n');
console.error(JSON.stringify({phases_ms: {read: Math.round(tRead - t0), parse: Math.round(tParse - tRead),
  aggregate: Math.round(tAgg - tParse)}, peak_rss_kib: Math.round(process.resourceUsage().maxRSS)}));
