#!/usr/bin/env node
// Generates large, real `.heapprofile` inputs for heapdiff's end-to-end benchmarks.
//
// Real V8 output, not a synthetic JSON writer: a generated workload (a few hundred distinct JS
// functions spread over an "app" and a dozen fake npm packages, with class methods, anonymous
// callbacks, `new Function` code, non-ASCII names, direct and mutual recursion and a few stacks
// deeper than V8's 128-frame cap) runs under the sampling heap profiler, started in-process
// through the `inspector` module, and keeps its allocations alive. The profile V8 returns from
// `HeapProfiler.stopSampling` is written as compact JSON, head first, samples in chunks.
//
//   node scripts/bench/gen-heapprofile.mjs [--out DIR] [--size 300MB] [--variant a|b|both]
//        [--interval 64] [--nodes 120000] [--seed 1] [--force]
//
//   --out DIR       output directory (default /tmp/heapdiff-bench); writes DIR/big1.heapprofile
//                   (variant a) and DIR/big2.heapprofile (variant b), and DIR/workload/ (the
//                   generated source the profile points at; needed only while generating)
//   --size N        target size of each file: 300MB (10^6), 300MiB, or bytes (default 300MB);
//                   V8 hands the whole profile over as one string, so keep it under ~480 MB
//   --variant V     a: "before"; b: same code and call graph, different mix (functions that
//                   grew, shrank, appeared, disappeared, new and removed call paths); both (default)
//   --interval N    samplingInterval in bytes (default 64)
//   --nodes N       call-tree paths the workload exercises (~ nodes in the profile; default 120000)
//   --seed N        workload seed (default 1); the code itself is always generated from seed 1
//   --force         regenerate files that already exist
//
// Each variant runs in its own node process (same flags, same script load order), so the two
// files get identical scriptIds for identical code, as two runs of one app would.
// Size is hit by calibration: a small profiled pass measures samples per allocation and JSON
// bytes per sample/node, then the real pass is scaled to the target (expect within a few %).
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {fileURLToPath, pathToFileURL} from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CODE_SEED = 1;

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = {out: '/tmp/heapdiff-bench', size: '300MB', variant: 'both', interval: 64, nodes: 120000,
    seed: 1, force: false, child: false, file: null};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--out': o.out = val(); break;
      case '--size': o.size = val(); break;
      case '--variant': o.variant = val(); break;
      case '--interval': o.interval = Number(val()); break;
      case '--nodes': o.nodes = Number(val()); break;
      case '--seed': o.seed = Number(val()); break;
      case '--force': o.force = true; break;
      case '--child': o.child = true; break;
      case '--file': o.file = val(); break;
      case '-h': case '--help': {
        const src = fs.readFileSync(SELF, 'utf8').split('\n');
        console.log(src.slice(1, src.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      }
      default: die(`unknown argument ${a} (try --help)`);
    }
  }
  if (!['a', 'b', 'both'].includes(o.variant)) die('--variant must be a, b or both');
  if (!(o.interval > 0)) die('--interval must be a positive number');
  if (!(o.nodes >= 100)) die('--nodes must be >= 100');
  o.targetBytes = parseSize(o.size);
  return o;
}
function parseSize(s) {
  const m = /^\s*([\d.]+)\s*(b|kb|kib|mb|mib|gb|gib|k|m|g)?\s*$/i.exec(String(s));
  if (!m) die(`bad --size ${s}`);
  const mult = {b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30};
  const u = (m[2] || 'b').toLowerCase();
  return Math.round(Number(m[1]) * mult[u]);
}
function die(msg) { console.error(`gen-heapprofile: ${msg}`); process.exit(2); }
const log = (...a) => console.error('[gen-heapprofile]', ...a);

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
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    normal: () => { let u = 0; while (u === 0) u = next(); return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next()); },
    lognormal: (sigma) => Math.exp(sigma * r.normal()),
    shuffle: (arr) => { for (let i = arr.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [arr[i], arr[j]] = [arr[j], arr[i]]; } return arr; },
  };
  return r;
}

