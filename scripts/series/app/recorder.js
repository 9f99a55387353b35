'use strict';
// The recording side of the series service, preloaded with --require (so the
// service itself, bundled or not, knows nothing of it) and driven by the
// parent process (scripts/series/gen-series.mjs) over the fork() IPC channel. Each command
// is answered with {type: 'done', command} once its file is written:
//   {type: 'start-sampling', interval}  HeapProfiler.startSampling
//   {type: 'peek', file}                HeapProfiler.collectGarbage, then
//                                       getSamplingProfile -> file (sampling
//                                       goes on: every peek covers the whole
//                                       recording so far)
//   {type: 'snapshot', file}            v8.writeHeapSnapshot(file)
//   {type: 'start-tracking'}            HeapProfiler.startTrackingHeapObjects
//                                       ({trackAllocations: true})
//   {type: 'stop-tracking', file}       stopTrackingHeapObjects, the
//                                       addHeapSnapshotChunk chunks -> file
//   {type: 'stop'}                      end the process
// The inspector session lives in a worker thread connected to the main
// thread (Session.connectToMainThread()), so the profiles and chunks it
// receives are parsed in the worker's heap, not in the heap being profiled.
const fs = require('node:fs');
const v8 = require('node:v8');
const { isMainThread, parentPort, Worker } = require('node:worker_threads');

function workerMain() {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connectToMainThread();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  const chunks = [];
  session.on('HeapProfiler.addHeapSnapshotChunk', (m) => chunks.push(m.params.chunk));
  const commands = {
    'start-sampling': async (msg) => {
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', { samplingInterval: msg.interval });
    },
    peek: async (msg) => {
      await post('HeapProfiler.collectGarbage');
      const { profile } = await post('HeapProfiler.getSamplingProfile');
      fs.writeFileSync(msg.file, JSON.stringify(profile));
    },
    'start-tracking': async () => {
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
    },
    'stop-tracking': async (msg) => {
      chunks.length = 0;
      await post('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
      fs.writeFileSync(msg.file, chunks.join(''));
    },
  };
  parentPort.on('message', (msg) => {
    commands[msg.type](msg).then(
      () => parentPort.postMessage({ ok: true }),
      (err) => parentPort.postMessage({ ok: false, error: String(err && err.stack) }),
    );
  });
}

function listenForCommands() {
  // Workers inherit execArgv; without this one the --require would load this
  // file a second time in the worker.
  const worker = new Worker(__filename, { execArgv: [] });
  const inWorker = (msg) =>
    new Promise((resolve, reject) => {
      worker.once('message', (reply) => (reply.ok ? resolve() : reject(new Error(reply.error))));
      worker.postMessage(msg);
    });
  const run = async (msg) => {
    if (msg.type === 'snapshot') return v8.writeHeapSnapshot(msg.file);
    if (msg.type !== 'stop') return inWorker(msg);
    await worker.terminate();
    process.exit(0);
  };
  process.on('message', (msg) => {
    run(msg).then(
      () => process.send({ type: 'done', command: msg.type }),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

if (isMainThread) listenForCommands();
else workerMain();
