// fetchWithRetry: a connection that dies under a request is retried once for idempotent methods
// (the stale keep-alive socket after a fresh-stack restart), never for a POST.
// Run: node --test load-tests/drills/*.test.ts (npm test runs it through `nx run load-tests:test`).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchWithRetry } from './http.ts';

describe('fetchWithRetry', () => {
  let received = 0;
  // Every odd request has its connection destroyed before any answer: fetch fails with a
  // TypeError, as it does on a socket the old process closed. Every even one is answered.
  const server = createServer((request, response) => {
    received++;
    if (received % 2 === 1) request.socket.destroy();
    else response.end('ok');
  });
  let url = '';

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('retries a GET and a DELETE once on a new connection', async () => {
    for (const method of ['GET', 'DELETE']) {
      const before = received;
      const res = await fetchWithRetry(url, { method }, 2000);
      assert.equal(await res.text(), 'ok');
      assert.equal(received - before, 2, `${method} was sent twice, once on each connection`);
    }
  });

  it('does not resend a POST whose connection failed', async () => {
    const before = received;
    await assert.rejects(fetchWithRetry(url, { method: 'POST', body: '{}' }, 2000), TypeError);
    assert.equal(received - before, 1);
  });
});
