import type { Alias, ExprNode, StmtNode } from 'py-ast';
import * as path from 'node:path';
import type { Where } from '../errors';
import type { ImageSpec } from '../imagespec/types';
import { describe } from './convert';
import { invalid, PythonSpecError, unsupported } from './errors';
import { add, evaluate, Scope, snippet, where } from './evaluate';
import { isLibraryModule, LIBRARY_EXPORTS, PYTHON_BUILTINS, TASK_DECORATORS } from './libraries';
import { parseModule, ParsedModule } from './parse';
import type { Argument } from './specOps';
import { Binding, SpecObject, Val } from './values';

/** How the program reads the repository: relative POSIX paths under the root, undefined when absent. */
export interface SourceReader {
  read(rel: string): string | undefined;
  isFile(rel: string): boolean;
  isDir(rel: string): boolean;
}

export interface ProgramOptions {
  /** Absolute repository root; `__file__` is `<root>/<rel>`. */
  root: string;
  env: Readonly<Record<string, string>>;
  hostMachine: string;
  reader: SourceReader;
}

interface ModuleState {
  name: string;
  /** Repository-relative POSIX path of the file. */
  rel: string;
  parsed?: ParsedModule;
  globals: Map<string, Binding>;
  state: 'running' | 'done';
}

const WITH_METHODS = /^(with_(packages|apt_packages|commands|copy|builder_options|runtime_packages)|force_push|from_env)$/;

/** Executes module-level code of the repository's Python modules, as far as the static engine understands it. */
export class Program {
  readonly specs: SpecObject[] = [];
  private readonly errors = new Map<string, PythonSpecError>();
  private readonly modules = new Map<string, ModuleState>();
  private serial = 0;

  constructor(private readonly opts: ProgramOptions) {}

  /** Errors that concern ImageSpecs, each once. */
  errorList(): PythonSpecError[] {
    return [...this.errors.values()];
  }

  report(e: PythonSpecError): void {
    const k = `${e.file}:${e.line}:${e.col}:${e.message}`;
    if (!this.errors.has(k)) this.errors.set(k, e);
  }

  /** The module name pyflyte gives a file: its path from the first ancestor without `__init__.py`. */
  moduleName(rel: string): string {
    const parts = rel.replace(/\.py$/, '').split('/');
    if (parts[parts.length - 1] === '__init__') parts.pop();
    let depth = parts.length - 1;
    let dir = path.posix.dirname(rel);
    while (depth > 0 && dir !== '.' && this.opts.reader.isFile(`${dir}/__init__.py`)) {
      depth--;
      dir = path.posix.dirname(dir);
    }
    return parts.slice(depth).join('.');
  }

  /** Run a module once (an import of a module still running gets its partial globals, as in Python). */
  load(rel: string): ModuleState {
    const known = this.modules.get(rel);
    if (known) return known;
    const st: ModuleState = { name: this.moduleName(rel), rel, globals: new Map(), state: 'running' };
    this.modules.set(rel, st);
    const text = this.opts.reader.read(rel);
    if (text === undefined) {
      throw new PythonSpecError('cannot read the module', { file: rel, line: 1 }, 'unreadable');
    }
    st.parsed = parseModule(text, rel);
    this.execBlock(st.parsed.module.body, st);
    st.state = 'done';
    return st;
  }

  private scope(st: ModuleState): Scope {
    const parsed = st.parsed as ParsedModule;
    return {
      parsed,
      env: this.opts.env,
      hostMachine: this.opts.hostMachine,
      lookup: (name, at) => this.lookup(st, name, at),
      moduleAttr: (m, attr, at) => this.moduleAttr(m, attr, at),
      newSpec: (spec, at) => this.newSpec(st, spec, at),
      containerTask: (args, at) => this.containerTask(st, args, at),
    };
  }

  private lookup(st: ModuleState, name: string, at: Where): Val {
    const b = st.globals.get(name);
    if (b) {
      if (b.ok) return b.val;
      throw b.err;
    }
    if (name === '__file__') return { t: 'py', v: { kind: 'str', value: path.posix.join(this.opts.root, st.rel) } };
    if (name === '__name__') return { t: 'py', v: { kind: 'str', value: st.name } };
    if (name in PYTHON_BUILTINS) return { t: 'builtin', name: PYTHON_BUILTINS[name] };
    throw unsupported(`the name ${name}`, at, 'it is not a module-level name the static engine could evaluate');
  }

