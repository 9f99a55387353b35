// Page for fixtures/heapsnapshot/browser-symbol-keys (see
// ../gen-browser-symbol-keys.mjs): holds the plain objects of
// ../workloads/symbol-keys-shapes.js, whose property lists repeat a name.
'use strict';

function keepSymbolKeyed() {
  window.symbolKeyed = buildSymbolKeyed();
  return Object.fromEntries(Object.entries(window.symbolKeyed).map(([name, list]) => [name, list.length]));
}

window.keepSymbolKeyed = keepSymbolKeyed;
