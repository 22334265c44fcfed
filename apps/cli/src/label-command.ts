/**
 * `kumulus <resource> label REF KEY=VALUE… [-r KEY]…`, one command for every labelled resource:
 * it reads the resource's labels, sets and removes the ones named, and PATCHes the whole map
 * (the API replaces labels as a whole). Each resource gives only how to find and how to save one.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { ApiError, type KumulusClient } from '@kumulus/api';
import { labelPair, parseCommand, type Subcommand } from './args.ts';
import { connect } from './config.ts';
import { apiErrorInCliWords, CliError, Exit, usageError } from './errors.ts';
import { t } from './i18n.ts';
import { emit, say } from './output.ts';

/** What the label command needs of a resource: its id, labels and (if it has one) its name. */
export interface Labelled {
  id: string;
  name?: string;
  labels: Record<string, string>;
}

/** The values of the command's own options (such as snapshot's --server/--volume). */
export type LabelValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** How one resource is labelled from the CLI. */
export interface LabelTarget<T extends Labelled> {
  /** `kumulus server`. */
  group: string;
  /** The positional's name in messages, `SERVER`. */
  arg: string;
  help: () => string;
  /** Options beyond -r/--remove, such as the owner of a snapshot. */
  options?: ParseArgsOptionsConfig;
  /** The resource by id or name; a missing one fails the way the resource's other commands do. */
  find: (client: KumulusClient, ref: string, values: LabelValues) => Promise<T>;
  /** PATCHes the full label map and answers the resource as it is now. */
  save: (client: KumulusClient, found: T, labels: Record<string, string>, values: LabelValues) => Promise<T>;
}

/** The labels after setting `sets` and removing `removes`; a removed key must be there. */
export function applyLabels(current: Record<string, string>, sets: Record<string, string>, removes: string[], what: string): Record<string, string> {
  const out = { ...current };
  for (const key of removes) {
    if (!Object.hasOwn(out, key)) throw new CliError(Exit.invalidInput, 'LABEL_NOT_FOUND', t('labels.absent', { what, key }));
    delete out[key];
  }
  return { ...out, ...sets };
}

/** The `label` subcommand of a resource's command table. */
export function labelCommand<T extends Labelled>(target: LabelTarget<T>): Subcommand {
  return async (args) => {
    const cmd = `${target.group} label`;
    const options = { ...target.options, remove: { type: 'string', short: 'r', multiple: true } } as const;
    const { values, positionals, output, help } = parseCommand(args, options, cmd);
    if (help) return void process.stdout.write(target.help() + '\n');
    const [ref, ...pairs] = positionals;
    if (ref === undefined) throw usageError(t('usage.missingArgument', { name: target.arg }), cmd);
    // `-r env -r tier` or `-r env,tier`: a key holds no comma.
    const removes = ((values.remove ?? []) as string[]).flatMap((r) => r.split(','));
    if (pairs.length === 0 && removes.length === 0) throw usageError(t('usage.labelNothing'), cmd);
    const sets: Record<string, string> = {};
    for (const item of pairs) {
      const pair = labelPair(item);
      if (!pair) throw usageError(t('usage.badLabel', { value: item }), cmd);
      sets[pair[0]] = pair[1];
    }
    for (const key of removes) {
      if (!key) throw usageError(t('usage.badValue', { name: 'remove', value: key, expected: 'KEY' }), cmd);
      if (Object.hasOwn(sets, key)) throw usageError(t('usage.labelBoth', { key }), cmd);
    }
    const { client } = await connect();
    const own = values as LabelValues;
    const found = await target.find(client, ref, own);
    const what = found.name ? `${found.name} (${found.id})` : found.id;
    const labels = applyLabels(found.labels, sets, removes, what);
    const saved = await target.save(client, found, labels, own).catch((err) => {
      throw err instanceof ApiError ? apiErrorInCliWords(err) : err;
    });
    const text = Object.entries(saved.labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
    emit(output, saved, () => say(t('labels.now', { what, labels: text.join(', ') || t('labels.none') })));
  };
}
