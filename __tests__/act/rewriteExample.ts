/**
 * The example workflows (examples/workflows) rewritten for nektos/act on this machine: only where
 * it differs from GitHub, each rewrite named with its reason in SUBSTITUTIONS.
 */
import { parseDocument } from 'yaml';

const REGISTRY = '127.0.0.1:5000';

export type Obj = Record<string, unknown>;
type Step = Obj & { uses?: string; run?: string; with?: Obj; env?: Obj; name?: string };
type Job = Obj & { steps: Step[] };

/** Why each rewrite is needed; the test names these, so a reader sees what did not run as written. */
export const SUBSTITUTIONS = {
  action: 'acme/imagespec-action@v1 is this repository: `uses: ./`',
  specs:
    'the specs are examples/*.yaml (the ones the demo builds), pushed to a namespace of this run on the local registry: specs *.yaml, working-directory examples',
  'python-specs':
    'the Python project is examples/python (the one the demo builds): specs workflows/*.py, working-directory examples/python, and its FLYTE_IMAGE_REGISTRY a namespace of this run on the local registry',
  login: 'docker/login-action cannot be downloaded here (act runs offline); a stand-in writes the same Docker config entry',
  buildx:
    "docker/setup-buildx-action cannot be downloaded; the runner machine's builder is the local BuildKit, and a stand-in checks it answers",
  'flyte2-project':
    'the Flyte 2 project is examples/flyte2 (the one the demo builds): working-directory examples/flyte2 for the action and the deploy step, and its FLYTE_IMAGE_REGISTRY a namespace of this run on the local registry',
  python:
    'actions/setup-python cannot be downloaded; a stand-in puts the virtualenv of the SDK the job pip-installs on PATH (flytekit: scripts/lib/python.sh, flyte: scripts/lib/flyte2.sh)',
  pip: 'pip may not install from the network in a test: --no-index, so it only confirms the pinned SDK (flytekit 1.16.24, flyte 2.12.1) is installed',
  deploy:
    'flyte deploy needs a Flyte cluster (FLYTE_API_KEY); the step runs the same command with --dry-run, which loads the environments and runs the SDK’s own image check before it fails for want of a cluster; the step fails if the SDK does not find every image the action built (it would build it again) or fails for another reason',
  register:
    'pyflyte register needs a Flyte cluster (flyte.example.com); the step instead checks that IMAGE_ARGS splits into the --image key=image words pyflyte takes',
  remote:
    'the remote BuildKit is reached over mutual TLS with certificates from secrets; the local BuildKit listens on tcp://127.0.0.1:1234 without TLS, so the builder named remote is created without certificates',
} as const;
export type Substitution = keyof typeof SUBSTITUTIONS;

const CHECKOUT = /^actions\/checkout@/;
const PIP_SDK = /^pip install (flytekit|flyte)==/;
const FLYTE2_DIR = 'examples/flyte2';
/**
 * Fails unless the dry-run deploy's log says of every image in $BUILT (a JSON list) that it exists
 * and is not built again, and the deploy failed, if at all, only for want of a cluster.
 */
const DEPLOY_FOUND = [
  'import json, os, sys',
  'log, status = open(sys.argv[1]).read(), int(sys.argv[2])',
  'built = json.loads(os.environ["BUILT"])',
  'lost = [i for i in built if f"Image {i} already exists, skipping build" not in log]',
  'other = status != 0 and "Initialization failed. Pass remote config" not in log',
  'bad = lost or not built or other',
  'print(f"::error::deploy would build {lost} again, or failed for another reason than the missing cluster" if bad else f"deploy found {built}")',
  'sys.exit(1 if bad else 0)',
].join('\n');

