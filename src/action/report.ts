import * as path from 'node:path';
import * as core from './core';
import { SpecError, Where } from '../errors';

/**
 * GitHub resolves annotation paths against the repository root, while errors carry paths relative
 * to the working directory; translate between the two.
 */
export function annotationProps(e: Where, workingDirectory: string, workspace: string): core.AnnotationProperties {
  const props: core.AnnotationProperties = { title: e.field ? `ImageSpec field '${e.field}'` : 'ImageSpec' };
  if (e.file) {
    const abs = path.resolve(workingDirectory, e.file);
    props.file = path.relative(workspace, abs).split(path.sep).join('/');
  }
  if (e.line !== undefined) props.startLine = e.line;
  if (e.col !== undefined) props.startColumn = e.col;
  return props;
}

export function annotateErrors(errors: SpecError[], workingDirectory: string, workspace: string): void {
  for (const e of errors) core.error(e.describe(), annotationProps(e, workingDirectory, workspace));
}

export function annotateWarnings(warnings: SpecError[], workingDirectory: string, workspace: string): void {
  for (const w of warnings) core.warning(w.describe(), annotationProps(w, workingDirectory, workspace));
}
