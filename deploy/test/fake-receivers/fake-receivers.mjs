// Stand-ins for PagerDuty, Slack and an SMTP server on loopback, for the tests and drills that
// prove Alertmanager's native receivers deliver. Each checks what arrives against the provider's
// documented format and answers as the provider does (an invalid event is refused, so
// Alertmanager's notification fails and the test sees it). Dependency-free:
//   node deploy/test/fake-receivers/fake-receivers.mjs
//
// Environment:
//   FAKE_RECEIVERS_HOST       listen address (default 127.0.0.1)
//   FAKE_RECEIVERS_HTTP_PORT  PagerDuty and Slack (default 9096)
//   FAKE_RECEIVERS_SMTP_PORT  SMTP (default 9025)
//   FAKE_SMTP_USERNAME, FAKE_SMTP_PASSWORD  when set, SMTP offers AUTH PLAIN/LOGIN and accepts
//                             only these credentials
//
// HTTP:
//   POST /v2/enqueue                       PagerDuty Events API v2 (202, or 400 with the errors)
//   POST /services/<team>/<bot>/<token>    Slack incoming webhook (200 "ok", or 400 invalid_payload)
//   GET  /received[?kind=pagerduty|slack|email]  every delivery, oldest first:
//        {receivedAt, kind, valid, errors, body} (body: the JSON, or for email
//        {from, to, headers, text}); invalid deliveries are recorded too, with their errors
//   DELETE /received                       forget everything
//   GET  /health                           200 when listening
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

const host = process.env.FAKE_RECEIVERS_HOST || '127.0.0.1';
const httpPort = Number(process.env.FAKE_RECEIVERS_HTTP_PORT || 9096);
const smtpPort = Number(process.env.FAKE_RECEIVERS_SMTP_PORT || 9025);
const smtpUser = process.env.FAKE_SMTP_USERNAME || '';
const smtpPassword = process.env.FAKE_SMTP_PASSWORD || '';

const received = [];
function record(kind, body, errors) {
  received.push({ receivedAt: new Date().toISOString(), kind, valid: errors.length === 0, errors, body });
  if (errors.length) console.error(`fake-receivers: invalid ${kind} delivery: ${errors.join('; ')}`);
}

const isText = (value, max = Infinity) => typeof value === 'string' && value.length > 0 && value.length <= max;
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (and resolve-events)
function pagerDutyErrors(event) {
  const errors = [];
  if (!isObject(event)) return ['the body is not a JSON object'];
  if (!isText(event.routing_key)) errors.push('routing_key is missing');
  if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action)) {
    errors.push(`event_action '${event.event_action}' is not trigger, acknowledge or resolve`);
  }
  if (event.dedup_key !== undefined && !isText(event.dedup_key, 255)) errors.push('dedup_key must be 1-255 characters');
  if (event.event_action !== 'trigger' && !event.dedup_key) errors.push(`${event.event_action} needs a dedup_key`);
  if (event.event_action === 'trigger') {
    const payload = event.payload;
    if (!isObject(payload)) return [...errors, 'payload is missing'];
    if (!isText(payload.summary, 1024)) errors.push('payload.summary must be 1-1024 characters');
    if (!isText(payload.source)) errors.push('payload.source is missing');
    if (!['critical', 'error', 'warning', 'info'].includes(payload.severity)) {
      errors.push(`payload.severity '${payload.severity}' is not critical, error, warning or info`);
    }
    if (payload.custom_details !== undefined && !isObject(payload.custom_details)) errors.push('payload.custom_details is not an object');
    for (const link of event.links ?? []) if (!isText(link.href)) errors.push('a link has no href');
  }
  return errors;
}

// https://api.slack.com/messaging/webhooks: a message needs text, or blocks, or attachments
// (each attachment with text, fallback or blocks).
function slackErrors(message) {
  if (!isObject(message)) return ['invalid_payload: the body is not a JSON object'];
  const errors = [];
  const attachments = message.attachments ?? [];
  if (!Array.isArray(attachments)) errors.push('invalid_payload: attachments is not an array');
  if (!isText(message.text) && !Array.isArray(message.blocks) && !attachments.length) {
    errors.push('no_text: a message needs text, blocks or attachments');
  }
  for (const attachment of attachments) {
    if (!isText(attachment.text) && !isText(attachment.fallback) && !Array.isArray(attachment.blocks)) {
      errors.push('invalid_attachments: an attachment needs text, fallback or blocks');
    }
  }
  if (message.channel !== undefined && typeof message.channel !== 'string') errors.push('invalid_payload: channel is not a string');
  return errors;
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(type === 'application/json' ? JSON.stringify(body) : body);
}

const http = createServer((req, res) => {
  const url = new URL(req.url, `http://${host}`);
  if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && url.pathname === '/received') {
    const kind = url.searchParams.get('kind');
    return send(res, 200, received.filter((r) => !kind || r.kind === kind));
  }
  if (req.method === 'DELETE' && url.pathname === '/received') {
    received.length = 0;
    return send(res, 200, { deleted: true });
  }
  const pagerDuty = url.pathname === '/v2/enqueue';
  const slack = /^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(url.pathname);
  if (req.method !== 'POST' || (!pagerDuty && !slack)) {
    return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
  }
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const kind = pagerDuty ? 'pagerduty' : 'slack';
    const errors = (pagerDuty ? pagerDutyErrors : slackErrors)(body);
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) errors.push('content-type is not application/json');
    record(kind, body, errors);
    if (pagerDuty) {
      return errors.length
        ? send(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors })
        : send(res, 202, { status: 'success', message: 'Event processed', dedup_key: body.dedup_key });
    }
    return errors.length ? send(res, 400, errors[0].split(':')[0], 'text/plain') : send(res, 200, 'ok', 'text/plain');
  });
});

