'use strict';
// In-memory state of the series service.
//
// itemCache is a bounded LRU in every build: it fills up during the first
// two batches and then stays flat (warm-up, not a leak). requestLog is where the builds differ: every
// POST /orders is filed as a RequestRecord holding its Order, and
//   leak     never removes a record (THE LEAK: one RequestRecord per order),
//   fixed    keeps the last FIXED_LOG_LIMIT records,
//   control  keeps none (each record is garbage as soon as it is filed).

const FIXED_LOG_LIMIT = 50;
const LOG_LIMITS = { leak: Infinity, fixed: FIXED_LOG_LIMIT, control: 0 };

class LruCache {
  constructor(maxEntries) {
    this.maxEntries = maxEntries;
    this.map = new Map();
  }

  get(key) {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value);
  }
}

class RequestRecord {
  constructor(seq, method, url, headers, order) {
    this.seq = seq;
    this.method = method;
    this.url = url;
    this.receivedAt = new Date();
    this.headers = Object.assign({}, headers);
    this.order = order;
  }
}

const itemCache = new LruCache(64);
const requestLog = [];
let logLimit = Infinity;
let requestSeq = 0;

function configure(build) {
  if (!(build in LOG_LIMITS)) throw new Error(`unknown build ${build}`);
  logLimit = LOG_LIMITS[build];
}

// Files an order "for the /stats endpoint".
function rememberRequest(method, url, headers, order) {
  const record = new RequestRecord(++requestSeq, method, url, headers, order);
  requestLog.push(record);
  while (requestLog.length > logLimit) requestLog.shift();
  return record.seq;
}

function stats() {
  return { items: itemCache.map.size, requests: requestLog.length, seq: requestSeq };
}

module.exports = { configure, itemCache, requestLog, rememberRequest, stats };
