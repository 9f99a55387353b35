// fixtures/heapsnapshot/browser-detached/input.heapsnapshot.gz: a heap
// snapshot of a page in headless Chromium, taken over CDP like DevTools'
// Memory panel does (browser.mjs). The page (browser-detached/) removes a
// DOM subtree from the document but keeps JS references to it (detached DOM),
// so Blink marks those nodes detached (detachedness 2).
//
// The page is served from 127.0.0.1; the browser resolves no other host.
// Requires /usr/bin/chromium (apt-get install chromium) and puppeteer-core,
// which is reused from scripts/fixtures (npm ci --prefix scripts/fixtures).
// Usage: node scripts/snapshots/gen-browser-detached.mjs
import path from 'node:path';
import { filesOf, snapshotPage } from './browser.mjs';
import { caseDir, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

const { text, version } = await snapshotPage({
  files: filesOf(path.join(SNAPSHOTS_DIR, 'browser-detached')),
  port: 47614,
  prepare: () => window.runDetach(),
});

const dir = caseDir('heapsnapshot/browser-detached');
writeInput(dir, 'input.heapsnapshot', text, { gzip: true });
writeCaseToml(dir, {
  description: 'Heap snapshot of a small page in headless Chromium with detached DOM (a removed <div class="panel"> subtree held by detachedPanel, removed <li class="row"> nodes held by the array detachedRows in app.js): native nodes with detachedness 2, "Detached <div>"/"Detached <li>"/"Detached Text" classes. Newer V8 layout: 6 node fields (no trace_node_id), 15 node types, location_fields with script_object_index, scopes/scope_context_vars/scope_uses arrays (with -2 values), extra_native_bytes, no newlines in the arrays, and the root has only its (GC roots) edge (no user roots).',
  source: `node scripts/snapshots/gen-browser-detached.mjs (CDP HeapProfiler.collectGarbage then takeHeapSnapshot {reportProgress: false}, chunks joined; page on 127.0.0.1; ${process.version}; ${version} from Debian chromium)`,
});
