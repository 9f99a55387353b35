#!/usr/bin/env node
// The node baseline heapdiff is measured against: the script a developer would write.
// JSON.parse the whole `.heapprofile`, then aggregate self and total bytes by function with
// Chrome DevTools' Heavy (bottom-up) rules (docs/formats.md §4.1, §4.3), and print the top rows by self.
//
//   node scripts/bench/node-aggregate.mjs FILE [--top N]
//
// Rules: a function is its callUID = functionName@scriptId:lineNumber:columnNumber (raw values:
// "" names and -1 positions stay as they are); self = Σ selfSize of its nodes; total = Σ subtree
// total of its nodes that have no ancestor with the same callUID (recursion counted once).
// Subtrees whose total is 0 are pruned, as DevTools does (they would only add empty rows).
// No ordinal range is selected, so `samples` is not used, only parsed (as DevTools would).
// Legacy nodes without `callFrame` carry the fields themselves, 1-based: 1 is subtracted.
import fs from 'node:fs';

const args = process.argv.slice(2);
let file = null, top = 20;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (file === null) file = args[i];
  else { console.error(`usage: node node-aggregate.mjs FILE [--top N]`); process.exit(2); }
}
if (!file || !(top >= 0)) { console.error(`usage: node node-aggregate.mjs FILE [--top N]`); process.exit(2); }

let text;
try {
  text = fs.readFileSync(file, 'utf8');
} catch (e) {
  // files over V8's string limit (~512 MiB) end here: that is a limit of this approach
  console.error(`node-aggregate: cannot read ${file} as one string: ${e.message}`);
  process.exit(2);
}
let prof = JSON.parse(text);
text = null;
if (!prof.head && prof.profile && prof.profile.head) prof = prof.profile; // {"profile": …} wrapper
if (!prof.head) { console.error(`node-aggregate: ${file}: no "head": not a sampling heap profile`); process.exit(2); }

const uidIndex = new Map(); // callUID → row index
const frames = [];          // row index → call frame (for display)
let selfBy = new Float64Array(1024), totalBy = new Float64Array(1024), onPath = new Int32Array(1024);
let alive = new Uint8Array(1024); // row has a node that survived pruning
let nodeCount = 0;

function frameOf(n) {
  if (n.callFrame) return n.callFrame;
  return {functionName: n.functionName, scriptId: n.scriptId, url: n.url,
    lineNumber: n.lineNumber - 1, columnNumber: n.columnNumber - 1};
}
function row(cf) {
  const uid = `${cf.functionName}@${cf.scriptId}:${cf.lineNumber}:${cf.columnNumber}`;
  let r = uidIndex.get(uid);
  if (r === undefined) {
    r = frames.length;
    uidIndex.set(uid, r);
    frames.push(cf);
    if (r >= selfBy.length) {
      const grow = (a) => { const b = new a.constructor(a.length * 2); b.set(a); return b; };
      selfBy = grow(selfBy); totalBy = grow(totalBy); onPath = grow(onPath); alive = grow(alive);
    }
  }
  return r;
}
// Depth is capped by V8's stack capture (128 frames), so plain recursion is safe.
function visit(n) {
  nodeCount++;
  const r = row(frameOf(n));
  onPath[r]++;
  let total = n.selfSize;
  const kids = n.children || [];
  for (let i = 0; i < kids.length; i++) total += visit(kids[i]);
  onPath[r]--;
  if (total > 0) { // pruned otherwise (self 0 and no surviving children)
    alive[r] = 1;
    selfBy[r] += n.selfSize;
    if (onPath[r] === 0) totalBy[r] += total;
  }
  return total;
}
nodeCount = 1;
let rootTotal = prof.head.selfSize || 0;
for (const c of prof.head.children || []) rootTotal += visit(c);

const rows = [];
for (let r = 0; r < frames.length; r++) if (alive[r]) rows.push(r);
rows.sort((a, b) => selfBy[b] - selfBy[a] || totalBy[b] - totalBy[a] || a - b);
const pct = (x) => (rootTotal > 0 ? ((x / rootTotal) * 100).toFixed(2) : '0.00') + ' %';
const out = [];
out.push(`${file}: ${nodeCount} nodes, ${(prof.samples || []).length} samples, ${rows.length} functions, total ${rootTotal} bytes`);
out.push(['self', 'self %', 'total', 'total %', 'function', 'location'].join('\t'));
for (const r of rows.slice(0, top)) {
  const cf = frames[r];
  const loc = cf.url ? `${cf.url}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : `(scriptId ${cf.scriptId})`;
  out.push([selfBy[r], pct(selfBy[r]), totalBy[r], pct(totalBy[r]), cf.functionName || '(anonymous)', loc].join('\t'));
}
process.stdout.write(out.join('\n') + '\n');
