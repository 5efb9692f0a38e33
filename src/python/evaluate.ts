import type { ExprNode, Keyword } from 'py-ast';
import type { Where } from '../errors';
import { pyFormat, PyFormatError } from '../py/format';
import { pyAscii, pyRepr, pyStr, reprStr } from '../py/repr';
import { isPrintable } from '../py/unicode';
import type { PyValue } from '../py/value';
import type { ImageSpec } from '../imagespec/types';
import { describe, sameKey, toPy } from './convert';
import { invalid, unsupported } from './errors';
import { numberLiteral, stringLiteral } from './literals';
import type { ParsedModule } from './parse';
import { pathJoin, pathNorm, pathParent, pathName, posixDirname, posixJoin } from './paths';
import { Argument, constructSpec, updateAttribute, UPDATE_METHODS } from './specOps';
import { py, Val } from './values';

type Node<K extends ExprNode['nodeType']> = Extract<ExprNode, { nodeType: K }>;

/** What the evaluator needs from the program around it (module bindings, imports, the environment). */
export interface Scope {
  parsed: ParsedModule;
  /** A module-level name, a builtin, or a thrown error naming it. */
  lookup(name: string, where: Where): Val;
  /** `module.attr` for a module value. */
  moduleAttr(module: Val & { t: 'module' }, attr: string, where: Where): Val;
  /** The step's environment, as `os.environ` sees it. */
  env: Readonly<Record<string, string>>;
  hostMachine: string;
  /** Registers a new ImageSpec object created at `where`. */
  newSpec(spec: ImageSpec, where: Where): Val;
  /** `ContainerTask(...)` was called with these arguments. */
  containerTask(args: Argument[], where: Where): Val;
}

/** Names of Python constructs the static engine refuses, for messages. */
const CONSTRUCT_NAMES: Partial<Record<ExprNode['nodeType'], string>> = {
  ListComp: 'a list comprehension',
  SetComp: 'a set comprehension',
  DictComp: 'a dict comprehension',
  GeneratorExp: 'a generator expression',
  IfExp: 'a conditional expression (x if c else y)',
  BoolOp: 'an and/or expression',
  Compare: 'a comparison',
  Lambda: 'a lambda',
  NamedExpr: 'an assignment expression (:=)',
  Await: 'await',
  Yield: 'yield',
  YieldFrom: 'yield from',
  Set: 'a set',
  Slice: 'a slice',
  Starred: 'a starred expression',
  TemplateStr: 'a template string',
};

export function where(scope: Scope, node: ExprNode | Keyword, field?: string): Where {
  const p = scope.parsed.pos(node);
  return { file: scope.parsed.file, line: p.line, col: p.col, field };
}

/** The source text of a node, shortened, for messages about it. */
export function snippet(scope: Scope, node: ExprNode): string {
  const chars = Array.from(scope.parsed.segment(node).replace(/\s+/g, ' '));
  const short = chars.length > 60 ? [...chars.slice(0, 57), '...'] : chars;
  // Source text reaches logs and annotations: characters Python would not print are escaped.
  return short.map((ch) => (isPrintable(ch.codePointAt(0) as number) ? ch : reprStr(ch).slice(1, -1))).join('');
}

export function evaluate(node: ExprNode, scope: Scope): Val {
  switch (node.nodeType) {
    case 'Constant':
      return constant(node, scope);
    case 'JoinedStr':
      return py({ kind: 'str', value: joinedStr(node, scope) });
    case 'Name':
      return scope.lookup(node.id, where(scope, node));
    case 'Attribute':
      return attribute(evaluate(node.value, scope), node, scope);
    case 'Subscript':
      return subscript(node, scope);
    case 'BinOp':
      return binOp(node, scope);
    case 'UnaryOp':
      return unaryOp(node, scope);
    case 'List':
    case 'Tuple':
      return { t: 'seq', kind: node.nodeType === 'List' ? 'list' : 'tuple', items: elements(node.elts, scope) };
    case 'Dict':
      return dictDisplay(node, scope);
    case 'Call':
      return call(node, scope);
    default:
      throw unsupported(CONSTRUCT_NAMES[node.nodeType] ?? `a ${node.nodeType} expression`, where(scope, node));
  }
}

