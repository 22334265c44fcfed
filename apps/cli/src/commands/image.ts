/**
 * `kumulus image list`: the operating system images a server can be created from.
 */
import { dispatch, fetchList, parseCommand, sortOptions, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { pick } from '../i18n.ts';
import { emit, headers, printTable } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus image list [--output table|json]

Lists the images a server can be created from, and whether each is ready.`,
  de: `Aufruf: kumulus image list [--output table|json]

Listet die Images, aus denen sich Server anlegen lassen, und ob sie bereit sind.`,
};

/** Runs `kumulus image …`. */
export function runImage(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus image', pick(groupHelp), { list: listImages });
}

async function listImages(args: string[]): Promise<void> {
  const cmd = 'kumulus image list';
  const { values, positionals, output, help } = parseCommand(args, sortOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const images = await fetchList((q) => client.listImages(q), values, cmd);
  emit(output, images, () =>
    printTable(
      headers('col.name', 'col.os', 'col.kind', 'col.status', 'col.description'),
      images.map((i) => [i.name, i.os, i.kind, i.status, i.message]),
    ),
  );
}