  private newSpec(st: ModuleState, spec: ImageSpec, at: Where): Val {
    const obj: SpecObject = {
      serial: ++this.serial,
      spec,
      origin: { file: st.rel, module: st.name, line: at.line ?? 1, col: at.col ?? 1 },
      usedBy: [],
    };
    this.specs.push(obj);
    return { t: 'spec', obj };
  }

  /** The name of the task being defined while its decorators or ContainerTask call are evaluated. */
  private currentTarget?: string;

  private containerTask(st: ModuleState, args: Argument[], _at: Where): Val {
    const image = args.find((a) => a.name === 'image') ?? args.filter((a) => a.name === undefined)[1];
    const nameArg = args.find((a) => a.name === 'name') ?? args.filter((a) => a.name === undefined)[0];
    const taskName =
      nameArg?.val.t === 'py' && nameArg.val.v.kind === 'str' ? nameArg.val.v.value : `${st.name}.${this.currentTarget ?? 'ContainerTask'}`;
    if (image) this.useImage(st, image.val, taskName, image.where);
    return { t: 'opaque', what: 'a ContainerTask' };
  }

  private useImage(st: ModuleState, image: Val, taskName: string, at: Where): void {
    if (image.t === 'spec') {
      if (!image.obj.usedBy.includes(taskName)) image.obj.usedBy.push(taskName);
      if (!image.obj.boundName && this.currentTarget) image.obj.boundName = `${st.name}.${this.currentTarget}`;
      return;
    }
    // A string image (`"ghcr.io/x:1"`, `"{{.image.default}}"`) is not an ImageSpec: nothing to build.
    if (image.t === 'py' && (image.v.kind === 'str' || image.v.kind === 'none')) return;
    this.report(unsupported(`a task image that is ${describe(image)}`, at));
  }

  private moduleAttr(m: Val & { t: 'module' }, attr: string, at: Where): Val {
    if (!m.repo) {
      const sub = `${m.name}.${attr}`;
      if (isLibraryModule(sub)) return { t: 'module', name: sub, repo: false };
      const b = LIBRARY_EXPORTS[m.name]?.[attr];
      return b ? { t: 'builtin', name: b } : { t: 'opaque', what: `${m.name}.${attr}` };
    }
    // m.name is a repository-relative path without extension for repository modules.
    const sub = this.findRepoModule(`${m.name}/${attr}`);
    const own = this.findRepoModule(m.name);
    if (own && own.endsWith('.py')) {
      const st = this.load(own);
      const b = st.globals.get(attr);
      if (b) {
        if (b.ok) return b.val;
        throw b.err;
      }
    }
    if (sub) return this.moduleVal(sub);
    throw unsupported(`the attribute ${attr} of module ${m.name.replace(/\//g, '.')}`, at, 'the module does not assign it at module level');
  }

  /** `base` (relative path without extension) as a module file or a package directory, if the repository has one. */
  private findRepoModule(base: string): string | undefined {
    if (this.opts.reader.isFile(`${base}.py`)) return `${base}.py`;
    if (this.opts.reader.isFile(`${base}/__init__.py`)) return `${base}/__init__.py`;
    if (this.opts.reader.isDir(base)) return base;
    return undefined;
  }

  private moduleVal(found: string): Val {
    return { t: 'module', name: found.replace(/(\/__init__)?\.py$/, ''), repo: true };
  }

  /** Resolve `import a.b` / `from ..a import b`: library modules, then the repository (importer's root, then the repository root). */
  private resolveImport(st: ModuleState, dotted: string, level: number, at: Where): Val {
    if (level === 0 && isLibraryModule(dotted)) return { t: 'module', name: dotted, repo: false };
    const segs = dotted ? dotted.split('.') : [];
    const bases: string[] = [];
    if (level > 0) {
      let dir = path.posix.dirname(st.rel);
      for (let i = 1; i < level; i++) dir = path.posix.dirname(dir);
      bases.push(dir);
    } else {
      const depth = st.name.split('.').length - 1;
      let dir = path.posix.dirname(st.rel);
      if (st.rel.endsWith('__init__.py')) dir = path.posix.dirname(dir);
      for (let i = 0; i < depth; i++) dir = path.posix.dirname(dir);
      bases.push(dir, '.');
    }
    for (const b of bases) {
      const rel = path.posix.normalize([b, ...segs].join('/'));
      if (rel.startsWith('..')) continue;
      const found = this.findRepoModule(rel === '' ? '.' : rel);
      if (found && found !== '.') return this.moduleVal(found);
    }
    const top = segs[0] ?? '';
    if (level === 0 && (top === 'flytekit' || top === 'union' || top === 'os' || top === 'pathlib')) {
      return { t: 'opaque', what: `module ${dotted}` };
    }
    if (level > 0) throw invalid(`cannot resolve the relative import of ${'.'.repeat(level)}${dotted} in the repository`, at);
    return { t: 'opaque', what: `module ${dotted} (not part of the repository)` };
  }

