/** The e-mails monitors send, in German and English in one message (the recipients' language is not known). */

/** What an alert is about. */
export type AlertKind = 'monitor.down' | 'monitor.up' | 'monitor.certificate_expiring';

const texts: Record<'en' | 'de', Record<AlertKind, { subject: string; body: string }>> = {
  en: {
    'monitor.down': { subject: 'DOWN: {name}', body: 'The monitor {name} ({target}) is down since {at}: {message}.' },
    'monitor.up': { subject: 'UP again: {name}', body: 'The monitor {name} ({target}) is up again since {at}, after {downFor} down: {message}.' },
    'monitor.certificate_expiring': { subject: 'Certificate expires in {days} days: {name}', body: 'The TLS certificate checked by {name} ({target}) expires on {expiresAt}, in {days} days. Renew it before then.' },
  },
  de: {
    'monitor.down': { subject: 'AUSGEFALLEN: {name}', body: 'Der Monitor {name} ({target}) meldet seit {at} einen Ausfall: {message}.' },
    'monitor.up': { subject: 'Wieder erreichbar: {name}', body: 'Der Monitor {name} ({target}) ist seit {at} wieder erreichbar, nach {downFor} Ausfall: {message}.' },
    'monitor.certificate_expiring': { subject: 'Zertifikat läuft in {days} Tagen ab: {name}', body: 'Das von {name} ({target}) geprüfte TLS-Zertifikat läuft am {expiresAt} ab, in {days} Tagen. Erneuern Sie es vorher.' },
  },
};

const fill = (text: string, params: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m);

/** Subject and body of an alert mail, German first, as dunning's notices. */
export function alertMail(kind: AlertKind, params: Record<string, string>): { subject: string; body: string } {
  const [g, e] = [texts.de[kind], texts.en[kind]];
  return { subject: `${fill(g.subject, params)} / ${fill(e.subject, params)}`, body: `${fill(g.body, params)}\n\n--\n\n${fill(e.body, params)}\n` };
}

/** A duration as alerts show it: `2 h 5 min`, `40 s`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}
