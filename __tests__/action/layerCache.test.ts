import { layerCache } from '../../src/action/buildMode';

const creds = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/' };

describe('layerCache: which layer cache a build uses', () => {
  test.each([
    ['docker-container', 'gha'],
    ['remote', 'gha'],
    ['kubernetes', 'gha'],
    ['docker', 'none'],
    [undefined, 'none'],
  ])('auto with the cache service and a %s builder: %s', (driver, want) => {
    const r = layerCache('auto', creds, driver);
    expect(r.cache).toBe(want);
    if (want === 'none') expect(r.note).toEqual({ level: 'info', text: expect.stringContaining(`driver (${driver ?? 'unknown'})`) });
    else expect(r.note).toBeUndefined();
  });

  test('auto without the cache service: none, said in an info line (a local run, a run: step)', () => {
    for (const env of [{}, { ACTIONS_RUNTIME_TOKEN: 't' }, { ACTIONS_RESULTS_URL: 'http://x/' }]) {
      expect(layerCache('auto', env, 'docker-container')).toEqual({
        cache: 'none',
        note: { level: 'info', text: expect.stringMatching(/^layer cache: off, no GitHub Actions cache service/) },
      });
    }
  });

  test('an explicit gha: used whatever the driver (buildx says if it cannot), warned about without the service', () => {
    expect(layerCache('gha', creds, 'docker')).toEqual({ cache: 'gha' });
    expect(layerCache('gha', { ACTIONS_CACHE_URL: 'http://x/', ACTIONS_RUNTIME_TOKEN: 't' }, undefined)).toEqual({ cache: 'gha' });
    expect(layerCache('gha', {}, 'docker-container')).toEqual({
      cache: 'none',
      note: { level: 'warning', text: expect.stringMatching(/^cache: gha needs the GitHub Actions cache service/) },
    });
  });

  test('none and registry are taken as they are', () => {
    for (const env of [{}, creds]) {
      expect(layerCache('none', env, 'docker-container')).toEqual({ cache: 'none' });
      expect(layerCache('registry', env, 'docker')).toEqual({ cache: 'registry' });
    }
  });
});
