/**
 * `kumulus ip-pool list|show|create|update|delete`: the operator's pools of public addresses.
 */
import { type IpPool, publicIpApi } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, listOptions, parseCommand, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus ip-pool <command> [options]   (operators)

Commands:
  list [--sort KEY] [-l SELECTOR]                        every IP pool (only those whose labels match)
  show POOL                                              one pool
  create --name NAME --range RANGE --uplink IFACE [--mode routed] [--cooldown SECONDS] [--label K=V]…
                                                         defines a pool, e.g. --range 203.0.113.0/28,
                                                         203.0.113.10-203.0.113.20 or 2001:db8:100::/56
  update POOL [--name NAME] [--cooldown SECONDS]         renames a pool or changes its cool-down
  label POOL KEY=VALUE… [-r KEY]…                        sets and removes labels; the others stay
  delete POOL                                            deletes a pool none of whose addresses is handed out

POOL is a pool's id (pool_…) or name. An IPv6 pool gives each public IP one /64 of its prefix.
--uplink is the host's interface toward the upstream router; the host answers ARP there for
assigned addresses and routes them to the servers. --cooldown: how long a released address
rests before it is handed out again (default 1800).

Options:
  -o, --output table|json`,
  de: `Aufruf: kumulus ip-pool <Befehl> [Optionen]   (Betreiber)

Befehle:
  list [--sort SCHLÜSSEL] [-l SELEKTOR]                  alle IP-Pools (nur die, deren Labels passen)
  show POOL                                              ein Pool
  create --name NAME --range BEREICH --uplink SCHNITTSTELLE [--mode routed] [--cooldown SEKUNDEN] [--label S=W]…
                                                         legt einen Pool an, z. B. --range 203.0.113.0/28,
                                                         203.0.113.10-203.0.113.20 oder 2001:db8:100::/56
  update POOL [--name NAME] [--cooldown SEKUNDEN]        benennt einen Pool um oder ändert seine Sperrfrist
  label POOL SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…             setzt und entfernt Labels; die übrigen bleiben
  delete POOL                                            löscht einen Pool, aus dem keine Adresse mehr vergeben ist

POOL ist die ID (pool_…) oder der Name eines Pools. Ein IPv6-Pool gibt jeder öffentlichen IP ein /64
seines Präfixes. --uplink ist die Schnittstelle des Hosts zum vorgelagerten Router; dort beantwortet
der Host ARP für zugewiesene Adressen und leitet sie zu den Servern. --cooldown: wie lange eine
freigegebene Adresse ruht, bevor sie wieder vergeben wird (Standard 1800).

Optionen:
  -o, --output table|json`,
};

const text = { en: { deleted: 'IP pool {name} deleted' }, de: { deleted: 'IP-Pool {name} gelöscht' } };
const choose = <T>(both: { en: T; de: T }): T => both[language];

/** Runs `kumulus ip-pool …`. */
export function runIpPool(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus ip-pool', pick(groupHelp), {
    list,
    show,
    create,
    update,
    label: labelCommand({ group: 'kumulus ip-pool', arg: 'POOL', help: () => pick(groupHelp), find: (c, ref) => publicIpApi(c).getPool(ref), save: (c, p, labels) => publicIpApi(c).updatePool(p.id, { labels }) }),
    delete: remove,
  });
}

/** A cool-down in whole seconds; 0 (hand released addresses out again at once) is allowed. */
function cooldown(value: string, cmd: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw usageError(t('usage.badValue', { name: 'cooldown', value, expected: 'seconds >= 0' }), cmd);
  return n;
}

/** Prints the group's help when asked for; answers whether it did. */
function helpOr(help: boolean): boolean {
  if (help) process.stdout.write(pick(groupHelp) + '\n');
  return help;
}

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus ip-pool list';
  const { values, positionals, output, help } = parseCommand(args, listOptions, cmd);
  if (helpOr(help)) return;
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const api = publicIpApi(client);
  const pools = await fetchList((q) => api.listPools(q), values, cmd);
  const head = choose({ en: ['ID', 'NAME', 'RANGE', 'UPLINK', 'MODE', 'ALLOCATED'], de: ['ID', 'NAME', 'BEREICH', 'UPLINK', 'MODUS', 'VERGEBEN'] });
  emit(output, pools, () => printTable(head, pools.map((p) => [p.id, p.name, p.range, p.uplink, p.mode, `${p.allocated}/${p.size}`])));
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus ip-pool show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['POOL'], cmd);
  const { client } = await connect();
  const pool = await publicIpApi(client).getPool(ref!);
  emit(output, pool, () => printPool(pool));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus ip-pool create';
  const opts = { name: { type: 'string' }, range: { type: 'string' }, uplink: { type: 'string' }, mode: { type: 'string' }, cooldown: { type: 'string' }, ...labelOptions } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (helpOr(help)) return;
  takePositionals(positionals, [], cmd);
  const body = {
    name: requireOption(values.name, 'name', cmd),
    range: requireOption(values.range, 'range', cmd),
    uplink: requireOption(values.uplink, 'uplink', cmd),
    ...(values.mode ? { mode: values.mode as IpPool['mode'] } : {}),
    ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}),
    ...(values.cooldown !== undefined ? { cooldownSeconds: cooldown(values.cooldown, cmd) } : {}),
  };
  const { client } = await connect();
  const pool = await publicIpApi(client).createPool(body);
  emit(output, pool, () => printPool(pool));
}

async function update(args: string[]): Promise<void> {
  const cmd = 'kumulus ip-pool update';
  const { values, positionals, output, help } = parseCommand(args, { name: { type: 'string' }, cooldown: { type: 'string' } } as const, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['POOL'], cmd);
  const body = { ...(values.name ? { name: values.name } : {}), ...(values.cooldown !== undefined ? { cooldownSeconds: cooldown(values.cooldown, cmd) } : {}) };
  const { client } = await connect();
  const pool = await publicIpApi(client).updatePool(ref!, body);
  emit(output, pool, () => printPool(pool));
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus ip-pool delete';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['POOL'], cmd);
  const { client } = await connect();
  const api = publicIpApi(client);
  const pool = await api.getPool(ref!);
  await api.deletePool(pool.id);
  emit(output, { deleted: pool }, () => say(choose(text).deleted.replace('{name}', pool.name)));
}

function printPool(p: IpPool): void {
  printFields([
    [pick({ en: 'ID', de: 'ID' }), p.id],
    [pick({ en: 'Name', de: 'Name' }), p.name],
    [pick({ en: 'Range', de: 'Bereich' }), p.range],
    [pick({ en: 'Family', de: 'Familie' }), p.family],
    [pick({ en: 'Uplink', de: 'Uplink' }), p.uplink],
    [pick({ en: 'Mode', de: 'Modus' }), p.mode],
    [pick({ en: 'Cool-down', de: 'Sperrfrist' }), `${p.cooldownSeconds} s`],
    [pick({ en: 'Allocated', de: 'Vergeben' }), `${p.allocated} / ${p.size}`],
    [pick({ en: 'Created', de: 'Erstellt' }), formatTime(p.createdAt)],
  ]);
}
