/**
 * The example workflows (examples/workflows) rewritten for nektos/act on this machine: only where
 * it differs from GitHub, each rewrite named with its reason in SUBSTITUTIONS.
 */
import { parseDocument } from 'yaml';

const REGISTRY = '127.0.0.1:5000';

export type Obj = Record<string, unknown>;
type Step = Obj & { uses?: string; run?: string; with?: Obj; name?: string };
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
  python: 'actions/setup-python cannot be downloaded; a stand-in puts the flytekit virtualenv of scripts/lib/python.sh on PATH',
  pip: 'pip may not install from the network in a test: --no-index, so it only confirms flytekit 1.16.24 is installed',
  register:
    'pyflyte register needs a Flyte cluster (flyte.example.com); the step instead checks that IMAGE_ARGS splits into the --image key=image words pyflyte takes',
  remote:
    'the remote BuildKit is reached over mutual TLS with certificates from secrets; the local BuildKit listens on tcp://127.0.0.1:1234 without TLS, so the builder named remote is created without certificates',
} as const;
export type Substitution = keyof typeof SUBSTITUTIONS;

const CHECKOUT = /^actions\/checkout@/;

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
    const steps: Step[] = [];
    for (const s of job.steps) {
      replaceUses(s, /^acme\/imagespec-action@/, './', 'action');
      replaceUses(s, /^docker\/login-action@/, './__tests__/act/stubs/docker-login', 'login');
      replaceUses(s, /^docker\/setup-buildx-action@/, './__tests__/act/stubs/setup-buildx', 'buildx');
      replaceUses(s, /^actions\/setup-python@/, './__tests__/act/stubs/setup-python', 'python');
      if (s.uses === './' && s.with?.specs === 'workflows/**/*.py') {
        s.with = { ...s.with, specs: 'workflows/*.py', 'working-directory': 'examples/python' };
        const env = (job.env ?? {}) as Obj;
        if (typeof env.FLYTE_IMAGE_REGISTRY !== 'string')
          throw new Error('the Python example no longer sets FLYTE_IMAGE_REGISTRY on its job');
        job.env = { ...env, FLYTE_IMAGE_REGISTRY: `${REGISTRY}/${namespace}` };
        made.add('python-specs');
      }
      if (s.uses === './' && s.with?.specs === 'flyte/images/*.yaml') {
        s.with = { ...s.with, specs: '*.yaml', 'working-directory': 'examples' };
        made.add('specs');
      }
      if (typeof s.run === 'string' && /^pip install flytekit==/.test(s.run)) {
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
          '  [ "$1" = --image ] && [[ "$2" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*=[^=]+:[A-Za-z0-9_.-]+$ ]] || { echo "::error::not an --image name=image pair: $1 $2"; exit 1; }',
          '  echo "pyflyte would get --image $2"; shift 2',
          'done',
        ].join('\n');
        made.add('register');
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