function constant(node: Node<'Constant'>, scope: Scope): Val {
  const v = node.value as unknown;
  const at = where(scope, node);
  if (v === null) return py({ kind: 'none' });
  if (typeof v === 'boolean') return py({ kind: 'bool', value: v });
  if (typeof v === 'string') return py(stringLiteral(node, scope.parsed, at));
  return py(numberLiteral(scope.parsed.segment(node), at));
}

function joinedStr(node: Node<'JoinedStr'>, scope: Scope): string {
  let out = '';
  for (const part of node.values) {
    if (part.nodeType === 'Constant' && typeof part.value === 'string') out += part.value;
    else if (part.nodeType === 'FormattedValue') out += formattedValue(part, scope);
    else throw unsupported(`a ${part.nodeType} inside an f-string`, where(scope, part));
    bounded(out.length, where(scope, node));
  }
  return out;
}

function formattedValue(node: Node<'FormattedValue'>, scope: Scope): string {
  const val = evaluate(node.value, scope);
  const at = where(scope, node.value);
  const asStr = (v: Val): PyValue => (v.t === 'path' ? { kind: 'str', value: v.value } : toPy(v, at));
  const value = asStr(val);
  let text: string | undefined;
  // Conversions are the ASCII codes of s, r, a, as in CPython's AST.
  if (node.conversion === 115) text = pyStr(value);
  else if (node.conversion === 114) text = val.t === 'path' ? `PosixPath(${pyRepr(value)})` : pyRepr(value);
  else if (node.conversion === 97) text = val.t === 'path' ? `PosixPath(${pyAscii(value)})` : pyAscii(value);
  const spec = node.format_spec ? joinedStrOf(node.format_spec, scope) : '';
  if (spec === '') return text ?? pyStr(value);
  if (text === undefined && value.kind !== 'str') {
    throw unsupported(`a format spec applied to ${value.kind}`, at, 'only strings are formatted statically');
  }
  try {
    return pyFormat(`{v:${spec.replace(/[{}]/g, (c) => c + c)}}`, { v: text ?? (value as { value: string }).value });
  } catch (e) {
    if (e instanceof PyFormatError) throw invalid(`the f-string cannot be formatted: ${e.pyType}: ${e.pyMessage}`, at);
    throw e;
  }
}

function joinedStrOf(node: ExprNode, scope: Scope): string {
  if (node.nodeType !== 'JoinedStr') throw unsupported('this format spec', where(scope, node));
  return joinedStr(node, scope);
}

function elements(elts: ExprNode[], scope: Scope): Val[] {
  const out: Val[] = [];
  for (const e of elts) {
    if (e.nodeType === 'Starred') {
      const v = evaluate(e.value, scope);
      if (v.t !== 'seq') throw unsupported(`unpacking ${describe(v)}`, where(scope, e));
      out.push(...v.items);
    } else out.push(evaluate(e, scope));
  }
  return out;
}

/** Insert with Python dict semantics: a repeated key keeps its first position and takes the last value. */
export function dictSet(entries: Array<[Val, Val]>, k: Val, v: Val): void {
  const i = entries.findIndex(([ek]) => sameKey(ek, k));
  if (i >= 0) entries[i] = [entries[i][0], v];
  else entries.push([k, v]);
}

function dictDisplay(node: Node<'Dict'>, scope: Scope): Val {
  const entries: Array<[Val, Val]> = [];
  node.keys.forEach((kn, i) => {
    const vn = node.values[i];
    if (kn === null) {
      const m = evaluate(vn, scope);
      if (m.t !== 'map') throw unsupported(`unpacking ${describe(m)} into a dict`, where(scope, vn));
      for (const [k, v] of m.entries) dictSet(entries, k, v);
      return;
    }
    const k = evaluate(kn, scope);
    if (k.t !== 'py' || !['str', 'int', 'float', 'bool', 'none'].includes(k.v.kind)) {
      throw unsupported(`${describe(k)} as a dict key`, where(scope, kn));
    }
    dictSet(entries, k, evaluate(vn, scope));
  });
  return { t: 'map', entries };
}

