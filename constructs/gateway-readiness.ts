/**
 * The readiness check of a gateway replica that shares its counters through Redis.
 *
 * LiteLLM's `/health/readiness` answers 503 while the database is unreachable, but does not touch
 * Redis (it only reports the cache type). A replica whose Redis is gone falls back to counting in
 * its own memory (DualCache), and so would grant every team its full limit again. This check keeps
 * such a replica out of the Service: it passes only if `/health/readiness` answers 2xx AND the
 * Sentinel names a master AND that master answers PING.
 *
 * It is Python from the standard library only, because the LiteLLM image has Python and no shell
 * tools such as redis-cli or curl; it speaks just enough RESP to send two commands. It reads the same
 * REDIS_SENTINEL_NODES and REDIS_SERVICE_NAME env vars as LiteLLM. Every network step has its own
 * short timeout, and the total stays under the probe's 5 s timeout.
 */
export function redisAwareReadinessScript(port: number): string {
  return [
    'import json, os, socket, sys, urllib.request',
    'def call(host, port, *args):',
    '    with socket.create_connection((host, int(port)), timeout=1) as s:',
    '        s.sendall(("*%d\\r\\n" % len(args) + "".join("$%d\\r\\n%s\\r\\n" % (len(a), a) for a in args)).encode())',
    '        return s.recv(1024).split(b"\\r\\n")',
    'try:',
    `    urllib.request.urlopen("http://127.0.0.1:${port}/health/readiness", timeout=2).close()`,
    'except Exception as e:',
    '    sys.exit("gateway not ready: %s" % e)',
    'for host, sentinel_port in json.loads(os.environ["REDIS_SENTINEL_NODES"]):',
    '    try:',
    '        reply = call(host, sentinel_port, "SENTINEL", "get-master-addr-by-name", os.environ["REDIS_SERVICE_NAME"])',
    '        if reply[0] == b"*2" and call(reply[2].decode(), reply[4].decode(), "PING")[0] == b"+PONG":',
    '            sys.exit(0)',
    '    except (OSError, IndexError, ValueError):',
    '        pass',
    'sys.exit("redis master unreachable")',
  ].join('\n');
}
