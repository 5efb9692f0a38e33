import type { Builtin } from './values';

/**
 * The library modules the static engine understands, and the names they export that matter for
 * ImageSpecs. `union` re-exports flytekit's ImageSpec and task decorators. A module listed here
 * with a name missing from its table is still importable; the name is then opaque.
 */
export const LIBRARY_EXPORTS: Readonly<Record<string, Readonly<Record<string, Builtin>>>> = {
  flytekit: { ImageSpec: 'ImageSpec', task: 'task', dynamic: 'dynamic', eager: 'eager', ContainerTask: 'ContainerTask' },
  'flytekit.image_spec': { ImageSpec: 'ImageSpec' },
  'flytekit.image_spec.image_spec': { ImageSpec: 'ImageSpec', CopyFileDetection: 'CopyFileDetection' },
  'flytekit.constants': { CopyFileDetection: 'CopyFileDetection' },
  'flytekit.core': {},
  'flytekit.core.task': { task: 'task', eager: 'eager' },
  'flytekit.core.dynamic_workflow_task': { dynamic: 'dynamic' },
  'flytekit.core.container_task': { ContainerTask: 'ContainerTask' },
  union: { ImageSpec: 'ImageSpec', task: 'task', dynamic: 'dynamic', eager: 'eager', ContainerTask: 'ContainerTask' },
  os: { environ: 'os.environ', getenv: 'os.getenv', fspath: 'os.fspath' },
  'os.path': { join: 'os.path.join', dirname: 'os.path.dirname', abspath: 'os.path.abspath' },
  pathlib: { Path: 'Path', PosixPath: 'Path' },
};

/** Python builtins the evaluator implements; a module-level binding of the same name shadows them. */
export const PYTHON_BUILTINS: Readonly<Record<string, Builtin>> = { str: 'str', dict: 'dict' };

/** The decorators whose `container_image=` names a task image. */
export const TASK_DECORATORS: ReadonlySet<Builtin> = new Set<Builtin>(['task', 'dynamic', 'eager']);

export function isLibraryModule(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LIBRARY_EXPORTS, name);
}
