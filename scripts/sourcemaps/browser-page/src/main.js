// Entry of the page: `window.runBatches(n)` renders n more batches of the
// feed (the generator calls it between recordings).
import { bus } from './bus.js';
import { renderBatch } from './feed.js';

let batches = 0;

window.runBatches = (n) => {
  for (let k = 0; k < n; k++) renderBatch(batches++);
  bus.emit('theme', batches % 2 ? 'light' : 'dark');
  return { batches, subscriptions: bus.byType.get('theme').length };
};
