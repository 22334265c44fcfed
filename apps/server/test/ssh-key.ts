import { generateKeyPairSync } from 'node:crypto';

/** A fresh OpenSSH ed25519 public key line, as a user would paste it. */
export function newSshPublicKey(comment = 'tester@laptop'): string {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(Buffer.from(jwk.x!, 'base64url'))]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

/** A key made by `ssh-keygen -t ed25519 -C alice@laptop`, and the fingerprint `ssh-keygen -l` printed for it. */
export const ALICE_KEY = {
  line: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMo40NMs5lBmPnT8Yk8Jfw4y7DHxHZfP5aHYMbAI3mwI alice@laptop',
  fingerprint: 'SHA256:jkorIrnHGfghKupWrXDKqCitKDEPTWKsHqLGsvV7/vk',
};
