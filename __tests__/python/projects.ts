/**
 * Generated Python Flyte projects for the differential test: a package with a constants module, an
 * images module and one or two task modules, covering every construct the static engine supports
 * (literals with Python number spellings, tuples, dicts, module constants from other modules,
 * f-strings, `+`, `os.environ`/`os.getenv` set and unset, `Path`/`os.path.join`, `.with_*()` chains,
 * `force_push()`, nested specs, list elements, `CopyFileDetection`, inline specs, @task/@dynamic/
 * @eager/ContainerTask, relative/absolute/module imports), optionally with one construct it does
 * not support (at a known line and column) or one flytekit refuses.
 *
 * fast-check draws a 32-bit seed per project; the project is a pure function of it (a small
 * PRNG picks the structure), so a run is reproduced by IMAGESPEC_FC_SEED.
 */
import fc from 'fast-check';

export interface Project {
  pkg: string;
  /** Relative path → source text. */
  files: Record<string, string>;
  /** Module names in load order. */
  modules: string[];
  env: Record<string, string | null>;
  /** A construct the static engine must refuse, exactly there. */
  unsupportedAt?: { file: string; line: number; col: number; what: string };
  /** Something flytekit itself refuses: importing the project fails. */
  invalid?: string;
}

class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
const TEXT_PIECES = ['a', 'Z', '9', '-', '.', '_', ' ', 'é', '日本', "\\'", '\\"', '\\t', '\\x41', '\\u00e9', '\\\\', '=', '>=1.0', '[x]'];

function word(r: Rng, min = 1, max = 8): string {
  let s = '';
  const n = min + r.int(max - min + 1);
  for (let i = 0; i < n; i++) s += NAME_CHARS[r.int(NAME_CHARS.length)];
  return /^[A-Za-z0-9]/.test(s) ? s : 'n' + s;
}

/** A Python string literal (source text) with escapes and quotes of varied kinds. */
function strLit(r: Rng): string {
  let body = '';
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) body += r.chance(0.6) ? word(r, 1, 5) : r.pick(TEXT_PIECES);
  // Quotes in the pieces are always escaped, so either quote character works.
  const q = r.pick(['"', "'"]);
  return r.chance(0.1) ? `${q}${body}${q} ${q}x${q}` : `${q}${body}${q}`;
}

interface Ctx {
  r: Rng;
  /** String constants importable in the module being written. */
  consts: string[];
  env: Record<string, string | null>;
  /** Modules imported as names in this module (`C` for the constants module). */
  constModule?: string;
  /** The package directory, for paths relative to the directory pyflyte runs in (the project root). */
  pkg: string;
  /** The project's own environment variables (`<prefix>A`, `<prefix>B`, `<prefix>REG`, `<prefix>UNSET`): one process can load many projects. */
  envPrefix: string;
}

/** A str-valued expression built from supported constructs. */
function strExpr(c: Ctx, depth = 0): string {
  const r = c.r;
  const k = depth > 1 ? 0 : r.int(10);
  switch (k) {
    case 1:
      return r.pick(c.consts);
    case 2:
      return c.constModule ? `${c.constModule}.${r.pick(c.consts)}` : r.pick(c.consts);
    case 3:
      // Python 3.11 allows neither quotes nor backslashes inside f-string fields: names only.
      return `f"${word(r, 0, 3)}{${c.constModule && r.chance(0.5) ? `${c.constModule}.${r.pick(c.consts)}` : r.pick(c.consts)}}-{${r.pick(c.consts)}!r}${r.pick(['', '{N:>4}'.replace('N', r.pick(c.consts))])}"`;
    case 4:
      return `${strExpr(c, depth + 1)} + ${strLit(r)}`;
    case 5: {
      const v = r.pick([`${c.envPrefix}A`, `${c.envPrefix}B`]);
      return r.chance(0.5) ? `os.environ.get("${v}", ${strLit(r)})` : `os.getenv("${v}", ${r.pick(c.consts)})`;
    }
    case 6:
      return `os.path.join(${strLit(r)}, ${r.pick(c.consts)}, "x")`;
    case 7:
      return r.pick([
        `str(Path(__file__).parent / "req.txt")`,
        `str(Path("/opt") / ${r.pick(c.consts)})`,
        `os.path.join(os.path.dirname(__file__), "a")`,
      ]);
    default:
      return strLit(r);
  }
}