function attribute(base: Val, node: Node<'Attribute'>, scope: Scope): Val {
  const at = where(scope, node);
  const attr = node.attr;
  switch (base.t) {
    case 'module':
      return scope.moduleAttr(base, attr, at);
    case 'builtin':
      if (base.name === 'CopyFileDetection') {
        const members: Record<string, number> = { LOADED_MODULES: 1, ALL: 2, NO_COPY: 3 };
        if (!(attr in members)) throw invalid(`CopyFileDetection has no member ${attr} (AttributeError in flytekit)`, at);
        return py({ kind: 'enum', cls: 'CopyFileDetection', member: attr, value: members[attr] });
      }
      if (base.name === 'os.environ' && attr === 'get') return { t: 'builtin', name: 'os.environ.get' };
      if (base.name === 'ImageSpec' && attr === 'from_env') return { t: 'builtin', name: 'ImageSpec.from_env' };
      break;
    case 'spec':
      if (attr in UPDATE_METHODS || attr === 'force_push') return { t: 'method', self: base, name: attr };
      if (attr in base.obj.spec.values && attr !== 'base_image') return py(base.obj.spec.values[attr as keyof ImageSpec['values']]);
      break;
    case 'path':
      if (attr === 'parent') return { t: 'path', value: pathParent(base.value) };
      if (attr === 'name') return py({ kind: 'str', value: pathName(base.value) });
      break;
    default:
      break;
  }
  throw unsupported(`the attribute .${attr} of ${describe(base)}`, at);
}

function subscript(node: Node<'Subscript'>, scope: Scope): Val {
  const base = evaluate(node.value, scope);
  const at = where(scope, node);
  if (node.slice.nodeType === 'Slice') throw unsupported('a slice', where(scope, node.slice));
  const key = evaluate(node.slice, scope);
  if (base.t === 'builtin' && base.name === 'os.environ') {
    const name = envName(key, where(scope, node.slice));
    const v = scope.env[name];
    if (v === undefined)
      throw invalid(
        `os.environ[${pyRepr({ kind: 'str', value: name })}]: the environment variable is not set (KeyError when the module is imported)`,
        at,
      );
    return py({ kind: 'str', value: v });
  }
  if (base.t === 'seq' && key.t === 'py' && (key.v.kind === 'int' || key.v.kind === 'bool')) {
    const n = BigInt(key.v.kind === 'bool' ? Number(key.v.value) : key.v.value);
    const i = n < 0n ? BigInt(base.items.length) + n : n;
    if (i < 0n || i >= BigInt(base.items.length))
      throw invalid(`${base.kind} index out of range (IndexError when the module is imported)`, at);
    return base.items[Number(i)];
  }
  if (base.t === 'map') {
    const hit = base.entries.find(([k]) => sameKey(k, key));
    if (!hit) throw invalid('the key is not in the dict (KeyError when the module is imported)', at);
    return hit[1];
  }
  throw unsupported(`indexing ${describe(base)} with ${describe(key)}`, at);
}

function envName(key: Val, at: Where): string {
  if (key.t !== 'py' || key.v.kind !== 'str') throw unsupported(`an environment variable name that is ${describe(key)}`, at);
  return key.v.value;
}

function binOp(node: Node<'BinOp'>, scope: Scope): Val {
  const l = evaluate(node.left, scope);
  const r = evaluate(node.right, scope);
  const op = node.op.nodeType;
  const at = where(scope, node);
  if (op === 'Add') return add(l, r, at);
  if (op === 'Div' && (l.t === 'path' || r.t === 'path')) {
    const s = (v: Val) => (v.t === 'path' ? v.value : v.t === 'py' && v.v.kind === 'str' ? v.v.value : undefined);
    const a = s(l);
    const b = s(r);
    if (a !== undefined && b !== undefined) return { t: 'path', value: pathJoin(a, b) };
  }
  throw unsupported(`the operator ${op} on ${describe(l)} and ${describe(r)}`, at);
}