  private importName(from: Val, alias: Alias, at: Where): Binding {
    try {
      if (from.t === 'module') return { ok: true, val: this.moduleAttr(from, alias.name, at) };
      return { ok: true, val: { t: 'opaque', what: `${alias.name} from ${describe(from)}` } };
    } catch (e) {
      if (e instanceof PythonSpecError) return { ok: false, err: e };
      throw e;
    }
  }

  private bind(st: ModuleState, name: string, b: Binding): void {
    // `img = img.with_copy(...)`: the name leaves the object it held, as in Python, where flytekit
    // only ever sees the new one under it.
    const old = st.globals.get(name);
    if (old?.ok && old.val.t === 'spec' && old.val.obj.boundName === `${st.name}.${name}`) old.val.obj.boundName = undefined;
    st.globals.set(name, b);
    if (!b.ok) return;
    const label = (v: Val, n: string) => {
      if (v.t === 'spec' && !v.obj.boundName) v.obj.boundName = `${st.name}.${n}`;
      if (v.t === 'seq') v.items.forEach((x, i) => label(x, `${n}.${i}`));
      if (v.t === 'map') v.entries.forEach(([k, x], i) => label(x, `${n}.${k.t === 'py' && k.v.kind === 'str' ? k.v.value : i}`));
    };
    label(b.val, name);
  }

  /** Evaluate, keeping the error as the binding's value; an error in an expression that builds an ImageSpec is reported at once. */
  private tryEval(st: ModuleState, node: ExprNode): Binding {
    try {
      return { ok: true, val: evaluate(node, this.scope(st)) };
    } catch (e) {
      if (!(e instanceof PythonSpecError)) throw e;
      if (this.mentionsImageSpec(st, node)) this.report(e);
      return { ok: false, err: e };
    }
  }

