/** A real SMTP server on loopback (smtp-server) that keeps every mail Kumulus sends it, for tests. */
import { SMTPServer } from 'smtp-server';

/** One mail as received: its recipients, its X-Kumulus-Notice header, subject and whole text. */
export interface CaughtMail {
  to: string[];
  notice: string;
  subject: string;
  /** The raw message, with quoted-printable soft line breaks joined (a reference split in two would not match). */
  text: string;
}

/** Starts the catcher on a free loopback port; `smtp` is the setting for serve(), `close` ends it. */
export async function startSmtpCatcher(from: string) {
  const mails: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => {
        data += chunk.toString('utf8');
      });
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          notice: /^X-Kumulus-Notice: (\S+)/im.exec(data)?.[1] ?? '',
          subject: /^Subject: (.*)$/im.exec(data)?.[1] ?? '',
          text: data.replace(/=\r?\n/g, ''),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    mails,
    port,
    smtp: { url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`, from },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
