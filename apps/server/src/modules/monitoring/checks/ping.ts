/** ICMP echo check through the system's ping (iputils), which holds the raw-socket capability we lack. */
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import type { CheckResult } from './types.ts';

/** Sends one echo request and waits up to the timeout for the reply. */
export function checkPing(host: string, timeoutMs: number): Promise<CheckResult> {
  const waitS = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const family = isIP(host) === 6 ? ['-6'] : isIP(host) === 4 ? ['-4'] : [];
  return new Promise((resolve) => {
    execFile('ping', [...family, '-n', '-c', '1', '-W', waitS, '--', host], { timeout: timeoutMs + 1000 }, (err, stdout, stderr) => {
      const time = /time=([\d.]+) ms/.exec(stdout)?.[1];
      if (!err && time) return resolve({ ok: true, ms: Math.max(0, Math.round(Number(time))), message: `echo reply in ${time} ms` });
      const why = stderr.trim().split('\n')[0] || (/100% packet loss/.test(stdout) ? `no echo reply within ${waitS} s` : (err?.message ?? 'no reply'));
      resolve({ ok: false, ms: null, message: why });
    });
  });
}
