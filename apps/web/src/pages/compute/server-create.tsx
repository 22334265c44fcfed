/**
 * The create-server wizard: plan (smallest first, with its hourly and monthly price), image
 * (a ready one preselected), access (password with its rules, or saved SSH keys and a pasted
 * one), a suggested name and hostname. Validation comes from the API and is shown at the field
 * it belongs to, in the page's language. The Idempotency-Key belongs to one request body: a
 * double submit or a retry after a timeout reuses it and never creates two servers, while a
 * corrected form is a new request with a new key.
 */
import { passwordProblem, PASSWORD_RULES } from '@kumulus/api/passwords';
import type { CreateServer } from '@kumulus/api/schemas';
import { type FormEvent, useRef, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Loading } from '../../components/loading.tsx';
import { PasswordField } from '../../components/password-field.tsx';
import { defaultImage, ImageChoice, KeyPicker, PlanChoice, sortPlans, suggestName, usableImage } from '../../components/wizard-choices.tsx';
import { type I18n, useI18n } from '../../i18n/i18n.tsx';
import { ApiError, api, fieldErrors, formErrors } from '../../lib/api.ts';
import { navigate } from 'wouter/use-browser-location';
import { usePoll } from '../../lib/use-poll.ts';

type Access = 'password' | 'sshKey';
/** The fields the wizard shows an error at; a refusal about any other goes into the notice. */
const WIZARD_FIELDS = ['plan', 'image', 'password', 'sshKeys', 'sshKeyIds', 'name', 'hostname'] as const;

/** The API's refusal as messages at the fields, in the page's language where the dashboard knows the case. */
function wizardErrors(i18n: I18n, err: unknown, body: CreateServer): Record<string, string> {
  const { t } = i18n;
  const out = fieldErrors(err);
  if (!(err instanceof ApiError)) return out;
  const r = PASSWORD_RULES;
  switch (err.code) {
    case 'WEAK_PASSWORD': {
      const problem = passwordProblem(body.password ?? '', [body.name]);
      out.password = problem
        ? `${t('error.WEAK_PASSWORD')} ${t(`password.problem.${problem}`, { n: body.password?.length ?? 0, min: r.minLength, max: r.maxLength, any: r.anyKindsLength })}`
        : err.message;
      break;
    }
    case 'NAME_TAKEN':
      out.name = t('error.NAME_TAKEN');
      break;
    case 'PLAN_NOT_FOUND':
      out.plan = t('create.planGone');
      break;
    case 'IMAGE_NOT_FOUND':
      out.image = t('create.imageGone');
      break;
    case 'SSH_KEY_NOT_FOUND':
      out.sshKeyIds = t('create.keyGone');
      break;
    case 'INVALID_SSH_KEY':
      out.sshKeys ??= err.message;
      break;
    case 'VALIDATION_FAILED':
      if (out.name) out.name = t('create.nameInvalid');
      if (out.hostname) out.hostname = t('create.hostnameInvalid');
      break;
  }
  return out;
}

