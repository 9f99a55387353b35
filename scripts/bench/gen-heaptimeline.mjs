#!/usr/bin/env node
// Generates large, real V8 allocation timelines (`.heaptimeline`) for heapdiff's timeline
// benchmark (scripts/bench-timeline.sh).
//
// Real V8 output, not a synthetic JSON writer. As in scripts/timelines/gen-node-worker.mjs, the
// recording is made in process: a worker_threads Worker opens an inspector session on the main
// thread (`new inspector.Session(); session.connectToMainThread()`), sends HeapProfiler.enable
// and `HeapProfiler.startTrackingHeapObjects({trackAllocations: true})`; the main thread then runs
// a generated workload (DIR/timeline-workload/: ~380 distinct named functions in an "app" and a
// dozen fake npm packages, five call layers deep, allocating objects, arrays, strings, closures,
// class instances, Maps, Sets, typed arrays and Dates, most of them kept in a large live object
// graph: per-unit contexts linked to each other and indexed by a Map, plus some garbage) in
// slices with event-loop turns between them, so V8's heap-stats pushes (the timeline samples)
// happen (each push collects and walks the whole heap, so the slices grow with the heap); finally the worker sends `stopTrackingHeapObjects({reportProgress: false})` and
// writes each `HeapProfiler.addHeapSnapshotChunk` chunk to the file as it arrives (the chunks are
// never joined in memory). The file is left exactly as V8 wrote it (an in-process session may
// write a header trace_function_count smaller than the number of trace_function_infos records;
// the .meta.json gives both).
//
//   node scripts/bench/gen-heaptimeline.mjs [--size 400MB[,100MB,…]] [--out DIR] [--seed 1] [--force]
//
//   --size S[,S…]   target file size(s): 400MB (10^6), 400MiB, 1GB (10^9) or bytes (default 400MB)
//   --out DIR       output directory (default /tmp/heapdiff-bench); writes
//                   DIR/heaptimeline_<S>.heaptimeline and DIR/heaptimeline_<S>.heaptimeline.meta.json
//                   (bytes, node/edge counts, trace functions, trace nodes, samples, section
//                   sizes, generation times), and DIR/timeline-workload/ (the generated source the
//                   trace points at; needed only while generating)
//   --seed N        workload seed (default 1)
//   --force         regenerate files that already exist
//
// Each file is made by its own node process. Size is hit by calibration inside the recording:
// after U and 2U units of workload (a unit is one context and everything hanging off it) the
// worker takes two ordinary heap snapshots through the same session (HeapProfiler.takeHeapSnapshot
// while tracking: same sections, trace tree included) to a scratch file, which give bytes per unit;
// the workload is then grown to the target and the recording stopped (expect within a few %).
// Allocation tracking makes every allocation a runtime call that records its stack: on 2 cores a
// 400 MB file takes a few minutes.
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';
import {Worker, isMainThread, parentPort, workerData} from 'node:worker_threads';

const SELF = fileURLToPath(import.meta.url);
const TAG = 'gen-heaptimeline';
const log = (...a) => console.error(`[${TAG}]`, ...a);
function die(msg) { console.error(`${TAG}: ${msg}`); process.exit(2); }

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = {out: '/tmp/heapdiff-bench', sizes: ['400MB'], seed: 1, force: false, child: false, file: null, target: 0};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--out': o.out = val(); break;
      case '--size': case '--sizes': o.sizes = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--seed': o.seed = Number(val()); break;
      case '--force': o.force = true; break;
      case '--child': o.child = true; break;
      case '--file': o.file = val(); break;
      case '--target': o.target = Number(val()); break;
      case '-h': case '--help': {
        const src = fs.readFileSync(SELF, 'utf8').split('\n');
        console.log(src.slice(1, src.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      }
      default: die(`unknown argument ${a} (try --help)`);
    }
  }
  if (!o.sizes.length) die('--size needs at least one size');
  for (const s of o.sizes) parseSize(s);
  if (!Number.isInteger(o.seed)) die('--seed must be an integer');
  return o;
}
function parseSize(s) {
  const m = /^\s*([\d.]+)\s*(b|kb|kib|mb|mib|gb|gib|k|m|g)?\s*$/i.exec(String(s));
  if (!m || !(Number(m[1]) > 0)) die(`bad --size ${s}`);
  const mult = {b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30};
  return Math.round(Number(m[1]) * mult[(m[2] || 'b').toLowerCase()]);
}
const fileFor = (out, size) => path.join(out, `heaptimeline_${size.replace(/\s+/g, '')}.heaptimeline`);

