// fixtures/series/<case>/: series of heap recordings of ONE node HTTP service
// process under a fixed load, in three builds of the service in app/:
//
//   leak          cache.js keeps every POST /orders as a RequestRecord
//                 (holding its Order and OrderLines) in the module-level
//                 array requestLog, never trimmed
//   fixed         the same code with the log bounded to the last 50 records
//   fixed-rerun   a second, identical run of the fixed build: the noise floor
//   control       the log keeps nothing (every record is garbage at once)
//   leak-min      the leak build bundled and minified by esbuild
//   fixed-min     the fixed build, bundled and minified the same way
//   leak-webpack  the leak build built by webpack (production mode: terser
//                 minifies and mangles; devtool source-map)
//   fixed-webpack the fixed build, built by webpack the same way
//
// The app is copied to SRC_DIR first, so that script URLs in the files are
// the same path on every machine. For the -min cases esbuild (ESBUILD, npm,
// installed into a temp dir) bundles SRC_DIR/server.js with --bundle
// --minify --platform=node --sourcemap into DIST_DIR/server.min.js; the
// bundle and its map are stored in the case dir. For the -webpack cases,
// webpack (scripts/series/webpack: package.json and its lock file, installed
// with npm ci) builds SRC_DIR/server.js in production mode with devtool
// source-map into DIST_DIR/server.webpack.js; the default module file names
// make the map's sources `webpack://series-app/./src/*.js`.
//
// Each run forks the server with app/recorder.js preloaded (--require; the
// recorder's inspector session lives in a worker thread), starts sampling
// (HeapProfiler.startSampling, samplingInterval INTERVAL) once the server
// listens, and sends BATCHES batches of REQUESTS_PER_BATCH requests (one
// keep-alive connection, one request at a time; the requests of batch k are
// the same in every build and every run: seeded PRNG). After each batch:
//   peek-<k>.heapprofile      HeapProfiler.collectGarbage, getSamplingProfile
//                             (sampling continues; peek k covers batches 1..k)
//   snapshot-<k>.heapsnapshot v8.writeHeapSnapshot, after the batches in the
//                             case's `snapshots` only (baseline, target, final
//                             in memlab's terms; object ids comparable)
// For the cases with `timeline`, a second process records an allocation
// timeline (HeapProfiler.startTrackingHeapObjects {trackAllocations: true}
// before TIMELINE_BATCHES batches, stopTrackingHeapObjects after):
//   timeline.heaptimeline
// Each case gets series.json (the steps: files, requests and orders so far)
// and the description/source lines of case.toml (other lines are kept).
// Every input is stored gzipped (gzip -9 -n): peek-<k>.heapprofile.gz, ….
//
// Recordings are sampled and timed: the numbers differ on every run, the
// request sequence does not.
// Usage: node scripts/series/gen-series.mjs [--timeline-only] [CASE ...]
//        (no case: all; --timeline-only records only the timelines of the
//        cases that have one, keeping their series as they are)
// Needs node 20, gzip, and for the -min cases the npm registry (esbuild);
// traffic stays on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { loadClient, serviceRequests } from '../http-load.mjs';
import { forkWithMailbox } from '../snapshots/lib.mjs';
import { caseDir, log, NODE_VERSION, prng, SERIES_DIR, writeCaseToml, writeInput } from './lib.mjs';

const WORK_DIR = path.join(os.tmpdir(), 'heapdiff-series');
const SRC_DIR = path.join(WORK_DIR, 'src');
const DIST_DIR = path.join(WORK_DIR, 'dist');
const ESBUILD = 'esbuild@0.28.2';
const INTERVAL = 256;
const BATCHES = 5;
const REQUESTS_PER_BATCH = 300;
const TIMELINE_BATCHES = 3;
const SELF = 'node scripts/series/gen-series.mjs';
const WEBPACK_DIR = path.join(SERIES_DIR, 'webpack');
const WEBPACK_OUT = 'server.webpack.js';

const CASES = {
  leak: { build: 'leak', snapshots: [1, 3, 5], timeline: true },
  fixed: { build: 'fixed', snapshots: [1, 3, 5], timeline: true },
  'fixed-rerun': { build: 'fixed', snapshots: [1, 3, 5], timeline: false },
  control: { build: 'control', snapshots: [1, 3, 5], timeline: true },
  'leak-min': { build: 'leak', bundle: true, snapshots: [5], timeline: true },
  'fixed-min': { build: 'fixed', bundle: true, snapshots: [5], timeline: false },
  'leak-webpack': { build: 'leak', bundle: 'webpack', snapshots: [1, 3, 5], timeline: true },
  'fixed-webpack': { build: 'fixed', bundle: 'webpack', snapshots: [5], timeline: false },
};

