/**
 * The choices of the create-server wizard: plan (with its hourly and monthly price), image
 * (with its state in words), and saved or pasted SSH keys. Plus the defaults the wizard starts
 * from: the smallest plan, a ready image, and a name that is not taken yet.
 */
import type { Image, Plan, SshKey } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';
import { imageStatusLabel } from '../i18n/labels.ts';
import { Link } from 'wouter';
import { PublicKeyField } from './public-key-field.tsx';

/** Plans from small to large: by vCPUs, then memory, disk and price. */
export function sortPlans(plans: Plan[]): Plan[] {
  return [...plans].sort((a, b) => a.vcpus - b.vcpus || a.memoryMb - b.memoryMb || a.diskGb - b.diskGb || a.priceHourly.amount - b.priceHourly.amount || a.name.localeCompare(b.name));
}

/** An image a server can be created from: not one that failed, nor one this host cannot start yet. */
export const usableImage = (i: Image) => i.status !== 'failed' && i.status !== 'unavailable';

/** The image to preselect: only one that is ready, so the first server never waits or fails. */
export function defaultImage(images: Image[]): string {
  return images.find((i) => i.status === 'ready')?.name ?? '';
}

/** `<image>-<n>` with the smallest n whose name no server has yet. */
export function suggestName(image: string, taken: ReadonlySet<string>): string {
  const base = (image || 'server').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 55) || 'server';
  for (let n = 1; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The plans as radio cards. */
export function PlanChoice({ plans, value, onChange, error }: { plans: Plan[]; value: string; onChange: (n: string) => void; error?: string | undefined }) {
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

/** The images as radio cards; one that cannot start here is shown, greyed, with the reason. */
export function ImageChoice({ images, value, onChange, error }: { images: Image[]; value: string; onChange: (n: string) => void; error?: string | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <fieldset className="choices" aria-describedby={error ? 'image-error' : undefined}>
      <legend>{t('create.stepImage')}</legend>
      {images.length === 0 && <p className="muted">{t('create.noImages')}</p>}
      {images.map((img) => {
        const usable = usableImage(img);
        return (
          <label key={img.id} className={`choice${value === img.name ? ' selected' : ''}${usable ? '' : ' unusable'}`} data-image-status={img.status}>
            <input type="radio" name="image" value={img.name} checked={value === img.name} disabled={!usable} onChange={() => onChange(img.name)} />
            <span className="choice-title">{img.name}</span>
            <span className="small muted">{img.os}</span>
            <span className={`small${img.status === 'available' ? ' muted' : ` img-${img.status}`}`}>{imageStatusLabel(i18n, img.status)}</span>
            {img.status === 'preparing' && <span className="small muted">{t('create.imagePreparing')}</span>}
          </label>
        );
      })}
      {error && (
        <p id="image-error" className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The tenant's saved keys as checkboxes, and room to paste one more (saved for next time if wished). */
export function KeyPicker(props: {
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
