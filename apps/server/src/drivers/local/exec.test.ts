import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandError, run } from './exec.ts';

// Host commands go through the broker process (exec-broker.ts): they must behave exactly as a
// child of our own would — output, input, exit codes, start errors, timeouts, environment.
test('run: output, stdin, exit codes and start errors come back as from a direct child', async () => {
  assert.deepEqual(await run('sh', ['-c', 'echo out; echo err >&2']), { stdout: 'out\n', stderr: 'err\n', code: 0 });
  assert.equal((await run('cat', [], { input: 'a\nb\n' })).stdout, 'a\nb\n');
  const failed = await run('sh', ['-c', 'echo no >&2; exit 3'], { allowFail: true });
  assert.deepEqual(failed, { stdout: '', stderr: 'no\n', code: 3 });
  await assert.rejects(run('sh', ['-c', 'exit 4']), (e: unknown) => e instanceof CommandError && e.result.code === 4 && /sh -c exit 4 exited 4/.test(e.message));
  await assert.rejects(run('kumulus-no-such-command', []), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  // A command that exits before reading its input answers by its exit code.
  assert.equal((await run('true', [], { input: 'x'.repeat(1 << 20) })).code, 0);
});

test('run: a timeout kills the command, and the environment and directory are the caller’s', async () => {
  const t0 = Date.now();
  const slow = await run('sleep', ['30'], { timeoutMs: 200, allowFail: true });
  assert.notEqual(slow.code, 0);
  assert.ok(Date.now() - t0 < 10_000, 'the sleep was killed');
  process.env.KUMULUS_EXEC_TEST = 'seen';
  try {
    assert.equal((await run('sh', ['-c', 'echo $KUMULUS_EXEC_TEST']))?.stdout, 'seen\n');
  } finally {
    delete process.env.KUMULUS_EXEC_TEST;
  }
  assert.equal((await run('pwd', [])).stdout.trim(), process.cwd());
  // Many at once, each answer to its own command.
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => run('echo', [String(i)])));
  assert.deepEqual(
    many.map((r) => r.stdout),
    Array.from({ length: 50 }, (_, i) => `${i}\n`),
  );
});

test('run: a broker that dies fails the commands it held and is started again for the next', async () => {
  const brokerPid = Number((await run('sh', ['-c', 'echo $PPID'])).stdout);
  assert.notEqual(brokerPid, process.pid, 'commands are not children of the control plane');
  const held = run('sleep', ['5']);
  process.kill(brokerPid, 'SIGKILL');
  await assert.rejects(held, /the command broker exited/);
  const again = Number((await run('sh', ['-c', 'echo $PPID'])).stdout);
  assert.notEqual(again, brokerPid);
});
