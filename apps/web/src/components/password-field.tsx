/**
 * A new password: the rules said at the field and ticked off while typing (the same rules the
 * server enforces, from @kumulus/api/passwords), show/hide, and a generator that fills in a
 * strong one and shows it so it can be copied.
 */
import { generatePassword, PASSWORD_RULES, passwordKinds } from '@kumulus/api/passwords';
import { useId, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { CopyButton } from './copy-button.tsx';

/** The password input with its rules, show/hide and generate buttons, and its error. */
export function PasswordField({ label, value, onChange, error }: { label: string; value: string; onChange: (v: string) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const id = useId();
  const [shown, setShown] = useState(false);
  const [generated, setGenerated] = useState(false);
  const r = PASSWORD_RULES;
  const rules = [
    { key: 'length', met: value.length >= r.minLength, text: t('password.ruleLength', { min: r.minLength }) },
    { key: 'kinds', met: passwordKinds(value) >= r.kinds || value.length >= r.anyKindsLength, text: t('password.ruleKinds', { any: r.anyKindsLength }) },
  ];
  const generate = () => {
    onChange(generatePassword());
    setShown(true);
    setGenerated(true);
  };
  return (
    <div className={`field password-field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          id={id}
          name="password"
          type={shown ? 'text' : 'password'}
          autoComplete="new-password"
          spellCheck={false}
          value={value}
          onChange={(e) => {
            setGenerated(false);
            onChange(e.target.value);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-rules${error ? ` ${id}-error` : ''}`}
        />
        <button type="button" className="small" onClick={() => setShown((s) => !s)} aria-pressed={shown} aria-controls={id}>
          {shown ? t('password.hide') : t('password.show')}
        </button>
        <button type="button" className="small" onClick={generate}>
          {t('password.generate')}
        </button>
      </div>
      <ul id={`${id}-rules`} className="rules hint" data-testid="password-rules">
        {rules.map((rule) => (
          <li key={rule.key} className={rule.met ? 'met' : undefined} data-met={rule.met}>
            <span aria-hidden="true">{rule.met ? '✓' : '○'}</span> {rule.text}
            <span className="sr-only"> ({rule.met ? t('password.ruleMet') : t('password.ruleNotMet')})</span>
          </li>
        ))}
      </ul>
      {generated && value && (
        <p className="hint row" role="status">
          {t('password.generated')} <CopyButton text={value} />
        </p>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
