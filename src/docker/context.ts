import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError } from '../errors';
import { quoted } from '../util/logSafe';
import type { PlannedImage } from '../plan/plan';
import { fieldWhere } from '../imagespec/postInit';
import { specView } from '../imagespec/view';
import { listCopyFiles } from '../tag/copyDigest';
import { listSourceFiles } from '../tag/sourceRoot';
import { fileKind, realPathInsideRepo, specialFileError } from '../repo/files';
import { renderDockerfile } from './dockerfile';
import { checkDockerfileLines, checkSpecView, normalizeCopyPath } from './sanitize';
import { installMode, lockPyprojectPath, REQUIREMENTS_UV, requirementsUvTxt } from './requirements';

export interface ContextOptions {
  /** Where spec paths resolve (the `working-directory` input). */
  cwd: string;
  /** Nothing outside it is read into a context. */
  repoRoot: string;
  /** Python for micromamba when a spec sets none (does not change the tag). */
  defaultPythonVersion: string;
  /** flytekit pinned into images whose packages do not name it. */
  flytekitVersion: string;
  /** BuildKit secrets mounted into the Python install step (ids `secret_<i>`, as flytekit names them). */
  secretMounts?: Array<{ id: string; target: string }>;
}

/** One image's build context, rendered but not yet written. Rendering everything first keeps builds atomic. */
export interface PreparedContext {
  image: PlannedImage;
  dockerfile: string;
  /** Files to place in the context: context-relative path → absolute source, or literal content. */
  files: Array<{ dest: string; src?: string; content?: string; field?: string }>;
}

/**
 * Render the Dockerfile and list the context's files for one planned image. Throws SpecError (with
 * the spec's file and the field's line) for anything that cannot be built safely.
 */
export function prepareContext(p: PlannedImage, baseImageName: string | undefined, opts: ContextOptions): PreparedContext {
  const spec = p.spec;
  const at = (field: Parameters<typeof fieldWhere>[1]) => fieldWhere(spec, field, spec.values[field]);
  try {
    const view = specView(spec, baseImageName);
    checkSpecView(view);
    const files: PreparedContext['files'] = [];

    const mode = installMode(view.requirements);
    let pyprojectPresent = false;
    if (mode === 'requirements') {
      const text = view.requirements ? fs.readFileSync(path.resolve(opts.cwd, view.requirements), 'utf8') : undefined;
      files.push({ dest: REQUIREMENTS_UV, content: requirementsUvTxt(view.packages, opts.flytekitVersion, text) });
    } else {
      const lock = path.resolve(opts.cwd, view.requirements!);
      const pyproject = path.resolve(opts.cwd, lockPyprojectPath(view.requirements!));
      pyprojectPresent = fs.existsSync(pyproject);
      files.push({ dest: mode, src: lock, field: 'requirements' });
      // The lock file was vetted when its digest was taken; its pyproject.toml only here.
      if (pyprojectPresent) {
        const shown = lockPyprojectPath(view.requirements!);
        if (fileKind(pyproject) !== 'regular') throw specialFileError(shown, 'requirements');
        files.push({
          dest: 'pyproject.toml',
          src: realPathInsideRepo(pyproject, opts.repoRoot, 'requirements', shown),
          field: 'requirements',
        });
      }
    }

    const sourceFiles = view.copyMode !== undefined && view.copyMode !== 'no-copy';
    if (view.copyMode === 'all') {
      for (const f of listSourceFiles(view.sourceRoot!, opts.cwd, 'all', opts.repoRoot).files) {
        files.push({ dest: `src/${f.rel}`, src: f.realPath, field: 'source_root' });
      }
    } else if (view.copyMode === 'loaded-modules' && p.sourceFiles) {
      // The modules pyflyte imported, as the exact engine's flytekit listed them (a YAML spec has none).
      const root = path.resolve(opts.cwd, view.sourceRoot!);
      for (const rel of p.sourceFiles) {
        const abs = path.join(root, rel);
        const kind = fileKind(abs);
        if (kind === 'special') throw specialFileError(rel, 'source_root');
        if (kind !== 'regular')
          throw new SpecError(`'${rel}', a module flytekit loaded from source_root, is no longer a file`, { field: 'source_root' });
        files.push({ dest: `src/${rel}`, src: realPathInsideRepo(abs, opts.repoRoot, 'source_root', rel), field: 'source_root' });
      }
    }

    const entries = listCopyFiles(view.copy, opts.cwd, opts.repoRoot).entries;
    const kinds = entries.map((e, i) => {
      if (e.kind === 'special') throw new SpecError(`${e.entry} is not a regular file or directory`, { field: `copy[${i}]` });
      const norm = normalizeCopyPath(e.entry, `copy[${i}]`);
      for (const f of e.files) files.push({ dest: e.kind === 'dir' ? `${norm}/${f.rel}` : norm, src: f.realPath, field: `copy[${i}]` });
      return { path: e.entry, kind: e.kind };
    });

    const dockerfile = renderDockerfile(view, {
      imageId: p.id,
      defaultPythonVersion: opts.defaultPythonVersion,
      flytekitVersion: opts.flytekitVersion,
      sourceFiles,
      copyEntries: kinds,
      pyprojectPresent,
      secretMounts: opts.secretMounts,
    });
    checkDockerfileLines(dockerfile);
    checkReadable(files, opts.cwd);
    return { image: p, dockerfile, files };
  } catch (e) {
    if (e instanceof SpecError) {
      const field = (e.field?.split(/[.[]/)[0] ?? 'name') as Parameters<typeof fieldWhere>[1];
      throw e.withDefaults({ ...at(field in spec.values ? field : 'name'), field: e.field });
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new SpecError(`file not found: ${err.path ?? ''}`, at('requirements'));
    throw e;
  }
}

/**
 * Every source file must be readable now: the context is written only when its build starts, and
 * an unreadable file found then would stop the run after earlier images were pushed.
 */
function checkReadable(files: PreparedContext['files'], cwd: string): void {
  for (const f of files) {
    if (f.src === undefined) continue;
    try {
      fs.accessSync(f.src, fs.constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new SpecError(`cannot read ${quoted(path.relative(cwd, f.src) || f.src)} (${code})`, { field: f.field });
    }
  }
}

/** Write a prepared context into an empty directory. Only the listed files go in, nothing else. */
export function writeContext(ctx: PreparedContext, dir: string): void {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), ctx.dockerfile);
  for (const f of ctx.files) {
    const dest = path.join(dir, f.dest);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (f.content !== undefined) fs.writeFileSync(dest, f.content);
    else fs.copyFileSync(f.src!, dest);
  }
}