function strList(c: Ctx): string {
  const n = c.r.int(4);
  const items = Array.from({ length: n }, () => strExpr(c));
  return c.r.chance(0.2) ? `LIST_CONST + [${items.join(', ')}]` : `[${items.join(', ')}]`;
}

const NUMBERS = [
  '3.10',
  '3.11',
  '1_000',
  '0x1F',
  '0o17',
  '0b101',
  '1e3',
  '2.50',
  '-7',
  '12345678901234567890123',
  '0.1',
  '1.5e-7',
  '1e16',
  '-0.0',
];

function scalar(c: Ctx): string {
  const r = c.r;
  return r.pick([() => strExpr(c), () => r.pick(NUMBERS), () => r.pick(['True', 'False', 'None']), () => 'PYV'])();
}

function dictExpr(c: Ctx, nested = true): string {
  const r = c.r;
  const n = r.int(4);
  const entries: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = r.chance(0.8) ? `"k${r.int(5)}"` : r.pick(['1', '2.0', 'True']);
    let val = scalar(c);
    if (nested && r.chance(0.3)) val = r.pick([`(${scalar(c)},)`, `(${scalar(c)}, ${scalar(c)})`, `[${scalar(c)}]`, dictExpr(c, false)]);
    entries.push(`${key}: ${val}`);
  }
  return r.chance(0.15) ? `dict(A=${strExpr(c)}, B=${r.pick(NUMBERS)})` : `{${entries.join(', ')}}`;
}

type Field = [string, string];

function specFields(c: Ctx): Field[] {
  const r = c.r;
  const fields: Field[] = [];
  if (r.chance(0.8)) fields.push(['name', r.chance(0.5) ? strLit(r) : strExpr(c)]);
  if (r.chance(0.6)) {
    fields.push([
      'registry',
      r.pick([
        'REG',
        '"localhost:30000"',
        '"Ghcr.io/Acme-Org/sub"',
        `os.environ.get("${c.envPrefix}REG")`,
        `os.getenv("${c.envPrefix}REG", REG)`,
        'f"{REG}/team"',
      ]),
    ]);
  }
  if (r.chance(0.4)) fields.push(['python_version', r.pick(['"3.11"', '3.10', '3.9', 'PYV', '"3.12"', 'PY_STR'])]);
  if (r.chance(0.6)) fields.push(['packages', strList(c)]);
  if (r.chance(0.3)) fields.push(['apt_packages', strList(c)]);
  if (r.chance(0.3)) fields.push(['env', dictExpr(c, false)]);
  if (r.chance(0.2)) fields.push(['builder_options', dictExpr(c)]);
  if (r.chance(0.15)) fields.push(['commands', strList(c)]);
  if (r.chance(0.1)) fields.push(['tag_format', r.pick(['"{spec_hash}-dev"', '"{spec_hash:.8}"', 'f"v1-{{spec_hash}}"'])]);
  if (r.chance(0.1)) fields.push(['platform', '"linux/arm64"']);
  if (r.chance(0.1)) fields.push(['pip_index', strExpr(c)]);
  if (r.chance(0.1)) fields.push(['pip_extra_index_url', strList(c)]);
  if (r.chance(0.1)) fields.push(['pip_secret_mounts', `[(${strLit(r)}, "/run/x")]`]);
  if (r.chance(0.1)) fields.push(['source_root', '"src"'], ['source_copy_mode', 'CopyFileDetection.NO_COPY']);
  else if (r.chance(0.05)) fields.push(['source_root', `"${c.pkg}"`], ['source_copy_mode', 'CopyFileDetection.ALL']);
  if (r.chance(0.1)) {
    const req = r.pick([
      `"${c.pkg}/requirements.txt"`,
      'os.path.join(os.path.dirname(__file__), "requirements.txt")',
      'str(Path(__file__).parent / "requirements.txt")',
    ]);
    fields.push(['requirements', req]);
  }
  if (r.chance(0.05)) fields.push(['copy', r.pick([`["${c.pkg}/data.txt"]`, `[os.path.join("${c.pkg}", "data.txt"), "missing.txt"]`])]);
  if (r.chance(0.1)) fields.push(['builder', r.pick(['"default"', '"noop"', '"union"'])]);
  if (r.chance(0.05)) fields.push(['entrypoint', '[]']);
  if (r.chance(0.1)) fields.push(['conda_channels', strList(c)]);
  return fields;
}

