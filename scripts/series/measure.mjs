// The numbers quoted in fixtures/series/README.md, measured on the committed
// series with heapdiff itself (`heapdiff top --format csv -n 0` per peek).
//
//   node scripts/series/measure.mjs steps CASE
//       per function: self bytes at every peek of fixtures/series/CASE, and
//       how many of the steps between consecutive peeks grew by more than two
//       sampling errors (heapdiff diff's noise rule, 2·R·√(n₁+n₂), R the
//       sampling interval, n the row's samples); rows by steps grown, then
//       net growth
//   node scripts/series/measure.mjs noise CASE_A CASE_B
//       two identical runs peek by peek: per function the difference of self
//       bytes in units of its sampling error R·√(n_a+n_b) (z), how many rows
//       are beyond 2 and 3, and the largest differences
//   node scripts/series/measure.mjs survivors CASE
//       memlab's rule on the case's snapshots (first = baseline, second =
//       target, last = final): objects of the target whose id is not in the
//       baseline and that are still in the final snapshot, counted by class
//       (an object's constructor name, other nodes by their type); read from
//       the snapshots directly, not through heapdiff. An id whose node has
//       another class in the final snapshot is counted apart: V8 can give a
//       new object the id of a dead one that lay at the same address (no
//       allocation tracking, no GC move in between)
//
// Options: --heapdiff BIN (default: $CARGO_TARGET_DIR/debug/heapdiff, else
// target/debug/heapdiff), --rows N (rows printed, default 15), --match RE
// (print only the rows whose "name url:line:col" matches, e.g. the
// application's scripts: --match heapdiff-series/).
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './lib.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const targetDir = process.env.CARGO_TARGET_DIR || path.join(REPO_ROOT, 'target');
const HEAPDIFF = option('--heapdiff', path.join(targetDir, 'debug', 'heapdiff'));
const ROWS = Number(option('--rows', '15'));
const MATCH = new RegExp(option('--match', ''));

function caseInfo(name) {
  const dir = path.join(REPO_ROOT, 'fixtures', 'series', name);
  return { dir, ...JSON.parse(fs.readFileSync(path.join(dir, 'series.json'), 'utf8')) };
}

function parseCsvLine(line) {
  const cells = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') cur += line[i++];
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) cells.push(cur), (cur = '');
    else cur += c;
  }
  cells.push(cur);
  return cells;
}

// Map "name url:line:col" -> {self, samples} for one profile.
function rowsOf(file) {
  const csv = execFileSync(HEAPDIFF, ['top', '--format', 'csv', '-n', '0', '--quiet', file], { encoding: 'utf8' });
  const [head, ...lines] = csv.trim().split('\n');
  const col = Object.fromEntries(parseCsvLine(head).map((h, i) => [h, i]));
  const rows = new Map();
  for (const line of lines) {
    const c = parseCsvLine(line);
    const where = c[col.url] ? ` ${c[col.url]}:${c[col.line]}:${c[col.column]}` : '';
    rows.set(`${c[col.name]}${where}`, { self: Number(c[col.self]), samples: Number(c[col.samples]) });
  }
  return rows;
}

const peeks = (info) => info.steps.map((s) => rowsOf(path.join(info.dir, s.peek)));
const kb = (b) => (b / 1000).toFixed(1);
const ZERO = { self: 0, samples: 0 };

function steps(name) {
  const info = caseInfo(name);
  const series = peeks(info);
  const R = info.sampling_interval;
  const keys = new Set(series.flatMap((m) => [...m.keys()]));
  const table = [...keys].map((key) => {
    const points = series.map((m) => m.get(key) ?? ZERO);
    let grown = 0;
    for (let i = 1; i < points.length; i++) {
      const d = points[i].self - points[i - 1].self;
      if (d > 2 * R * Math.sqrt(points[i].samples + points[i - 1].samples)) grown++;
    }
    return { key, points, grown, net: points.at(-1).self - points[0].self };
  });
  table.sort((a, b) => b.grown - a.grown || b.net - a.net || (a.key < b.key ? -1 : 1));
  console.log(`${name}: ${series.length} peeks, R = ${R} B; self kB per peek, steps grown beyond 2 sampling errors of ${series.length - 1}`);
  for (const r of table.filter((t) => MATCH.test(t.key)).slice(0, ROWS)) {
    console.log(`${r.grown}  ${r.points.map((p) => kb(p.self).padStart(6)).join(' ')}  ${r.key}`);
  }
}

