/**
 * Labels of a resource: shown as `key=value` chips, and edited as text (`env=prod, tier=web`,
 * or `backup` alone for an empty value) that replaces them as a whole; the API checks each key
 * and value and a refusal is said beside the field.
 */
import { type FormEvent, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError, errorMessage } from '../lib/api.ts';

/** `k=v, k2` as labels; blank parts are dropped. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const item = part.trim();
    if (!item) continue;
    const at = item.indexOf('=');
    out[at < 0 ? item : item.slice(0, at).trim()] = at < 0 ? '' : item.slice(at + 1).trim();
  }
  return out;
}

/** Labels as the text parseLabels reads. */
export const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(', ');

/** The labels of a resource, with an inline editor when `save` is given. */
export function Labels({ labels, name, save }: { labels: Record<string, string>; name: string; save?: (labels: Record<string, string>) => Promise<unknown> }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(labelsText(labels));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!editing) {
    const entries = Object.entries(labels);
    return (
      <span className="row wrap" data-testid="labels">
        {entries.length === 0 ? <span className="muted">{t('app.none')}</span> : entries.map(([k, v]) => <code key={k} className="chip">{v ? `${k}=${v}` : k}</code>)}
        {save && (
          <button type="button" className="small" onClick={() => { setText(labelsText(labels)); setEditing(true); }} aria-label={`${t('list.editLabels')}: ${name}`}>
            {t('list.editLabels')}
          </button>
        )}
      </span>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!save) return;
    setBusy(true);
    try {
      await save(parseLabels(text));
      setEditing(false);
      setError(undefined);
    } catch (err) {
      // Say which key or value was refused (labels.<key>), not only that some were.
      const details = err instanceof ApiError ? err.details.map((d) => `${d.field.replace(/^labels\./, '')}: ${d.message}`) : [];
      setError([errorMessage(err), ...details].join(' '));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-busy={busy}>
      <label>
        <span className="sr-only">{`${t('list.labels')}: ${name}`}</span>
        <input value={text} onChange={(e) => setText(e.target.value)} aria-label={`${t('list.labels')}: ${name}`} aria-invalid={error ? true : undefined} title={t('list.labelsHint')} placeholder="env=prod, tier=web" data-testid="labels-input" spellCheck={false} />
      </label>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
      <span className="row">
        <button type="submit" className="small primary" disabled={busy}>
          {t('app.save')}
        </button>
        <button type="button" className="small" onClick={() => { setEditing(false); setError(undefined); }}>
          {t('app.cancel')}
        </button>
      </span>
    </form>
  );
}
