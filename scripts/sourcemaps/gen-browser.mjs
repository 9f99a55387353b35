// fixtures/sourcemap/browser/: a minified page in headless Chromium, with
// its source map. The page (browser-page/: index.html and src/*.js, ES
// modules) is bundled and minified by esbuild (ESBUILD, installed from the
// npm registry into a temp dir) with --format=iife --sourcemap into
// app.min.js + app.min.js.map; the page loads app.min.js from
// http://127.0.0.1:PORT/ (served with its map beside it).
//
// Recording (CDP, like DevTools' Memory panel): HeapProfiler.startSampling
// (samplingInterval INTERVAL), BATCHES calls of window.runBatches(1) (each
// renders 200 FeedItems and leaks them through never-removed bus
// subscriptions), HeapProfiler.collectGarbage, getSamplingProfile →
// page.heapprofile; then a heap snapshot → page.heapsnapshot (gzip -9 -n).
//
// Requires /usr/bin/chromium and puppeteer-core (npm ci --prefix
// scripts/fixtures), node 20, gzip, the npm registry (esbuild). The browser
// resolves no host but 127.0.0.1.
// Usage: node scripts/sourcemaps/gen-browser.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPage } from '../snapshots/browser.mjs';
import { caseDir, writeCaseToml, writeInput } from '../snapshots/lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = path.join(HERE, 'browser-page');
const ESBUILD = 'esbuild@0.28.2';
const PORT = 47631;
const INTERVAL = 1024;
const BATCHES = 6;

function bundle(work) {
  fs.writeFileSync(path.join(work, 'package.json'), '{"private": true}\n');
  execFileSync('npm', ['install', '--prefix', work, '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', ESBUILD], { stdio: ['ignore', 'inherit', 'inherit'] });
  // Bundled from a copy in `work`, so that the map's sources are src/*.js.
  fs.cpSync(path.join(PAGE_DIR, 'src'), path.join(work, 'src'), { recursive: true });
  execFileSync(path.join(work, 'node_modules', '.bin', 'esbuild'), [
    'src/main.js', '--bundle', '--minify', '--format=iife', '--target=es2020', '--sourcemap', '--outfile=app.min.js', '--log-level=warning',
  ], { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] });
  return { js: path.join(work, 'app.min.js'), map: path.join(work, 'app.min.js.map') };
}

async function record(built) {
  const files = { 'index.html': path.join(PAGE_DIR, 'index.html'), 'app.min.js': built.js, 'app.min.js.map': built.map };
  return withPage({ files, port: PORT }, async (page) => {
    const cdp = await page.createCDPSession();
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.startSampling', { samplingInterval: INTERVAL });
    let state;
    for (let k = 0; k < BATCHES; k++) state = await page.evaluate(() => window.runBatches(1));
    await cdp.send('HeapProfiler.collectGarbage');
    const { profile } = await cdp.send('HeapProfiler.getSamplingProfile');
    await cdp.send('HeapProfiler.stopSampling');
    const chunks = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await cdp.send('HeapProfiler.disable');
    return { profile: JSON.stringify(profile), snapshot: chunks.join(''), state, url: page.url() };
  });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-browser-map-'));
try {
  const built = bundle(work);
  const { result, version } = await record(built);
  if (result.state.subscriptions !== 200 * BATCHES) throw new Error(`unexpected page state ${JSON.stringify(result.state)}`);
  const dir = caseDir('sourcemap/browser');
  fs.copyFileSync(built.js, path.join(dir, 'app.min.js'));
  fs.copyFileSync(built.map, path.join(dir, 'app.min.js.map'));
  const profile = path.join(dir, 'page.heapprofile');
  fs.rmSync(`${profile}.gz`, { force: true });
  fs.writeFileSync(profile, result.profile);
  execFileSync('gzip', ['-9', '-n', profile]);
  writeInput(dir, 'page.heapsnapshot', result.snapshot, { gzip: true });
  writeCaseToml(dir, {
    description: `A minified page in headless Chromium: browser-page/src/*.js bundled by esbuild (--minify --format=iife --sourcemap) into app.min.js, loaded from ${result.url}app.min.js; ${BATCHES} batches of 200 FeedItems, each kept by a bus Subscription never removed (the leak). Sampling heap profile (page.heapprofile.gz) and heap snapshot (page.heapsnapshot.gz) of the same page, app.min.js and its map (no file field) beside them.`,
    source: `node scripts/sourcemaps/gen-browser.mjs (${ESBUILD}; CDP HeapProfiler.startSampling samplingInterval ${INTERVAL}, window.runBatches(1) x ${BATCHES}, collectGarbage, getSamplingProfile, then takeHeapSnapshot; page on 127.0.0.1:${PORT}; ${process.version}; ${version} from Debian chromium)`,
  });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