// ---------------------------------------------------------------- code generation (parent)
const VERBS = ['parse', 'build', 'encode', 'decode', 'render', 'resolve', 'load', 'fetch', 'compile', 'transform',
  'validate', 'normalize', 'serialize', 'merge', 'index', 'scan', 'format', 'hash', 'compress', 'emit', 'collect',
  'map', 'reduce', 'visit', 'walk', 'read', 'write', 'create', 'clone', 'update', 'apply', 'flush'];
const NOUNS = ['Header', 'Token', 'Node', 'Chunk', 'Buffer', 'Record', 'Row', 'Schema', 'Route', 'Request', 'Response',
  'Session', 'Template', 'Style', 'Module', 'Config', 'Message', 'Event', 'Frame', 'Entry', 'Key', 'Path', 'Query',
  'Field', 'Block', 'Stream', 'Cache', 'Span', 'Batch', 'Packet', 'Tree', 'List'];
const CLASS_NAMES = ['Tokenizer', 'Router', 'Emitter', 'Pool', 'Store', 'Lexer', 'Renderer', 'Cursor', 'Scheduler',
  'Encoder', 'Registry', 'Reader', 'Writer', 'Queue', 'Graph', 'Matcher', 'Builder', 'Codec', 'Channel', 'Loader'];
const METHODS = ['get', 'set', 'next', 'push', 'read', 'write', 'handle', 'run', 'add', 'emit', 'flush', 'build', 'visit', 'load'];
const SHARED_NAMES = ['init', 'handle', 'process', 'run', 'create', 'toJSON', 'from', 'wrap'];
const UNICODE_NAMES = ['größeBerechnen', '计算总和', 'créerNœud', 'обработатьЗапрос', 'αναλύωΔεδομένα', 'データ変換',
  'çözümle', 'überprüfen'];
const MODULES = [
  // [relative path, layer range, function count]
  ['src/server.mjs', [0, 1], 16], ['src/routes/api.mjs', [0, 2], 26], ['src/routes/pages.mjs', [1, 2], 22],
  ['src/jobs/worker.mjs', [0, 2], 20], ['src/model/user.mjs', [2, 3], 24], ['src/model/order.mjs', [2, 3], 24],
  ['src/lib/util.mjs', [3, 4], 22],
  ['node_modules/@acme/router/lib/index.mjs', [1, 2], 22], ['node_modules/@acme/orm/dist/query.mjs', [2, 3], 26],
  ['node_modules/fastparse/lib/parser.mjs', [3, 4], 24], ['node_modules/tiny-json/index.mjs', [3, 4], 18],
  ['node_modules/templ8/lib/render.mjs', [2, 4], 22], ['node_modules/streamkit/lib/stream.mjs', [3, 4], 20],
  ['node_modules/lodashy/lodash.mjs', [4, 4], 30], ['node_modules/immut/dist/immut.mjs', [3, 4], 18],
  ['node_modules/crypto-lite/index.mjs', [4, 4], 14], ['node_modules/date-fns-mini/esm/index.mjs', [4, 4], 14],
  ['node_modules/yamlish/lib/yaml.mjs', [3, 4], 16], ['node_modules/@acme/logger/lib/logger.mjs', [3, 4], 12],
];
const N_EVAL = 10; // functions made with `new Function` (url "", one scriptId each)
const N_KINDS = 16;

