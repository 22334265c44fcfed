/**
 * Servers this browser has just asked to delete. The list shows them as Deleting from the
 * moment the request is accepted, until the API stops listing them, even if a poll answered
 * with the phase from before the delete.
 */
const ids = new Set<string>();

/** Remembers that the server's delete was accepted. */
export function markDeleting(id: string): void {
  ids.add(id);
}

/** Whether the server's delete was accepted here and it has not gone yet. */
export const isMarkedDeleting = (id: string) => ids.has(id);

/** Forgets the servers that no longer exist (the API list no longer has them). */
export function forgetDeleted(existing: Iterable<string>): void {
  const still = new Set(existing);
  for (const id of ids) if (!still.has(id)) ids.delete(id);
}
