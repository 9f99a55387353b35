function formatLine(record) {
  return `${record.body.id}\t${record.body.path}\t${record.body.payload.length}`;
}

function buildReport(log, upTo) {
  const lines = [];
  for (const record of log.records.values()) {
    if (record.body.id > upTo - 50) {
      lines.push(formatLine(record));
    }
  }
  return lines.join('\n');
}

module.exports = { buildReport };