function allocExpr(kind, tag, cls, size) {
  switch (kind) {
    case 0: return `{ id: i, depth: p, tag: '${tag}' }`;
    case 1: return `{ id: i, a: p, b: n, c: null, d: true, e: '${tag}', f: i + 0.5 }`;
    case 2: return `[i, p, n, i + p]`;
    case 3: return `new Array(${size}).fill(p)`;
    case 4: return `'${tag}:' + i + ':' + p`;
    case 5: return `() => i + p`;
    case 6: return `new ${cls}(i, p)`;
    case 7: return `new Map([[i, p]])`;
    case 8: return `new Uint8Array(${size + 8})`;
    case 9: return `JSON.parse('{"k":' + i + ',"v":[1,2,3],"t":"${tag}"}')`;
    case 10: return `RX.exec('${tag}-' + i)`;
    case 11: return `[i, p].map((x) => ({ x, y: i }))`;
    case 12: return `('${tag}-' + i + '-' + p).split('-')`;
    case 13: return `Object.assign({}, PROTO, { i })`;
    case 14: return `{ ...PROTO, id: i, at: p }`;
    default: return `new Set([i, p, '${tag}'])`;
  }
}
function body(fnIdx, kind, tag, cls, size, indent) {
  const I = indent;
  return [
    `${I}  if (p + 1 < r.length) return K.F[r[p + 1]](r, p + 1, n);`,
    `${I}  const out = K.keep[${fnIdx}];`,
    `${I}  for (let i = 0; i < n; i++) out.push(${allocExpr(kind, tag, cls, size)});`,
    `${I}  if (K.garbage) { let g; for (let i = 0, m = (n + 3) >> 2; i < m; i++) g = ${allocExpr((kind + 3) % N_KINDS, tag, cls, size)}; K.sink = g; }`,
  ];
}

