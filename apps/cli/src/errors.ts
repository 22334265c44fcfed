/**
 * Exit codes that scripts can trust, and how API and local failures map onto them.
 */
import { ApiError } from '@kumulus/api';
import { type MessageKey, t } from './i18n.ts';

/** The CLI's exit codes; documented in `kumulus --help`, so never renumber them. */
export const Exit = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  invalidInput: 4,
  auth: 5,
  conflict: 6,
  operationFailed: 7,
  timeout: 8,
  interrupted: 130,
} as const;
/** One of the exit codes above. */
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** A failure the CLI reports with a stable code, a message and the exit code it ends with. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly details: { field: string; message: string }[];
  readonly requestId: string;
  constructor(exitCode: ExitCode, code: string, message: string, extra: { details?: CliError['details']; requestId?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.details = extra.details ?? [];
    this.requestId = extra.requestId ?? '';
  }
}

/** A wrong command line: exit 2, with a pointer to the command's help. */
export function usageError(message: string, command = 'kumulus'): CliError {
  return new CliError(Exit.usage, 'USAGE', `${message}; ${t('usage.see', { command })}`);
}

/** Maps an HTTP status of the API to the exit code a script should see. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return Exit.auth;
  if (status === 404) return Exit.notFound;
  if (status === 409) return Exit.conflict;
  if (status >= 400 && status < 500) return Exit.invalidInput;
  return Exit.unexpected;
}

/** The API's names of request fields and the options of a command that set them (`plan` → `--plan`). */
export type FieldFlags = Record<string, string>;

// The command that helps after an API error of this code; the API's messages name no commands.
const HINTS: Record<string, MessageKey> = {
  PLAN_NOT_FOUND: 'hint.plans',
  IMAGE_NOT_FOUND: 'hint.images',
  SSH_KEY_NOT_FOUND: 'hint.sshKeys',
  SSH_KEY_EXISTS: 'hint.sshKeyList',
  SERVER_NOT_FOUND: 'hint.servers',
  OPERATION_NOT_FOUND: 'hint.operations',
  UNSUPPORTED_KIND: 'hint.kind',
};

// Codes whose API message speaks of HTTP things (details, tokens, routes): the CLI says it in its own words.
const OWN_WORDS: Record<string, MessageKey> = {
  VALIDATION_FAILED: 'apiError.validation',
  UNAUTHENTICATED: 'apiError.unauthenticated',
  ROUTE_NOT_FOUND: 'apiError.route',
};

/**
 * An API error in the CLI's words: the API's code and localized message, a pointer to the command
 * that helps, and details that name the command's options instead of the API's fields.
 */
export function apiErrorInCliWords(err: ApiError, flags: FieldFlags = {}): CliError {
  const own = OWN_WORDS[err.code];
  const hint = HINTS[err.code];
  const message = [own ? t(own) : err.message, hint ? t(hint) : ''].filter(Boolean).join(' ');
  const details = err.details.map((d) => ({ field: optionOf(d.field, flags), message: d.message }));
  return new CliError(exitCodeForStatus(err.status), err.code, message, { details, requestId: err.requestId });
}

// `plan` → `--plan`; `sshKeyIds/1` → `--ssh-key-id (#2)`, the second one given.
function optionOf(field: string, flags: FieldFlags): string {
  // Every command that takes labels takes them as --label KEY=VALUE: `labels.env` is --label env.
  if (field === 'labels' || field.startsWith('labels.')) return field === 'labels' ? '--label' : `--label ${field.slice('labels.'.length)}`;
  const [head = '', index] = field.split('/');
  const flag = flags[head];
  if (!flag) return field;
  return index !== undefined && /^\d+$/.test(index) ? t('field.nth', { flag, n: Number(index) + 1 }) : flag;
}

/** Turns anything thrown into a CliError, keeping the API's code, message and details. */
export function toCliError(err: unknown, baseUrl?: string): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof ApiError) return apiErrorInCliWords(err);
  // fetch() fails with a TypeError whose cause says why (ECONNREFUSED, ENOTFOUND …).
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    const reason = cause?.code ?? cause?.message ?? err.message;
    return new CliError(Exit.unexpected, 'UNREACHABLE', t('error.unreachable', { url: baseUrl ?? '?', reason }));
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(Exit.unexpected, 'UNEXPECTED', `${t('error.unexpected')}: ${message}`);
}