/** The create-server page. */
export function ServerCreatePage() {
  const i18n = useI18n();
  const { t } = i18n;
  const catalog = usePoll(['catalog', 'wizard'], async () => {
    const [plans, images, keys, servers] = await Promise.all([
      api.all((q) => api.listPlans(q)),
      api.all((q) => api.listImages(q)),
      api.all((q) => api.listSshKeys(q)),
      api.all((q) => api.listServers(q)),
    ]);
    return { plans: sortPlans(plans), images, keys, taken: new Set(servers.map((s) => s.name)) };
    // While images are still being prepared, look again: the first ready one becomes the default.
  }, (d) => (d && !d.images.some((i) => i.status === 'ready') && d.images.some((i) => i.status === 'preparing') ? 3000 : 0));
  const [plan, setPlan] = useState('');
  const [image, setImage] = useState('');
  const [kind, setKind] = useState<'container' | 'vm'>('container');
  const [access, setAccess] = useState<Access>('sshKey');
  const [password, setPassword] = useState('');
  const [sshKey, setSshKey] = useState('');
  // With one saved key the choice is obvious, so it starts ticked.
  const [keyIds, setKeyIds] = useState<string[] | null>(null);
  const [saveKey, setSaveKey] = useState(true);
  // null until the user types: the suggestion follows the chosen image until then.
  const [name, setName] = useState<string | null>(null);
  const [hostname, setHostname] = useState('');
  const [start, setStart] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The key of the last request body that got no answer yet (or none we could read).
  const attempt = useRef<{ body: string; key: string } | null>(null);
  // Editing a field takes back its error: the message was about the value that is gone.
  const edited =
    <T,>(field: string, set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setErrors((e) => {
        if (!(field in e)) return e;
        const { [field]: _, ...rest } = e;
        return rest;
      });
    };

  const plans = catalog.data?.plans ?? [];
  const allImages = catalog.data?.images ?? [];
  // The kind is chosen first: only images for that kind of server are offered.
  const hasVmImages = allImages.some((i) => i.kind === 'vm');
  const images = allImages.filter((i) => i.kind === kind);
  const chosenPlan = plans.find((p) => p.name === plan) ?? plans[0];
  const chosenImage = images.some((i) => i.name === image && usableImage(i)) ? image : defaultImage(images);
  const keys = catalog.data?.keys ?? [];
  const chosenKeys = keyIds ?? (keys.length === 1 ? [keys[0]!.id] : []);
  const suggested = suggestName(chosenImage, catalog.data?.taken ?? new Set());
  const shownName = name ?? suggested;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: CreateServer = { name: shownName.trim(), plan: chosenPlan?.name ?? '', image: chosenImage, start };
    if (kind === 'vm') body.kind = 'vm';
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
    // Same body, same key (a retry is answered with the first answer); a changed body is a new request.
    const json = JSON.stringify(body);
    if (attempt.current?.body !== json) attempt.current = { body: json, key: crypto.randomUUID() };
    setBusy(true);
    setError(undefined);
    try {
      const { server } = await api.createServer(body, { idempotencyKey: attempt.current.key });
      // Saved only once the server exists, so a refused server leaves no key behind; a key
      // that is saved already is fine.
      if (body.sshKeys && saveKey) await api.createSshKey({ publicKey: body.sshKeys[0]! }).catch(() => undefined);
      navigate(`/servers/${server.id}`);
    } catch (err) {
      // A refusal is a complete answer: sending the same body again is a new attempt (the
      // name may be free by then), so it gets a new key too. Only an unanswered request keeps it.
      if (err instanceof ApiError && err.status < 500) attempt.current = null;
      const { fields, rest } = formErrors(err, WIZARD_FIELDS, wizardErrors(i18n, err, body));
      setErrors(fields);
      setError(rest);
      setBusy(false);
    }
  };

  if (catalog.loading) return <Loading />;
  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">{t('create.title')}</h1>
      <ErrorNotice error={catalog.error} onRetry={catalog.reload} />
      <form onSubmit={submit} className="wizard" noValidate aria-busy={busy}>
        <PlanChoice plans={plans} value={chosenPlan?.name ?? ''} onChange={edited('plan', setPlan)} error={errors.plan} />
        {hasVmImages && (
          <div className="segmented" role="radiogroup" aria-label={t('create.kind')}>
            <label>
              <input type="radio" name="kind" checked={kind === 'container'} onChange={() => edited('image', setKind)('container')} />
              {t('create.kindContainer')}
            </label>
            <label>
              <input type="radio" name="kind" checked={kind === 'vm'} onChange={() => edited('image', setKind)('vm')} />
              {t('create.kindVm')}
            </label>
          </div>
        )}
        <ImageChoice images={images} value={chosenImage} onChange={edited('image', setImage)} error={errors.image} />
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
            <PasswordField label={t('create.password')} value={password} onChange={edited('password', setPassword)} error={errors.password} />
          ) : (
            <KeyPicker keys={keys} chosen={chosenKeys} onChosen={edited('sshKeyIds', setKeyIds)} pasted={sshKey} onPasted={edited('sshKeys', setSshKey)} save={saveKey} onSave={setSaveKey} errors={errors} />
          )}
        </fieldset>
        <fieldset>
          <legend>{t('create.stepName')}</legend>
          <Field
            label={t('create.name')}
            name="name"
            autoComplete="off"
            spellCheck={false}
            hint={name === null ? `${t('create.nameHint')} ${t('create.suggested')}` : t('create.nameHint')}
            value={shownName}
            onChange={(e) => edited('name', setName)(e.target.value)}
            error={errors.name}
          />
          <Field
            label={t('create.hostname')}
            name="hostname"
            autoComplete="off"
            spellCheck={false}
            hint={t('create.hostnameHint')}
            placeholder={shownName}
            value={hostname}
            onChange={(e) => edited('hostname', setHostname)(e.target.value)}
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
        {Object.keys(errors).some((k) => (WIZARD_FIELDS as readonly string[]).includes(k)) && (
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
