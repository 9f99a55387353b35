class RequestRecord {
  constructor(body) {
    this.body = body;
    this.receivedAt = Date.now();
    this.headers = { 'content-type': 'application/json', 'x-request-id': String(body.id) };
  }
}

class RequestLog {
  constructor() {
    this.records = new Map();
  }

  remember(body) {
    const record = new RequestRecord(body);
    this.records.set(body.id, record);
    return record;
  }

  size() {
    return this.records.size;
  }
}

module.exports = { RequestLog, RequestRecord };
