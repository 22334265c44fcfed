/** Asking the person at the terminal: plain answers, hidden ones (passwords), or lines piped in on standard input. */
import { createInterface } from 'node:readline/promises';
import { usageError } from './errors.ts';
import { t } from './i18n.ts';

/** Asks a question on the terminal; without one, a usage error naming `what` is missing. */
export async function ask(question: string, what: string, command: string): Promise<string> {
  if (!process.stdin.isTTY) throw usageError(t('usage.noTty', { what }), command);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Asks for a secret on the terminal without echoing it. */
export async function askHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write(question);
  // readline echoes every key through _writeToOutput; silencing it is the usual way to hide a password.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

let lines: AsyncIterator<string> | undefined;

/**
 * The next line piped in on standard input (a password, then a code). One reader serves every call, so a script
 * can answer each question as it comes: the code only after it has seen the key to compute it from.
 */
export async function nextStdinLine(): Promise<string> {
  lines ??= createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  const next = await lines.next();
  return next.done ? '' : next.value.trimEnd();
}

/** A secret from the terminal (hidden) or, when standard input is not one, its next line. */
export async function secret(question: string): Promise<string> {
  return process.stdin.isTTY ? askHidden(question) : nextStdinLine();
}