// The requests of batch k (1-based): about 60 % POST /orders, 30 % GET
// /items/:id over 100 ids, 10 % GET /stats. Every order has three lines and
// every number in it is written with a fixed width, so every filed record
// has the same size: a bounded log then holds the same bytes at every step,
// and only the leak grows.
const TRAFFIC = { orders: 0.6, lookups: 0.9, itemIds: 100, lines: 3, fixedWidth: true, noteMargin: '  ', customerMargin: '  ', currency: 'EUR' };
function batchRequests(k) {
  return serviceRequests(prng(20261203 + k), REQUESTS_PER_BATCH, TRAFFIC);
}

function copyApp() {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(SRC_DIR, { recursive: true });
  for (const f of fs.readdirSync(path.join(SERIES_DIR, 'app'))) {
    fs.copyFileSync(path.join(SERIES_DIR, 'app', f), path.join(SRC_DIR, f));
  }
}

// Installs esbuild into a temp dir and bundles the service; returns the
// bundle's text and its map's text.
function bundleApp() {
  const tools = path.join(WORK_DIR, 'tools');
  fs.mkdirSync(tools, { recursive: true });
  fs.writeFileSync(path.join(tools, 'package.json'), '{"private": true}\n');
  execFileSync('npm', ['install', '--prefix', tools, '--no-audit', '--no-fund', '--save-exact', ESBUILD], { stdio: ['ignore', 'inherit', 'inherit'] });
  const out = path.join(DIST_DIR, 'server.min.js');
  execFileSync(path.join(tools, 'node_modules', '.bin', 'esbuild'), [
    path.join(SRC_DIR, 'server.js'), '--bundle', '--minify', '--platform=node', '--target=node20', '--sourcemap', `--outfile=${out}`,
  ], { cwd: WORK_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  return { js: fs.readFileSync(out, 'utf8'), map: fs.readFileSync(`${out}.map`, 'utf8') };
}

// Builds the service with webpack (production mode, devtool source-map) from
// WORK_DIR, so that the map names its sources ./src/*.js; returns the
// bundle's text, its map's text and webpack's version.
async function webpackApp() {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: WEBPACK_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  const require = createRequire(path.join(WEBPACK_DIR, 'package.json'));
  const webpack = require('webpack');
  const config = {
    mode: 'production',
    devtool: 'source-map',
    target: 'node20',
    context: WORK_DIR,
    entry: './src/server.js',
    output: { path: DIST_DIR, filename: WEBPACK_OUT, devtoolNamespace: 'series-app' },
  };
  const stats = await new Promise((resolve, reject) => webpack(config, (err, s) => (err ? reject(err) : resolve(s))));
  if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
  const out = path.join(DIST_DIR, WEBPACK_OUT);
  return { js: fs.readFileSync(out, 'utf8'), map: fs.readFileSync(`${out}.map`, 'utf8'), tool: `webpack@${webpack.version}` };
}

function bundleName(bundle) {
  return bundle === 'webpack' ? WEBPACK_OUT : 'server.min.js';
}

// One server process; `script(ctl)` drives it. Returns what script returns.
async function withServer({ build, bundle }, script) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-series-run-'));
  const main = bundle ? path.join(DIST_DIR, bundleName(bundle)) : path.join(SRC_DIR, 'server.js');
  const { child, exited, next } = forkWithMailbox(main, [`--build=${build}`], {
    cwd: tmp,
    execArgv: ['--require', path.join(SRC_DIR, 'recorder.js')],
  });
  try {
    const { port } = await next('listening');
    let seq = 0;
    const client = loadClient(port, { connections: 1, requestId: () => `req-${String(++seq).padStart(6, '0')}` });
    const ctl = {
      command: async (msg) => {
        child.send(msg);
        await next('done');
        return msg.file ? fs.readFileSync(path.join(tmp, msg.file), 'utf8') : undefined;
      },
      batch: (k) => client.send(batchRequests(k)),
    };
    const result = await script(ctl);
    client.close();
    child.send({ type: 'stop' });
    await exited;
    return result;
  } finally {
    child.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function ordersIn(k) {
  return batchRequests(k).filter((r) => r.method === 'POST').length;
}

async function recordSeries(name, c) {
  const dir = caseDir(`series/${name}`);
  const steps = [];
  await withServer(c, async (ctl) => {
    await ctl.command({ type: 'start-sampling', interval: INTERVAL });
    let requests = 0;
    let orders = 0;
    for (let k = 1; k <= BATCHES; k++) {
      await ctl.batch(k);
      requests += REQUESTS_PER_BATCH;
      orders += ordersIn(k);
      const step = { batch: k, requests, orders, peek: writeInput(dir, `peek-${k}.heapprofile`, await ctl.command({ type: 'peek', file: 'peek.heapprofile' })) };
      if (c.snapshots.includes(k)) {
        step.snapshot = writeInput(dir, `snapshot-${k}.heapsnapshot`, await ctl.command({ type: 'snapshot', file: 'snap.heapsnapshot' }));
      }
      steps.push(step);
    }
  });
  return steps;
}

async function recordTimeline(name, c) {
  const dir = caseDir(`series/${name}`);
  return withServer(c, async (ctl) => {
    await ctl.command({ type: 'start-tracking' });
    for (let k = 1; k <= TIMELINE_BATCHES; k++) await ctl.batch(k);
    return writeInput(dir, 'timeline.heaptimeline', await ctl.command({ type: 'stop-tracking', file: 'timeline.heaptimeline' }));
  });
}

const DESCRIPTIONS = {
  leak: 'Leaking build: cache.js files every POST /orders as a RequestRecord (holding its Order and OrderLines) in the module-level array requestLog and never removes one, so RequestRecord, Order and OrderLine grow with every batch, retained through requestLog.',
  fixed: 'Fixed build: the same service with requestLog bounded to its last 50 records; the item LRU (64 entries) fills during the first two batches and then stays flat; every record has the same size, so the log holds the same bytes at every step. No application class or function should grow every step.',
  'fixed-rerun': 'A second run of the fixed build with the same requests, for the noise between two identical runs (compare with series/fixed step by step).',
  control: 'Control build: requestLog keeps nothing, every RequestRecord is garbage as soon as it is filed; only the bounded item LRU holds application data.',
  'leak-min': 'The leaking build bundled and minified by esbuild (server.min.js with server.min.js.map beside it, sources ../src/*.js): the same leak under minified function and class names.',
  'fixed-min': 'The fixed build bundled and minified by esbuild, like leak-min: nothing should grow every step.',
  'leak-webpack': 'The leaking build built by webpack in production mode (terser minifies and mangles) with devtool source-map (server.webpack.js with server.webpack.js.map beside it, sources webpack://series-app/./src/*.js): the same leak under another map writer, with three snapshots.',
  'fixed-webpack': 'The fixed build built by webpack like leak-webpack: nothing should grow every step.',
};

copyApp();
const timelineOnly = process.argv.includes('--timeline-only');
const wanted = process.argv.slice(2).filter((a) => a !== '--timeline-only');
const names = wanted.length ? wanted : Object.keys(CASES);
for (const name of names) if (!CASES[name]) throw new Error(`unknown case ${name}; one of ${Object.keys(CASES).join(', ')}`);
const bundled = names.some((n) => CASES[n].bundle === true) ? { ...bundleApp(), tool: ESBUILD } : null;
const webpacked = names.some((n) => CASES[n].bundle === 'webpack') ? await webpackApp() : null;
for (const name of names) {
  const c = CASES[name];
  log(`${name}: ${c.build} build${c.bundle ? ', bundled' : ''}`);
  const dir = caseDir(`series/${name}`);
  const built = c.bundle === 'webpack' ? webpacked : bundled;
  if (c.bundle) {
    fs.writeFileSync(path.join(dir, bundleName(c.bundle)), built.js);
    fs.writeFileSync(path.join(dir, `${bundleName(c.bundle)}.map`), built.map);
  }
  if (timelineOnly && !c.timeline) continue;
  const steps = timelineOnly
    ? JSON.parse(fs.readFileSync(path.join(dir, 'series.json'), 'utf8')).steps
    : await recordSeries(name, c);
  const timeline = c.timeline ? await recordTimeline(name, c) : null;
  const manifest = {
    build: c.build,
    script: c.bundle ? path.join(DIST_DIR, bundleName(c.bundle)) : path.join(SRC_DIR, 'server.js'),
    sampling_interval: INTERVAL,
    requests_per_batch: REQUESTS_PER_BATCH,
    steps,
    timeline,
    timeline_batches: c.timeline ? TIMELINE_BATCHES : 0,
  };
  fs.writeFileSync(path.join(dir, 'series.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const bundleNote = !c.bundle
    ? ''
    : c.bundle === 'webpack'
      ? `, built by ${built.tool} (scripts/series/webpack, mode production, devtool source-map, target node20) into ${DIST_DIR}/${WEBPACK_OUT}`
      : `, bundled by ${ESBUILD} --bundle --minify --platform=node --target=node20 --sourcemap into ${DIST_DIR}/server.min.js`;
  writeCaseToml(dir, {
    description: DESCRIPTIONS[name],
    source: `${SELF} ${name} (scripts/series/app --build=${c.build}, copied to ${SRC_DIR}${bundleNote}; recorder.js preloaded; ${BATCHES} batches of ${REQUESTS_PER_BATCH} requests, one keep-alive connection on 127.0.0.1; HeapProfiler.startSampling samplingInterval ${INTERVAL}, collectGarbage + getSamplingProfile after each batch; v8.writeHeapSnapshot after batch${c.snapshots.length > 1 ? 'es' : ''} ${c.snapshots.join(', ')}${c.timeline ? `; timeline: separate process, startTrackingHeapObjects {trackAllocations: true} over ${TIMELINE_BATCHES} batches${timelineOnly ? `, recorded on its own by ${SELF} --timeline-only ${name}` : ''}` : ''}; ${NODE_VERSION})`,
  });
}
fs.rmSync(WORK_DIR, { recursive: true, force: true });
