// Page for fixtures/heaptimeline/browser-page (see ../gen-browser.mjs).
// window.runTimelineWorkload(runMs, leakAtMs) allocates in named functions
// for runMs, in short slices with a setTimeout between them (so the page's
// main thread yields and V8's heap stats pushes, the timeline samples,
// happen). Until leakAtMs everything is garbage; from then on leakyCollect()
// also keeps its objects in the top-level array leakedSessions.
'use strict';

const leakedSessions = [];

class LeakedSession {
  constructor(seq) {
    this.seq = seq;
    this.user = 'user-' + (seq % 97);
    this.history = [seq, seq * 2, seq * 3];
  }
}

class TempVector {
  constructor(x, y, z) {
    this.x = x;
    this.y = y;
    this.z = z;
  }
}

function makeGarbageEvent(i) {
  return { kind: 'event', i, payload: ['p', i % 13, 'q'] };
}

function buildTempVectors(n) {
  const out = [];
  for (let k = 0; k < n; k++) out.push(new TempVector(k, k + 1, k + 2));
  return out;
}

function renderSummary(events) {
  return events.map((e) => e.kind + '#' + e.i + ':' + e.payload.join('/')).join('|');
}

// Keeps n LeakedSession records per call in leakedSessions: the leak. Its bytecode is
// kept above TurboFan's inlining limit (460 bytes) on purpose: an inlined
// callee's allocations are attributed by the allocation tracker to the
// optimized caller (workSlice), and the fixture wants them under leakyCollect.
function leakyCollect(seq, n) {
  for (let k = 0; k < n; k++) {
    const s = new LeakedSession(seq + k);
    switch ((seq + k) % 6) {
      case 0: s.kind = 'login'; s.weight = 1; s.flags = seq & 1; break;
      case 1: s.kind = 'view'; s.weight = 2; s.flags = seq & 3; break;
      case 2: s.kind = 'click'; s.weight = 3; s.flags = seq & 7; break;
      case 3: s.kind = 'scroll'; s.weight = 4; s.flags = seq & 15; break;
      case 4: s.kind = 'search'; s.weight = 5; s.flags = seq & 31; break;
      default: s.kind = 'logout'; s.weight = 6; s.flags = seq & 63; break;
    }
    if (s.weight > 3 && s.flags > 2) s.note = 'heavy ' + s.kind + ' ' + s.flags;
    else if (s.weight > 1) s.note = 'light ' + s.kind;
    else s.note = null;
    if (s.history.length > 2 && s.user.length > 5) s.score = s.history[0] + s.history[1] * 2 + s.history[2] * 3 + s.weight;
    else s.score = s.weight;
    s.label = s.user + '/' + s.kind + '#' + (seq + k);
    s.tags = s.weight > 2 ? ['hot', s.kind] : ['cold'];
    leakedSessions.push(s);
  }
  return leakedSessions.length;
}

let seq = 0;
let sink = 0;
function workSlice(leaking, sliceMs) {
  const end = performance.now() + sliceMs;
  while (performance.now() < end) {
    const events = [];
    for (let k = 0; k < 8; k++) events.push(makeGarbageEvent(seq++));
    sink += renderSummary(events).length;
    sink += buildTempVectors(5).length;
    if (leaking && (seq & 63) === 0) leakyCollect(seq, 3);
  }
}

function yieldToLoop() {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

window.runTimelineWorkload = async function runTimelineWorkload(runMs, leakAtMs) {
  const status = document.getElementById('status');
  status.textContent = 'running';
  const t0 = performance.now();
  let slices = 0;
  let leakSlices = 0;
  while (performance.now() - t0 < runMs) {
    const leaking = performance.now() - t0 >= leakAtMs;
    workSlice(leaking, 4);
    slices++;
    if (leaking) leakSlices++;
    await yieldToLoop();
  }
  status.textContent = 'done';
  return { ms: Math.round(performance.now() - t0), slices, leakSlices, leaked: leakedSessions.length, events: seq, sink };
};
