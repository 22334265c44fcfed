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

/** The options of every list command: `--sort KEY[:asc|desc],…`, `--page N`, `--per-page N`, and on labelled lists `-l/--selector`. */
export const listOptions = {
  sort: { type: 'string' },
  selector: { type: 'string', short: 'l' },
  page: { type: 'string' },
  'per-page': { type: 'string' },
} as const;

/** The options of a labelled list whose entries have phases: those of listOptions and `--status PHASE,…`. */
export const statusListOptions = { ...listOptions, status: { type: 'string' } } as const;

/** The options of a list whose entries carry no labels: sorting and paging. */
export const sortOptions = { sort: listOptions.sort, page: listOptions.page, 'per-page': listOptions['per-page'] } as const;

/** `--label KEY=VALUE`, given once per label, on the commands that make or change a labelled resource. */
export const labelOptions = { label: { type: 'string', multiple: true } } as const;

interface ListValues {
  sort?: string | boolean;
  selector?: string | boolean;
  page?: string | boolean;
  'per-page'?: string | boolean;
  status?: string | boolean;
}

/** The list query `--sort`, `--selector` and `--status` ask for (the server checks both and names what is wrong). */
export function listQueryOf(values: ListValues): { sort?: string; label_selector?: string; status?: string } {
  return {
    ...(typeof values.sort === 'string' ? { sort: values.sort } : {}),
    ...(typeof values.selector === 'string' ? { label_selector: values.selector } : {}),
    ...(typeof values.status === 'string' ? { status: values.status } : {}),
  };
}

/** A whole number ≥ 1 given to an option such as `--page`. */
function positive(value: string | boolean | undefined, name: string, command: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw usageError(t('usage.badValue', { name, value, expected: 'a whole number ≥ 1' }), command);
  return n;
}

/** A page as a list answers it (the typed client's Page). */
interface AnyPage<T> {
  items: T[];
  nextCursor: string | null;
  meta?: { pagination: { page: number; lastPage: number; nextPage: number | null; totalEntries: number } };
}

/**
 * The entries a list command shows: every entry, page after page, or with `--page`/`--per-page`
 * that one page of the API's, with where it sits (page 2 of 5, 112 entries) on standard error,
 * so that `-o json` stays the list alone.
 */
export async function fetchList<T, Q extends object>(list: (q: Q) => Promise<AnyPage<T>>, values: ListValues, command: string, extra: Partial<Q> = {}): Promise<T[]> {
  const page = positive(values.page, 'page', command);
  const perPage = positive(values['per-page'], 'per-page', command);
  if (perPage !== undefined && perPage > 500) throw usageError(t('usage.badValue', { name: 'per-page', value: String(perPage), expected: '1 … 500' }), command);
  const q = { ...extra, ...listQueryOf(values) } as Q;
  if (page === undefined && perPage === undefined) {
    // As the client's all(): cursor pages in id order, numbered pages of 500 when sorted.
    const out: T[] = [];
    const sorted = 'sort' in q;
    let next: object | null = sorted ? { ...q, page: 1, per_page: 500 } : { ...q, limit: 500 };
    while (next) {
      const got: AnyPage<T> = await list(next as Q);
      out.push(...got.items);
      const nextPage = got.meta?.pagination.nextPage;
      next = nextPage ? { ...next, page: nextPage } : got.nextCursor ? { ...next, cursor: got.nextCursor } : null;
    }
    return out;
  }
  const got = await list({ ...q, page: page ?? 1, per_page: perPage ?? 25 } as Q);
  const where = got.meta?.pagination;
  if (where) process.stderr.write(t('list.page', { page: where.page, last: where.lastPage, total: where.totalEntries }) + '\n');
  return got.items;
}

/** The labels `--label KEY=VALUE` (or `--label KEY` for an empty value) give; the server checks keys and values. */
export function labelsOf(values: { label?: string[] | string | boolean }, command: string): Record<string, string> | undefined {
  const given = values.label;
  if (!Array.isArray(given)) return undefined;
  const out: Record<string, string> = {};
  for (const item of given) {
    const pair = labelPair(item);
    if (!pair) throw usageError(t('usage.badValue', { name: 'label', value: item, expected: 'KEY=VALUE' }), command);
    out[pair[0]] = pair[1];
  }
  return out;
}

/** One `KEY=VALUE` (or `KEY`, an empty value) as `--label` and `kumulus … label` read it; null when the key is empty. */
export function labelPair(item: string): [key: string, value: string] | null {
  const at = item.indexOf('=');
  const key = at < 0 ? item : item.slice(0, at);
  return key ? [key, at < 0 ? '' : item.slice(at + 1)] : null;
}