function noise(a, b) {
  const [ia, ib] = [caseInfo(a), caseInfo(b)];
  const R = ia.sampling_interval;
  if (R !== ib.sampling_interval) throw new Error('the two cases have different sampling intervals');
  const [sa, sb] = [peeks(ia), peeks(ib)];
  const all = [];
  for (let k = 0; k < Math.min(sa.length, sb.length); k++) {
    const keys = new Set([...sa[k].keys(), ...sb[k].keys()]);
    const zs = [...keys].map((key) => {
      const [x, y] = [sa[k].get(key) ?? ZERO, sb[k].get(key) ?? ZERO];
      const d = x.self - y.self;
      return { key, d, z: d / (R * Math.sqrt(x.samples + y.samples)), x, y };
    });
    const beyond = (t) => zs.filter((r) => Math.abs(r.z) > t).length;
    const tot = (m) => [...m.values()].reduce((s, r) => s + r.self, 0);
    console.log(`peek ${k + 1}: ${zs.length} rows, totals ${kb(tot(sa[k]))} vs ${kb(tot(sb[k]))} kB; |z| > 2: ${beyond(2)}, > 3: ${beyond(3)}`);
    all.push(...zs.map((r) => ({ ...r, peek: k + 1 })));
  }
  const shown = all.filter((r) => MATCH.test(r.key));
  shown.sort((p, q) => Math.abs(q.z) - Math.abs(p.z));
  console.log(`largest |z| (difference / sampling error R·√(n_a+n_b)) over ${shown.length} row-peeks${MATCH.source === '(?:)' ? '' : ` matching ${MATCH.source}`}:`);
  for (const r of shown.slice(0, ROWS)) {
    console.log(`peek ${r.peek}  z ${r.z.toFixed(2).padStart(6)}  ${kb(r.x.self).padStart(6)} vs ${kb(r.y.self).padStart(6)} kB  ${r.key}`);
  }
  shown.sort((p, q) => Math.abs(q.d) - Math.abs(p.d));
  console.log('largest differences in bytes:');
  for (const r of shown.slice(0, ROWS)) {
    console.log(`peek ${r.peek}  ${(r.d >= 0 ? '+' : '') + kb(r.d)} kB  z ${r.z.toFixed(2)}  ${r.key}`);
  }
}

// id -> class of every node of a (gzipped) snapshot.
function classesById(file) {
  const snap = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const [t, n, id] = ['type', 'name', 'id'].map((f) => fields.indexOf(f));
  const byId = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + t]];
    byId.set(snap.nodes[i + id], type === 'object' ? snap.strings[snap.nodes[i + n]] : `(${type})`);
  }
  return byId;
}

function survivors(name) {
  const info = caseInfo(name);
  const files = info.steps.filter((s) => s.snapshot).map((s) => path.join(info.dir, s.snapshot));
  if (files.length < 3) throw new Error(`${name}: ${files.length} snapshots; survivors needs three`);
  const [baseline, target, final] = [files[0], files[1], files.at(-1)].map(classesById);
  const counts = new Map();
  const reused = new Map();
  for (const [id, cls] of target) {
    if (baseline.has(id) || !final.has(id)) continue;
    const into = final.get(id) === cls ? counts : reused;
    const key = final.get(id) === cls ? cls : `${cls} -> ${final.get(id)}`;
    into.set(key, (into.get(key) ?? 0) + 1);
  }
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = rows.reduce((s, [, c]) => s + c, 0);
  console.log(`${name}: ${total} objects new in ${path.basename(files[1])} (not in ${path.basename(files[0])}) and alive in ${path.basename(files.at(-1))}`);
  for (const [cls, c] of rows.slice(0, ROWS)) console.log(`${String(c).padStart(7)}  ${cls}`);
  const again = [...reused].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  console.log(`ids of the target found in the final snapshot on a node of another class: ${again.reduce((s, [, c]) => s + c, 0)}`);
  for (const [cls, c] of again.slice(0, ROWS)) console.log(`${String(c).padStart(7)}  ${cls}`);
}

const [cmd, ...rest] = args;
if (cmd === 'steps' && rest.length === 1) steps(rest[0]);
else if (cmd === 'noise' && rest.length === 2) noise(rest[0], rest[1]);
else if (cmd === 'survivors' && rest.length === 1) survivors(rest[0]);
else {
  console.error('usage: node scripts/series/measure.mjs steps CASE | noise CASE_A CASE_B | survivors CASE [--heapdiff BIN] [--rows N]');
  process.exit(2);
}