// ---------------------------------------------------------------- deterministic randomness
function rng(seed) {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  const next = () => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------- code generation (parent)
const VERBS = ['parse', 'build', 'encode', 'decode', 'render', 'resolve', 'load', 'fetch', 'compile', 'transform',
  'validate', 'normalize', 'serialize', 'merge', 'index', 'scan', 'format', 'hash', 'emit', 'collect', 'map',
  'reduce', 'visit', 'read', 'write', 'create', 'clone', 'update', 'apply', 'flush', 'track', 'attach'];
const NOUNS = ['Header', 'Token', 'Node', 'Chunk', 'Record', 'Row', 'Schema', 'Route', 'Request', 'Response', 'Session',
  'Template', 'Style', 'Module', 'Config', 'Message', 'Event', 'Frame', 'Entry', 'Key', 'Path', 'Query', 'Field',
  'Block', 'Stream', 'Cache', 'Span', 'Batch', 'Packet', 'Tree', 'List', 'Invoice', 'Order', 'Tenant', 'Metric'];
const MODULES = [ // [relative path, layers, function count]
  ['src/server.js', [0, 1], 26], ['src/routes/api.js', [0, 2], 34], ['src/routes/pages.js', [1, 2], 30],
  ['src/jobs/worker.js', [0, 2], 26], ['src/model/user.js', [2, 3], 34], ['src/model/order.js', [2, 3], 34],
  ['src/lib/util.js', [3, 4], 28], ['node_modules/@acme/router/lib/index.js', [1, 2], 26],
  ['node_modules/@acme/orm/dist/query.js', [2, 3], 30], ['node_modules/fastparse/lib/parser.js', [3, 4], 28],
  ['node_modules/templ8/lib/render.js', [2, 4], 26], ['node_modules/streamkit/lib/stream.js', [3, 4], 24],
  ['node_modules/lodashy/lodash.js', [4, 4], 30],
];
const CLASS_NAMES = ['Server', 'ApiHandler', 'PageView', 'JobRecord', 'UserModel', 'OrderModel', 'UtilBox', 'RouteMatch',
  'OrmQuery', 'ParseState', 'TemplateNode', 'StreamChunk', 'LodashWrapper'];
const N_KINDS = 14;

function allocExpr(kind, tag, cls, size) {
  switch (kind) {
    case 0: return `{ id: i, owner: ctx, tag: '${tag}' }`;
    case 1: return `{ id: i, a: i * 2, b: '${tag}-' + i, c: null, d: true, at: i + 0.5 }`;
    case 2: return `[i, ctx.id, '${tag}']`;
    case 3: return `new Array(${size}).fill(i)`;
    case 4: return `'${tag}:' + i + ':' + ctx.id`;
    case 5: return `() => i + ctx.id`;
    case 6: return `new ${cls}(i, ctx)`;
    case 7: return `new Map([[i, '${tag}']])`;
    case 8: return `new Uint8Array(${size * 4})`;
    case 9: return `JSON.parse('{"k":' + i + ',"v":[1,2,3],"t":"${tag}"}')`;
    case 10: return `{ ...PROTO, id: i, prev: ctx.items.length ? ctx.items[ctx.items.length - 1] : null }`;
    case 11: return `new Set([i, '${tag}'])`;
    case 12: return `{ id: i, path: ['${tag}', String(i)], parent: ctx }`;
    default: return `new Date(1.7e12 + i * 1000)`;
  }
}

function generateCode(dir) {
  const R = rng(1); // the code is always the same; --seed only changes the mix
  const names = new Set();
  const fresh = () => {
    for (;;) {
      const n = R.pick(VERBS) + R.pick(NOUNS) + (R.chance(0.1) ? R.pick(['Sync', 'Impl', 'Fast', 'Deep', 'All']) : '');
      if (!names.has(n)) { names.add(n); return n; }
    }
  };
  const fns = []; // {name, module, layer}
  const mods = [];
  MODULES.forEach(([rel, [lo, hi], count], mi) => {
    const list = [];
    for (let k = 0; k < count; k++) {
      list.push({idx: fns.length, name: fresh(), layer: R.int(lo, hi), kind: R.int(0, N_KINDS - 1),
        tag: `${path.basename(rel, '.js')}.${k}`, size: R.int(2, 24), keep: R.int(1, 8)});
      fns.push({name: list[list.length - 1].name, module: rel, layer: list[list.length - 1].layer});
    }
    mods.push({rel, mi, list});
  });
  const byLayer = [0, 1, 2, 3, 4].map((l) => fns.map((f, i) => (f.layer === l ? i : -1)).filter((i) => i >= 0));
  const callees = fns.map((f) => {
    if (f.layer >= 4) return [];
    const out = new Set();
    const k = R.int(1, 3);
    for (let t = 0; out.size < k && t < 50; t++) {
      const l = Math.min(4, f.layer + (R.chance(0.75) ? 1 : 2));
      out.add(R.pick(byLayer[l]));
    }
    return [...out];
  });
  const wdir = path.join(dir, 'timeline-workload');
  fs.rmSync(wdir, {recursive: true, force: true});
  for (const {rel, mi, list} of mods) {
    const cls = CLASS_NAMES[mi];
    const lines = [`'use strict';`, `// Generated by heapdiff scripts/bench/gen-heaptimeline.mjs (benchmark workload); do not edit.`,
      `const K = globalThis.__heapdiffTimelineBench;`, `const PROTO = { kind: ${mi}, ok: true, src: '${rel}' };`, ``,
      `class ${cls} {`, `  constructor(id, ctx) { this.id = id; this.ctx = ctx; this.parts = [id, '${cls}']; }`, `}`, ``];
    for (const f of list) {
      const c = callees[f.idx];
      lines.push(`function ${f.name}(ctx, i) {`,
        `  const o = ${allocExpr(f.kind, f.tag, cls, f.size)};`,
        `  if (i % ${f.keep + 1} !== 0) ctx.items.push(o); else K.sink = o;`,
        `  if ((i & 15) === 0) K.sink = ${allocExpr((f.kind + 5) % N_KINDS, f.tag, cls, f.size)};`);
      if (c.length === 1) lines.push(`  K.F[${c[0]}](ctx, i + 1);`);
      else if (c.length > 1) {
        lines.push(`  const c = [${c.join(', ')}];`, `  K.F[c[(i >>> 1) % ${c.length}]](ctx, i + 1);`,
          `  if ((i & 7) === 3) K.F[c[(i >>> 3) % ${c.length}]](ctx, i + 3);`);
      }
      lines.push(`  return o;`, `}`, ``);
    }
    lines.push(`module.exports = function register(F) {`, ...list.map((f) => `  F[${f.idx}] = ${f.name};`), `};`, ``);
    fs.mkdirSync(path.dirname(path.join(wdir, rel)), {recursive: true});
    fs.writeFileSync(path.join(wdir, rel), lines.join('\n'));
  }
  const meta = {generatedBy: 'gen-heaptimeline.mjs', modules: MODULES.map(([rel]) => rel), fns, callees,
    entries: byLayer[0]};
  fs.writeFileSync(path.join(wdir, 'meta.json'), JSON.stringify(meta));
  return meta;
}

// ---------------------------------------------------------------- facts about a written timeline
// Header counts, then section offsets found by a scan for `"name":[`; the small sections
// (trace_function_infos, trace_tree, samples) are read to count their records.
function inspectTimeline(file) {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const headBuf = Buffer.alloc(Math.min(size, 1 << 16));
  fs.readSync(fd, headBuf, 0, headBuf.length, 0);
  const headText = headBuf.toString('utf8');
  const nodesAt = headText.indexOf('"nodes":[');
  let header = {};
  try { header = JSON.parse(headText.slice(0, nodesAt).replace(/,\s*$/, '') + '}').snapshot; } catch { /* below */ }
  const names = ['nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings'];
  const offsets = {};
  const CH = 1 << 24;
  const buf = Buffer.alloc(CH + 64);
  let pos = 0, carry = 0, want = 0;
  while (pos < size && want < names.length) {
    const n = fs.readSync(fd, buf, carry, CH, pos);
    if (n <= 0) break;
    const len = carry + n;
    let from = 0;
    while (want < names.length) {
      const pat = `"${names[want]}":[`;
      const at = buf.indexOf(pat, from, 'latin1');
      if (at < 0 || at >= len) break;
      offsets[names[want]] = pos - carry + at;
      from = at + pat.length;
      want++;
    }
    carry = Math.min(32, len);
    buf.copy(buf, 0, len - carry, len);
    pos += n;
  }
  const sections = {};
  for (let i = 0; i < names.length; i++) {
    if (offsets[names[i]] === undefined) continue;
    const end = names.slice(i + 1).map((k) => offsets[k]).find((x) => x !== undefined) ?? size;
    sections[names[i]] = end - offsets[names[i]];
  }
  const readSection = (k) => {
    if (offsets[k] === undefined) return '';
    const b = Buffer.alloc(sections[k]);
    fs.readSync(fd, b, 0, b.length, offsets[k]);
    return b.toString('latin1');
  };
  const countNumbers = (text) => { // flat numeric array `"k":[1,2,3]` → 3
    const body = text.slice(text.indexOf('[') + 1, text.lastIndexOf(']'));
    if (!/\d/.test(body)) return 0;
    let c = 1;
    for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 44) c++;
    return c;
  };
  const meta = header.meta || {};
  const tfFields = (meta.trace_function_info_fields || []).length || 6;
  const sFields = (meta.sample_fields || []).length || 2;
  const infos = countNumbers(readSection('trace_function_infos')) / tfFields;
  const tree = readSection('trace_tree');
  let brackets = 0;
  for (let i = 0; i < tree.length; i++) if (tree.charCodeAt(i) === 91) brackets++;
  // `"trace_tree":[root…,[children]]`: one `[` for the root tuple plus one children array per node
  const traceNodes = Math.max(0, brackets - 1);
  const samplesText = readSection('samples');
  const samples = countNumbers(samplesText) / sFields;
  let durationUs = 0;
  if (samples > 0) {
    const body = samplesText.slice(0, samplesText.lastIndexOf(']'));
    const last = (body.slice(-400).match(/\d+/g) || []).slice(-sFields); // the last sample record
    const tsCol = (meta.sample_fields || ['timestamp_us']).indexOf('timestamp_us');
    durationUs = Number(last[tsCol] ?? 0);
  }
  fs.closeSync(fd);
  return {bytes: size, node_count: header.node_count, edge_count: header.edge_count,
    header_trace_function_count: header.trace_function_count, trace_function_infos: infos, trace_nodes: traceNodes,
    samples, recording_duration_ms: Math.round(durationUs / 1000), sections};
}

