// fixtures/heapsnapshot/browser-detached/input.heapsnapshot.gz: a heap
// snapshot of a page in headless Chromium, taken over CDP like DevTools'
// Memory panel does (HeapProfiler.takeHeapSnapshot, chunks joined from
// HeapProfiler.addHeapSnapshotChunk). The page (browser-detached/) removes a
// DOM subtree from the document but keeps JS references to it (detached DOM),
// so Blink marks those nodes detached (detachedness 2).
//
// The page is served from 127.0.0.1; the browser resolves no other host.
// Requires /usr/bin/chromium (apt-get install chromium) and puppeteer-core,
// which is reused from scripts/fixtures (npm ci --prefix scripts/fixtures).
// Usage: node scripts/snapshots/gen-browser-detached.mjs
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { caseDir, log, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const require = createRequire(path.join(SNAPSHOTS_DIR, '..', 'fixtures', 'package.json'));
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PREFERRED_PORT = 47614; // fixed so the page URL is the same across runs
const PAGE_DIR = path.join(SNAPSHOTS_DIR, 'browser-detached');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

function serve() {
  const server = http.createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : req.url.slice(1);
    const file = path.join(PAGE_DIR, name);
    if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(name)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => {
      if (e.code !== 'EADDRINUSE') return reject(e);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    server.listen(PREFERRED_PORT, '127.0.0.1', () => resolve(server));
  });
}

async function takeSnapshot(cdp, params) {
  const chunks = [];
  const onChunk = (e) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', params);
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  return chunks.join('');
}

const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-chromium-'));
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  pipe: true,
  userDataDir,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ],
});
let text;
let version;
try {
  version = await browser.version();
  const page = await browser.newPage();
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  const result = await page.evaluate(() => window.runDetach());
  log(`page: ${JSON.stringify(result)}`);
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  text = await takeSnapshot(cdp, { reportProgress: false });
  await cdp.send('HeapProfiler.disable');
} finally {
  await browser.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

const dir = caseDir('heapsnapshot/browser-detached');
writeInput(dir, 'input.heapsnapshot', text, { gzip: true });
writeCaseToml(dir, {
  description: 'Heap snapshot of a small page in headless Chromium with detached DOM (a removed <div class="panel"> subtree held by detachedPanel, removed <li class="row"> nodes held by the array detachedRows in app.js): native nodes with detachedness 2, "Detached <div>"/"Detached <li>"/"Detached Text" classes. Newer V8 layout: 6 node fields (no trace_node_id), 15 node types, location_fields with script_object_index, scopes/scope_context_vars/scope_uses arrays (with -2 values), extra_native_bytes, no newlines in the arrays, and the root has only its (GC roots) edge (no user roots).',
  source: `node scripts/snapshots/gen-browser-detached.mjs (CDP HeapProfiler.collectGarbage then takeHeapSnapshot {reportProgress: false}, chunks joined; page on 127.0.0.1; ${process.version}; ${version} from Debian chromium)`,
});
