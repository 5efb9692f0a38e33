/**
 * ImageSpecs written in Python, planned like YAML specs: each found spec becomes a PlannedImage
 * with its own key and source line. Two engines find them: the static one (src/python, no
 * interpreter; the default) and the exact one (src/exact, the project's own flytekit in an
 * interpreter the user names), which alone can follow non-fast registration.
 */
import * as path from 'node:path';
import { SpecError } from '../errors';
import type { ImageSpec } from '../imagespec/types';
import { checkEncodable } from '../imagespec/view';
import { computeTag, Digests, specId } from '../tag/compute';
import { imageOf, ImageTag, NOOP, NotBuilt, PlannedImage } from './plan';

export type Registration = 'fast' | 'non-fast';

export interface PythonPlanOptions {
  cwd: string;
  hostMachine: string;
  digests: Digests;
  /** What `os.environ` holds for the user's code: the step's environment. */
  env: NodeJS.ProcessEnv;
  /** An interpreter with the project and flytekit installed: use the exact engine. */
  python?: string;
  registration: Registration;
}

export interface PythonPlan {
  images: PlannedImage[];
  errors: SpecError[];
}

/** What the static engine and the exact engine both say of one spec. */
interface Found {
  key: string;
  spec: ImageSpec;
  source: { file?: string; line?: number };
  used: boolean;
  baseKey?: string;
  builder?: string;
}

/** The builders whose images the action builds itself: flytekit's default one, and noop (nothing to build). */
const OWN_BUILDERS = new Set(['default', 'noop']);

function notBuilt(f: Found): NotBuilt | undefined {
  if (!f.used) return { status: 'unused', reason: 'no task uses this ImageSpec, so pyflyte never builds it' };
  if (f.builder !== undefined && !OWN_BUILDERS.has(f.builder)) {
    return { status: 'external', reason: `builder '${f.builder}' builds and names this image itself; the action does not build it` };
  }
  return undefined;
}

/** Runtime variables the runner gives an action, never a `run:` step: user code does not see them. */
export function userEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !/^(ACTIONS_|INPUT_|STATE_)/.test(k)) out[k] = v;
  }
  return out;
}

/**
 * A spec written twice with the same fields is one image (same `id`, same name): pyflyte builds it
 * once, and so does the action, under the key of its first definition.
 */
function once(images: PlannedImage[]): PlannedImage[] {
  const seen = new Set<string>();
  return images.filter((p) => !seen.has(`${p.id}\0${p.image}`) && seen.add(`${p.id}\0${p.image}`));
}

export async function planPythonImages(files: readonly string[], opts: PythonPlanOptions): Promise<PythonPlan> {
  if (files.length === 0) return { images: [], errors: [] };
  if (opts.python) return planExact(files, opts);
  if (opts.registration === 'non-fast') {
    return {
      images: [],
      errors: [
        new SpecError(
          "registration: non-fast hashes the modules pyflyte imports; only the exact engine can name those images (set the 'python' input to an interpreter with your project and flytekit)",
          { field: 'registration' },
        ),
      ],
    };
  }
  const { findPythonImageSpecs } = await import('../python');
  const found = findPythonImageSpecs(files, { root: opts.cwd, env: opts.env, hostMachine: opts.hostMachine });
  const images: PlannedImage[] = [];
  const errors: SpecError[] = [...found.errors];
  for (const f of found.specs) {
    const builder = f.spec.values.builder;
    const one: Found = { ...f, builder: builder.kind === 'str' ? builder.value : undefined };
    try {
      checkEncodable(f.spec);
      const tag = computeTag(f.spec, opts.digests);
      images.push(planned(one, tag, specId(f.spec), imageOf(f.spec, tag)));
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      errors.push(e.withDefaults({ file: f.source.file, line: f.source.line }));
    }
  }
  return { images: once(images), errors };
}

/**
 * What to give flytekit for the matched files. A package's `__init__.py` is imported (as the
 * package) whenever one of its modules is; given as a file, flytekit would import it a second time
 * as the module `pkg.__init__`, which `pyflyte register pkg` never does, and under `--copy none` it
 * would hash and copy that file twice. Given alone, it stands for its package.
 */
export function exactPaths(files: readonly string[]): string[] {
  const isInit = (f: string): boolean => path.basename(f) === '__init__.py';
  const modules = files.filter((f) => !isInit(f));
  return modules.length > 0 ? modules : files.map((f) => path.dirname(f));
}

async function planExact(files: readonly string[], opts: PythonPlanOptions): Promise<PythonPlan> {
  const { evaluateWithFlytekit } = await import('../exact/flytekit');
  const r = await evaluateWithFlytekit({
    python: opts.python!,
    cwd: opts.cwd,
    paths: exactPaths(files),
    copy: opts.registration === 'non-fast' ? 'none' : 'fast',
    env: userEnv(opts.env),
  });
  const images = r.images.map((x) => {
    const one: Found = { ...x, used: x.status !== 'unused', builder: x.builder ?? undefined };
    const p = planned(one, { tag: x.tag, imageName: x.imageName }, x.id, x.registeredName);
    return x.sourceFiles ? { ...p, sourceFiles: x.sourceFiles } : p;
  });
  return { images: once(images), errors: r.errors };
}

function planned(f: Found, tag: ImageTag, id: string, image: string): PlannedImage {
  const noop = f.builder === 'noop';
  const file = f.source.file !== undefined ? f.source.file.split(path.sep).join('/') : '';
  return {
    key: f.key,
    source: { file, line: f.source.line },
    spec: f.spec,
    tag,
    id,
    image,
    noop,
    baseKey: f.baseKey,
    origin: 'python',
    notBuilt: notBuilt(f) ?? (noop ? NOOP : undefined),
  };
}