/**
 * Values larger than any real ImageSpec field: a hostile module can double a string sixty times
 * in sixty lines, which Python would also choke on; the engine stops early instead.
 */
export const MAX_VALUE_LENGTH = 1_000_000;

function bounded(n: number, at: Where): void {
  if (n > MAX_VALUE_LENGTH) throw unsupported(`a value longer than ${MAX_VALUE_LENGTH} characters or items`, at);
}

export function add(l: Val, r: Val, at: Where): Val {
  if (l.t === 'py' && r.t === 'py') {
    const a = l.v;
    const b = r.v;
    if (a.kind === 'str' && b.kind === 'str') {
      bounded(a.value.length + b.value.length, at);
      return py({ kind: 'str', value: a.value + b.value });
    }
    if (a.kind === 'int' && b.kind === 'int') return py({ kind: 'int', value: a.value + b.value });
    if (a.kind === 'float' && b.kind === 'float') return py({ kind: 'float', value: a.value + b.value });
  }
  if (l.t === 'seq' && r.t === 'seq' && l.kind === r.kind) {
    bounded(l.items.length + r.items.length, at);
    return { t: 'seq', kind: l.kind, items: [...l.items, ...r.items] };
  }
  throw unsupported(`+ on ${describe(l)} and ${describe(r)}`, at);
}

function unaryOp(node: Node<'UnaryOp'>, scope: Scope): Val {
  const v = evaluate(node.operand, scope);
  const op = node.op.nodeType;
  if (v.t === 'py' && (op === 'USub' || op === 'UAdd')) {
    if (v.v.kind === 'int') return py({ kind: 'int', value: op === 'USub' ? -v.v.value : v.v.value });
    if (v.v.kind === 'float') return py({ kind: 'float', value: op === 'USub' ? -v.v.value : v.v.value });
  }
  throw unsupported(`the operator ${op} on ${describe(v)}`, where(scope, node));
}

/**
 * The arguments of a call, evaluated. With `only`, just those positions and keywords (when no
 * `*`/`**` unpacking moves them): the rest of a call such as `ContainerTask(inputs=kwtypes(...))`
 * does not name an image, so it need not be understood.
 */
function argumentsOf(node: Node<'Call'>, scope: Scope, only?: { positions: number; names: readonly string[] }): Argument[] {
  const unpacks = node.args.some((a) => a.nodeType === 'Starred') || node.keywords.some((k) => k.arg === undefined);
  if (only && !unpacks) {
    return [
      ...node.args.slice(0, only.positions).map((a) => ({ val: evaluate(a, scope), where: where(scope, a) })),
      ...node.keywords
        .filter((k) => only.names.includes(k.arg as string))
        .map((k) => ({ name: k.arg, val: evaluate(k.value, scope), where: where(scope, k) })),
    ];
  }
  const out: Argument[] = [];
  for (const a of node.args) {
    if (a.nodeType === 'Starred') {
      const v = evaluate(a.value, scope);
      if (v.t !== 'seq') throw unsupported(`*-unpacking ${describe(v)}`, where(scope, a));
      for (const item of v.items) out.push({ val: item, where: where(scope, a) });
    } else out.push({ val: evaluate(a, scope), where: where(scope, a) });
  }
  for (const k of node.keywords) {
    if (k.arg === undefined) {
      const v = evaluate(k.value, scope);
      const at = where(scope, k);
      if (v.t !== 'map') throw unsupported(`**-unpacking ${describe(v)}`, at);
      for (const [key, val] of v.entries) {
        if (key.t !== 'py' || key.v.kind !== 'str') throw invalid('keywords must be strings (TypeError when the module is imported)', at);
        out.push({ name: key.v.value, val, where: at });
      }
    } else out.push({ name: k.arg, val: evaluate(k.value, scope), where: where(scope, k) });
  }
  return out;
}

function strArg(a: Argument | undefined, what: string, at: Where): string {
  if (!a) throw invalid(`${what} is missing (TypeError when the module is imported)`, at);
  if (a.val.t === 'path') return a.val.value;
  if (a.val.t !== 'py' || a.val.v.kind !== 'str') throw unsupported(`${what} that is ${describe(a.val)}`, a.where);
  return a.val.v.value;
}

