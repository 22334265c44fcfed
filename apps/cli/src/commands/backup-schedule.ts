/**
 * `kumulus backup-schedule list|create|show|run|delete|preview|simulate`: scheduled backups of a
 * server or of the servers a label selector matches, with the next runs shown before anything is
 * saved and a prune simulator that shows which backups a retention policy keeps.
 */
import { ApiError, type BackupMode, type BackupSchedule, backupApi, type Retention } from '@kumulus/api';
import { dispatch, parseCommand, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';
import { MODES } from './backup.ts';

const groupHelp = {
  en: `Usage: kumulus backup-schedule <command> [options]

Commands:
  list                                              schedules with their next run
  create NAME (--server SERVER | --selector SEL) --cron "MIN HOUR DAY MONTH WEEKDAY" [--tz ZONE]
         [--mode snapshot|suspend|stop] [--target TARGET] --keep-last N [--keep-hourly N] [--keep-daily N]
         [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--disabled]
  show SCHEDULE                                     one schedule with its next five runs
  update SCHEDULE [--name NAME] [--cron "…"] [--tz ZONE] [--mode …] [--target TARGET] [--keep-… N]…
         [--enable | --disable]                     changes it; --keep-… options replace the whole retention,
                                                    and turned on again it counts its runs from now
  run SCHEDULE                                      runs it now (its backups, then its pruning)
  delete SCHEDULE                                   deletes it (its backups stay)
  preview "CRON" [--tz ZONE] [--count N]            the next runs of a cron line
  simulate --keep-… N (--server SERVER | --times ISO,ISO,…) [--tz ZONE]
                                                    which backups a retention policy keeps, as PBS prunes

Options: -o, --output table|json`,
  de: `Aufruf: kumulus backup-schedule <Befehl> [Optionen]

Befehle:
  list                                              Zeitpläne mit ihrem nächsten Lauf
  create NAME (--server SERVER | --selector SEL) --cron "MIN STUNDE TAG MONAT WOCHENTAG" [--tz ZONE]
         [--mode snapshot|suspend|stop] [--target ZIEL] --keep-last N [--keep-hourly N] [--keep-daily N]
         [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--disabled]
  show ZEITPLAN                                     ein Zeitplan mit seinen nächsten fünf Läufen
  update ZEITPLAN [--name NAME] [--cron "…"] [--tz ZONE] [--mode …] [--target ZIEL] [--keep-… N]…
         [--enable | --disable]                     ändert ihn; --keep-…-Optionen ersetzen die ganze Aufbewahrung,
                                                    und wieder eingeschaltet zählt er seine Läufe ab jetzt
  run ZEITPLAN                                      führt ihn jetzt aus (Backups, dann Aufräumen)
  delete ZEITPLAN                                   löscht ihn (seine Backups bleiben)
  preview "CRON" [--tz ZONE] [--count N]            die nächsten Läufe einer Cron-Zeile
  simulate --keep-… N (--server SERVER | --times ISO,ISO,…) [--tz ZONE]
                                                    welche Backups eine Aufbewahrung behält, wie PBS aufräumt

Optionen: -o, --output table|json`,
};

const KEEPS = { 'keep-last': 'keepLast', 'keep-hourly': 'keepHourly', 'keep-daily': 'keepDaily', 'keep-weekly': 'keepWeekly', 'keep-monthly': 'keepMonthly', 'keep-yearly': 'keepYearly' } as const;
const keepOptions = Object.fromEntries(Object.keys(KEEPS).map((k) => [k, { type: 'string' }])) as Record<keyof typeof KEEPS, { type: 'string' }>;
const help = () => void process.stdout.write(pick(groupHelp) + '\n');
const cliWords = (err: unknown) =>
  err instanceof ApiError ? apiErrorInCliWords(err, { cron: '--cron', timeZone: '--tz', retention: '--keep-last', selector: '--selector', server: '--server', target: '--target', mode: '--mode', backups: '--times' }) : err;

/** Runs `kumulus backup-schedule …`. */
export function runBackupSchedule(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus backup-schedule', pick(groupHelp), { list, create, show, update, run, delete: remove, preview, simulate });
}

/** The retention the --keep-… options give; a value that is no count is a usage error naming the option. */
function retentionOf(values: Partial<Record<keyof typeof KEEPS, string>>, cmd: string): Retention {
  const r: Retention = {};
  for (const [opt, key] of Object.entries(KEEPS) as [keyof typeof KEEPS, (typeof KEEPS)[keyof typeof KEEPS]][]) {
    const v = values[opt];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw usageError(t('usage.badValue', { name: opt, value: v, expected: '0, 1, 2 …' }), cmd);
    r[key] = n;
  }
  return r;
}

const retentionText = (r: Retention) =>
  Object.entries(KEEPS)
    .filter(([, k]) => r[k] !== undefined)
    .map(([o, k]) => `${o.slice(5)}=${r[k]}`)
    .join(' ') || '-';
const row = (x: BackupSchedule) => [x.name, x.server ?? x.selector ?? '-', `${x.cron} (${x.timeZone})`, x.mode, retentionText(x.retention), x.nextRuns[0] ? formatTime(x.nextRuns[0]) : '-', x.lastRunAt ? formatTime(x.lastRunAt) : '-'];
const cols = () => [t('col.name'), t('col.server'), 'CRON', 'MODE', t('col.retention'), t('col.nextRun'), t('col.lastRun')];

async function list(args: string[]): Promise<void> {
  const { output, help: h } = parseCommand(args, {}, 'kumulus backup-schedule list');
  if (h) return help();
  const { client } = await connect();
  const api = backupApi(client);
  const items = await client.all((q) => api.listSchedules(q));
  emit(output, items, () => printTable(cols(), items.map(row)));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus backup-schedule create';
  const { values, positionals, output, help: h } = parseCommand(
    args,
    { server: { type: 'string' }, selector: { type: 'string' }, cron: { type: 'string' }, tz: { type: 'string' }, mode: { type: 'string' }, target: { type: 'string' }, disabled: { type: 'boolean' }, ...keepOptions },
    cmd,
  );
  if (h) return help();
  const [name] = takePositionals(positionals, ['NAME'], cmd);
  if (!values.cron) throw usageError(t('usage.missingOption', { name: 'cron' }), cmd);
  if (!values.server === !values.selector) throw usageError(t('usage.scheduleWhat'), cmd);
  if (values.mode && !MODES.includes(values.mode)) throw usageError(t('usage.badValue', { name: 'mode', value: values.mode, expected: MODES.join('|') }), cmd);
  const { client } = await connect();
  const made = await backupApi(client)
    .createSchedule({
      name: name!,
      cron: values.cron,
      retention: retentionOf(values, cmd),
      ...(values.server ? { server: values.server } : { selector: values.selector! }),
      ...(values.tz ? { timeZone: values.tz } : {}),
      ...(values.mode ? { mode: values.mode as BackupMode } : {}),
      ...(values.target ? { target: values.target } : {}),
      ...(values.disabled ? { enabled: false } : {}),
    })
    .catch((e) => {
      throw cliWords(e);
    });
  emit(output, made, () => showSchedule(made));
}

function showSchedule(x: BackupSchedule): void {
  printFields([
    ['ID', x.id],
    [t('col.name'), x.name],
    [t('col.server'), x.server ?? `selector ${x.selector}`],
    ['CRON', `${x.cron} (${x.timeZone})${x.enabled ? '' : ' — off'}`],
    ['MODE', x.mode],
    [t('col.retention'), retentionText(x.retention)],
    [t('col.nextRun'), x.nextRuns.map(formatTime).join(', ') || '-'],
  ]);
}

async function show(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus backup-schedule show');
  if (h) return help();
  const [id] = takePositionals(positionals, ['SCHEDULE'], 'kumulus backup-schedule show');
  const { client } = await connect();
  const x = await backupApi(client).getSchedule(id!);
  emit(output, x, () => showSchedule(x));
}

async function update(args: string[]): Promise<void> {
  const cmd = 'kumulus backup-schedule update';
  const { values, positionals, output, help: h } = parseCommand(
    args,
    { name: { type: 'string' }, cron: { type: 'string' }, tz: { type: 'string' }, mode: { type: 'string' }, target: { type: 'string' }, enable: { type: 'boolean' }, disable: { type: 'boolean' }, ...keepOptions },
    cmd,
  );
  if (h) return help();
  const [id] = takePositionals(positionals, ['SCHEDULE'], cmd);
  if (values.enable && values.disable) throw usageError(t('usage.enableDisable'), cmd);
  if (values.mode && !MODES.includes(values.mode)) throw usageError(t('usage.badValue', { name: 'mode', value: values.mode, expected: MODES.join('|') }), cmd);
  const retention = retentionOf(values, cmd);
  const body = {
    ...(values.name ? { name: values.name } : {}),
    ...(values.cron ? { cron: values.cron } : {}),
    ...(values.tz ? { timeZone: values.tz } : {}),
    ...(values.mode ? { mode: values.mode as BackupMode } : {}),
    ...(values.target ? { target: values.target } : {}),
    ...(Object.keys(retention).length ? { retention } : {}),
    ...(values.enable ? { enabled: true } : values.disable ? { enabled: false } : {}),
  };
  if (Object.keys(body).length === 0) throw usageError(t('usage.nothingToChange'), cmd);
  const { client } = await connect();
  const x = await backupApi(client)
    .updateSchedule(id!, body)
    .catch((e) => {
      throw cliWords(e);
    });
  emit(output, x, () => showSchedule(x));
}

async function run(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus backup-schedule run');
  if (h) return help();
  const [id] = takePositionals(positionals, ['SCHEDULE'], 'kumulus backup-schedule run');
  const { client } = await connect();
  const x = await backupApi(client).runSchedule(id!);
  emit(output, x, () => say(t('backupSchedule.started', { name: x.name })));
}

async function remove(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus backup-schedule delete');
  if (h) return help();
  const [id] = takePositionals(positionals, ['SCHEDULE'], 'kumulus backup-schedule delete');
  const { client } = await connect();
  await backupApi(client).deleteSchedule(id!);
  emit(output, { deleted: id }, () => say(t('backupSchedule.deleted', { name: id! })));
}

async function preview(args: string[]): Promise<void> {
  const cmd = 'kumulus backup-schedule preview';
  const { values, positionals, output, help: h } = parseCommand(args, { tz: { type: 'string' }, count: { type: 'string' } }, cmd);
  if (h) return help();
  const [cron] = takePositionals(positionals, ['CRON'], cmd);
  const count = values.count === undefined ? 10 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 50) throw usageError(t('usage.badValue', { name: 'count', value: values.count!, expected: '1-50' }), cmd);
  const { client } = await connect();
  const p = await backupApi(client)
    .previewSchedule({ cron: cron!, count, ...(values.tz ? { timeZone: values.tz } : {}) })
    .catch((e) => {
      throw cliWords(e);
    });
  emit(output, p, () => {
    for (const at of p.nextRuns) say(formatTime(at));
  });
}

async function simulate(args: string[]): Promise<void> {
  const cmd = 'kumulus backup-schedule simulate';
  const { values, output, help: h } = parseCommand(args, { server: { type: 'string' }, times: { type: 'string' }, tz: { type: 'string' }, ...keepOptions }, cmd);
  if (h) return help();
  if (!values.server === !values.times) throw usageError(t('usage.simulateWhat'), cmd);
  const { client } = await connect();
  const r = await backupApi(client)
    .simulatePrune({
      retention: retentionOf(values, cmd),
      ...(values.tz ? { timeZone: values.tz } : {}),
      ...(values.server ? { server: values.server } : { backups: values.times!.split(',').map((time) => ({ time: time.trim() })) }),
    })
    .catch((e) => {
      throw cliWords(e);
    });
  emit(output, r, () =>
    printTable(
      ['ID', t('col.taken'), t('col.decision'), t('col.reason')],
      r.decisions.map((x) => [x.id, formatTime(x.time), x.mark, x.reason ?? '-']),
    ),
  );
}
