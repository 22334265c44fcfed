/** TCP port check: up when a connection is accepted within the timeout. */
import { connect } from 'node:net';
import { type CheckResult, reason, since } from './types.ts';

/** Connects to host:port and closes again at once. */
export function checkTcp(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const end = (r: CheckResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.once('connect', () => end({ ok: true, ms: since(start), message: `port ${port} accepted the connection` }));
    socket.once('timeout', () => end({ ok: false, ms: null, message: `no answer from port ${port} within ${timeoutMs} ms` }));
    socket.once('error', (err) => end({ ok: false, ms: null, message: `port ${port}: ${reason(err)}` }));
  });
}
