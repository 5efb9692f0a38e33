import { SpecError, Where } from '../errors';
import type { Pos, PyValue } from '../py/value';
import { postInit } from '../imagespec/postInit';
import { FIELDS, FieldName, ImageSpec } from '../imagespec/types';
import { reprStr } from '../py/repr';
import { sameKey, toPy } from './convert';
import { fromSpecError, invalid } from './errors';
import { py, Val } from './values';

const FIELD_SET: ReadonlySet<string> = new Set(FIELDS);

export interface Argument {
  /** The keyword, or undefined for a positional argument. */
  name?: string;
  val: Val;
  where: Where;
}

export interface SpecContext {
  file: string;
  hostMachine: string;
  /** The call expression, for errors that concern the whole call. */
  call: Where;
}

/** `ImageSpec(...)`: arguments bound like the dataclass `__init__` (positional in field order), then `__post_init__`. */
export function constructSpec(args: Argument[], ctx: SpecContext): ImageSpec {
  const given: Partial<Record<FieldName, PyValue>> = {};
  const keyPos: Partial<Record<FieldName, Pos>> = {};
  let baseSpec: ImageSpec | undefined;
  let positional = 0;
  for (const a of args) {
    let field: string;
    if (a.name === undefined) {
      if (positional >= FIELDS.length) {
        throw invalid(`ImageSpec() takes at most ${FIELDS.length} positional arguments (TypeError in flytekit)`, a.where);
      }
      field = FIELDS[positional++];
    } else field = a.name;
    if (!FIELD_SET.has(field)) {
      throw invalid(
        `ImageSpec() got an unexpected keyword argument ${reprStr(field)} (TypeError in flytekit 1.16)`,
        a.where,
        'unknown field',
      );
    }
    const f = field as FieldName;
    if (f in given || (f === 'base_image' && baseSpec)) {
      throw invalid(`ImageSpec() got multiple values for argument '${f}' (TypeError in flytekit)`, a.where);
    }
    if (a.where.line !== undefined) keyPos[f] = { line: a.where.line, col: a.where.col ?? 1 };
    if (f === 'base_image' && a.val.t === 'spec') baseSpec = a.val.obj.spec;
    else given[f] = toPy(a.val, { ...a.where, field: f });
  }
  return runPostInit(given, keyPos, baseSpec, ctx);
}

function runPostInit(
  given: Partial<Record<FieldName, PyValue>>,
  keyPos: Partial<Record<FieldName, Pos>>,
  baseSpec: ImageSpec | undefined,
  ctx: SpecContext,
): ImageSpec {
  try {
    return postInit(given, { hostMachine: ctx.hostMachine, file: ctx.file, keyPos, baseSpec });
  } catch (e) {
    if (e instanceof SpecError) throw fromSpecError(e, { file: ctx.file, line: ctx.call.line, col: ctx.call.col });
    throw e;
  }
}

/** The `.with_*()` methods that append to a list or update a dict, and the field each one changes. */
export const UPDATE_METHODS: Readonly<Record<string, FieldName>> = {
  with_commands: 'commands',
  with_packages: 'packages',
  with_apt_packages: 'apt_packages',
  with_copy: 'copy',
  with_runtime_packages: 'runtime_packages',
  with_builder_options: 'builder_options',
};

/**
 * flytekit's `ImageSpec._update_attribute` followed by `dataclasses.replace` (so `__post_init__`
 * runs again): a str is appended, a list extends, a dict updates; any other argument leaves the
 * value as it was, except that None becomes `[]` (or `{}` for a dict argument).
 */
export function updateAttribute(spec: ImageSpec, field: FieldName, arg: Val, argWhere: Where, ctx: SpecContext): ImageSpec {
  const values = toPy(arg, argWhere);
  let current: PyValue = spec.values[field];
  if (current.kind === 'none') current = values.kind === 'dict' ? { kind: 'dict', entries: [] } : { kind: 'list', items: [] };
  if (values.kind === 'str') {
    if (current.kind !== 'list') throw invalid(`Cannot append string to non-list attribute ${field} (TypeError in flytekit)`, argWhere);
    current = { kind: 'list', items: [...current.items, values] };
  } else if (values.kind === 'list') {
    if (current.kind !== 'list') throw invalid(`Cannot extend non-list attribute ${field} (TypeError in flytekit)`, argWhere);
    current = { kind: 'list', items: [...current.items, ...values.items] };
  } else if (values.kind === 'dict') {
    if (current.kind !== 'dict') throw invalid(`Cannot update non-dict attribute ${field} (TypeError in flytekit)`, argWhere);
    const entries: Array<[PyValue, PyValue]> = [...current.entries];
    for (const [k, v] of values.entries) {
      const i = entries.findIndex(([ek]) => sameKey(py(ek), py(k)));
      if (i >= 0) entries[i] = [entries[i][0], v];
      else entries.push([k, v]);
    }
    current = { kind: 'dict', entries };
  }
  const given: Partial<Record<FieldName, PyValue>> = { ...spec.values, [field]: current };
  return runPostInit(given, spec.keyPos, spec.baseSpec, ctx);
}
