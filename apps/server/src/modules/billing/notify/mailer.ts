import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { Clock } from '../../../lib/clock.ts';
import type { IdGenerator } from '../../../lib/ids.ts';
import type { Database } from '../../../store/schema.ts';

/** How Kumulus sends e-mail: an SMTP URL as nodemailer reads it (`smtps://user:pass@host:465`, `smtp://host:25/?ignoreTLS=true`) and the sender. */
export interface SmtpConfig {
  url: string;
  from: string;
}

/** One mail to go out: who it is for and what it says. */
export interface OutgoingMail {
  tenantId: string;
  /** What caused it (a notice kind, `monitor.down` …), sent as the X-Kumulus-Notice header. */
  kind: string;
  recipients: string[];
  subject: string;
  body: string;
}

/** Writes a mail into the outbox inside the caller's transaction and wakes the outbox's reconciler. */
export async function queueMail(trx: Kysely<Database>, d: { ids: IdGenerator; clock: Clock; enqueue: (trx: Kysely<Database>, kind: string, id: string) => Promise<void> }, m: OutgoingMail): Promise<void> {
  await trx.insertInto('mail_outbox').values({ id: d.ids('mail'), tenant_id: m.tenantId, kind: m.kind, recipients: JSON.stringify(m.recipients), subject: m.subject, body: m.body, created_at: d.clock(), sent_at: null, attempts: 0, last_error: null }).execute();
  await d.enqueue(trx, 'mail', 'outbox');
}

/** After this many failed attempts a mail stays in the outbox with its last error, for the operator. */
const MAX_ATTEMPTS = 20;

/**
 * The outbox reconciler: sends every unsent mail, marks each once the SMTP server accepted it.
 * Mails are written in the transaction of the step that causes them, so none is lost to a crash;
 * a crash between the server's acceptance and the mark sends that one mail twice (at least once).
 */
export function createMailOutbox(d: { db: Kysely<Database>; clock: Clock; smtp: SmtpConfig; log: (text: string) => void }) {
  const transport = nodemailer.createTransport(d.smtp.url);
  return {
    /** Reconciler for queue kind `mail`, id `outbox`. */
    reconciler: async (_id: string, attempts: number) => {
      const rows = await d.db.selectFrom('mail_outbox').selectAll().where('sent_at', 'is', null).where('attempts', '<', MAX_ATTEMPTS).orderBy('created_at').limit(50).execute();
      let failed = 0;
      for (const row of rows) {
        try {
          await transport.sendMail({ from: d.smtp.from, to: JSON.parse(row.recipients) as string[], subject: row.subject, text: row.body, messageId: `<${row.id}@kumulus>`, headers: { 'X-Kumulus-Notice': row.kind } });
          await d.db.updateTable('mail_outbox').set({ sent_at: d.clock(), attempts: row.attempts + 1, last_error: null }).where('id', '=', row.id).execute();
        } catch (err) {
          failed++;
          const message = err instanceof Error ? err.message : String(err);
          d.log(`kumulus: mail ${row.id} to ${row.recipients}: ${message}`);
          await d.db.updateTable('mail_outbox').set({ attempts: row.attempts + 1, last_error: message }).where('id', '=', row.id).execute();
        }
      }
      if (failed) return { againMs: Math.min(600_000, 5_000 * 2 ** Math.min(attempts, 7)) };
      return { againMs: rows.length === 50 ? 0 : null };
    },
    close: () => transport.close(),
  };
}
