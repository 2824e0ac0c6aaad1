import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisAwareReadinessScript } from '../constructs/gateway-readiness.js';

/**
 * Runs the readiness script with the local python3 (the LiteLLM image runs it with its own Python;
 * the script uses the standard library only) against fakes of the three things it checks: LiteLLM's
 * /health/readiness, a Sentinel and a Redis master, each speaking just the protocol the script uses.
 */
const run = promisify(execFile);
const servers: (Server | HttpServer)[] = [];
/** The interpreter itself, not a version-manager shim that costs seconds per start. */
let python = 'python3';
beforeAll(async () => {
  python = (await run('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A TCP server answering each connection's first command with `reply(command)`. */
function resp(reply: (command: string) => string): Promise<number> {
  return listen(createServer((socket) => socket.once('data', (data) => socket.end(reply(data.toString())))));
}

const gateway = (status: number) => listen(createHttpServer((req, res) => res.writeHead(req.url === '/health/readiness' ? status : 404).end('{}')));
const master = () => resp((command) => (command.includes('PING') ? '+PONG\r\n' : '-ERR\r\n'));
const sentinel = (masterPort: number) =>
  resp((command) =>
    command.includes('get-master-addr-by-name') && command.includes('mymaster') ? `*2\r\n$9\r\n127.0.0.1\r\n$${String(masterPort).length}\r\n${masterPort}\r\n` : '*-1\r\n',
  );
/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const port = await listen(createServer());
  await new Promise((resolve) => servers.pop()!.close(resolve));
  return port;
}

async function probe(gatewayPort: number, sentinelPort: number, serviceName = 'mymaster'): Promise<{ code: number; stderr: string }> {
  try {
    await run(python, ['-c', redisAwareReadinessScript(gatewayPort)], {
      env: { PATH: process.env.PATH, REDIS_SENTINEL_NODES: JSON.stringify([['127.0.0.1', sentinelPort]]), REDIS_SERVICE_NAME: serviceName },
      timeout: 10_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('redisAwareReadinessScript', () => {
  it('passes when LiteLLM is ready and the master Sentinel names answers PING', async () => {
    // GIVEN a ready gateway, a Sentinel and its master
    // WHEN the probe runs
    // THEN it exits 0
    expect(await probe(await gateway(200), await sentinel(await master()))).toEqual({ code: 0, stderr: '' });
  });

  it('fails while LiteLLM answers 503 (its database is unreachable)', async () => {
    const result = await probe(await gateway(503), await sentinel(await master()));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('gateway not ready');
  });

  it('fails while the Sentinel is unreachable', async () => {
    const result = await probe(await gateway(200), await closedPort());
    expect(result).toEqual({ code: 1, stderr: 'redis master unreachable\n' });
  });

  it('fails when the Sentinel knows no master by that name', async () => {
    const result = await probe(await gateway(200), await sentinel(await master()), 'othermaster');
    expect(result).toEqual({ code: 1, stderr: 'redis master unreachable\n' });
  });

  it('fails when the master the Sentinel names is down', async () => {
    const result = await probe(await gateway(200), await sentinel(await closedPort()));
    expect(result).toEqual({ code: 1, stderr: 'redis master unreachable\n' });
  });
});
