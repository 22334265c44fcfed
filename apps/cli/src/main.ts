/**
 * The `kumulus` binary: the control-plane server (`kumulus serve`) and the CLI in one entry point.
 */
import type { OutputFormat } from './args.ts';
import { runBilling } from './commands/billing.ts';
import { runQuota } from './commands/quota.ts';
import { runAudit } from './commands/audit.ts';
import { runImage } from './commands/image.ts';
import { runLogin } from './commands/login.ts';
import { runTwoFactor } from './commands/two-factor.ts';
import { runOperation } from './commands/operation.ts';
import { runPlan } from './commands/plan.ts';
import { runServe } from './commands/serve.ts';
import { runServer } from './commands/server.ts';
import { runSshKey } from './commands/ssh-key.ts';
import { runIpPool } from './commands/ip-pool.ts';
import { runFirewall } from './commands/firewall.ts';
import { runZone } from './commands/zone.ts';
import { runMonitor } from './commands/monitor.ts';
import { runNetwork } from './commands/network.ts';
import { runPublicIp } from './commands/public-ip.ts';
import { runSnapshot } from './commands/snapshot.ts';
import { runBackup } from './commands/backup.ts';
import { runBackupSchedule } from './commands/backup-schedule.ts';
import { runBackupTarget } from './commands/backup-target.ts';
import { runCluster } from './commands/cluster.ts';
import { runVolume } from './commands/volume.ts';
import { resolveConfig } from './config.ts';
import { Exit, toCliError, usageError } from './errors.ts';
import { pick, t } from './i18n.ts';
import { printError } from './output.ts';

const help = {
  en: `Usage: kumulus [--output table|json] <command> [options]

Commands:
  serve              runs the control plane (embedded mode: SQLite + local LXC)
  login              signs in and stores the API URL and a token
  2fa                your second factors (authenticator app, recovery codes); the tenant's 2FA rule
  server             create, list, show, start, stop, reboot, delete servers
  ssh-key            list, add, rename, delete the SSH keys new servers can get
  network            list, create, show, rename, delete your private networks (vSwitches)
  public-ip          allocate, assign, unassign, release your public IPs; set their reverse DNS
  ip-pool            define the pools public IPs come from (operators)
  firewall           firewalls: rules, and the servers, NICs or labels they apply to
  zone               zones and the flows allowed between them (operators)
  monitor            uptime monitors (HTTP(S), TCP, ping, TLS certificate), their uptime and history
  volume             create, list, show, attach, detach, resize, delete block volumes
  snapshot           list, create, roll back, delete snapshots of a server or a volume
  backup             back up servers, list, restore, protect, delete backups
  backup-target      where backups are kept: directories and SFTP hosts (operators)
  cluster            register the Proxmox VE cluster, check it, set node roles (operators)
  backup-schedule    scheduled backups with retention, their next runs and the prune simulator
  plan list          plans a server can have
  image list         images a server can be created from
  operation          list, show and wait for operations
  billing            cost monitor (credit, spent, forecast), ledger, invoices, bank statements
  quota              your tenant's limits and use; operators set them
  audit list         the audit log: who changed what, when (operators: any tenant's)

Every command takes --help and -o/--output table|json (json: the API's objects on stdout).
Every list takes --sort KEY[:asc|desc],… and --page N / --per-page N (one page of the API's; where
it sits goes to stderr); lists of labelled resources (servers, networks, volumes, public IPs,
firewalls, SSH keys, IP pools, snapshots, backups) take -l/--selector 'env=prod,tier!=db,!legacy,
k in (a,b)', and their create commands --label KEY=VALUE (repeated).
Errors go to stderr with the API's code; with --output json as {"error": {code, message, …}}.
Environment: KUMULUS_URL, KUMULUS_TOKEN (override the stored login), KUMULUS_FINGERPRINT (the
https server's certificate fingerprint to pin), KUMULUS_CONFIG (config file),
KUMULUS_LANG=de|en (else LC_ALL, LC_MESSAGES, LANG).

Exit codes:
  0  success
  1  unexpected error (server error, API unreachable)
  2  usage error (unknown command or option, missing argument)
  3  not found
  4  invalid input (the API rejected a value: unknown plan or image, weak password …)
  5  authentication or permission (not signed in, bad or expired token)
  6  conflict (name taken, key saved already, another operation in progress)
  7  the operation failed on the server
  8  timeout while waiting for an operation (it continues on the server)
  130 interrupted with Ctrl-C (the operation continues on the server)`,
  de: `Aufruf: kumulus [--output table|json] <Befehl> [Optionen]

Befehle:
  serve              startet die Steuerung (eingebettet: SQLite + lokales LXC)
  login              meldet an und speichert API-URL und Token
  2fa                Ihre zweiten Faktoren (Authenticator-App, Wiederherstellungscodes); die 2FA-Regel des Mandanten
  server             Server anlegen, auflisten, anzeigen, starten, stoppen, neu starten, löschen
  ssh-key            SSH-Schlüssel für neue Server auflisten, hinzufügen, umbenennen, löschen
  network            Ihre privaten Netze (vSwitches) auflisten, anlegen, zeigen, umbenennen, löschen
  public-ip          Ihre öffentlichen IPs belegen, zuweisen, abziehen, freigeben; Reverse-DNS setzen
  ip-pool            die Pools festlegen, aus denen öffentliche IPs stammen (Betreiber)
  firewall           Firewalls: Regeln und die Server, NICs oder Labels, auf die sie wirken
  zone               Zonen und die zwischen ihnen erlaubten Flüsse (Betreiber)
  monitor            Verfügbarkeitsmonitore (HTTP(S), TCP, Ping, TLS-Zertifikat), ihre Verfügbarkeit und ihr Verlauf
  volume             Block-Volumes anlegen, auflisten, zeigen, anhängen, abhängen, vergrößern, löschen
  snapshot           Snapshots eines Servers oder Volumes auflisten, anlegen, zurückspielen, löschen
  backup             Server sichern, Backups auflisten, wiederherstellen, schützen, löschen
  backup-target      wo Backups liegen: Verzeichnisse und SFTP-Hosts (Betreiber)
  cluster            den Proxmox-VE-Cluster registrieren, prüfen, Knotenrollen setzen (Betreiber)
  backup-schedule    geplante Backups mit Aufbewahrung, ihre nächsten Läufe und der Aufräum-Simulator
  plan list          Tarife, die ein Server haben kann
  image list         Images, aus denen ein Server entstehen kann
  operation          Vorgänge auflisten, anzeigen und abwarten
  billing            Kostenmonitor (Guthaben, Kosten, Prognose), Kontoauszug, Rechnungen, Bankimport
  quota              Grenzen und Belegung Ihres Mandanten; Betreiber legen sie fest
  audit list         das Audit-Log: wer wann was geändert hat (Betreiber: jedes Mandanten)

Jeder Befehl kennt --help und -o/--output table|json (json: die Objekte der API auf stdout).
Jede Liste kennt --sort SCHLÜSSEL[:asc|desc],… und --page N / --per-page N (eine Seite der API; wo
sie steht, geht auf stderr); Listen von Ressourcen mit Labels (Server, Netze, Volumes, öffentliche
IPs, Firewalls, SSH-Schlüssel, IP-Pools, Snapshots, Backups) kennen -l/--selector
'env=prod,tier!=db,!legacy,k in (a,b)', ihre create-Befehle --label SCHLÜSSEL=WERT (wiederholbar).
Fehler gehen mit dem Code der API auf stderr; mit --output json als {"error": {code, message, …}}.
Umgebung: KUMULUS_URL, KUMULUS_TOKEN (haben Vorrang vor der Anmeldung), KUMULUS_FINGERPRINT (der
festzuhaltende Zertifikats-Fingerabdruck des https-Servers), KUMULUS_CONFIG (Konfigurationsdatei),
KUMULUS_LANG=de|en (sonst LC_ALL, LC_MESSAGES, LANG).

Exit-Codes:
  0  Erfolg
  1  unerwarteter Fehler (Serverfehler, API nicht erreichbar)
  2  falscher Aufruf (unbekannter Befehl oder Option, fehlendes Argument)
  3  nicht gefunden
  4  ungültige Eingabe (die API wies einen Wert zurück: unbekannter Tarif oder Image, schwaches Passwort …)
  5  Anmeldung oder Berechtigung (nicht angemeldet, falsches oder abgelaufenes Token)
  6  Konflikt (Name vergeben, Schlüssel schon gespeichert, ein anderer Vorgang läuft)
  7  der Vorgang ist auf dem Server fehlgeschlagen
  8  Zeitüberschreitung beim Warten auf einen Vorgang (er läuft auf dem Server weiter)
  130 mit Strg-C abgebrochen (der Vorgang läuft auf dem Server weiter)`,
};

