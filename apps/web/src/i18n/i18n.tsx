/**
 * Language state of the dashboard: which language is shown, the `t()` lookup, and
 * Intl formatters for dates, numbers, sizes and money in that language's conventions.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { Money } from '@kumulus/api/schemas';
import { de } from './de.ts';
import { en, type MessageKey, type Messages } from './en.ts';

/** A language the dashboard speaks. */
export type Lang = 'de' | 'en';
const catalogs: Record<Lang, Messages> = { de, en };
const STORAGE_KEY = 'kumulus.lang';

/** The language to start with: the user's earlier choice, else the browser's preference. */
export function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'de' || saved === 'en') return saved;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

/** Everything a component needs to speak the current language. */
export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  money: (m: Money) => string;
  number: (n: number) => string;
  dateTime: (iso: string | null | undefined) => string;
  relative: (iso: string) => string;
  duration: (fromIso: string, toIso: string | null) => string;
  megabytes: (mb: number) => string;
}

const Ctx = createContext<I18n | null>(null);

// The API language follows the dashboard's so error messages match the page; read by lib/api.ts.
let currentLang: Lang = 'en';
/** The language API requests ask for (Accept-Language). */
export const apiLanguage = () => currentLang;

/** Builds the formatters of one language; exported for tests and the benchmark. */
export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  const messages = catalogs[lang];
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  const dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const nf = new Intl.NumberFormat(locale);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const t: I18n['t'] = (key, vars) => {
    const s = messages[key] ?? en[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : s;
  };
  const money = (m: Money) => {
    let f = moneyFormats.get(m.currency);
    if (!f) {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency });
      moneyFormats.set(m.currency, f);
    }
    // Amounts are integer minor units; the currency's own digit count says how to scale them.
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
    return f.format(m.amount / 10 ** digits);
  };
  const relative = (iso: string) => {
    const s = (Date.parse(iso) - Date.now()) / 1000;
    const a = Math.abs(s);
    if (a < 60) return rtf.format(Math.round(s), 'second');
    if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
    if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
    return rtf.format(Math.round(s / 86400), 'day');
  };
  const duration = (from: string, to: string | null) => {
    const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
    const s = Math.max(0, Math.round(ms / 1000));
    const unit = (n: number, u: 'second' | 'minute') =>
      new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'narrow' }).format(n);
    return s < 60 ? unit(s, 'second') : `${unit(Math.floor(s / 60), 'minute')} ${unit(s % 60, 'second')}`;
  };
  const megabytes = (mb: number) =>
    mb >= 1024
      ? new Intl.NumberFormat(locale, { style: 'unit', unit: 'gigabyte', maximumFractionDigits: 1 }).format(mb / 1024)
      : new Intl.NumberFormat(locale, { style: 'unit', unit: 'megabyte' }).format(mb);
  return {
    lang,
    setLang,
    t,
    money,
    number: (n) => nf.format(n),
    dateTime: (iso) => (iso ? dtf.format(new Date(iso)) : '—'),
    relative,
    duration,
    megabytes,
  };
}

/** Provides the language state to the app and remembers the user's choice. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  currentLang = lang;
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLangState(l);
  }, []);
  const value = useMemo(() => {
    document.documentElement.lang = lang;
    return makeI18n(lang, setLang);
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The current language's `t()` and formatters. */
export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
