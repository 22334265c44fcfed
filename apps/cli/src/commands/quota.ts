/**
 * `kumulus quota`: a tenant's limits and what it uses of each; operators set them.
 */
import type { QuotaValues, UpdateQuotas } from '@kumulus/api';
import { dispatch, parseCommand, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { type MessageKey, pick, t } from '../i18n.ts';
import { emit, headers, printTable } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus quota show [--tenant ten_…] [--output table|json]
       kumulus quota set <tenant> [--servers N] [--vcpus N] [--memory-mb N] [--disk-gb N]
                         [--volumes N] [--volume-gb N] [--public-ips N]   (operators; "default" resets one)

  show   the limits of your tenant and what it uses of each
  set    changes a tenant's limits; a limit below what the tenant uses now is refused`,
  de: `Aufruf: kumulus quota show [--tenant ten_…] [--output table|json]
       kumulus quota set <Mandant> [--servers N] [--vcpus N] [--memory-mb N] [--disk-gb N]
                         [--volumes N] [--volume-gb N] [--public-ips N]   (Betreiber; "default" setzt einen zurück)

  show   die Grenzen Ihres Mandanten und was er davon belegt
  set    ändert die Grenzen eines Mandanten; eine Grenze unter der aktuellen Belegung wird abgelehnt`,
};

// Each quota with its option and its row label.
const QUOTAS: [keyof QuotaValues, string, MessageKey][] = [
  ['servers', 'servers', 'quota.servers'],
  ['vcpus', 'vcpus', 'quota.vcpus'],
  ['memoryMb', 'memory-mb', 'quota.memoryMb'],
  ['diskGb', 'disk-gb', 'quota.diskGb'],
  ['volumes', 'volumes', 'quota.volumes'],
  ['volumeGb', 'volume-gb', 'quota.volumeGb'],
  ['publicIps', 'public-ips', 'quota.publicIps'],
];

const showOptions = { tenant: { type: 'string' } } as const;
const setOptions = Object.fromEntries(QUOTAS.map(([, option]) => [option, { type: 'string' }])) as Record<string, { type: 'string' }>;

/** Runs `kumulus quota …`. */
export function runQuota(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus quota', pick(groupHelp), { show, set });
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus quota show';
  const { positionals, values, output, help } = parseCommand(args, showOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const q = await client.quotas({ tenantId: values.tenant });
  emit(output, q, () => printTable(headers('col.quota', 'col.used', 'col.limit'), QUOTAS.map(([key, , label]) => [t(label), String(q.used[key]), String(q.limits[key])])));
}

async function set(args: string[]): Promise<void> {
  const cmd = 'kumulus quota set';
  const { positionals, values, output, help } = parseCommand(args, setOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [tenant] = takePositionals(positionals, ['tenant'], cmd);
  const body: UpdateQuotas = {};
  for (const [key, option] of QUOTAS) {
    const text = (values as Record<string, string | undefined>)[option];
    if (text === undefined) continue;
    if (text === 'default') body[key] = null;
    else if (/^\d+$/.test(text)) body[key] = Number(text);
    else throw usageError(t('usage.quotaValue', { option: `--${option}` }), cmd);
  }
  const { client } = await connect();
  const q = await client.updateQuotas(tenant!, body);
  emit(output, q, () => printTable(headers('col.quota', 'col.used', 'col.limit'), QUOTAS.map(([key, , label]) => [t(label), String(q.used[key]), String(q.limits[key])])));
}
