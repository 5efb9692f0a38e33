import { readFileSync } from 'node:fs';
import { SpecError } from '../errors';
import { loadYaml } from '../yaml/load';
import { PyValue, typeName } from '../py/value';
import { pyRepr } from '../py/repr';
import { FIELDS, FieldName, ImageSpec } from './types';
import { postInit } from './postInit';

const FIELD_SET: ReadonlySet<string> = new Set(FIELDS);

/** Largest spec file we read: real specs are a few hundred bytes; this only stops accidents and abuse. */
export const MAX_SPEC_BYTES = 1024 * 1024;

/**
 * `ImageSpec(**yaml.safe_load(f))`, as `pyflyte --image spec.yaml` does it: the document must be a
 * mapping whose keys are ImageSpec field names.
 */
export function specFromDocument(doc: PyValue, opts: { file?: string; hostMachine: string }): ImageSpec {
  if (doc.kind !== 'dict') {
    throw new SpecError(`an ImageSpec file must be a mapping of ImageSpec fields, but this document is ${typeName(doc)}`, {
      file: opts.file,
      line: doc.pos?.line ?? 1,
      col: doc.pos?.col,
    });
  }
  const given: Partial<Record<FieldName, PyValue>> = {};
  const keyPos: ImageSpec['keyPos'] = {};
  for (const [k, v] of doc.entries) {
    const at = { file: opts.file, line: k.pos?.line, col: k.pos?.col };
    if (k.kind !== 'str') {
      throw new SpecError(`field names must be strings, got ${pyRepr(k)}`, at);
    }
    if (!FIELD_SET.has(k.value)) {
      const hint = k.value === 'secrets' ? ' (flytekit 1.16 has no secrets field; pass build secrets through the action)' : '';
      throw new SpecError(`unknown ImageSpec field '${k.value}'${hint}`, { ...at, field: k.value });
    }
    const field = k.value as FieldName;
    given[field] = v;
    if (k.pos) keyPos[field] = k.pos;
  }
  return postInit(given, { ...opts, keyPos });
}

/** Read, parse and validate one spec file. `displayPath` is what errors and outputs call it. */
export function loadSpecFile(absPath: string, displayPath: string, hostMachine: string): ImageSpec {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absPath);
  } catch (e) {
    throw new SpecError(`cannot read the spec file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: displayPath });
  }
  if (bytes.length > MAX_SPEC_BYTES) {
    // Line 1, so that the annotation lands on the file (a whole-file problem has no better line).
    throw new SpecError(`the spec file is ${bytes.length} bytes; ImageSpec files larger than ${MAX_SPEC_BYTES} bytes are refused`, {
      file: displayPath,
      line: 1,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SpecError('the spec file is not valid UTF-8', { file: displayPath, line: 1 });
  }
  try {
    return specFromDocument(loadYaml(text, displayPath), { file: displayPath, hostMachine });
  } catch (e) {
    throw e instanceof SpecError ? e.withDefaults({ file: displayPath }) : e;
  }
}