// ---------------------------------------------------------------- the recording (child)
async function child(o) {
  const t0 = Date.now();
  const wdir = path.join(o.out, 'timeline-workload');
  const meta = JSON.parse(fs.readFileSync(path.join(wdir, 'meta.json'), 'utf8'));
  const K = globalThis.__heapdiffTimelineBench = {F: new Array(meta.fns.length), sink: null};
  const req = createRequire(path.join(wdir, 'meta.json'));
  for (const rel of meta.modules) req(path.join(wdir, rel))(K.F);
  if (K.F.some((f) => typeof f !== 'function')) die('workload registration incomplete');

  // The live object graph: unit contexts (linked to neighbours), an index Map, tenants.
  class UnitContext {
    constructor(id, tenant, prev) { this.id = id; this.tenant = tenant; this.prev = prev; this.items = []; this.label = null; }
  }
  const R = rng(o.seed * 7919 + 17);
  const world = {units: [], index: new Map(), tenants: [], units_done: 0};
  globalThis.__heapdiffTimelineWorld = world;
  const entries = meta.entries;
  let prev = null, tenant = null;
  function addUnit() {
    const id = world.units.length + 1;
    if (!tenant || tenant.units.length >= tenant.cap) {
      tenant = {id: world.tenants.length + 1, name: `tenant-${world.tenants.length + 1}`, cap: R.int(50, 400), units: []};
      world.tenants.push(tenant);
    }
    const ctx = new UnitContext(id, tenant, prev);
    for (let k = R.int(2, 4); k > 0; k--) K.F[R.pick(entries)](ctx, R.int(1, 1 << 20));
    ctx.label = `${tenant.name}/unit-${id}`;
    if (R.chance(0.3)) world.index.set(ctx.label, ctx);
    tenant.units.push(ctx);
    world.units.push(ctx);
    prev = ctx;
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  let buildMs = 0, lastLog = Date.now(), goal = 0, slice = 20;
  const grow = async (n) => {
    const t = Date.now();
    let done = 0;
    while (done < n) {
      // Slices of work, then an event-loop turn, where the inspector's 50 ms timer pushes heap
      // stats (a timeline sample). Each push makes V8 collect and walk the whole heap, so the
      // slices grow with the cost of the last turn (<= ~25 % of the time in pushes).
      const end = Date.now() + slice;
      while (done < n && Date.now() < end) { addUnit(); done++; }
      const tt = Date.now();
      await tick();
      slice = Math.max(20, 3 * (Date.now() - tt));
      if (Date.now() - lastLog > 30000) {
        lastLog = Date.now();
        log(`  ${world.units.length}${goal ? ` of ${goal}` : ''} units, ${((buildMs + Date.now() - t) / 1000).toFixed(0)} s of workload`);
      }
    }
    buildMs += Date.now() - t;
  };

  const worker = new Worker(SELF, {workerData: {role: 'inspector'}});
  worker.on('error', (e) => { console.error(e); process.exit(1); });
  const rpc = (msg) => new Promise((resolve, reject) => {
    worker.once('message', (r) => (r.error ? reject(new Error(r.error)) : resolve(r)));
    worker.postMessage(msg);
  });
  await rpc({cmd: 'start'});
  const tStart = Date.now();

  // 1. calibration inside the recording: two heap snapshots at U and 2U units
  const calFile = `${o.file}.cal.tmp`;
  const U = Math.max(500, Math.round(o.target / 4000 / 20));
  await grow(U);
  const s1 = await rpc({cmd: 'snap', file: calFile});
  await grow(U);
  const s2 = await rpc({cmd: 'snap', file: calFile});
  fs.rmSync(calFile, {force: true});
  const perUnit = (s2.bytes - s1.bytes) / U;
  const units = Math.max(2 * U, Math.round(2 * U + (o.target - s2.bytes) / perUnit));
  log(`${path.basename(o.file)}: calibration ${U} units → ${(s1.bytes / 1e6).toFixed(1)} MB (${s1.ms} ms), ` +
    `${2 * U} → ${(s2.bytes / 1e6).toFixed(1)} MB (${s2.ms} ms): ${perUnit.toFixed(0)} B/unit; ` +
    `target ${(o.target / 1e6).toFixed(0)} MB → ${units} units`);

  // 2. the rest of the workload, then stop the recording, streaming the chunks to the file
  goal = units;
  await grow(units - 2 * U);
  const mem = process.memoryUsage();
  log(`built ${world.units.length} units (${world.tenants.length} tenants) in ${(buildMs / 1000).toFixed(1)} s of ` +
    `workload; heapUsed ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB; stopping the recording`);
  const tmp = `${o.file}.tmp`;
  const st = await rpc({cmd: 'stop', file: tmp});
  await worker.terminate();
  if (st.written !== st.bytes) die(`wrote ${st.written} bytes but the file has ${st.bytes}`);
  fs.renameSync(tmp, o.file);
  const info = inspectTimeline(o.file);
  const out = {file: o.file, bytes: info.bytes, target_bytes: o.target, node_count: info.node_count,
    edge_count: info.edge_count, trace_function_count: info.trace_function_infos,
    header_trace_function_count: info.header_trace_function_count, trace_nodes: info.trace_nodes,
    samples: info.samples, recording_duration_ms: info.recording_duration_ms, section_bytes: info.sections,
    chunks: st.chunks, units: world.units.length, tenants: world.tenants.length,
    workload_functions: meta.fns.length, seed: o.seed, heap_used_bytes_before_stop: mem.heapUsed,
    calibration: {units_1: U, bytes_1: s1.bytes, units_2: 2 * U, bytes_2: s2.bytes, bytes_per_unit: Math.round(perUnit)},
    workload_seconds: +(buildMs / 1000).toFixed(1), recording_seconds: +((Date.now() - tStart) / 1000).toFixed(1),
    stop_and_write_seconds: +(st.ms / 1000).toFixed(1), total_seconds: +((Date.now() - t0) / 1000).toFixed(1),
    peak_rss_kib: process.resourceUsage().maxRSS, node: process.version,
    generatedBy: 'scripts/bench/gen-heaptimeline.mjs'};
  fs.writeFileSync(`${o.file}.meta.json`, JSON.stringify(out, null, 1) + '\n');
  log(`wrote ${o.file}: ${(out.bytes / 1e6).toFixed(1)} MB (target ${(o.target / 1e6).toFixed(0)} MB), ` +
    `${out.node_count} nodes, ${out.edge_count} edges, ${out.trace_function_count} trace functions ` +
    `(header says ${out.header_trace_function_count}), ${out.trace_nodes} trace nodes, ${out.samples} samples; ` +
    `stop+write ${out.stop_and_write_seconds} s, total ${out.total_seconds} s, peak RSS ${(out.peak_rss_kib / 2 ** 20).toFixed(1)} GiB`);
}

// ---------------------------------------------------------------- main
async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) {
    await child(o);
    process.exit(0);
  }
  fs.mkdirSync(o.out, {recursive: true});
  let generated = false;
  for (const size of o.sizes) {
    const file = fileFor(o.out, size);
    if (!o.force && fs.existsSync(file)) { log(`up to date: ${file} (--force regenerates)`); continue; }
    if (!generated) {
      const meta = generateCode(o.out);
      log(`workload: ${meta.fns.length} functions in ${meta.modules.length} modules under ${path.join(o.out, 'timeline-workload')}`);
      generated = true;
    }
    const target = parseSize(size);
    const heapMiB = Math.min(16384, Math.max(2048, Math.ceil((target / 2 ** 20) * 4)));
    const args = [`--max-old-space-size=${heapMiB}`, SELF, '--child', '--out', o.out, '--file', file,
      '--target', String(target), '--seed', String(o.seed)];
    log(`generating ${file} (node --max-old-space-size=${heapMiB})`);
    const r = spawnSync(process.execPath, args, {stdio: 'inherit'});
    if (r.status !== 0) die(`generating ${file} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
  }
}

// ---------------------------------------------------------------- the inspector worker
// Commands from the main thread: {cmd: 'start'}, {cmd: 'snap', file}, {cmd: 'stop', file};
// each is answered with {ok, bytes?, ms?} or {error}.
async function inspectorWorker() {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connectToMainThread();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  let fd = -1, written = 0, chunks = 0;
  session.on('HeapProfiler.addHeapSnapshotChunk', (m) => {
    const c = m.params.chunk;
    if (fd < 0) return;
    // straight to the file: no list of chunks, no join
    written += fs.writeSync(fd, c, null, 'utf8');
    chunks++;
  });
  const toFile = async (file, method, params) => {
    fd = fs.openSync(file, 'w');
    written = 0; chunks = 0;
    const t = Date.now();
    try {
      await post(method, params);
    } finally {
      fs.closeSync(fd);
      fd = -1;
    }
    return {bytes: fs.statSync(file).size, written, chunks, ms: Date.now() - t};
  };
  const keepAlive = setInterval(() => {}, 1000);
  parentPort.on('message', async (m) => {
    try {
      if (m.cmd === 'start') {
        await post('HeapProfiler.enable');
        await post('HeapProfiler.startTrackingHeapObjects', {trackAllocations: true});
        parentPort.postMessage({ok: true});
      } else if (m.cmd === 'snap') {
        parentPort.postMessage({ok: true, ...(await toFile(m.file, 'HeapProfiler.takeHeapSnapshot', {reportProgress: false}))});
      } else if (m.cmd === 'stop') {
        const r = await toFile(m.file, 'HeapProfiler.stopTrackingHeapObjects', {reportProgress: false});
        await post('HeapProfiler.disable');
        session.disconnect();
        clearInterval(keepAlive);
        parentPort.postMessage({ok: true, ...r});
      } else {
        parentPort.postMessage({error: `unknown command ${m.cmd}`});
      }
    } catch (e) {
      parentPort.postMessage({error: String(e && e.stack || e)});
    }
  });
}

if (!isMainThread && workerData && workerData.role === 'inspector') await inspectorWorker();
else await main();
