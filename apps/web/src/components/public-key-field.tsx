/**
 * Where a public key is pasted, or read from a .pub file: browsers keep ~/.ssh hidden from
 * pickers, so the hint says where the file is.
 */
import { type ChangeEvent, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { TextAreaField } from './field.tsx';

/** A textarea for one OpenSSH public key with a button to load it from a file. */
export function PublicKeyField({ label, value, onChange, error, optional }: { label: string; value: string; onChange: (v: string) => void; error?: string | undefined; optional?: boolean }) {
  const { t } = useI18n();
  const [fileError, setFileError] = useState<string>();
  const load = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    // A public key is one line of well under 16 KiB; anything larger is not one.
    const text = file.size < 16_384 ? await file.text() : '';
    // The private key sits next to the .pub file and is easily picked by mistake: it must not leave the browser.
    const problem = !text ? 'sshKeys.fileNotKey' : /PRIVATE KEY-----/.test(text) ? 'sshKeys.filePrivate' : undefined;
    setFileError(problem && t(problem, { file: file.name }));
    if (!problem) onChange(text.trim());
  };
  return (
    <div className="public-key">
      <TextAreaField
        label={optional ? `${label} ${t('app.optional')}` : label}
        name="publicKey"
        rows={3}
        spellCheck={false}
        autoComplete="off"
        hint={t('sshKeys.keyHint')}
        value={value}
        onChange={(e) => {
          setFileError(undefined);
          onChange(e.target.value);
        }}
        error={fileError ?? error}
      />
      <label className="button small file-button">
        {t('sshKeys.fromFile')}
        <input type="file" accept=".pub,text/plain" onChange={(e) => void load(e)} />
      </label>
    </div>
  );
}
