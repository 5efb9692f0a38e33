/** The interpreter plumbing's pure parts: the bounded log and the environment policy. */
import fc from 'fast-check';
import { BoundedLog, childEnvironment, FIXED_VARIABLES } from '../../src/exact/interpreter';

describe('BoundedLog', () => {
  test('keeps the exact head and tail of any stream, counts the rest, never more than the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), fc.integer({ min: 2, max: 600 }), (chunks, limit) => {
        const log = new BoundedLog(limit);
        for (const c of chunks) log.push(Buffer.from(c));
        const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        const half = Math.floor(limit / 2);
        if (all.length <= limit) {
          expect(log.droppedBytes).toBe(0);
          expect(log.text()).toBe(all.toString('utf8'));
        } else {
          expect(log.droppedBytes).toBe(all.length - limit);
          const text = log.text();
          const head = all.subarray(0, half).toString('utf8');
          const tail = all.subarray(all.length - (limit - half)).toString('utf8');
          expect(text).toBe(`${head}\n[… ${all.length - limit} bytes of output omitted …]\n${tail}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('childEnvironment', () => {
  const runner = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    LC_ALL: 'C.UTF-8',
    pythonLocation: '/opt/hostedtoolcache/Python/3.11.9/x64',
    GITHUB_TOKEN: 'ghs_secret',
    ACTIONS_RUNTIME_TOKEN: 'secret',
    INPUT_PASSWORD: 'secret',
    AWS_SECRET_ACCESS_KEY: 'secret',
    PYTHONDONTWRITEBYTECODE: '',
  };

  test('passes the documented variables, the caller’s, and the fixed ones, nothing else', () => {
    const env = childEnvironment(runner, { FLYTE_IMAGE_REGISTRY: 'ghcr.io/acme' });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      LC_ALL: 'C.UTF-8',
      pythonLocation: '/opt/hostedtoolcache/Python/3.11.9/x64',
      FLYTE_IMAGE_REGISTRY: 'ghcr.io/acme',
      ...FIXED_VARIABLES,
    });
  });

  test('the fixed variables win over the caller’s', () => {
    expect(childEnvironment({}, { PYTHONDONTWRITEBYTECODE: '' }).PYTHONDONTWRITEBYTECODE).toBe('1');
  });
});
