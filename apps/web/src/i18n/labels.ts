/**
 * Plain words for the control plane's internal vocabulary: operation kinds and steps,
 * condition types and reasons, image states and error codes. Tenants never see
 * `server.create` or `ImageReady True Ready`; what has no mapping yet falls back to the API's
 * own (localized) message, never to a code.
 */
import type { Condition, Image, Operation } from '@kumulus/api/schemas';
import { ApiError } from '../lib/api.ts';
import { en, type MessageKey } from './en.ts';
import type { I18n } from './i18n.tsx';

const isKey = (k: string): k is MessageKey => Object.hasOwn(en, k);

/** `t(key)` when the key exists, else undefined: for keys built from data. */
export function tIf(i18n: I18n, key: string, vars?: Record<string, string | number>): string | undefined {
  return isKey(key) ? i18n.t(key, vars) : undefined;
}

/** "Create server" for `server.create`; an unknown kind reads as words, not as a dotted code. */
export function kindLabel(i18n: I18n, kind: string): string {
  return tIf(i18n, `kind.${kind}`) ?? kind.replace(/[._]/g, ' ');
}

/** The step an operation is at, in words ("Creating the instance"); unknown steps as they are. */
export function stepLabel(i18n: I18n, op: Pick<Operation, 'step'>): string {
  const image = /^preparing image (.+)$/.exec(op.step);
  if (image) return i18n.t('step.preparingImage', { image: image[1]! });
  return tIf(i18n, `step.${op.step.replace(/ /g, '-')}`) ?? op.step;
}

/** An image's state in words. */
export function imageStatusLabel(i18n: I18n, status: Image['status']): string {
  return i18n.t(`image.status.${status}`);
}

/** What a condition is about ("Image", "State"). */
export function conditionTypeLabel(i18n: I18n, c: Condition): string {
  return tIf(i18n, `cond.type.${c.type}`) ?? c.type;
}

/** The tone of a condition for its badge: fine, a problem, or in progress. */
export function conditionTone(c: Condition): 'ok' | 'bad' | 'busy' | 'neutral' {
  if (c.reason === 'Preparing' || c.reason === 'Retrying') return 'busy';
  // A stopped server is not a success to celebrate, nor a problem: the same grey as its phase.
  if (c.type === 'Ready' && c.reason === 'Stopped') return 'neutral';
  if (c.type === 'Drift') return 'busy';
  return c.status === 'True' ? 'ok' : c.status === 'False' ? 'bad' : 'busy';
}

/**
 * A condition as a short state and a sentence: "Stopped" for `Ready True Stopped` (not
 * "Ready: True"), "Ready" for the image. A failure's own message is the explanation.
 */
export function conditionText(i18n: I18n, c: Condition, vars: { image: string; failure?: string | undefined }): { state: string; message: string } {
  const state = tIf(i18n, `cond.state.${c.type}.${c.reason}`) ?? tIf(i18n, `cond.state.${c.status}`) ?? c.status;
  // The failure's words are the failed operation's, in the reader's language (the condition keeps English).
  if (c.type === 'Ready' && c.reason === 'Failed' && vars.failure) return { state, message: vars.failure };
  const message = tIf(i18n, `cond.msg.${c.type}.${c.reason}`, vars) ?? c.message;
  return { state, message };
}

/** An operation's error in the reader's language: the code's text where there is one, else the API's message. */
export function operationErrorText(i18n: I18n, error: { code: string; message: string }): string {
  return tIf(i18n, `error.${error.code}`) ?? error.message;
}

/**
 * What to say about a failed request: the code's own text where the dashboard has one,
 * else the API's message (already in the page's language).
 */
export function requestErrorText(i18n: I18n, err: unknown): string {
  if (err instanceof ApiError) return tIf(i18n, `error.${err.code}`) ?? err.message;
  if (err instanceof TypeError) return i18n.t('error.network');
  return err instanceof Error ? err.message : String(err);
}