// A message as RFC 5322 and MIME (RFC 2045/2046) define it: headers, a blank line, a body; the
// text/plain part of a multipart body, quoted-printable decoded.
function parseMessage(data) {
  const errors = [];
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) return { errors: ['no blank line between headers and body'] };
  const headers = {};
  for (const line of data.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const match = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!match) errors.push(`malformed header line '${line}'`);
    else headers[match[1].toLowerCase()] = match[2];
  }
  for (const name of ['from', 'to', 'subject', 'date']) if (!headers[name]) errors.push(`no ${name} header`);
  let body = data.slice(split + 4);
  let type = headers['content-type'] ?? 'text/plain';
  let encoding = headers['content-transfer-encoding'] ?? '7bit';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (/^multipart\//i.test(type)) {
    if (!boundary || !body.includes(`--${boundary}--`)) errors.push('multipart body without its closing boundary');
    const parts = body.split(`--${boundary}`).slice(1, -1).map((part) => {
      const end = part.indexOf('\r\n\r\n');
      const partHeaders = part.slice(0, end).toLowerCase();
      return { headers: partHeaders, body: part.slice(end + 4).replace(/\r\n$/, '') };
    });
    const text = parts.find((part) => /content-type: *text\/plain/.test(part.headers));
    if (!text) errors.push('no text/plain part');
    body = text?.body ?? '';
    encoding = /content-transfer-encoding: *quoted-printable/.test(text?.headers ?? '') ? 'quoted-printable' : '7bit';
    type = 'text/plain';
  }
  if (/quoted-printable/i.test(encoding)) {
    body = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    body = Buffer.from(body, 'latin1').toString('utf8');
  }
  if (!body.trim()) errors.push('empty body');
  return { headers, text: body, errors };
}

// The SMTP commands Alertmanager's email notifier uses (RFC 5321), with AUTH when configured.
const smtp = createTcpServer((socket) => {
  let buffer = '';
  let envelope = { from: '', to: [] };
  let inData = false;
  let authenticated = !smtpUser;
  let pendingLogin = null;
  const reply = (line) => socket.write(`${line}\r\n`);
  const checkCredentials = (user, password) => {
    authenticated = user === smtpUser && password === smtpPassword;
    reply(authenticated ? '235 2.7.0 Authentication successful' : '535 5.7.8 Authentication credentials invalid');
  };
  reply('220 fake-receivers ESMTP');
  socket.setEncoding('latin1');
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buffer += chunk;
    for (;;) {
      if (inData) {
        const end = buffer.indexOf('\r\n.\r\n');
        if (end < 0) return;
        const data = buffer.slice(0, end + 2).replace(/^\.\./gm, '.');
        buffer = buffer.slice(end + 5);
        inData = false;
        const message = parseMessage(data);
        record('email', { from: envelope.from, to: envelope.to, headers: message.headers, text: message.text }, message.errors);
        envelope = { from: '', to: [] };
        reply(message.errors.length ? `554 5.6.0 ${message.errors[0]}` : '250 2.0.0 OK queued');
        continue;
      }
      const newline = buffer.indexOf('\r\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 2);
      if (pendingLogin) {
        const value = Buffer.from(line, 'base64').toString('utf8');
        if (pendingLogin === 'user') {
          pendingLogin = value;
          reply('334 UGFzc3dvcmQ6'); // "Password:"
        } else {
          checkCredentials(pendingLogin, value);
          pendingLogin = null;
        }
        continue;
      }
      const [verb, ...rest] = line.split(' ');
      const argument = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          reply('250-fake-receivers');
          if (smtpUser) reply('250-AUTH PLAIN LOGIN');
          reply('250 8BITMIME');
          break;
        case 'HELO':
          reply('250 fake-receivers');
          break;
        case 'AUTH': {
          const [mechanism, initial] = argument.split(' ');
          if (/^plain$/i.test(mechanism) && initial) {
            const [, user, password] = Buffer.from(initial, 'base64').toString('utf8').split('\0');
            checkCredentials(user, password);
          } else if (/^login$/i.test(mechanism)) {
            pendingLogin = 'user';
            reply('334 VXNlcm5hbWU6'); // "Username:"
          } else reply('504 5.5.4 Unrecognized authentication type');
          break;
        }
        case 'MAIL':
          if (!authenticated) reply('530 5.7.0 Authentication required');
          else if (!/^FROM:<[^>]*>/i.test(argument)) reply('501 5.5.4 Syntax: MAIL FROM:<address>');
          else ((envelope.from = /<([^>]*)>/.exec(argument)[1]), reply('250 2.1.0 OK'));
          break;
        case 'RCPT':
          if (!/^TO:<[^>]+>/i.test(argument)) reply('501 5.5.4 Syntax: RCPT TO:<address>');
          else (envelope.to.push(/<([^>]*)>/.exec(argument)[1]), reply('250 2.1.5 OK'));
          break;
        case 'DATA':
          if (!envelope.to.length) reply('503 5.5.1 RCPT first');
          else ((inData = true), reply('354 End data with <CR><LF>.<CR><LF>'));
          break;
        case 'RSET':
          envelope = { from: '', to: [] };
          reply('250 2.0.0 OK');
          break;
        case 'NOOP':
          reply('250 2.0.0 OK');
          break;
        case 'QUIT':
          reply('221 2.0.0 Bye');
          socket.end();
          return;
        default:
          reply(`502 5.5.2 ${verb} not implemented`);
      }
    }
  });
});

http.listen(httpPort, host, () => console.log(`fake PagerDuty and Slack on http://${host}:${httpPort}`));
smtp.listen(smtpPort, host, () => console.log(`fake SMTP server on ${host}:${smtpPort}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
