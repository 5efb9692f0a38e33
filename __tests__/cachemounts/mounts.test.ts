import { renderDockerfile } from '../../src/docker/dockerfile';
import { CACHE_MOUNTS, exportDockerfile, mountIdsUsed, NONCE_ARG, restoreDockerfile } from '../../src/cachemounts/mounts';
import { options, view } from '../docker/fixtures';

/** Every kind of install the generator writes: plain uv, uv.lock, poetry, conda, apt. */
const dockerfiles = [
  renderDockerfile(view({ packages: ['pyyaml'], pythonExec: '/usr/local/bin/python' }), options()),
  renderDockerfile(view({ requirements: 'uv.lock' }), options({ pyprojectPresent: true })),
  renderDockerfile(view({ requirements: 'poetry.lock' }), options({ pyprojectPresent: true })),
  renderDockerfile(view({ condaPackages: ['numpy'], aptPackages: ['git'] }), options()),
];

test('the table names every cache mount the Dockerfile generator writes, with its target', () => {
  const written = new Map<string, string>();
  for (const df of dockerfiles) {
    for (const m of df.matchAll(/--mount=type=cache,([^\s]+)/g)) {
      const attrs = Object.fromEntries(m[1].split(',').map((kv) => kv.split('=')));
      written.set(attrs.id, attrs.target);
      // The copy builds mount with exactly these options; another sharing mode is another directory.
      expect(attrs).toMatchObject({ sharing: 'locked', mode: '0777' });
    }
  }
  expect(Object.fromEntries(written)).toEqual(CACHE_MOUNTS);
});

test('mountIdsUsed lists the ids of the given Dockerfiles in table order', () => {
  expect(mountIdsUsed([dockerfiles[0]])).toEqual(['uv']);
  expect(mountIdsUsed([dockerfiles[3], dockerfiles[2]])).toEqual(['uv', 'apt', 'micromamba', 'poetry']);
  expect(mountIdsUsed(['FROM scratch\n'])).toEqual([]);
});

test('the copy Dockerfiles mount each id like the generator and take a nonce so their RUNs always run', () => {
  const restore = restoreDockerfile(['uv', 'apt']);
  expect(restore).toContain(`ARG ${NONCE_ARG}`);
  expect(restore).toContain(
    '--mount=type=cache,sharing=locked,mode=0777,target=/cache-mount/uv,id=uv --mount=type=bind,source=uv,target=/restore/uv cp -a /restore/uv/. /cache-mount/uv/',
  );
  expect(restore).toContain('id=apt');
  const exp = exportDockerfile(['micromamba']);
  expect(exp).toMatch(
    /ARG IMAGESPEC_COPY_NONCE\nRUN --mount=type=cache,sharing=locked,mode=0777,target=\/cache-mount\/micromamba,id=micromamba mkdir -p \/export\/micromamba/,
  );
  expect(exp.trim().split('\n').slice(-2)).toEqual(['FROM scratch', 'COPY --from=mounts /export/ /']);
});
