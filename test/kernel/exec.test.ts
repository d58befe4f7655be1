// Running programs from argv arrays: exit status and output kept, hung programs killed.
import { describe, expect, it } from 'vitest';
import { run, runChecked } from '../../server/kernel/exec.js';

describe('run', () => {
  it('returns stdout, stderr and the exit status, whatever it is', async () => {
    expect(await run(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
    expect(await run(['printf', '%s', 'a b; $(x)'])).toEqual({ stdout: 'a b; $(x)', stderr: '', code: 0 });
  });

  it('kills a program that overruns its timeout', async () => {
    const r = await run(['sleep', '10'], { timeoutMs: 200 });
    expect(r.code).toBeNull();
    expect(r.error).toContain('timed out after 200 ms');
  });

  it('reports a program that cannot be started', async () => {
    const r = await run(['/nonexistent/lunatik', 'list']);
    expect(r.code).toBeNull();
    expect(r.error).toContain('ENOENT');
    await expect(runChecked(['/nonexistent/lunatik'])).rejects.toThrow(/\/nonexistent\/lunatik failed/);
  });
});
