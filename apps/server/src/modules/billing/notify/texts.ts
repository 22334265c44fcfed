import type { Notice } from '@kumulus/api';

/** What a notice is about: dunning's, and backups that failed or failed verification. */
export type NoticeKind = Notice['kind'];

/** The values a notice's text is filled with: amounts and times already formatted, the payment reference. */
export type NoticeParams = Record<string, string>;

type Texts = Record<NoticeKind, { subject: string; body: string }>;

const en: Texts = {
  'credit-low': {
    subject: 'Your Kumulus credit runs low',
    body: 'The credit of {tenant} is {balance}. At the current usage it lasts until {runsOutAt}. When it is used up your servers are stopped. Top up by bank transfer with the payment reference {reference} to keep them running.',
  },
  suspended: {
    subject: 'Your Kumulus servers have been stopped',
    body: 'The credit of {tenant} is used up ({balance}), so its servers have been stopped and no new resources can be created. Your data is kept; you can still sign in, look at everything and export it. Top up with the payment reference {reference} and everything that was running starts again. Without a top-up, all resources are deleted on {deletionAt}.',
  },
  'final-warning': {
    subject: 'Final warning: your Kumulus resources will be deleted',
    body: 'The credit of {tenant} is still used up ({balance}). On {deletionAt} all its servers and volumes will be deleted, with their data. Top up with the payment reference {reference} before then to keep them.',
  },
  resumed: {
    subject: 'Your Kumulus servers run again',
    body: 'Thank you: the credit of {tenant} is {balance} again. The suspension is lifted and the servers that were running have been started again.',
  },
  deleted: {
    subject: 'Your Kumulus resources have been deleted',
    body: 'The credit of {tenant} stayed used up past the grace period, so its servers and volumes have been deleted. You can still sign in; top up with the payment reference {reference} to create new resources.',
  },
  'backup-failed': {
    subject: 'A backup of {server} failed',
    body: 'The backup {backup} of the server {server} could not be made: {detail}. Nothing of it is kept. The next scheduled run tries again; you can also start a backup by hand.',
  },
  'backup-verification-failed': {
    subject: 'A backup of {server} failed its verification',
    body: 'The backup {backup} of the server {server} was restored into a throwaway server to prove it, and the check failed: {detail}. This backup does not count as good and pruning never keeps it in place of a good one. Make a new backup and tell the operator.',
  },
};

// German addresses the reader with "Sie" throughout.
const de: Texts = {
  'credit-low': {
    subject: 'Ihr Kumulus-Guthaben wird knapp',
    body: 'Das Guthaben von {tenant} beträgt {balance}. Bei der aktuellen Nutzung reicht es bis {runsOutAt}. Ist es aufgebraucht, werden Ihre Server angehalten. Überweisen Sie mit dem Verwendungszweck {reference}, damit sie weiterlaufen.',
  },
  suspended: {
    subject: 'Ihre Kumulus-Server wurden angehalten',
    body: 'Das Guthaben von {tenant} ist aufgebraucht ({balance}); deshalb wurden die Server angehalten, und es lassen sich keine neuen Ressourcen anlegen. Ihre Daten bleiben erhalten; Sie können sich weiter anmelden, alles ansehen und exportieren. Laden Sie mit dem Verwendungszweck {reference} Guthaben auf, dann startet alles wieder, was lief. Ohne Aufladung werden alle Ressourcen am {deletionAt} gelöscht.',
  },
  'final-warning': {
    subject: 'Letzte Warnung: Ihre Kumulus-Ressourcen werden gelöscht',
    body: 'Das Guthaben von {tenant} ist weiterhin aufgebraucht ({balance}). Am {deletionAt} werden alle Server und Volumes mit ihren Daten gelöscht. Laden Sie vorher mit dem Verwendungszweck {reference} Guthaben auf, um sie zu behalten.',
  },
  resumed: {
    subject: 'Ihre Kumulus-Server laufen wieder',
    body: 'Vielen Dank: Das Guthaben von {tenant} beträgt wieder {balance}. Die Sperre ist aufgehoben, und die Server, die liefen, wurden wieder gestartet.',
  },
  deleted: {
    subject: 'Ihre Kumulus-Ressourcen wurden gelöscht',
    body: 'Das Guthaben von {tenant} blieb über die Frist hinaus aufgebraucht; deshalb wurden die Server und Volumes gelöscht. Sie können sich weiter anmelden; laden Sie mit dem Verwendungszweck {reference} Guthaben auf, um neue Ressourcen anzulegen.',
  },
  'backup-failed': {
    subject: 'Ein Backup von {server} ist fehlgeschlagen',
    body: 'Das Backup {backup} des Servers {server} konnte nicht erstellt werden: {detail}. Davon bleibt nichts zurück. Der nächste geplante Lauf versucht es erneut; Sie können ein Backup auch von Hand starten.',
  },
  'backup-verification-failed': {
    subject: 'Ein Backup von {server} hat die Prüfung nicht bestanden',
    body: 'Das Backup {backup} des Servers {server} wurde zur Probe in einen Wegwerf-Server wiederhergestellt, und die Prüfung schlug fehl: {detail}. Dieses Backup gilt nicht als gut, und das Aufräumen behält es nie anstelle eines guten. Erstellen Sie ein neues Backup und informieren Sie den Betreiber.',
  },
};

const fill = (text: string, params: NoticeParams) => text.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? `{${k}}`);

/** A notice's text in one language. */
export function noticeText(lang: 'en' | 'de', kind: NoticeKind, params: NoticeParams): { subject: string; body: string } {
  const t = (lang === 'de' ? de : en)[kind];
  return { subject: fill(t.subject, params), body: fill(t.body, params) };
}

/** The e-mail of a notice: both languages, German first, since users carry no language of their own yet. */
export function noticeMail(kind: NoticeKind, params: NoticeParams): { subject: string; body: string } {
  const g = noticeText('de', kind, params);
  const e = noticeText('en', kind, params);
  return { subject: `${g.subject} / ${e.subject}`, body: `${g.body}\n\n--\n\n${e.body}\n` };
}

/** A time as the notices show it: to the minute, in UTC. */
export const noticeTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