/** Unsupported constructs: source text, and the offset in it of the sub-expression the error must point at. */
const UNSUPPORTED: ReadonlyArray<[string, number, string]> = [
  ['[p for p in ["a"]]', 0, 'packages'],
  ['"x" if True else "y"', 0, 'name'],
  ['"%s-x" % "a"', 0, 'name'],
  ['"-".join(["a", "b"])', 0, 'name'],
  ['f"py{sys.version_info.major}"', 5, 'name'],
  ['compute_name()', 0, 'name'],
  ['NAME0.upper()', 0, 'name'],
  ['{"a", "b"}', 0, 'packages'],
  ['10 ** 2', 0, 'builder_options'],
  ['b"bytes"', 0, 'name'],
  // LOADED_MODULES (the default) with an absolute root hashes what pyflyte imported: the error is on the keyword.
  ['os.path.dirname(__file__)', -12, 'source_root'],
];

/** What flytekit refuses while the module is imported. */
const INVALID: ReadonlyArray<[string, string]> = [
  ['registry', '"ghcr.io/x:latest"'],
  ['secrets', '["a"]'],
  ['packages', '["a", 1]'],
  ['name', 'os.environ["{ENV}UNSET"]'],
  ['builder_options', '["x"]'],
  ['pip_secret_mounts', '[["a", "b"]]'],
];

function renderSpec(call: string, fields: Field[], indent: string, lines: string[], first: string): void {
  if (fields.length === 0) {
    lines.push(`${first}${call}()`);
    return;
  }
  lines.push(`${first}${call}(`);
  for (const [k, v] of fields) lines.push(`${indent}    ${k}=${v},`);
  lines.push(`${indent})`);
}

