// A tiny load test for the memory gate of docs/ci/memory-budget.yml: it
// serves 20000 fake requests through a cache that keeps the last
// `cacheLimit` entries, then exits (node --heap-prof writes the profile at
// exit, with the objects still alive).
'use strict';

const cacheLimit = 100;
const cache = new Map();

function remember(id, body) {
  cache.set(id, { id, body, at: Date.now() });
  if (cache.size > cacheLimit) {
    cache.delete(cache.keys().next().value);
  }
}

function handle(id) {
  const body = 'x'.repeat(200) + id;
  remember(id, body);
  return body.length;
}

let served = 0;
for (let id = 0; id < 20000; id++) {
  served += handle(id);
}
globalThis.keepAlive = cache;
console.log(`served ${served} bytes, ${cache.size} cached`);
