/**
 * `kumulus plan list`: the sizes and prices a server can be created with.
 */
import { dispatch, fetchList, parseCommand, sortOptions, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { pick } from '../i18n.ts';
import { emit, formatMemory, formatMoney, headers, printTable } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus plan list [--output table|json]

Lists the plans (vCPUs, memory, disk, price) a server can be created with.`,
  de: `Aufruf: kumulus plan list [--output table|json]

Listet die Tarife (vCPUs, Speicher, Disk, Preis), mit denen sich Server anlegen lassen.`,
};

/** Runs `kumulus plan …`. */
export function runPlan(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus plan', pick(groupHelp), { list: listPlans });
}

async function listPlans(args: string[]): Promise<void> {
  const cmd = 'kumulus plan list';
  const { values, positionals, output, help } = parseCommand(args, sortOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const plans = await fetchList((q) => client.listPlans(q), values, cmd);
  emit(output, plans, () =>
    printTable(
      headers('col.name', 'col.vcpus', 'col.memory', 'col.disk', 'col.priceMonthly', 'col.description'),
      plans.map((p) => [p.name, String(p.vcpus), formatMemory(p.memoryMb), `${p.diskGb} GB`, formatMoney(p.priceMonthly), p.description]),
    ),
  );
}
