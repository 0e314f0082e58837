// The shared UI pieces issue 13 introduced: DataTable renders the same markup the hand-written tables
// had, and requestJson classifies every answer of a real HTTP server (and no server at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ACTIONS_HEADER, DataTable } from '@/components/data-table';
import { requestJson } from '@/components/request-json';

test('DataTable: the focusable scroll wrapper, caption, th scope=col per column (null = no column), the rows', () => {
  const row = createElement('tr', null, createElement('td', null, 'x'));
  const html = renderToStaticMarkup(createElement(DataTable, { caption: 'Stored policies', columns: ['Component', 'Objective', null, ACTIONS_HEADER], testId: 'policies-table', className: 'report-table' }, row));
  assert.equal(
    html,
    '<div class="table-wrap" tabindex="0"><table class="report-table" data-testid="policies-table"><caption>Stored policies</caption>' +
      '<thead><tr><th scope="col">Component</th><th scope="col">Objective</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>' +
      '<tbody><tr><td>x</td></tr></tbody></table></div>',
  );
  const bare = renderToStaticMarkup(createElement(DataTable, { caption: 'c', columns: ['A'] }));
  assert.equal(bare, '<div class="table-wrap" tabindex="0"><table><caption>c</caption><thead><tr><th scope="col">A</th></tr></thead><tbody></tbody></table></div>');
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('requestJson: data, the error envelope (and its extra fields), an answer without JSON, no server', async () => {
  const seen: Array<{ method: string; type: string | undefined; body: string }> = [];
  const { server, url } = await listen((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', type: req.headers['content-type'], body });
      if (req.url === '/ok') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"removed":{"id":"c1"}}');
      if (req.url === '/bad') return void res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":{"class":"invalid-input","message":"name is required"},"issues":[{"path":"a","message":"b"}]}');
      if (req.url === '/html') return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      res.writeHead(500).end('{}');
    });
  });
  try {
    assert.deepEqual(await requestJson('DELETE', `${url}/ok`), { ok: true, data: { removed: { id: 'c1' } } });
    assert.deepEqual(seen.at(-1), { method: 'DELETE', type: undefined, body: '' }, 'no body, no content type');
    const bad = await requestJson('POST', `${url}/bad`, { name: '' });
    assert.deepEqual(seen.at(-1), { method: 'POST', type: 'application/json', body: '{"name":""}' });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.deepEqual(bad.error, { class: 'invalid-input', message: 'name is required' });
      assert.deepEqual((bad.body as { issues: unknown }).issues, [{ path: 'a', message: 'b' }]);
    }
    assert.deepEqual(await requestJson('GET', `${url}/html`), { ok: false, error: { class: 'internal', message: 'the server answered HTTP 502 without JSON' }, body: null });
    assert.deepEqual(await requestJson('GET', `${url}/other`), { ok: false, error: { class: 'internal', message: 'HTTP 500' }, body: {} });
  } finally {
    await new Promise((r) => server.close(r));
  }
  const gone = await requestJson('GET', url);
  assert.equal(gone.ok, false);
  if (!gone.ok) {
    assert.equal(gone.error.class, 'network');
    assert.match(gone.error.message, /^could not reach the Quorum server: /);
  }
});
