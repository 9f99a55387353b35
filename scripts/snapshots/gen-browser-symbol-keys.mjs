// fixtures/heapsnapshot/browser-symbol-keys/input.heapsnapshot.gz: a heap
// snapshot of a page in headless Chromium (browser.mjs) that holds the plain
// objects of workloads/symbol-keys-shapes.js, whose property lists repeat a
// name (several symbol keys, symbols with the same description, `x` plus
// symbols).
//
// The page is served from 127.0.0.1; the browser resolves no other host.
// Requires /usr/bin/chromium (apt-get install chromium) and puppeteer-core,
// which is reused from scripts/fixtures (npm ci --prefix scripts/fixtures).
// Usage: node scripts/snapshots/gen-browser-symbol-keys.mjs
import path from 'node:path';
import { filesOf, snapshotPage } from './browser.mjs';
import { caseDir, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const { text, version } = await snapshotPage({
  files: {
    ...filesOf(path.join(SNAPSHOTS_DIR, 'browser-symbol-keys')),
    'symbol-keys-shapes.js': path.join(SNAPSHOTS_DIR, 'workloads', 'symbol-keys-shapes.js'),
  },
  port: 47615,
  prepare: () => window.keepSymbolKeyed(),
});

const dir = caseDir('heapsnapshot/browser-symbol-keys');
writeInput(dir, 'input.heapsnapshot', text, { gzip: true });
writeCaseToml(dir, {
  description: 'Heap snapshot of a page in headless Chromium holding plain objects whose property names repeat (scripts/snapshots/workloads/symbol-keys-shapes.js): {<symbol>, <symbol>} next to {<symbol>}, {x, <symbol id>, <symbol id>} next to {x, <symbol id>}, a shared and a fresh Symbol(\'tag\'), Symbol.for(\'reg\') beside Symbol(\'reg\'), Symbol.iterator beside Symbol(\'Symbol.iterator\'), a \'<symbol>\' string key beside a symbol, interleaved names, dictionary-mode and null-prototype objects.',
  source: `node scripts/snapshots/gen-browser-symbol-keys.mjs (CDP HeapProfiler.collectGarbage then takeHeapSnapshot {reportProgress: false}, chunks joined; page on 127.0.0.1; ${process.version}; ${version} from Debian chromium)`,
});
