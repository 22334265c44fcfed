/**
 * `kumulus serve`: runs the control plane in embedded mode (SQLite + local LXC engine) until SIGINT/SIGTERM.
 */
import { parseCommand, takePositionals } from '../args.ts';
import { usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { note } from '../output.ts';

const defaults = { dataDir: '/var/lib/kumulus', listen: '127.0.0.1:8080' };

const help = {
  en: `Usage: kumulus serve [--data-dir DIR] [--listen HOST:PORT]

Starts the Kumulus control plane in embedded mode: API, dashboard, reconcilers, SQLite store
and the local LXC engine, in this one process. SIGINT or SIGTERM drains in-flight work and stops.

Options:
  --data-dir DIR       where the database and images live (default ${defaults.dataDir})
  --listen HOST:PORT   address to listen on (default ${defaults.listen})

Environment (read only while the store is empty, to create the first operator):
  KUMULUS_BOOTSTRAP_TOKEN     becomes the operator's API token (at least 16 characters)
  KUMULUS_BOOTSTRAP_EMAIL     the operator's e-mail (default admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  the operator's password, for the dashboard`,
  de: `Aufruf: kumulus serve [--data-dir VERZEICHNIS] [--listen HOST:PORT]

Startet die Kumulus-Steuerung im eingebetteten Modus: API, Dashboard, Reconciler, SQLite-Speicher
und die lokale LXC-Engine in diesem einen Prozess. SIGINT oder SIGTERM beendet laufende Arbeit und stoppt.

Optionen:
  --data-dir VERZ.     wo Datenbank und Images liegen (Standard ${defaults.dataDir})
  --listen HOST:PORT   Adresse, auf der gelauscht wird (Standard ${defaults.listen})

Umgebung (nur bei leerem Speicher gelesen, um den ersten Betreiber anzulegen):
  KUMULUS_BOOTSTRAP_TOKEN     wird sein API-Token (mindestens 16 Zeichen)
  KUMULUS_BOOTSTRAP_EMAIL     seine E-Mail-Adresse (Standard admin@kumulus.local)
  KUMULUS_BOOTSTRAP_PASSWORD  sein Passwort, für das Dashboard`,
};

/** Runs `kumulus serve`. */
export async function runServe(args: string[]): Promise<void> {
  const cmd = 'kumulus serve';
  const options = { 'data-dir': { type: 'string' }, listen: { type: 'string' } } as const;
  const { values, positionals, help: wantsHelp } = parseCommand(args, options, cmd);
  if (wantsHelp) return void process.stdout.write(pick(help) + '\n');
  takePositionals(positionals, [], cmd);
  const listen = values.listen ?? defaults.listen;
  // [v6]:port or host:port with a port number; anything else would fail later with a vaguer error.
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/.test(listen) || Number(listen.split(':').pop()) > 65535) {
    throw usageError(t('usage.badValue', { name: 'listen', value: listen, expected: 'HOST:PORT' }), cmd);
  }
  // Loaded only for this command, so that the client commands start fast without the server's code.
  const { serve } = await import('@kumulus/server/src/serve.ts');
  const env = process.env;
  const server = await serve({
    dataDir: values['data-dir'] ?? defaults.dataDir,
    listen,
    bootstrapToken: env.KUMULUS_BOOTSTRAP_TOKEN || undefined,
    bootstrapEmail: env.KUMULUS_BOOTSTRAP_EMAIL || undefined,
    bootstrapPassword: env.KUMULUS_BOOTSTRAP_PASSWORD || undefined,
    log: true,
  });
  note(t('serve.listening', { url: server.url }));
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // A second signal means "now": the first close() may be stuck on a hung engine call.
    if (stopping) process.exit(1);
    stopping = true;
    note(`${signal}: ${t('serve.stopping')}`);
    try {
      await server.close();
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
    note(t('serve.stopped'));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
