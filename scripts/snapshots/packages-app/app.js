// Fills an lru-cache (npm `lru-cache` 6, whose entries live in `yallist`
// nodes) with session records of the program's own class, writing a heap
// snapshot before and after: the growth is split between the application
// (`Session`), `lru-cache` (`Entry`) and `yallist` (`Node`).
// Usage: node app.js OUT_DIR
'use strict';
const path = require('node:path');
const v8 = require('node:v8');
const LRU = require('lru-cache');

class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id % 97}`;
    this.started = id * 1000;
  }
}

const sessions = new LRU({ max: 5000 });

function fill(from, to) {
  for (let i = from; i < to; i++) {
    sessions.set(`s${i}`, new Session(i));
  }
}

const out = process.argv[2];
fill(0, 200);
global.gc();
v8.writeHeapSnapshot(path.join(out, 'before.heapsnapshot'));
fill(200, 1200);
global.gc();
v8.writeHeapSnapshot(path.join(out, 'after.heapsnapshot'));
