/**
 * Command-line parsing on node:util parseArgs, with the options every command shares and exit 2 on misuse.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { usageError } from './errors.ts';
import { t } from './i18n.ts';

/** How results are printed: a table for people or the API's JSON objects for scripts. */
export type OutputFormat = 'table' | 'json';

/** Options accepted by every command. */
export const commonOptions = {
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/** Parses one command's arguments strictly; unknown options and bad values are usage errors. */
export function parseCommand<O extends ParseArgsOptionsConfig>(args: string[], options: O, command: string) {
  const parsed = asUsageError(command, () =>
    parseArgs({ args, options: { ...options, ...commonOptions }, allowPositionals: true, strict: true }),
  );
  // TypeScript cannot see through the spread of a generic options object; the common ones are there.
  const common = parsed.values as { output?: string; help?: boolean };
  const output = outputFormat(common.output, command);
  return { values: parsed.values, positionals: parsed.positionals, output, help: common.help === true };
}

// parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes; anything else is a bug worth a stack.
function asUsageError<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code?.startsWith('ERR_PARSE_ARGS')) throw err;
    // Node words its own messages in English; the commonest one is said in the user's language.
    const option = /'(-[^']*)'/.exec((err as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw usageError(t('usage.unknownOption', { option }), command);
    throw usageError((err as Error).message, command);
  }
}

/** Validates `--output`; the default is a table. */
export function outputFormat(value: string | undefined, command = 'kumulus'): OutputFormat {
  if (value === undefined || value === 'table' || value === 'json') return value ?? 'table';
  throw usageError(t('usage.badValue', { name: 'output', value, expected: 'table|json' }), command);
}

/** Returns an option's value or fails with "missing option". */
export function requireOption(value: string | undefined, name: string, command: string): string {
  if (value === undefined || value === '') throw usageError(t('usage.missingOption', { name }), command);
  return value;
}

/** Takes exactly the named positional arguments; fewer or more are usage errors. */
export function takePositionals(positionals: string[], names: string[], command: string): string[] {
  const missing = names[positionals.length];
  if (missing !== undefined) throw usageError(t('usage.missingArgument', { name: missing }), command);
  const extra = positionals[names.length];
  if (extra !== undefined) throw usageError(t('usage.tooManyArguments', { arg: extra }), command);
  return positionals;
}

/** Parses a positive number of seconds such as `--timeout 300`. */
export function parseSeconds(value: string | undefined, fallback: number, name: string, command: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(t('usage.badValue', { name, value, expected: 'seconds > 0' }), command);
  return n;
}

/** A subcommand handler, given the arguments after its name. */
export type Subcommand = (args: string[]) => Promise<void>;

/** Picks the subcommand named by the first argument; prints the group's help for `--help`. */
export async function dispatch(args: string[], group: string, help: string, subs: Record<string, Subcommand>): Promise<void> {
  // `kumulus -o json server list` arrives here as `--output json list`: the name is the first word
  // that is neither an option nor the output option's value.
  let at = 0;
  while (at < args.length) {
    const arg = args[at]!;
    if (arg === '--output' || arg === '-o') at += 2;
    else if (arg.startsWith('--output=')) at += 1;
    else break;
  }
  const name = args[at];
  const rest = [...args.slice(0, at), ...args.slice(at + 1)];
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help + '\n');
    return;
  }
  if (name === undefined || name.startsWith('-')) throw usageError(t('usage.missingCommand'), group);
  const sub = Object.hasOwn(subs, name) ? subs[name] : undefined;
  if (!sub) throw usageError(t('usage.unknownCommand', { name: `${group.replace(/^kumulus /, '')} ${name}` }), group);
  await sub(rest);
}

/** The options of every list command: `--sort KEY[:asc|desc],…`, and on labelled lists `-l/--selector`. */
export const listOptions = { sort: { type: 'string' }, selector: { type: 'string', short: 'l' } } as const;

/** The list query `--sort` and `--selector` ask for (the server checks both and names what is wrong). */
export function listQueryOf(values: { sort?: string | boolean; selector?: string | boolean }): { sort?: string; label_selector?: string } {
  return { ...(typeof values.sort === 'string' ? { sort: values.sort } : {}), ...(typeof values.selector === 'string' ? { label_selector: values.selector } : {}) };
}