function generateCode(dir) {
  const R = rng(CODE_SEED);
  const names = new Set();
  const fresh = () => {
    for (;;) {
      const n = R.pick(VERBS) + R.pick(NOUNS) + (R.chance(0.15) ? R.pick(['Sync', 'Async', 'Impl', 'Fast', 'Deep', 'All']) : '');
      if (!names.has(n)) { names.add(n); return n; }
    }
  };
  const fns = []; // {name, module, layer, form}
  const files = [];
  let unicodeLeft = [...UNICODE_NAMES];
  MODULES.forEach(([rel, [lo, hi], count], mi) => {
    const lines = [`// Generated by heapdiff scripts/bench/gen-heapprofile.mjs (benchmark workload); do not edit.`,
      `const K = globalThis.__heapdiffBench;`, `const RX = /(\\w+)-(\\d+)/;`, `const PROTO = { kind: ${mi}, ok: true, src: '${rel}' };`, ``];
    const cls = CLASS_NAMES[mi % CLASS_NAMES.length] + (mi >= CLASS_NAMES.length ? 'X' : '');
    lines.push(`class ${cls} {`, `  constructor(a, b) { this.a = a; this.b = b; this.parts = [a, b, '${cls}']; }`, `}`, ``);
    const reg = [];
    const sharedUsed = new Set();
    let classMethods = null; // open class for methods
    const mod = [];
    for (let k = 0; k < count; k++) {
      const idx = fns.length;
      const layer = R.int(lo, hi);
      const kind = R.int(0, N_KINDS - 1);
      const tag = `${path.basename(path.dirname(rel))}.${k}`;
      const size = R.int(2, 40);
      const u = R.next();
      let name, form;
      if (u < 0.58) { form = 'decl'; name = fresh(); }
      else if (u < 0.66) { form = 'decl'; name = R.pick(SHARED_NAMES.filter((s) => !sharedUsed.has(s))) || fresh(); sharedUsed.add(name); names.add(name); }
      else if (u < 0.70 && unicodeLeft.length) { form = 'decl'; name = unicodeLeft.shift(); }
      else if (u < 0.80) { form = 'method'; name = R.pick(METHODS); }
      else if (u < 0.88) { form = 'arrow'; name = fresh(); } // `const name = (…) => {}`: name inferred
      else { form = 'anon'; name = ''; } // array-literal callback: functionName ""
      fns.push({name, module: rel, layer, form, kind});
      mod.push({idx, name, form, kind, tag, size});
    }
    // Methods grouped into 1–3 service classes per module, declared before use.
    const methodFns = mod.filter((f) => f.form === 'method');
    const groups = [];
    for (const f of methodFns) {
      let g = groups.find((g) => !g.used.has(f.name) && g.fns.length < 4);
      if (!g) { g = {name: `${cls}Service${groups.length || ''}`, used: new Set(), fns: []}; groups.push(g); }
      g.used.add(f.name); g.fns.push(f);
    }
    for (const g of groups) {
      lines.push(`class ${g.name} {`);
      for (const f of g.fns) { lines.push(`  ${f.name}(r, p, n) {`, ...body(f.idx, f.kind, f.tag, cls, f.size, '  '), `  }`); reg.push(`  F[${f.idx}] = ${g.name}.prototype.${f.name};`); }
      lines.push(`}`, ``);
    }
    const anons = [];
    for (const f of mod) {
      if (f.form === 'decl') {
        lines.push(`export function ${f.name}(r, p, n) {`, ...body(f.idx, f.kind, f.tag, cls, f.size, ''), `}`, ``);
        reg.push(`  F[${f.idx}] = ${f.name};`);
      } else if (f.form === 'arrow') {
        lines.push(`export const ${f.name} = (r, p, n) => {`, ...body(f.idx, f.kind, f.tag, cls, f.size, ''), `};`, ``);
        reg.push(`  F[${f.idx}] = ${f.name};`);
      } else if (f.form === 'anon') anons.push(f);
    }
    if (anons.length) {
      lines.push(`export const handlers = [`);
      // Passed through an identity call so V8 infers no name from the declaration.
      for (const f of anons) lines.push(`  ((f) => f)(function (r, p, n) {`, ...body(f.idx, f.kind, f.tag, cls, f.size, '  '), `  }),`);
      lines.push(`];`, ``);
      anons.forEach((f, j) => reg.push(`  F[${f.idx}] = handlers[${j}];`));
    }
    lines.push(`export function register(F) {`, ...reg, `}`, ``);
    files.push([rel, lines.join('\n')]);
  });
  // `new Function` code: no url, one scriptId per function, functionName "" in V8 20.x.
  const evalLines = [`// Generated by heapdiff scripts/bench/gen-heapprofile.mjs; functions compiled with new Function.`,
    `export function register(F) {`];
  for (let k = 0; k < N_EVAL; k++) {
    const idx = fns.length;
    const kind = R.int(0, N_KINDS - 1);
    const src = [`const K = globalThis.__heapdiffBench; const RX = /(\\w+)-(\\d+)/; const PROTO = { kind: -1 };`,
      `class Dyn { constructor(a, b) { this.a = a; this.b = b; this.parts = [a, b]; } }`,
      `return function dynamic${k}(r, p, n) {`, ...body(idx, kind, `eval.${k}`, 'Dyn', R.int(2, 40), ''), `};`].join('\n');
    evalLines.push(`  F[${idx}] = new Function(${JSON.stringify(src)})();`);
    fns.push({name: `dynamic${k}`, module: '(new Function)', layer: R.int(3, 4), form: 'eval', kind});
  }
  evalLines.push(`}`, ``);
  files.push(['src/dynamic.mjs', evalLines.join('\n')]);

  // Static call graph: callees from the same or deeper layers, biased to a popular set of
  // utilities (so Heavy-view merging has work to do); some functions recurse.
  const byLayer = [0, 1, 2, 3, 4].map((l) => fns.map((f, i) => (f.layer === l ? i : -1)).filter((i) => i >= 0));
  const popularity = fns.map(() => Math.pow(R.next(), 3)); // few very popular callees
  const callees = fns.map((f, i) => {
    const cands = [];
    for (let l = f.layer; l <= 4; l++) for (const j of byLayer[l]) if (j !== i && (l > f.layer || R.chance(0.3))) cands.push(j);
    const k = Math.min(cands.length, R.int(2, f.layer >= 4 ? 3 : 9));
    const out = new Set();
    for (let tries = 0; out.size < k && tries < 200; tries++) {
      // weighted pick by popularity
      const j = cands[Math.floor(R.next() * cands.length)];
      if (R.next() < 0.25 + popularity[j]) out.add(j);
    }
    return [...out];
  });
  const recursive = fns.map((f) => (R.chance(0.08) ? (R.chance(0.15) ? 'deep' : 'self') : null));
  // A few mutual-recursion pairs (a → b → a).
  for (let k = 0; k < 12; k++) {
    const a = R.pick(byLayer[3]), b = R.pick(byLayer[3]);
    if (a !== b) { if (!callees[a].includes(b)) callees[a].push(b); if (!callees[b].includes(a)) callees[b].push(a); }
  }
  const weight = fns.map(() => Math.pow(R.next(), 2.5) + 0.01); // heavy-tailed allocation volume per function
  const meta = {generatedBy: 'gen-heapprofile.mjs', codeSeed: CODE_SEED, modules: files.map(([rel]) => rel), fns, callees, recursive, weight};
  const wdir = path.join(dir, 'workload');
  fs.rmSync(wdir, {recursive: true, force: true});
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(wdir, rel)), {recursive: true});
    fs.writeFileSync(path.join(wdir, rel), text);
  }
  fs.writeFileSync(path.join(wdir, 'meta.json'), JSON.stringify(meta));
  return meta;
}

