// Writes a sampling heap profile of 100,000 distinct frames at seeded random
// positions of a generated script (one frame per position, 64 bytes each).
// Usage: node gen-sourcemap-profile.js SCRIPT.js URL OUT.heapprofile
const fs = require('fs');
const js = fs.readFileSync(process.argv[2], 'utf8').split('\n');
let x = 12345n;
const rnd = (n) => { x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n); return Number((x >> 20n) % BigInt(n)); };
const seen = new Set();
const children = [];
let id = 2;
while (children.length < 100000) {
  const line = rnd(js.length);
  if (js[line].length === 0) continue;
  const col = rnd(js[line].length);
  const k = line + ':' + col;
  if (seen.has(k)) continue;
  seen.add(k);
  children.push({ callFrame: { functionName: 'f' + children.length, scriptId: '5', url: process.argv[3], lineNumber: line, columnNumber: col }, selfSize: 64, id: id++, children: [] });
}
const head = { callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children };
fs.writeFileSync(process.argv[4], JSON.stringify({ head, samples: [] }));