function call(node: Node<'Call'>, scope: Scope): Val {
  const fn = evaluate(node.func, scope);
  const at = where(scope, node);
  const fail = () => unsupported(`the call ${snippet(scope, node)}`, at, `a call to ${describe(fn)}`);
  if (fn.t === 'builtin') {
    if (fn.name === 'ImageSpec.from_env') {
      throw unsupported('ImageSpec.from_env()', at, "it reads the running interpreter's version and installed packages");
    }
    // ContainerTask(name, image, command, inputs=..., ...): only the first two name an image.
    if (fn.name === 'ContainerTask') return scope.containerTask(argumentsOf(node, scope, { positions: 2, names: ['name', 'image'] }), at);
    const args = argumentsOf(node, scope);
    const positional = args.filter((a) => a.name === undefined);
    const named = (n: string) => args.find((a) => a.name === n);
    switch (fn.name) {
      case 'ImageSpec':
        return scope.newSpec(constructSpec(args, { file: scope.parsed.file, hostMachine: scope.hostMachine, call: at }), at);
      case 'os.environ.get':
      case 'os.getenv': {
        const key = args[0] ?? named('key');
        if (!key) throw invalid(`${fn.name}() needs a variable name (TypeError when the module is imported)`, at);
        const name = envName(key.val, key.where);
        const v = scope.env[name];
        if (v !== undefined) return py({ kind: 'str', value: v });
        return args[1]?.val ?? named('default')?.val ?? py({ kind: 'none' });
      }
      case 'os.path.join': {
        if (positional.length === 0 || positional.length !== args.length) throw fail();
        return py({ kind: 'str', value: posixJoin(positional.map((a, i) => strArg(a, `argument ${i + 1} of os.path.join`, at))) });
      }
      case 'os.path.dirname':
        return py({ kind: 'str', value: posixDirname(strArg(positional[0], 'the argument of os.path.dirname', at)) });
      case 'os.path.abspath': {
        const p = strArg(positional[0], 'the argument of os.path.abspath', at);
        if (!p.startsWith('/')) throw unsupported('os.path.abspath of a relative path', at, 'it depends on the directory pyflyte runs in');
        return py({ kind: 'str', value: pathNorm(p) });
      }
      case 'os.fspath':
        return py({ kind: 'str', value: strArg(positional[0], 'the argument of os.fspath', at) });
      case 'Path': {
        if (positional.length !== args.length) throw fail();
        let p = '';
        positional.forEach((a, i) => (p = pathJoin(p, strArg(a, `argument ${i + 1} of Path()`, at))));
        return { t: 'path', value: pathJoin('', p) };
      }
      case 'str': {
        if (args.length === 0) return py({ kind: 'str', value: '' });
        if (args.length !== 1 || args[0].name !== undefined) throw fail();
        const v = args[0].val;
        return py({ kind: 'str', value: v.t === 'path' ? v.value : pyStr(toPy(v, args[0].where)) });
      }
      case 'dict': {
        if (positional.length > 0) throw fail();
        const entries: Array<[Val, Val]> = [];
        for (const a of args) dictSet(entries, py({ kind: 'str', value: a.name as string }), a.val);
        return { t: 'map', entries };
      }
      default:
        throw fail();
    }
  }
  if (fn.t === 'method' && fn.self.t === 'spec') {
    const spec = fn.self.obj.spec;
    const ctx = { file: scope.parsed.file, hostMachine: scope.hostMachine, call: at };
    const args = argumentsOf(node, scope);
    if (fn.name === 'force_push') {
      if (args.length) throw invalid('force_push() takes no arguments (TypeError when the module is imported)', at);
      // A deep copy with `_is_force_push` set: a new object with the same fields and name.
      return scope.newSpec(spec, at);
    }
    const field = UPDATE_METHODS[fn.name];
    if (args.length !== 1) throw invalid(`${fn.name}() takes exactly one argument (TypeError when the module is imported)`, at);
    return scope.newSpec(updateAttribute(spec, field, args[0].val, { ...args[0].where, field }, ctx), at);
  }
  throw fail();
}
