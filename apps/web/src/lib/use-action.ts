/**
 * One form's or button's action, held by TanStack Query's useMutation: busy while it runs, its
 * error once it failed (a refusal about one of `fields` is said at that field only, the rest in
 * the form's notice), both cleared when it runs again.
 */
import { useMutation } from '@tanstack/react-query';
import { formErrors } from './api.ts';

export interface Action {
  busy: boolean;
  /** What to show in the form's ErrorNotice. */
  error: unknown;
  /** Messages per field, for the fields named when the action was made. */
  errors: Record<string, string>;
  /** Runs `step`; answers true when it succeeded (else its error is shown). */
  run: (step: () => Promise<unknown>) => Promise<boolean>;
}

export function useAction(fields: readonly string[] = []): Action {
  const m = useMutation({ mutationFn: (step: () => Promise<unknown>) => step() });
  const { fields: errors, rest } = formErrors(m.error ?? undefined, fields);
  return {
    busy: m.isPending,
    error: rest,
    errors,
    run: (step) => m.mutateAsync(step).then(
      () => true,
      () => false,
    ),
  };
}