export function makeProject(seed: number, pkg: string): Project {
  const r = new Rng(seed);
  const envPrefix = `PYS_${pkg.toUpperCase()}_`;
  const env: Record<string, string | null> = {
    [`${envPrefix}A`]: r.chance(0.5) ? word(r) : null,
    [`${envPrefix}B`]: r.chance(0.5) ? word(r) : null,
    [`${envPrefix}REG`]: r.chance(0.5) ? r.pick(['Quay.io/Team', 'localhost:5000/x', 'ghcr.io/o']) : null,
    [`${envPrefix}UNSET`]: null,
  };
  const files: Record<string, string> = {};
  files[`${pkg}/__init__.py`] = '';

  // constants module
  const consts = ['NAME0', 'NAME1', 'TAG'];
  const cl: string[] = ['import os', ''];
  for (const k of consts) cl.push(`${k} = ${strLit(r)}`);
  cl.push(`REG = ${r.pick(['"ghcr.io/Acme"', '"localhost:30000"', '"docker.io/u"'])}`);
  cl.push(`PYV = ${r.pick(['3.10', '3.11', '"3.9"'])}`, 'PY_STR = "3.1" + "2"', `LIST_CONST = [${strLit(r)}]`);
  if (r.chance(0.3)) cl.push(`TAG += ${strLit(r)}`);
  files[`${pkg}/consts.py`] = cl.join('\n') + '\n';

  // images module
  files[`${pkg}/requirements.txt`] = `numpy==1.26.4\n${word(r)}\n`;
  files[`${pkg}/data.txt`] = word(r);
  const c: Ctx = { r, consts, env, constModule: 'C', pkg, envPrefix };
  const il: string[] = ['import os', 'import sys', 'from pathlib import Path'];
  const style = r.int(3);
  const isCall = style === 0 ? 'ImageSpec' : style === 1 ? 'fl.ImageSpec' : 'ImageSpec';
  il.push(
    style === 0
      ? 'from flytekit import ImageSpec'
      : style === 1
        ? 'import flytekit as fl'
        : 'from flytekit.image_spec.image_spec import ImageSpec',
    'from flytekit.image_spec.image_spec import CopyFileDetection',
    r.chance(0.5) ? `from .consts import NAME0, NAME1, TAG, REG, PYV, PY_STR, LIST_CONST` : `from ${pkg}.consts import *`,
    r.chance(0.5) ? `from . import consts as C` : `import ${pkg}.consts as C`,
    '',
    'def compute_name():',
    '    return "x"',
    '',
  );
  let unsupportedAt: Project['unsupportedAt'];
  let invalid: string | undefined;
  const inject = r.int(10); // 0: unsupported, 1: invalid, else clean
  const specNames: string[] = [];
  const nSpecs = 1 + r.int(3);
  for (let i = 0; i < nSpecs; i++) {
    const fields = specFields(c);
    if (i === 0 && inject === 0) {
      const [text, off, field] = r.pick(UNSUPPORTED);
      const at = fields.findIndex(([k]) => k === field);
      if (at >= 0) fields[at] = [field, text];
      else fields.push([field, text]);
      if (field === 'source_root') fields.splice(0, fields.length, ...fields.filter(([k]) => k !== 'source_copy_mode'));
      const idx = fields.findIndex(([k]) => k === field);
      // Lines so far + the call line + idx fields, 1-based.
      unsupportedAt = { file: `${pkg}/images.py`, line: il.length + 2 + idx, col: 4 + field.length + 1 + off + 1, what: text };
    }
    if (i === 0 && inject === 1) {
      const [field, pattern] = r.pick(INVALID);
      const text = pattern.replace('{ENV}', c.envPrefix);
      const at = fields.findIndex(([k]) => k === field);
      if (at >= 0) fields[at] = [field, text];
      else fields.push([field, text]);
      invalid = `${field}=${text}`;
    }
    renderSpec(isCall, fields, '', il, `S${i} = `);
    specNames.push(`S${i}`);
  }
  // derived specs
  if (r.chance(0.6)) {
    const src = r.pick(specNames);
    const ops: string[] = [];
    const nOps = 1 + r.int(3);
    for (let j = 0; j < nOps; j++) {
      ops.push(
        r.pick([
          `.with_packages(${r.chance(0.5) ? strExpr(c) : strList(c)})`,
          `.with_apt_packages(${strExpr(c)})`,
          `.with_commands(${strList(c)})`,
          `.with_builder_options(${dictExpr(c)})`,
          `.with_runtime_packages([${strLit(r)}])`,
          '.force_push()',
          '.with_copy([])',
          `.with_copy("${pkg}/data.txt")`,
        ]),
      );
    }
    il.push(`D0 = ${src}${ops.join('')}`);
    specNames.push('D0');
  }
  if (r.chance(0.4)) {
    const base = r.chance(0.7) ? r.pick(specNames) : `${r.pick(specNames)}.with_packages("extra")`;
    const fields = specFields(c).filter(([k]) => k !== 'builder');
    fields.push(['base_image', base]);
    renderSpec(isCall, fields, '', il, 'N0 = ');
    specNames.push('N0');
  }
  if (r.chance(0.3)) {
    il.push(`SPECS = [${isCall}(name=${strLit(r)}), ${isCall}(name="l1", packages=${strList(c)})]`);
    specNames.push('SPECS[1]', 'SPECS[-2]');
  }
  if (r.chance(0.2)) il.push(`ALIAS = ${specNames[0]}`);
  if (r.chance(0.25)) {
    // **-unpacking of a module-level dict, += on a list, positional arguments, a spec's own field.
    il.push(`COMMON = dict(registry=REG, python_version=${r.pick(['"3.11"', 'PYV', '3.10'])})`);
    il.push(`EXTRA = [${strLit(r)}]`, `EXTRA += [${strExpr(c)}]`);
    il.push(`K0 = ${isCall}(${strLit(r)}, **COMMON, packages=EXTRA)`);
    il.push(`R0 = ${isCall}(name="r0", registry=S0.registry, env={**{"A": "1"}, "B": S0.name})`);
    specNames.push('K0', 'R0');
  }
  files[`${pkg}/images.py`] = il.join('\n') + '\n';

  // task modules
  const taskModule = (rel: string, level: string, depthPkg: string): string => {
    const tl: string[] = [
      'import os',
      'from pathlib import Path',
      'import flytekit',
      'from flytekit import task, dynamic, eager, ContainerTask, ImageSpec',
    ];
    const imp = r.int(3);
    const ref = (n: string): string => {
      const m = /^(\w+)(.*)$/.exec(n) as RegExpExecArray;
      return imp === 2 ? `images.${m[1]}${m[2]}` : n;
    };
    const roots = [...new Set(specNames.map((n) => (/^\w+/.exec(n) as RegExpExecArray)[0]))];
    if (imp === 0) tl.push(`from ${level}images import ${roots.join(', ')}`);
    else if (imp === 1) tl.push(`from ${depthPkg}.images import ${roots.join(', ')}`);
    else tl.push(level === '.' ? 'from . import images' : `from ${depthPkg} import images`);
    tl.push(`from ${level}consts import NAME0, NAME1, TAG, REG, PYV, PY_STR, LIST_CONST`, '');
    const tc: Ctx = { r, consts, env, pkg, envPrefix };
    const nTasks = 1 + r.int(3);
    for (let t = 0; t < nTasks; t++) {
      const kind = r.int(6);
      let image = ref(r.pick(specNames));
      if (r.chance(0.15)) image = `${image}.with_packages(${strExpr(tc)})`;
      if (r.chance(0.1)) {
        const lines: string[] = [];
        renderSpec(
          'ImageSpec',
          specFields(tc).filter(([k]) => k !== 'source_root' && k !== 'source_copy_mode'),
          '    ',
          lines,
          '',
        );
        image = lines.join('\n');
      }
      if (r.chance(0.05)) image = '"ghcr.io/prebuilt/x:1"';
      if (kind === 0) tl.push(`@dynamic(container_image=${image})`, `def t${t}() -> None:`, '    ...');
      else if (kind === 1) tl.push(`@eager(container_image=${image})`, `async def t${t}() -> None:`, '    ...');
      else if (kind === 2)
        tl.push(`ct${t} = ContainerTask(name="${pkg}_${rel.replace(/\W/g, '_')}_ct${t}", image=${image}, command=["echo"])`);
      else if (kind === 3) tl.push(`@flytekit.task(container_image=${image})`, `def t${t}() -> None:`, '    ...');
      else tl.push(`@task(container_image=${image})`, `def t${t}() -> None:`, '    ...');
      tl.push('');
    }
    return tl.join('\n') + '\n';
  };
  files[`${pkg}/tasks.py`] = taskModule('tasks', '.', pkg);
  const modules = [`${pkg}.consts`, `${pkg}.images`, `${pkg}.tasks`];
  if (r.chance(0.3)) {
    files[`${pkg}/sub/__init__.py`] = '';
    files[`${pkg}/sub/more.py`] = taskModule('sub_more', '..', pkg);
    // Inline specs there may name a requirements file next to the module.
    files[`${pkg}/sub/requirements.txt`] = 'pandas\n';
    modules.push(`${pkg}.sub.more`);
  }
  return { pkg, files, modules, env, unsupportedAt, invalid };
}

export const projectSeeds = fc.integer({ min: -0x80000000, max: 0x7fffffff });