/** Rewrites an example for this machine; returns the workflow text and the substitutions made. */
export function rewriteExample(text: string, namespace: string): { text: string; made: Substitution[] } {
  const wf = parseDocument(text).toJS() as { jobs: Record<string, Job> };
  const made = new Set<Substitution>();
  const replaceUses = (s: Step, from: RegExp, to: string, why: Substitution) => {
    if (typeof s.uses === 'string' && from.test(s.uses)) {
      s.uses = to;
      made.add(why);
    }
  };
  for (const job of Object.values(wf.jobs)) {
    // The setup-python stand-in puts on PATH the SDK this job installs.
    const sdk = job.steps.some((s) => typeof s.run === 'string' && /^pip install flyte==/.test(s.run)) ? 'flyte2' : 'flytekit';
    const steps: Step[] = [];
    for (const s of job.steps) {
      replaceUses(s, /^acme\/imagespec-action@/, './', 'action');
      replaceUses(s, /^docker\/login-action@/, './__tests__/act/stubs/docker-login', 'login');
      replaceUses(s, /^docker\/setup-buildx-action@/, './__tests__/act/stubs/setup-buildx', 'buildx');
      replaceUses(s, /^actions\/setup-python@/, './__tests__/act/stubs/setup-python', 'python');
      if (s.uses === './__tests__/act/stubs/setup-python' && sdk === 'flyte2') s.with = { ...s.with, sdk };
      if (s.uses === './' && s.with?.specs === 'workflows/**/*.py') {
        s.with = { ...s.with, specs: 'workflows/*.py', 'working-directory': 'examples/python' };
        const env = (job.env ?? {}) as Obj;
        if (typeof env.FLYTE_IMAGE_REGISTRY !== 'string')
          throw new Error('the Python example no longer sets FLYTE_IMAGE_REGISTRY on its job');
        job.env = { ...env, FLYTE_IMAGE_REGISTRY: `${REGISTRY}/${namespace}` };
        made.add('python-specs');
      }
      if (s.uses === './' && s.with?.flyte2 === 'flows') {
        s.with = { ...s.with, 'working-directory': FLYTE2_DIR };
        const env = (job.env ?? {}) as Obj;
        if (typeof env.FLYTE_IMAGE_REGISTRY !== 'string')
          throw new Error('the Flyte 2 example no longer sets FLYTE_IMAGE_REGISTRY on its job');
        job.env = { ...env, FLYTE_IMAGE_REGISTRY: `${REGISTRY}/${namespace}` };
        made.add('flyte2-project');
      }
      if (s.uses === './' && s.with?.specs === 'flyte/images/*.yaml') {
        s.with = { ...s.with, specs: '*.yaml', 'working-directory': 'examples' };
        made.add('specs');
      }
      if (typeof s.run === 'string' && PIP_SDK.test(s.run)) {
        s.run = s.run.replace('pip install ', 'pip install --no-index ');
        made.add('pip');
      }
      if (typeof s.run === 'string' && /^pyflyte register /m.test(s.run)) {
        s.run = [
          'pyflyte --help >/dev/null',
          '# IMAGE_ARGS is split into words on purpose, as the example does',
          'set -- $IMAGE_ARGS',
          '[ $# -gt 0 ] || { echo "::error::IMAGE_ARGS is empty"; exit 1; }',
          'while [ $# -gt 0 ]; do',
          // A YAML spec's key, or a Python spec's id (url-safe base64, so it may start with '-').
          '  [ "$1" = --image ] && [[ "$2" =~ ^([A-Za-z0-9_][A-Za-z0-9_.-]*|[A-Za-z0-9_-]{22})=[^=]+:[A-Za-z0-9_.-]+$ ]] || { echo "::error::not an --image name=image pair: $1 $2"; exit 1; }',
          '  echo "pyflyte would get --image $2"; shift 2',
          'done',
        ].join('\n');
        made.add('register');
      }
      if (typeof s.run === 'string' && /^flyte deploy /.test(s.run)) {
        if (s.run.includes('\n') || !/\$DEPLOY_ARGS\b/.test(s.run))
          throw new Error('the Flyte 2 example no longer deploys in one command with $DEPLOY_ARGS');
        s.run = [
          // the deploy calls themselves need a cluster even in a dry run: that failure is expected
          `${s.run.replace(/^flyte deploy /, 'flyte deploy --dry-run ')} > "$RUNNER_TEMP/deploy.log" 2>&1 && status=0 || status=$?`,
          'cat "$RUNNER_TEMP/deploy.log"',
          // each image the action built is one the SDK's own check then finds
          `python -c '${DEPLOY_FOUND}' "$RUNNER_TEMP/deploy.log" "$status"`,
        ].join('\n');
        // BUILT: the images the action built; COLUMNS: the SDK's console wraps long lines at 80
        s.env = { ...s.env, BUILT: '${{ steps.images.outputs.built }}', COLUMNS: '300' };
        s['working-directory'] = FLYTE2_DIR;
        made.add('deploy');
      }
      if (s.name === 'Connect to the remote BuildKit') {
        if (!/--driver-opt "cacert=/.test(String(s.run))) throw new Error('the remote-builder example no longer connects over mutual TLS');
        s.run = 'docker buildx create --name remote --driver remote tcp://127.0.0.1:1234\ndocker buildx inspect --bootstrap remote';
        delete s.env;
        made.add('remote');
      }
      steps.push(s);
      if (typeof s.uses === 'string' && CHECKOUT.test(s.uses)) {
        steps.push({
          name: 'the examples push to a namespace of this run (test set-up)',
          env: { REGISTRY, NAMESPACE: namespace },
          run: '__tests__/act/use-namespace.sh',
        });
      }
    }
    job.steps = steps;
  }
  const out = parseDocument('');
  out.contents = out.createNode(wf) as typeof out.contents;
  return { text: out.toString({ lineWidth: 0 }), made: [...made].sort() };
}