// ---------------------------------------------------------------- call-tree (trie) plan (child)
// A trie node is one call path (root-side first) that allocates `w` weight units at its end.
function buildPlan(meta, seed, variant, nodeTarget) {
  const nf = meta.fns.length;
  const R = rng(seed * 7919 + 17);
  const V = rng(seed * 104729 + 3);
  // Functions present only in variant b ("new") and only in variant a ("gone").
  const deepFns = [...Array(nf).keys()].filter((i) => meta.fns[i].layer >= 3);
  const shuffled = V.shuffle([...deepFns]);
  const onlyB = new Set(shuffled.slice(0, Math.round(nf * 0.025)));
  const onlyA = new Set(); // chosen after the tree is grown: minor functions only
  const entries = meta.fns.map((f, i) => i).filter((i) => meta.fns[i].layer === 0);

  const fn = [], parent = [], depth = [], kids = [];
  const add = (f, par) => {
    const id = fn.length; fn.push(f); parent.push(par); depth.push(par < 0 ? 0 : depth[par] + 1); kids.push(null);
    if (par >= 0) (kids[par] ||= new Set()).add(f);
    return id;
  };
  const grow = (target, allowed, rand, pool) => {
    // Random recursive tree: expand a random existing node with an unused callee.
    let guard = 0;
    while (fn.length < target && guard++ < target * 50) {
      const t = pool[Math.floor(rand.next() * pool.length)];
      if (t === undefined) break;
      const f = fn[t];
      const rec = meta.recursive[f];
      if (rec === 'deep' && rand.chance(0.02) && depth[t] < 40) {
        // a deep recursion chain (some beyond V8's 128-frame stack cap)
        let cur = t; const len = rand.chance(0.25) ? rand.int(130, 200) : rand.int(10, 60);
        for (let d = 0; d < len && fn.length < target; d++) {
          const nxt = add(f, cur); cur = nxt;
          if (d % 7 === 6) pool.push(nxt);
        }
        continue;
      }
      const opts = meta.callees[f].filter((c) => allowed(c) && !(kids[t] && kids[t].has(c)));
      if (rec && !(kids[t] && kids[t].has(f)) && rand.chance(0.5)) opts.push(f);
      if (!opts.length || depth[t] > 60) continue;
      const c = opts[Math.floor(rand.next() * opts.length)];
      const id = add(c, t);
      pool.push(id);
      if (rand.chance(0.3)) pool.push(t); // bias toward bushy nodes
    }
  };
  const pool = [];
  for (const e of entries) pool.push(add(e, -1));
  grow(nodeTarget, (c) => !onlyB.has(c), R, pool);
  const baseCount = fn.length;

  let alive = new Uint8Array(fn.length).fill(1);
  const fnFactor = new Float64Array(meta.fns.length).fill(1);
  {
    // "gone" functions: ones whose removal takes out < 0.4 % of the call paths each
    const removed = new Float64Array(nf);
    const under = new Float64Array(fn.length).fill(1); // subtree sizes (children have larger ids)
    for (let i = fn.length - 1; i > 0; i--) if (parent[i] >= 0) under[parent[i]] += under[i];
    for (let i = 0; i < fn.length; i++) {
      // count a subtree once: only where no ancestor has the same function
      let dup = false;
      for (let j = parent[i]; j >= 0; j = parent[j]) if (fn[j] === fn[i]) { dup = true; break; }
      if (!dup) removed[fn[i]] += under[i];
    }
    const used = new Set(fn);
    for (const f of shuffled) {
      if (onlyA.size >= Math.round(nf * 0.025)) break;
      if (!onlyB.has(f) && used.has(f) && removed[f] < fn.length * 0.004) onlyA.add(f);
    }
  }
  if (variant === 'b') {
    for (let i = 0; i < meta.fns.length; i++) {
      const u = V.next();
      fnFactor[i] = u < 0.06 ? V.int(2, 6) : u < 0.12 ? 0.15 + 0.35 * V.next() : V.lognormal(0.12);
    }
    // drop subtrees rooted at "gone" functions and a few random subtrees
    for (let i = 0; i < baseCount; i++) {
      const par = parent[i];
      if ((par >= 0 && !alive[par]) || onlyA.has(fn[i]) || (depth[i] > 1 && V.chance(0.004))) alive[i] = 0;
    }
    // new call paths (some through "new" functions), ~6 % of the tree
    const pool2 = [];
    for (let i = 0; i < baseCount; i++) if (alive[i]) pool2.push(i);
    const before = fn.length;
    grow(fn.length + Math.round(nodeTarget * 0.06), (c) => !onlyA.has(c), V, pool2);
    const a2 = new Uint8Array(fn.length).fill(1); a2.set(alive); alive = a2;
    for (let i = before; i < fn.length; i++) alive[i] = 1;
  }
  // Weights: leaves always allocate, inner nodes sometimes; heavy-tailed per function.
  const hasKids = new Uint8Array(fn.length);
  for (let i = 0; i < fn.length; i++) if (parent[i] >= 0 && alive[i]) hasKids[parent[i]] = 1;
  const W = rng(seed * 31337 + 11); // same base weights for a and b
  const w = new Float64Array(fn.length);
  for (let i = 0; i < fn.length; i++) {
    const base = (!hasKids[i] || W.chance(0.35)) ? meta.weight[fn[i]] * W.lognormal(1.0) : 0;
    w[i] = alive[i] ? base * fnFactor[fn[i]] * (variant === 'b' ? V.lognormal(0.1) : 1) : 0;
  }
  // Paths for nodes that allocate (ancestors come along as stack frames).
  const plan = [];
  for (let i = 0; i < fn.length; i++) {
    if (!(w[i] > 0)) continue;
    const p = new Int32Array(depth[i] + 1);
    for (let j = i, d = depth[i]; j >= 0; j = parent[j], d--) p[d] = fn[j];
    plan.push({path: p, w: w[i]});
  }
  rng(seed * 5 + 1).shuffle(plan);
  let liveNodes = 0;
  for (let i = 0; i < fn.length; i++) liveNodes += alive[i];
  return {plan, trieNodes: liveNodes, onlyA: onlyA.size, onlyB: onlyB.size};
}