const commands: Record<string, (args: string[]) => Promise<void>> = {
  serve: runServe,
  login: runLogin,
  '2fa': runTwoFactor,
  server: runServer,
  'ssh-key': runSshKey,
  network: runNetwork,
  'public-ip': runPublicIp,
  'ip-pool': runIpPool,
  firewall: runFirewall,
  zone: runZone,
  monitor: runMonitor,
  volume: runVolume,
  snapshot: runSnapshot,
  backup: runBackup,
  'backup-target': runBackupTarget,
  cluster: runCluster,
  'backup-schedule': runBackupSchedule,
  plan: runPlan,
  image: runImage,
  operation: runOperation,
  billing: runBilling,
  quota: runQuota,
  audit: runAudit,
};

/** Runs one invocation and answers its exit code; errors are printed here and nowhere else. */
export async function main(argv: string[]): Promise<number> {
  // --output given before the command applies to it, so `kumulus -o json server list` works too.
  const forwarded: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--output' || arg === '-o') forwarded.push('--output', argv[++i] ?? '');
    else if (arg.startsWith('--output=')) forwarded.push(arg);
    else break;
  }
  const name = argv[i];
  const args = [...forwarded, ...argv.slice(i + 1)];
  // Errors honour the format wherever it was given; the command itself validates the value.
  const format: OutputFormat = lastOutputFormat(args) ?? 'table';
  try {
    if (name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(pick(help) + '\n');
      return Exit.ok;
    }
    if (name === undefined) throw usageError(t('usage.missingCommand'));
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) throw usageError(t('usage.unknownCommand', { name }));
    await command(args);
    return Exit.ok;
  } catch (err) {
    const { url } = await resolveConfig().catch(() => ({ url: undefined }));
    const cliError = toCliError(err, url);
    printError(cliError, format);
    // Unexpected failures keep their stack for whoever debugs them, behind an opt-in.
    if (cliError.exitCode === Exit.unexpected && process.env.KUMULUS_DEBUG && err instanceof Error) console.error(err.stack);
    return cliError.exitCode;
  }
}

function lastOutputFormat(args: string[]): OutputFormat | undefined {
  let found: OutputFormat | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = args[i] === '--output' || args[i] === '-o' ? args[i + 1] : args[i]?.match(/^--output=(.*)$/)?.[1];
    if (value === 'json' || value === 'table') found = value;
  }
  return found;
}

// Set exitCode rather than calling exit(): `kumulus serve` keeps running after main() returns.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
