import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError, redact } from '../pipeline/errors.js';
import { LiteLLMClient, errorMessage } from '../pipeline/litellm-client.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

let emulator: LiteLLMEmulator;
beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetRequests();
});

function client(overrides: Partial<ConstructorParameters<typeof LiteLLMClient>[0]> = {}) {
  return new LiteLLMClient({ baseUrl: emulator.url, masterKey: emulator.masterKey, attemptTimeoutMs: 1000, callTimeoutMs: 10_000, maxAttempts: 3, ...overrides });
}

describe('errorMessage', () => {
  it('reads the ProxyException shape and unwraps its Python dict repr', () => {
    const body = { error: { message: "{'error': 'Team id = x already exists. Please use a different team id.'}", type: 'bad_request_error', param: 'None', code: '400' } };
    expect(errorMessage(body)).toBe('Team id = x already exists. Please use a different team id.');
  });

  it('reads the FastAPI detail shapes', () => {
    expect(errorMessage({ detail: { error: 'Team not found, passed team_id=x' } })).toBe('Team not found, passed team_id=x');
    expect(errorMessage({ detail: 'Not Found' })).toBe('Not Found');
  });

  it('turns a 422 validation list into one sentence', () => {
    const body = { detail: [{ type: 'missing', loc: ['body', 'team_ids'], msg: 'Field required' }, { loc: ['query', 'x'], msg: 'bad' }] };
    expect(errorMessage(body)).toBe('body.team_ids: Field required; query.x: bad');
  });

  it('never parses a message as JSON, and copes with anything else', () => {
    expect(errorMessage({ error: { message: '{"not": "parsed"}' } })).toBe('{"not": "parsed"}');
    expect(errorMessage(undefined)).toBe('empty body');
    expect(errorMessage({ something: 1 })).toBe('{"something":1}');
  });
});

describe('redact', () => {
  it('masks anything shaped like a LiteLLM key', () => {
    expect(redact('key sk-abcdEFGH1234_- was refused')).toBe('key sk-*** was refused');
  });
});

describe('LiteLLMClient', () => {
  it('sends the master key only as a bearer token and returns non-retryable statuses to the caller', async () => {
    const response = await client().get('/team/info', { team_id: 'missing' });
    expect(response.status).toBe(404);
    expect(emulator.requests).toHaveLength(1);
    expect(JSON.stringify(emulator.requests[0])).not.toContain(emulator.masterKey);
  });

  it('retries 5xx, 429 (honouring Retry-After), dropped connections and bodies that are not JSON', async () => {
    emulator.inject({ path: '/team/info', status: 502 });
    emulator.inject({ path: '/team/info', status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const c = client({ maxAttempts: 5 });
    expect((await c.get('/team/info', { team_id: 'missing' })).status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(c.counts.reads).toBe(3);

    emulator.inject({ path: '/team/info', drop: true });
    emulator.inject({ path: '/team/info', malformed: true });
    expect((await client({ maxAttempts: 5 }).get('/team/info', { team_id: 'missing' })).status).toBe(404);
  });

  it('gives up after its attempts with one sentence naming the call, and no key in it', async () => {
    emulator.inject({ path: '/team/new', times: Infinity, status: 500, body: { error: { message: `boom for ${emulator.masterKey} and sk-leaked-virtual-key` } } });
    const error = await client().post('/team/new', { team_id: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^LiteLLM POST ${emulator.url}/team/new answered 500: boom for \\*\\*\\* and sk-\\*\\*\\* \\(gave up after 3 attempts\\)$`));
    expect(emulator.requests).toHaveLength(3);
  });

  it('bounds a call by time as well as by attempts', async () => {
    emulator.inject({ path: '/team/info', times: Infinity, delayMs: 600 });
    const started = Date.now();
    const error = await client({ attemptTimeoutMs: 200, callTimeoutMs: 700, maxAttempts: 10 })
      .get('/team/info', { team_id: 'x' })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('failed: timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a body over its size cap, whether announced or streamed, without retrying or reading on', async () => {
    // GIVEN a server that answers 64 MiB, once with Content-Length and once chunked without it
    let served = 0;
    let finished = 0;
    const server = createServer((req, res) => {
      served += 1;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const total = 1024;
      res.writeHead(200, { 'content-type': 'application/json', ...(req.url?.includes('announced') ? { 'content-length': String(total * chunk.length) } : {}) });
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += 1;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        finished += 1;
        res.end();
      };
      res.on('close', () => (sent = total));
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of ['/announced', '/streamed']) {
        // WHEN the client reads it with a 1 MiB cap
        const error = await new LiteLLMClient({ baseUrl: url, masterKey: 'sk-master', maxResponseBytes: 1024 * 1024 }).get(path).catch((e: unknown) => e);
        // THEN one clear sentence, no retry, and the body was not read to its end
        expect(error).toBeInstanceOf(PipelineError);
        expect((error as Error).message).toBe(`LiteLLM GET ${url}${path} answered more than 1 MiB, more than a LiteLLM answer to this pipeline can be; check the proxy at LITELLM_URL`);
      }
      expect(served).toBe(2);
      expect(finished).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('describes an answer as one line with the path but not the query', async () => {
    const c = client();
    const response = await c.get('/team/info', { team_id: 'missing' });
    expect(c.describe('GET', '/team/info?team_id=missing', response)).toBe(
      `LiteLLM GET ${emulator.url}/team/info answered 404: Team not found, passed team id: missing.`,
    );
  });
});