  /** Whether an expression visibly builds an ImageSpec: a call of a name bound to ImageSpec, or a `.with_*()` method. */
  private mentionsImageSpec(st: ModuleState, node: ExprNode | StmtNode[]): boolean {
    let found = false;
    const visit = (n: unknown): void => {
      if (found || n === null || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(visit);
      const o = n as { nodeType?: string; func?: { nodeType: string; id?: string; attr?: string } };
      if (o.nodeType === 'Call' && o.func) {
        const f = o.func;
        if (f.nodeType === 'Attribute' && f.attr && (f.attr === 'ImageSpec' || WITH_METHODS.test(f.attr))) found = true;
        if (f.nodeType === 'Name' && f.id) {
          const b = st.globals.get(f.id);
          if (b?.ok && b.val.t === 'builtin' && b.val.name === 'ImageSpec') found = true;
        }
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'func' || o.nodeType !== 'Call') visit(v);
      if (o.nodeType === 'Call') visit(o.func);
    };
    visit(node);
    return found;
  }

  private assignTarget(st: ModuleState, target: ExprNode, b: Binding): void {
    if (target.nodeType === 'Name') return this.bind(st, target.id, b);
    if (target.nodeType === 'Tuple' || target.nodeType === 'List') {
      const names = target.elts;
      const parsed = st.parsed as ParsedModule;
      names.forEach((t, i) => {
        if (!b.ok) return this.assignTarget(st, t, b);
        const v = b.val;
        if (v.t !== 'seq' || v.items.length !== names.length || t.nodeType === 'Starred') {
          const p = parsed.pos(target);
          return this.assignTarget(st, t, {
            ok: false,
            err: unsupported('this unpacking assignment', { file: st.rel, line: p.line, col: p.col }),
          });
        }
        this.assignTarget(st, t, { ok: true, val: v.items[i] });
      });
    }
    // Attribute and subscript targets change objects the static engine does not track.
  }

  private execBlock(body: StmtNode[], st: ModuleState): void {
    for (const s of body) this.exec(s, st);
  }

  private exec(s: StmtNode, st: ModuleState): void {
    const parsed = st.parsed as ParsedModule;
    const at = (n: Parameters<ParsedModule['pos']>[0]): Where => ({ file: st.rel, ...parsed.pos(n) });
    switch (s.nodeType) {
      case 'Import':
        for (const a of s.names) {
          const top = a.asname ? a.name : a.name.split('.')[0];
          let val: Binding;
          try {
            val = { ok: true, val: this.resolveImport(st, a.asname ? a.name : top, 0, at(a)) };
            // `import a.b` also imports a.b, which may run code that defines specs.
            if (!a.asname && a.name !== top) this.resolveImport(st, a.name, 0, at(a));
          } catch (e) {
            if (!(e instanceof PythonSpecError)) throw e;
            val = { ok: false, err: e };
          }
          this.bind(st, a.asname ?? top, val);
        }
        return;
      case 'ImportFrom': {
        let from: Val;
        try {
          from = this.resolveImport(st, s.module ?? '', s.level ?? 0, at(s));
        } catch (e) {
          if (!(e instanceof PythonSpecError)) throw e;
          for (const a of s.names) this.bind(st, a.asname ?? a.name, { ok: false, err: e });
          return;
        }
        for (const a of s.names) {
          if (a.name === '*') {
            this.importStar(st, from);
            continue;
          }
          this.bind(st, a.asname ?? a.name, this.importName(from, a, at(a)));
        }
        return;
      }
      case 'Assign': {
        const target = s.targets.length === 1 && s.targets[0].nodeType === 'Name' ? s.targets[0].id : undefined;
        this.currentTarget = target;
        const b = this.tryEval(st, s.value);
        this.currentTarget = undefined;
        for (const t of s.targets) this.assignTarget(st, t, b);
        this.checkTaskEnvironment(st, s.value);
        return;
      }
      case 'AnnAssign':
        if (s.value) {
          this.currentTarget = s.target.nodeType === 'Name' ? s.target.id : undefined;
          const b = this.tryEval(st, s.value);
          this.currentTarget = undefined;
          this.assignTarget(st, s.target, b);
        }
        return;
      case 'AugAssign': {
        if (s.target.nodeType !== 'Name') return;
        const name = s.target.id;
        let b: Binding;
        try {
          if (s.op.nodeType !== 'Add') throw unsupported(`the augmented assignment ${s.op.nodeType}=`, at(s));
          const scope = this.scope(st);
          b = { ok: true, val: add(scope.lookup(name, at(s.target)), evaluate(s.value, scope), at(s)) };
        } catch (e) {
          if (!(e instanceof PythonSpecError)) throw e;
          b = { ok: false, err: e };
        }
        this.bind(st, name, b);
        return;
      }
      case 'FunctionDef':
      case 'AsyncFunctionDef':
        this.defineFunction(s, st);
        return;
      case 'ClassDef':
        this.bind(st, s.name, { ok: true, val: { t: 'opaque', what: `class ${s.name}` } });
        return;
      case 'Expr':
        if (this.mentionsImageSpec(st, s.value) || this.mentionsContainerTask(s.value)) this.tryEval(st, s.value);
        this.checkTaskEnvironment(st, s.value);
        return;
      case 'Try':
        // The body is assumed to succeed (the imports it guards are installed where pyflyte runs).
        this.execBlock(s.body, st);
        this.execBlock(s.orelse, st);
        this.execBlock(s.finalbody, st);
        return;
      case 'If':
        if (this.isMainGuard(s.test) || this.isTypeChecking(s.test)) return;
        this.skipBlock(
          [...s.body, ...s.orelse],
          st,
          unsupported('a name assigned inside an if statement', at(s), 'only straight-line module code is followed'),
        );
        return;
      case 'For':
      case 'AsyncFor':
      case 'While':
      case 'With':
      case 'AsyncWith':
      case 'Match':
        this.skipBlock(
          [s],
          st,
          unsupported(
            `a name assigned inside a ${s.nodeType.replace('Async', 'async ').toLowerCase()} statement`,
            at(s),
            'only straight-line module code is followed',
          ),
        );
        return;
      default:
        return;
    }
  }

  /**
   * A call the engine does not know that takes `container_image` (union's `ActorEnvironment`, a
   * project's own task factory) gives that image to tasks the engine cannot see: say so, rather
   * than list the spec as unused.
   */
  private checkTaskEnvironment(st: ModuleState, node: ExprNode): void {
    if (node.nodeType !== 'Call' || !node.keywords.some((k) => k.arg === 'container_image')) return;
    // Outside decorator position even flytekit's own `task(fn, container_image=...)` is not followed.
    const scope = this.scope(st);
    this.report(
      unsupported(
        `the call ${snippet(scope, node.func)}(container_image=...)`,
        where(scope, node),
        'the tasks it makes are not followed statically',
      ),
    );
  }

  private mentionsContainerTask(node: ExprNode): boolean {
    return (
      node.nodeType === 'Call' &&
      ((node.func.nodeType === 'Name' && node.func.id === 'ContainerTask') ||
        (node.func.nodeType === 'Attribute' && node.func.attr === 'ContainerTask'))
    );
  }

  private isMainGuard(test: ExprNode): boolean {
    return (
      test.nodeType === 'Compare' &&
      test.left.nodeType === 'Name' &&
      test.left.id === '__name__' &&
      test.comparators.length === 1 &&
      test.comparators[0].nodeType === 'Constant' &&
      test.comparators[0].value === '__main__'
    );
  }

  private isTypeChecking(test: ExprNode): boolean {
    return (test.nodeType === 'Name' && test.id === 'TYPE_CHECKING') || (test.nodeType === 'Attribute' && test.attr === 'TYPE_CHECKING');
  }

  /**
   * Code the static engine does not run: the names it assigns may hold anything, so using them is
   * an error, and an ImageSpec built there is reported (it would be missed otherwise).
   */
  private skipBlock(stmts: StmtNode[], st: ModuleState, err: PythonSpecError): void {
    if (this.mentionsImageSpec(st, stmts)) this.report(err);
    this.poisonAssigned(stmts, st, err);
  }

  private poisonAssigned(stmts: unknown, st: ModuleState, err: PythonSpecError): void {
    const visit = (n: unknown): void => {
      if (n === null || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(visit);
      const o = n as { nodeType?: string; id?: string; ctx?: { nodeType: string }; name?: string; asname?: string };
      if (o.nodeType === 'Name' && o.ctx?.nodeType === 'Store' && o.id) st.globals.set(o.id, { ok: false, err });
      if ((o.nodeType === 'FunctionDef' || o.nodeType === 'AsyncFunctionDef' || o.nodeType === 'ClassDef') && o.name) {
        st.globals.set(o.name, { ok: false, err });
        return;
      }
      if (o.nodeType === 'Alias' && o.name) st.globals.set(o.asname ?? o.name.split('.')[0], { ok: false, err });
      for (const v of Object.values(n)) visit(v);
    };
    visit(stmts);
  }

  private importStar(st: ModuleState, from: Val): void {
    if (from.t !== 'module') return;
    if (!from.repo) {
      for (const [k, b] of Object.entries(LIBRARY_EXPORTS[from.name] ?? {}))
        st.globals.set(k, { ok: true, val: { t: 'builtin', name: b } });
      return;
    }
    const file = this.findRepoModule(from.name);
    if (!file?.endsWith('.py')) return;
    for (const [k, b] of this.load(file).globals) if (!k.startsWith('_')) st.globals.set(k, b);
  }

  private defineFunction(s: Extract<StmtNode, { nodeType: 'FunctionDef' | 'AsyncFunctionDef' }>, st: ModuleState): void {
    const scope = this.scope(st);
    const taskName = `${st.name}.${s.name}`;
    for (const d of s.decorator_list) {
      if (d.nodeType !== 'Call') continue;
      const image = d.keywords.find((k) => k.arg === 'container_image');
      if (!image) continue;
      let fn: Val;
      try {
        fn = evaluate(d.func, scope);
      } catch (e) {
        if (!(e instanceof PythonSpecError)) throw e;
        fn = { t: 'opaque', what: 'an unknown decorator' };
      }
      if (fn.t !== 'builtin' || !TASK_DECORATORS.has(fn.name)) {
        // A decorator that takes container_image but is not one the engine knows may well make a task.
        this.report(
          unsupported(
            `the decorator ${snippet(scope, d.func)}`,
            where(scope, d.func),
            'it takes container_image, but is not a flytekit task decorator the static engine knows',
          ),
        );
        continue;
      }
      this.currentTarget = s.name;
      try {
        this.useImage(st, evaluate(image.value, scope), taskName, where(scope, image.value));
      } catch (e) {
        if (!(e instanceof PythonSpecError)) throw e;
        this.report(e);
      } finally {
        this.currentTarget = undefined;
      }
    }
    this.bind(st, s.name, { ok: true, val: { t: 'opaque', what: `function ${s.name}` } });
  }
}
