/**
 * The create-server wizard: plan (with its hourly and monthly price), image, access
 * (password, or saved SSH keys and a pasted one), name and hostname. Validation comes from the API's `details`
 * and is shown at the field it belongs to. One idempotency key per visit means a double
 * submit or a retry after a timeout never creates two servers.
 */
import type { CreateServer, Image, Plan, SshKey } from '@kumulus/api/schemas';
import { type FormEvent, useMemo, useState } from 'react';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Field } from '../components/field.tsx';
import { Loading } from '../components/loading.tsx';
import { PublicKeyField } from '../components/public-key-field.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { api, fieldErrors } from '../lib/api.ts';
import { Link, navigate } from '../lib/router.tsx';
import { usePoll } from '../lib/use-poll.ts';

type Access = 'password' | 'sshKey';

function PlanChoice({ plans, value, onChange, error }: { plans: Plan[]; value: string; onChange: (n: string) => void; error?: string | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <fieldset className="choices" aria-describedby={error ? 'plan-error' : undefined}>
      <legend>{t('create.stepPlan')}</legend>
      {plans.map((p) => (
        <label key={p.id} className={`choice${value === p.name ? ' selected' : ''}`}>
          <input type="radio" name="plan" value={p.name} checked={value === p.name} onChange={() => onChange(p.name)} />
          <span className="choice-title">{p.name}</span>
          <span className="small muted">
            {t('create.planSpec', { vcpus: p.vcpus, memory: i18n.megabytes(p.memoryMb), disk: i18n.megabytes(p.diskGb * 1024) })}
          </span>
          <span className="price">{t('create.perHour', { price: i18n.money(p.priceHourly) })}</span>
          <span className="small">{t('create.perMonth', { price: i18n.money(p.priceMonthly) })}</span>
        </label>
      ))}
      {error && (
        <p id="plan-error" className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function ImageChoice({ images, value, onChange, error }: { images: Image[]; value: string; onChange: (n: string) => void; error?: string | undefined }) {
  const { t } = useI18n();
  return (
    <fieldset className="choices" aria-describedby={error ? 'image-error' : undefined}>
      <legend>{t('create.stepImage')}</legend>
      {images.length === 0 && <p className="muted">{t('create.noImages')}</p>}
      {images.map((img) => (
        <label key={img.id} className={`choice${value === img.name ? ' selected' : ''}`}>
          <input type="radio" name="image" value={img.name} checked={value === img.name} onChange={() => onChange(img.name)} />
          <span className="choice-title">{img.name}</span>
          <span className="small muted">
            {img.os} · {img.kind}
          </span>
          {img.status === 'preparing' && <span className="small">{t('create.imagePreparing')}</span>}
        </label>
      ))}
      {error && (
        <p id="image-error" className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The tenant's saved keys as checkboxes, and room to paste one more (saved for next time if wished). */
function KeyPicker(props: {
  keys: SshKey[];
  chosen: string[];
  onChosen: (ids: string[]) => void;
  pasted: string;
  onPasted: (v: string) => void;
  save: boolean;
  onSave: (v: boolean) => void;
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  const { keys, chosen, errors } = props;
  const toggle = (id: string) => props.onChosen(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  return (
    <>
      {keys.length > 0 && (
        <fieldset className="choices wide" aria-describedby={errors.sshKeyIds ? 'keys-error' : undefined}>
          <legend>{t('create.savedKeys')}</legend>
          {keys.map((k) => (
            <label key={k.id} className={`choice${chosen.includes(k.id) ? ' selected' : ''}`}>
              <input type="checkbox" name="sshKeyIds" value={k.id} checked={chosen.includes(k.id)} onChange={() => toggle(k.id)} />
              <span className="choice-title">{k.name}</span>
              <span className="small muted mono">{k.fingerprint}</span>
            </label>
          ))}
          {errors.sshKeyIds && (
            <p id="keys-error" className="field-error">
              {errors.sshKeyIds}
            </p>
          )}
        </fieldset>
      )}
      <PublicKeyField label={keys.length ? t('create.anotherKey') : t('create.sshKey')} optional={keys.length > 0} value={props.pasted} onChange={props.onPasted} error={errors.sshKeys} />
      {props.pasted.trim() && (
        <label className="check">
          <input type="checkbox" checked={props.save} onChange={(e) => props.onSave(e.target.checked)} />
          {t('create.saveKey')}
        </label>
      )}
      <p className="small">
        <Link href="/ssh-keys">{t('create.manageKeys')}</Link>
      </p>
    </>
  );
}

/** The create-server page. */
export function ServerCreatePage() {
  const i18n = useI18n();
  const { t } = i18n;
  const catalog = usePoll(async () => {
    const [plans, images, keys] = await Promise.all([api.all((q) => api.listPlans(q)), api.all((q) => api.listImages(q)), api.all((q) => api.listSshKeys(q))]);
    return { plans, images: images.filter((i) => i.status !== 'failed'), keys };
  }, 0);
  const [plan, setPlan] = useState('');
  const [image, setImage] = useState('');
  const [access, setAccess] = useState<Access>('sshKey');
  const [password, setPassword] = useState('');
  const [sshKey, setSshKey] = useState('');
  // With one saved key the choice is obvious, so it starts ticked.
  const [keyIds, setKeyIds] = useState<string[] | null>(null);
  const [saveKey, setSaveKey] = useState(true);
  const [name, setName] = useState('');
  const [hostname, setHostname] = useState('');
  const [start, setStart] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);

  const plans = catalog.data?.plans ?? [];
  const images = catalog.data?.images ?? [];
  const chosenPlan = plans.find((p) => p.name === plan) ?? plans[0];
  const chosenImage = image || images[0]?.name || '';
  const keys = catalog.data?.keys ?? [];
  const chosenKeys = keyIds ?? (keys.length === 1 ? [keys[0]!.id] : []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: CreateServer = { name: name.trim(), plan: chosenPlan?.name ?? '', image: chosenImage, start };
    if (hostname.trim()) body.hostname = hostname.trim();
    if (access === 'password') body.password = password;
    else {
      if (chosenKeys.length) body.sshKeyIds = chosenKeys;
      if (sshKey.trim()) body.sshKeys = [sshKey.trim()];
    }
    // Empty required fields are caught here so the user gets the message without a round trip.
    const local: Record<string, string> = {};
    if (!body.name) local.name = t('create.required');
    if (access === 'password' && !password) local.password = t('create.required');
    if (access === 'sshKey' && !body.sshKeyIds && !body.sshKeys) local.sshKeys = keys.length ? t('create.keyRequired') : t('create.required');
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setError(undefined);
    try {
      const { server } = await api.createServer(body, { idempotencyKey });
      // Saved only once the server exists, so a refused server leaves no key behind; a key
      // that is saved already is fine.
      if (body.sshKeys && saveKey) await api.createSshKey({ publicKey: body.sshKeys[0]! }).catch(() => undefined);
      navigate(`/servers/${server.id}`);
    } catch (err) {
      const fields = fieldErrors(err);
      setErrors(fields);
      setError(Object.keys(fields).length ? undefined : err);
      setBusy(false);
    }
  };

  if (catalog.loading) return <Loading />;
  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">{t('create.title')}</h1>
      <ErrorNotice error={catalog.error} onRetry={catalog.reload} />
      <form onSubmit={submit} className="wizard" noValidate aria-busy={busy}>
        <PlanChoice plans={plans} value={chosenPlan?.name ?? ''} onChange={setPlan} error={errors.plan} />
        <ImageChoice images={images} value={chosenImage} onChange={setImage} error={errors.image} />
        <fieldset>
          <legend>{t('create.stepAccess')}</legend>
          <div className="segmented" role="radiogroup" aria-label={t('create.stepAccess')}>
            <label>
              <input type="radio" name="access" checked={access === 'sshKey'} onChange={() => setAccess('sshKey')} />
              {t('create.accessSshKey')}
            </label>
            <label>
              <input type="radio" name="access" checked={access === 'password'} onChange={() => setAccess('password')} />
              {t('create.accessPassword')}
            </label>
          </div>
          {access === 'password' ? (
            <Field
              label={t('create.password')}
              type="password"
              name="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
            />
          ) : (
            <KeyPicker keys={keys} chosen={chosenKeys} onChosen={setKeyIds} pasted={sshKey} onPasted={setSshKey} save={saveKey} onSave={setSaveKey} errors={errors} />
          )}
        </fieldset>
        <fieldset>
          <legend>{t('create.stepName')}</legend>
          <Field
            label={t('create.name')}
            name="name"
            autoComplete="off"
            spellCheck={false}
            hint={t('create.nameHint')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
          />
          <Field
            label={t('create.hostname')}
            name="hostname"
            autoComplete="off"
            spellCheck={false}
            hint={t('create.hostnameHint')}
            placeholder={name}
            value={hostname}
            onChange={(e) => setHostname(e.target.value)}
            error={errors.hostname}
          />
          <label className="check">
            <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} />
            {t('create.start')}
          </label>
        </fieldset>
        {chosenPlan && (
          <p className="summary" aria-live="polite">
            {t('create.summary', { hourly: i18n.money(chosenPlan.priceHourly), monthly: i18n.money(chosenPlan.priceMonthly) })}
          </p>
        )}
        {Object.keys(errors).length > 0 && (
          <p className="notice error" role="alert">
            {t('create.fixErrors')}
          </p>
        )}
        <ErrorNotice error={error} />
        <button type="submit" className="primary" disabled={busy || !chosenPlan || !chosenImage}>
          {busy ? t('create.busy') : t('create.submit')}
        </button>
      </form>
    </section>
  );
}
