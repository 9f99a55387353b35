'use strict';
// In-memory state of the leak-app service (scripts/snapshots/gen-node-leak.mjs).
//
// itemCache is a bounded LRU. requestLog is THE LEAK: rememberRequest() files
// a RequestRecord for every POST /orders under a fresh key and nothing ever
// deletes from it, so every record (with its copied headers, body and order
// lines) stays reachable from this module-level Map.

class LruCache {
  constructor(maxEntries) {
    this.maxEntries = maxEntries;
    this.map = new Map();
  }

  get(key) {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value);
  }
}

class RequestRecord {
  constructor(seq, method, url, headers, body, order) {
    this.seq = seq;
    this.method = method;
    this.url = url;
    this.headers = Object.assign({}, headers);
    this.body = body;
    this.lines = order.items.map((it) => new OrderLine(it.sku, it.qty, it.note));
  }
}

class OrderLine {
  constructor(sku, qty, note) {
    this.sku = sku.toUpperCase();
    this.qty = qty;
    this.note = note.trim();
  }
}

const itemCache = new LruCache(64);
const requestLog = new Map();
let requestSeq = 0;

// Keeps a copy of an incoming order "for the /stats endpoint" -- forever.
function rememberRequest(method, url, headers, body, order) {
  const seq = ++requestSeq;
  requestLog.set(`${method} ${url} #${seq}`, new RequestRecord(seq, method, url, headers, body, order));
  return seq;
}

function stats() {
  return { items: itemCache.map.size, requests: requestLog.size };
}

module.exports = { itemCache, requestLog, rememberRequest, stats };
