// A webhook receiver that records every Alertmanager notification, for drills and tests.
// Dependency-free; runs on any Node.js >= 18:  node deploy/webhook-sink/sink.mjs
// `npm run stack:local` starts it and points every Alertmanager receiver at it.
//
// Environment:
//   WEBHOOK_SINK_HOST  listen address            (default 127.0.0.1)
//   WEBHOOK_SINK_PORT  listen port               (default 9095)
//   WEBHOOK_SINK_FILE  JSON-lines record file    (default .data/webhook-sink/notifications.jsonl)
//
// HTTP:
//   POST /<receiver>               record the JSON body as {receivedAt, receiver, notification}
//   GET  /notifications[?receiver=pager&alertname=ServiceDown&status=firing]  the records, oldest first
//   DELETE /notifications          forget everything recorded so far (start of a drill)
//   GET  /health                   200 when listening
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';

const host = process.env.WEBHOOK_SINK_HOST || '127.0.0.1';
const port = Number(process.env.WEBHOOK_SINK_PORT || 9095);
const file = process.env.WEBHOOK_SINK_FILE || '.data/webhook-sink/notifications.jsonl';

mkdirSync(dirname(file), { recursive: true });
appendFileSync(file, '');

function readRecords() {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

// A record matches when its receiver, and any alert in it, has the requested values.
function matches(record, query) {
  const receiver = query.get('receiver');
  if (receiver && record.receiver !== receiver) return false;
  const alertname = query.get('alertname');
  const status = query.get('status');
  if (!alertname && !status) return true;
  return (record.notification.alerts ?? []).some(
    (alert) =>
      (!alertname || alert.labels?.alertname === alertname) && (!status || alert.status === status),
  );
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host ?? host}`);
  if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && url.pathname === '/notifications') {
    return send(
      res,
      200,
      readRecords().filter((record) => matches(record, url.searchParams)),
    );
  }
  if (req.method === 'DELETE' && url.pathname === '/notifications') {
    writeFileSync(file, '');
    return send(res, 200, { deleted: true });
  }
  if (req.method === 'POST' && url.pathname.length > 1) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let notification;
      try {
        notification = JSON.parse(body);
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
      const record = {
        receivedAt: new Date().toISOString(),
        receiver: url.pathname.slice(1),
        notification,
      };
      appendFileSync(file, JSON.stringify(record) + '\n');
      send(res, 200, { recorded: true });
    });
    return;
  }
  send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
});

server.listen(port, host, () =>
  console.log(`webhook-sink listening on http://${host}:${port}, recording to ${file}`),
);
// Records are written synchronously, so nothing is lost by exiting at once (and waiting for
// Alertmanager's keep-alive connections to close could take minutes).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
