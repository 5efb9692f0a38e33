/**
 * Every YAML golden case, through the bundled action exactly as the runner runs it (mode: plan):
 * the same tag, image and id as flytekit, or a failure annotated on the right field and line.
 */
import * as fs from 'node:fs';
import { matchReference } from '../src/registry/reference';
import { imagesOf, runStep } from './support/runner';
import { GIT_ENV, loadVectors, materialise, subst } from './support/vectors';

const cases = loadVectors().filter((c) => c.input === 'yaml');

test('the vector file has YAML cases', () => {
  expect(cases.length).toBeGreaterThan(50);
});

describe.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
  test(c.expected_error ? 'fails naming the field and line' : "computes flytekit's tag, image and id", async () => {
    const { root, caseDir, specFile, specYaml } = materialise(c);
    try {
      const r = await runStep({
        workspace: caseDir,
        with: { specs: specFile, 'working-directory': caseDir, mode: 'plan', 'host-machine': c.host_machine },
        env: GIT_ENV,
      });
      if (c.expected_error) {
        expect(r.exitCode).not.toBe(0);
        expect(r.outputs.images).toBeUndefined();
        // The offending key is the last top-level key of each error case's YAML.
        const lines = specYaml!.split('\n');
        const lineIdx = lines
          .map((l, i) => [l, i] as const)
          .filter(([l]) => /^\w+:/.test(l))
          .pop()![1];
        const field = /^(\w+):/.exec(lines[lineIdx])![1];
        const errors = r.annotations.filter((a) => a.level === 'error' && a.props.file);
        expect(errors).toHaveLength(1);
        expect(errors[0].props.title).toContain(field);
        expect(errors[0].props.line).toBe(String(lineIdx + 1));
        expect(errors[0].props.file).toMatch(/spec\/.*\.yaml$/);
        if (c.expected_error_type === 'KeyError') expect(errors[0].message).toContain(c.expected_error!);
        return;
      }
      expect(r.exitCode).toBe(0);
      const [img] = imagesOf(r);
      expect(img.tag).toBe(c.expected_tag);
      expect(img.image).toBe(subst(c.expected_image_name_after_build ?? c.expected_image_name, caseDir));
      if (c.expected_id) expect(img.id).toBe(c.expected_id);
      // A noop image is not the action's to build, in every mode: it reports `skipped`.
      expect(img.status).toBe(/^builder: noop$/m.test(c.spec_yaml ?? '') ? 'skipped' : 'planned');
      expect(JSON.parse(r.outputs['image-map'])).toEqual({ [c.id]: img.image });
      // Names flytekit computes that are no Docker reference (non-ASCII, braces from tag_format)
      // are planned, but left out of image-args, which must stay plain words (with a warning).
      if (matchReference(img.image)) expect(r.outputs['image-args']).toBe(`--image ${c.id}=${img.image}`);
      else {
        expect(r.outputs['image-args']).toBe('');
        expect(r.annotations.some((a) => a.level === 'warning' && a.message.includes('left out of image-args'))).toBe(true);
      }
      expect(r.summary).toContain(img.image);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
