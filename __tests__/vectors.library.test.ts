/**
 * Every golden case at the library level: the exact string flytekit md5-hashed, for the tag and
 * for the id. This is where the Python-API cases (nested ImageSpec, enum copy modes, with_*
 * helpers) are checked, since a YAML file cannot express them.
 */
import * as fs from 'node:fs';
import { pyRepr } from '../src/py/repr';
import { dict, float, int, list, PyValue, str } from '../src/py/value';
import { specFromDocument } from '../src/imagespec/load';
import { postInit } from '../src/imagespec/postInit';
import { FieldName, ImageSpec } from '../src/imagespec/types';
import { computeTag, idDict, specId } from '../src/tag/compute';
import { fsDigests } from '../src/tag/fsDigests';
import { loadYaml } from '../src/yaml/load';
import { GIT_ENV, loadVectors, materialise, subst, VectorCase } from './support/vectors';

const ENUM_VALUES: Record<string, number> = { LOADED_MODULES: 1, ALL: 2, NO_COPY: 3 };

/** JSON kwargs → Python values, the way the vectors' generator passed them to the Python API. */
function fromJson(v: unknown): PyValue {
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') return Number.isInteger(v) ? int(v) : float(v);
  if (Array.isArray(v)) return list(v.map(fromJson));
  if (v && typeof v === 'object') return dict(Object.entries(v).map(([k, x]) => [str(k), fromJson(x)]));
  throw new Error(`unsupported kwarg ${JSON.stringify(v)}`);
}

/** `ImageSpec.with_packages` and friends append to a copy of the list; a str argument is one item. */
const OPS: Record<string, FieldName> = {
  with_packages: 'packages',
  with_apt_packages: 'apt_packages',
  with_commands: 'commands',
  with_runtime_packages: 'runtime_packages',
  with_copy: 'copy',
};

function pythonSpec(kwargs: Record<string, unknown>, ops: VectorCase['ops'], hostMachine: string): ImageSpec {
  const given: Partial<Record<FieldName, PyValue>> = {};
  let baseSpec: ImageSpec | undefined;
  for (const [k, v] of Object.entries(kwargs)) {
    const field = k as FieldName;
    if (field === 'source_copy_mode' && typeof v === 'string') {
      given[field] = { kind: 'enum', cls: 'CopyFileDetection', member: v, value: ENUM_VALUES[v] };
    } else if (field === 'base_image' && v && typeof v === 'object') {
      baseSpec = pythonSpec(v as Record<string, unknown>, [], hostMachine);
    } else {
      given[field] = fromJson(v);
    }
  }
  for (const [op, arg] of ops ?? []) {
    const field = OPS[op];
    const current = given[field]?.kind === 'list' ? (given[field] as { items: PyValue[] }).items : [];
    const added = typeof arg === 'string' ? [str(arg)] : (arg as string[]).map((s) => str(s));
    given[field] = list([...current, ...added]);
  }
  return postInit(given, { hostMachine, baseSpec });
}

const cases = loadVectors();
Object.assign(process.env, GIT_ENV);

describe.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
  test('matches flytekit at the library level', () => {
    const { root, caseDir, specYaml } = materialise(c);
    try {
      const digests = fsDigests(caseDir, caseDir);
      const build = () => {
        const spec =
          c.input === 'yaml'
            ? specFromDocument(loadYaml(specYaml!, 'spec.yaml'), { file: 'spec.yaml', hostMachine: c.host_machine })
            : pythonSpec(c.spec!, c.ops, c.host_machine);
        return { spec, result: computeTag(spec, digests) };
      };
      if (c.expected_error) {
        expect(build).toThrow();
        return;
      }
      const { spec, result } = build();
      expect(result.hashInput).toBe(subst(c.expected_hash_input, caseDir));
      expect(result.specHash).toBe(c.expected_spec_hash);
      expect(result.tag).toBe(c.expected_tag);
      expect(result.imageName).toBe(subst(c.expected_image_name, caseDir));
      expect(pyRepr(idDict(spec))).toBe(subst(c.expected_id_input, caseDir));
      if (c.expected_id) expect(specId(spec)).toBe(c.expected_id);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
