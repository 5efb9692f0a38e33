import type { CopyEntry, DockerfileOptions } from '../../src/docker/dockerfile';
import type { SpecView } from '../../src/imagespec/types';
import { parseDockerfile } from './dockerfileParse';

/** A SpecView with every list empty and every optional field unset, plus overrides. */
export function view(over: Partial<SpecView> = {}): SpecView {
  return {
    name: 'flytekit',
    env: [],
    packages: [],
    condaPackages: [],
    condaChannels: [],
    aptPackages: [],
    platform: 'linux/amd64',
    pipExtraIndexUrl: [],
    commands: [],
    copy: [],
    runtimePackages: [],
    ...over,
  };
}

export function options(over: Partial<DockerfileOptions> = {}): DockerfileOptions {
  return {
    imageId: 'Ab3_-xYz',
    defaultPythonVersion: '3.12',
    flytekitVersion: '1.16.24',
    sourceFiles: false,
    copyEntries: [],
    ...over,
  };
}

/** `copyEntries` matching `copy`, with kinds given per path. */
export function entries(kinds: Record<string, CopyEntry['kind']>): { copy: string[]; copyEntries: CopyEntry[] } {
  return {
    copy: Object.keys(kinds),
    copyEntries: Object.entries(kinds).map(([path, kind]) => ({ path, kind })),
  };
}

/** Logical instructions as `KEYWORD rest`, with blank runs collapsed, for readable assertions. */
export function lines(dockerfile: string): string[] {
  return parseDockerfile(dockerfile).map((i) => `${i.keyword} ${i.rest}`.replace(/[ \t]+/g, ' ').trim());
}
