/**
 * Wire schemas of the actions on a server that exists: protection, resize, rebuild and root
 * password reset (the power actions are `ServerAction` in schemas.ts).
 */
import { type Static, Type } from '@sinclair/typebox';
import { NameOrId, Operation, ServerProtection } from '../schemas.ts';

export const ChangeProtection = Type.Partial(ServerProtection, { additionalProperties: false, description: 'the flags to set; a flag left out stays as it is' });
export type ChangeProtection = Static<typeof ChangeProtection>;

export const ShutdownServer = Type.Object(
  { timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, default: 30, description: 'how long the guest has to shut down before the operation fails (it is never killed)' })) },
  { additionalProperties: false },
);
export type ShutdownServer = Static<typeof ShutdownServer>;

export const ResizeServer = Type.Object({ plan: NameOrId('plan') }, { additionalProperties: false });
export type ResizeServer = Static<typeof ResizeServer>;

export const RebuildServer = Type.Object({ image: NameOrId('img') }, { additionalProperties: false });
export type RebuildServer = Static<typeof RebuildServer>;

/** The answer of a password reset: the new root password, shown this once and never stored. */
export const PasswordReset = Type.Object({
  rootPassword: Type.String({ description: 'the new root password; Kumulus keeps only its hash' }),
  operation: Operation,
});
export type PasswordReset = Static<typeof PasswordReset>;
