/**
 * Following an operation to its end, drawing its progress: a redrawn bar on a terminal, plain lines otherwise.
 */
import type { KumulusClient, Operation } from '@kumulus/api';
import type { OutputFormat } from './args.ts';
import { CliError, Exit } from './errors.ts';
import { t } from './i18n.ts';
import { printError } from './output.ts';

/** How to follow an operation. */
export interface FollowOptions {
  timeoutSeconds: number;
  format: OutputFormat;
  /** Shown before the bar, e.g. the server's name. */
  label?: string;
}

// Often enough that a one-second create shows its steps and its end is seen as soon as the
// server's own /wait would see it (it checks every 100 ms); one cheap GET each time.
const pollMs = 100;
const barWidth = 24;

/** Waits until the operation ends and returns it; throws exit 7 when it failed and exit 8 on timeout. */
export async function followOperation(client: KumulusClient, start: Operation, opts: FollowOptions): Promise<Operation> {
  const view = progressView(opts);
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  const onInterrupt = () => {
    view.finish();
    printError(new CliError(Exit.interrupted, 'INTERRUPTED', t('error.interrupted', { id: start.id })), opts.format);
    process.exit(Exit.interrupted);
  };
  process.once('SIGINT', onInterrupt);
  try {
    let op = start;
    view.update(op);
    while (op.state === 'pending' || op.state === 'running') {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new CliError(Exit.timeout, 'TIMEOUT', t('error.timeout', { id: op.id, seconds: opts.timeoutSeconds }));
      if (view.live) {
        // A bar needs every intermediate step, which the long poll (it answers only at the end) would skip.
        await sleep(Math.min(pollMs, remaining));
        op = await client.getOperation(op.id);
      } else {
        op = await client.waitOperation(op.id, Math.max(1, Math.min(30, Math.ceil(remaining / 1000))));
      }
      view.update(op);
    }
    view.finish();
    if (op.state === 'failed') {
      const why = op.error ? `: ${op.error.message}` : '';
      throw new CliError(Exit.operationFailed, op.error?.code ?? 'OPERATION_FAILED', t('error.operationFailed', { id: op.id }) + why);
    }
    return op;
  } finally {
    view.finish();
    process.off('SIGINT', onInterrupt);
  }
}

interface ProgressView {
  /** Whether the view shows intermediate steps (and so needs polling). */
  live: boolean;
  update(op: Operation): void;
  finish(): void;
}

function progressView(opts: FollowOptions): ProgressView {
  const out = process.stderr;
  const started = Date.now();
  const prefix = opts.label ? `${opts.label} ` : '';
  if (out.isTTY) {
    let drawn = false;
    return {
      live: true,
      update(op) {
        const filled = Math.round((op.progress / 100) * barWidth);
        const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        const line = `${prefix}${bar} ${String(op.progress).padStart(3)}%  ${op.step}  ${secs}s`;
        // \r plus "erase line" redraws in place; cut to the terminal's width so it never wraps.
        out.write('\r\x1b[2K' + line.slice(0, (out.columns || 80) - 1));
        drawn = true;
      },
      finish() {
        if (drawn) out.write('\n');
        drawn = false;
      },
    };
  }
  // Not a terminal: a log or a pipe. JSON callers get only the result; people get one line per step.
  if (opts.format === 'json') return { live: false, update() {}, finish() {} };
  let last = '';
  return {
    live: true,
    update(op) {
      const key = `${op.state} ${op.step}`;
      if (key === last) return;
      last = key;
      out.write(`${prefix}${String(op.progress).padStart(3)}%  ${op.step}\n`);
    },
    finish() {},
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
