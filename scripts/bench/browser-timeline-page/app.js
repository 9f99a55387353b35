// Page for scripts/bench/gen-browser-timeline.mjs: 3,000 generated functions
// that call each other along pseudo-random paths, so that the allocation
// trace has millions of nodes, as a page running much code under many call
// paths has. window.runBig(units, perUnit) calls the entry function
// units × perUnit times (seven levels deep, two calls per level, one object
// and one array kept per call), yielding to the event loop after each unit,
// and sets window.doneN to the number of calls kept when it is finished.
'use strict';

const kept = [];
const N = 3000;
let src = '';
for (let i = 0; i < N; i++) {
  src += `function f${i}(d, s, out) { const o = { f: ${i}, d, s, a: [d, s] }; out.push(o);` +
    ` if (d > 0) { const k = (s * 1103515245 + ${i}) >>> 0; fns[k % ${N}](d - 1, k, out); fns[(k >>> 7) % ${N}](d - 1, k ^ ${i}, out); } return o; }\n`;
}
src += 'const fns = [' + Array.from({ length: N }, (_, i) => 'f' + i).join(',') + '];\n';
src += `window.fnsRun = (d, s, out) => fns[s % ${N}](d, s, out);\n`;
const script = document.createElement('script');
script.textContent = src;
document.head.appendChild(script);

window.runBig = async function (units, perUnit) {
  for (let u = 0; u < units; u++) {
    for (let j = 0; j < perUnit; j++) {
      const out = [];
      window.fnsRun(7, u * 7919 + j * 104729, out);
      kept.push(out);
    }
    const row = document.createElement('div');
    row.textContent = 'unit ' + u;
    document.body.appendChild(row);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  window.doneN = kept.length;
  return kept.length;
};
