/**
 * A small client for QEMU's JSON line protocols over a unix socket: QMP (the monitor) and the
 * guest agent's protocol, which differ only in the greeting. No maintained npm package speaks
 * QMP (the known ones are Python), and one request at a time is all the engine needs.
 */
import { createConnection, type Socket } from 'node:net';

/** An error QEMU answered (`{"error": {"class", "desc"}}`). */
export class QmpError extends Error {
  override readonly name = 'QmpError';
  readonly errorClass: string;
  constructor(errorClass: string, desc: string) {
    super(`${errorClass}: ${desc}`);
    this.errorClass = errorClass;
  }
}

/** One open session: `execute` sends a command and answers its `return` value. */
export interface QmpSession {
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  close(): void;
}

/**
 * Opens a session on `path`. For QMP (`greeting: true`) the greeting is read and capabilities
 * negotiated; the guest agent sends no greeting. Fails when nothing listens within `timeoutMs`.
 */
export async function openQmp(path: string, opts: { greeting: boolean; timeoutMs?: number }): Promise<QmpSession> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = createConnection(path);
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
  sock.setEncoding('utf8');
  let buffer = '';
  let waiter: ((msg: Record<string, unknown> | Error) => void) | null = null;
  const queue: Record<string, unknown>[] = [];
  sock.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i).trim();
      buffer = buffer.slice(i + 1);
      if (!line) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // the agent may send a stray 0xff sync byte
      }
      if ('event' in msg) continue; // asynchronous events are not answers
      if (waiter) {
        const w = waiter;
        waiter = null;
        w(msg);
      } else queue.push(msg);
    }
  });
  const fail = (e: Error) => {
    const w = waiter;
    waiter = null;
    w?.(e);
  };
  sock.on('error', fail);
  sock.on('close', () => fail(new Error(`${path} closed`)));

  const next = (ms: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const t = setTimeout(() => {
        waiter = null;
        reject(new Error(`no answer on ${path} within ${ms} ms`));
      }, ms);
      waiter = (m) => {
        clearTimeout(t);
        m instanceof Error ? reject(m) : resolve(m);
      };
    });

  async function execute<T>(command: string, args?: Record<string, unknown>, ms = timeoutMs): Promise<T> {
    sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const msg = await next(ms);
    const err = msg.error as { class?: string; desc?: string } | undefined;
    if (err) throw new QmpError(err.class ?? 'GenericError', err.desc ?? '');
    return msg.return as T;
  }

  try {
    if (opts.greeting) {
      await next(timeoutMs); // {"QMP": {...}}
      await execute('qmp_capabilities');
    }
  } catch (e) {
    sock.destroy();
    throw e;
  }
  return { execute, close: () => sock.destroy() };
}

/** Runs one command in a fresh session and closes it. */
export async function qmpOnce<T = unknown>(path: string, command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<T> {
  const s = await openQmp(path, { greeting: true, timeoutMs });
  try {
    return await s.execute<T>(command, args, timeoutMs);
  } finally {
    s.close();
  }
}