// ---------------------------------------------------------------- profiling (child)
async function child(o) {
  const inspector = await import('node:inspector');
  const wdir = path.join(o.out, 'workload');
  const meta = JSON.parse(fs.readFileSync(path.join(wdir, 'meta.json'), 'utf8'));
  const K = globalThis.__heapdiffBench = {F: new Array(meta.fns.length), keep: [], sink: null, garbage: true};
  // One module at a time: the ESM loader compiles a static import graph in I/O completion
  // order, which would give the two variants different scriptIds for the same file.
  for (const rel of meta.modules) (await import(pathToFileURL(path.join(wdir, rel)).href)).register(K.F);
  if (K.F.some((f) => typeof f !== 'function')) die('workload registration incomplete');

  const t0 = Date.now();
  const {plan, trieNodes, onlyA, onlyB} = buildPlan(meta, o.seed, o.variant, o.nodes);
  const sumW = plan.reduce((s, e) => s + e.w, 0);
  log(`variant ${o.variant}: ${meta.fns.length} functions, ${trieNodes} call paths (${plan.length} allocating), ` +
    `${onlyA} only-in-a / ${onlyB} only-in-b functions, plan ${Date.now() - t0} ms`);

  const session = new inspector.Session();
  session.connect();
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  await post('HeapProfiler.enable');

  const ROUNDS = 4; // interleave call paths over time, so ordinals are not grouped by path
  function runWorkload(scale) {
    const R = rng(o.seed * 9973 + 5);
    const F = K.F;
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < plan.length; k++) {
        const e = plan[k];
        const x = (e.w * scale) / ROUNDS;
        const n = Math.floor(x) + (R.next() < x - Math.floor(x) ? 1 : 0);
        if (n > 0) F[e.path[0]](e.path, 0, n);
      }
    }
  }
  const resetKeep = () => { K.keep = meta.fns.map(() => []); K.sink = null; };
  const digits = (x) => String(Math.max(1, Math.round(x))).length;

  // 1. calibration: an unprofiled warm-up (so compilation is done), then two small profiled
  // passes at scales s0 and 2·s0, fitting samples = a + b·scale.
  const calUnits = Math.min(300000, Math.max(20000, o.targetBytes / 3000));
  const s0 = calUnits / sumW;
  resetKeep();
  runWorkload(s0);
  resetKeep();
  const calPass = async (scale) => {
    await post('HeapProfiler.startSampling', {samplingInterval: o.interval});
    runWorkload(scale);
    const prof = (await post('HeapProfiler.stopSampling')).profile;
    resetKeep();
    let nodes = 0, work = 0;
    (function count(n) {
      nodes++;
      const cf = n.callFrame;
      if (cf.url.startsWith(workUrl) || (cf.url === '' && /^dynamic\d/.test(cf.functionName))) work++;
      for (const c of n.children) count(c);
    })(prof.head);
    let sumSize = 0, maxOrd = 0;
    for (const s of prof.samples) { sumSize += s.size; if (s.ordinal > maxOrd) maxOrd = s.ordinal; }
    return {nodes, work, headBytes: JSON.stringify(prof.head).length, samples: prof.samples.length, sumSize, maxOrd};
  };
  const workUrl = pathToFileURL(wdir).href + '/';
  const c1 = await calPass(s0);
  const c2 = await calPass(2 * s0);
  const slope = Math.max(1, c2.samples - c1.samples) / s0; // samples per unit of scale
  const icept = c2.samples - slope * 2 * s0;
  const bytesPerNode = c2.headBytes / c2.nodes;
  // at full scale nearly every path is hit; builtin frames (push, map, …) come along in the same ratio
  const estNodes = trieNodes * (c2.nodes / Math.max(1, c2.work));
  const estHead = estNodes * bytesPerNode;
  // per sample: {"size":S,"nodeId":N,"ordinal":O} plus a comma
  const sizeDigits = digits(c2.sumSize / Math.max(1, c2.samples));
  let S = (o.targetBytes - estHead) / 45;
  for (let it = 0; it < 5; it++) {
    const ordDigits = digits((c2.maxOrd / Math.max(1, c2.samples)) * S);
    const perSample = 31 + sizeDigits + digits(estNodes * 1.1) + ordDigits;
    S = (o.targetBytes - estHead - 32) / perSample;
  }
  const scale = Math.max(s0, (S - icept) / slope);
  log(`calibration: ${c1.samples} / ${c2.samples} samples at scale ${s0.toFixed(3)} / ${(2 * s0).toFixed(3)}, ` +
    `${c2.nodes} nodes, ${((Date.now() - t0) / 1000).toFixed(1)} s; target ${(o.targetBytes / 1e6).toFixed(0)} MB → ` +
    `~${Math.round(S)} samples, ~${Math.round(estNodes)} nodes, scale ${scale.toFixed(3)} (${Math.round(sumW * scale)} alloc units)`);

  // 2. the real pass
  await post('HeapProfiler.startSampling', {samplingInterval: o.interval});
  const t1 = Date.now();
  runWorkload(scale);
  log(`workload ran in ${((Date.now() - t1) / 1000).toFixed(1)} s; heapUsed ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB; stopping`);
  const t2 = Date.now();
  const {profile} = await post('HeapProfiler.stopSampling');
  log(`stopSampling returned in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
  session.disconnect();
  resetKeep();

  // 3. write compact JSON, key order as V8 sends it: {"head":…,"samples":[…]}.
  // JSON.stringify(profile) in one piece could pass V8's string limit; chunks can't.
  const tmp = o.file + '.tmp';
  const fd = fs.openSync(tmp, 'w');
  let written = 0;
  const put = (s) => { written += fs.writeSync(fd, s); };
  put('{"head":');
  put(JSON.stringify(profile.head));
  put(',"samples":[');
  const CH = 100000;
  for (let i = 0; i < profile.samples.length; i += CH) {
    const part = JSON.stringify(profile.samples.slice(i, i + CH));
    put((i ? ',' : '') + part.slice(1, -1));
  }
  put(']}');
  fs.closeSync(fd);
  fs.renameSync(tmp, o.file);
  let nodes = 0, selfSum = 0;
  (function count(n) { nodes++; selfSum += n.selfSize; for (const c of n.children) count(c); })(profile.head);
  let sampleSum = 0;
  for (const s of profile.samples) sampleSum += s.size;
  const info = {file: o.file, bytes: written, nodes, samples: profile.samples.length,
    bytesPerSample: +((written - JSON.stringify(profile.head).length) / profile.samples.length).toFixed(1),
    selfSizeSum: selfSum, sampleSizeSum: sampleSum, samplingInterval: o.interval, variant: o.variant, seed: o.seed,
    seconds: +((Date.now() - t0) / 1000).toFixed(1), node: process.version};
  fs.writeFileSync(o.file + '.meta.json', JSON.stringify(info, null, 1) + '\n');
  log(`wrote ${o.file}: ${(written / 1e6).toFixed(1)} MB, ${nodes} nodes, ${info.samples} samples, ` +
    `${info.bytesPerSample} B/sample, ${info.seconds} s`);
}

// ---------------------------------------------------------------- main
const o = parseArgs(process.argv.slice(2));
if (o.child) {
  await child(o);
  process.exit(0);
}
fs.mkdirSync(o.out, {recursive: true});
const jobs = (o.variant === 'both' ? ['a', 'b'] : [o.variant]).map((v) => ({v, file: path.join(o.out, v === 'a' ? 'big1.heapprofile' : 'big2.heapprofile')}));
const todo = jobs.filter((j) => o.force || !fs.existsSync(j.file));
if (!todo.length) { log(`up to date: ${jobs.map((j) => j.file).join(', ')} (--force regenerates)`); process.exit(0); }
const meta = generateCode(o.out);
log(`workload source: ${path.join(o.out, 'workload')} (${meta.fns.length} functions in ${MODULES.length + 1} modules)`);
for (const j of todo) {
  // Fresh process per file: identical script load order, so identical scriptIds in a and b.
  const args = ['--max-old-space-size=16384', '--stack-size=4000', SELF, '--child', '--out', o.out, '--file', j.file,
    '--variant', j.v, '--size', String(o.targetBytes), '--interval', String(o.interval), '--nodes', String(o.nodes),
    '--seed', String(o.seed)];
  const r = spawnSync(process.execPath, args, {stdio: 'inherit'});
  if (r.status !== 0) die(`generating ${j.file} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
}
