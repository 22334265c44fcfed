/**
 * Streams that hash what passes through them, and a sink that writes a disk image sparsely:
 * blocks of zeros become holes, as the image they were read from had them, so a restored 2 GB
 * disk with 50 MB of data takes 50 MB again.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';

const BLOCK = 64 * 1024;

/** A pass-through stream that hashes (SHA-256) and counts what flows through it. */
export function hashingPassThrough(): { stream: PassThrough; digest: () => { sha256: string; bytes: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => {
    hash.update(c);
    bytes += c.length;
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/** A sink that only hashes (verification reads a backup back without writing it anywhere). */
export function hashingSink(): { stream: Writable; digest: () => { sha256: string; bytes: number } } {
  const hash: Hash = createHash('sha256');
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done();
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/** Writes into `file` (made new, 0600) leaving zero blocks as holes, hashing what it is given; `done` flushes and sets the size. */
export async function sparseFileSink(file: string): Promise<{ stream: Writable; done: () => Promise<{ sha256: string; bytes: number }>; abort: () => Promise<void> }> {
  const fh = await open(file, 'wx', 0o600);
  const hash = createHash('sha256');
  let pos = 0;
  let pending: Buffer = Buffer.alloc(0);
  const zero = Buffer.alloc(BLOCK);
  const flushBlocks = async (all: boolean) => {
    while (pending.length >= BLOCK || (all && pending.length > 0)) {
      const n = Math.min(BLOCK, pending.length);
      const block = pending.subarray(0, n);
      if (!block.equals(zero.subarray(0, n))) await fh.write(block, 0, n, pos);
      pos += n;
      pending = pending.subarray(n);
    }
  };
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      flushBlocks(false).then(() => cb(), cb);
    },
    final(cb) {
      flushBlocks(true).then(() => cb(), cb);
    },
  });
  return {
    stream,
    /** Closes the file after a failed copy (the caller removes it). */
    abort: () => fh.close().catch(() => undefined),
    done: async () => {
      try {
        await fh.truncate(pos);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { sha256: hash.digest('hex'), bytes: pos };
    },
  };
}
