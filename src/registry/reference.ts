/**
 * Image reference parsing with Docker's rules (distribution/reference `ParseNormalizedNamed`):
 * the first path component is a registry host only if it contains `.` or `:`, is `localhost`,
 * or has upper-case letters; otherwise the name is on Docker Hub, and one-component Hub names
 * get `library/`.
 */

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API actually lives. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';

export interface ImageReference {
  /** The string that was parsed. */
  readonly original: string;
  /** Registry as Docker names it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`); the credentials key. */
  readonly registry: string;
  /** host[:port] the API is served from (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  /** Repository path inside the registry (`library/ubuntu`, `org/team/app`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** Whether the reference names its registry (`ghcr.io/x/y`) rather than implying Docker Hub (`x/y`). */
  readonly explicitRegistry: boolean;
}

export class InvalidReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

// The reference grammar of distribution/reference (what docker, buildx and BuildKit parse), the
// one source for every image reference, repository and registry host the action accepts.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
/** A DNS name or a bracketed IPv6 address (hex and colons only, as distribution has it). */
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::([0-9]+))?`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

/** `host[:port]` of a registry; group 1 is the port. */
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const DIGEST_RE = new RegExp(`^${DIGEST}$`);
const REFERENCE_RE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const REPOSITORY_RE = new RegExp(`^${NAME}$`);
const NAME_MAX = 255;

/** Longest reference accepted anywhere (distribution allows 255 for the name; tag and digest add to it). */
export const REFERENCE_MAX = 512;

/** `name[:tag][@digest]` by the grammar alone (no registry inference); group 1 is the name. */
export function matchReference(value: string): RegExpExecArray | null {
  return value.length <= REFERENCE_MAX ? REFERENCE_RE.exec(value) : null;
}

/** A repository without tag or digest (`ghcr.io/org/cache`), e.g. a cache reference. */
export function isRepository(value: string): boolean {
  return value.length <= NAME_MAX && REPOSITORY_RE.test(value);
}

/** A registry `host[:port]` with a port in range, as `insecure-registries` entries must be. */
export function isRegistryHost(value: string): boolean {
  const m = DOMAIN_RE.exec(value);
  return m !== null && value.length <= NAME_MAX && (m[1] === undefined || (Number(m[1]) >= 1 && Number(m[1]) <= 65535));
}

/** Docker's test for "the first component is a registry host". */
function looksLikeHost(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component.toLowerCase() !== component;
}

/**
 * Whether `name` (`host/repo[:tag]`, `repo:tag`, ...) starts with a registry host. Names without one
 * are Docker Hub names by Docker's rules; the checker reports them as `unknown` unless told otherwise.
 */
export function hasExplicitRegistry(name: string): boolean {
  const slash = name.indexOf('/');
  return slash > 0 && looksLikeHost(name.slice(0, slash));
}

export function parseReference(input: string): ImageReference {
  const ref = input.trim();
  if (ref === '') throw new InvalidReferenceError('empty image reference');
  if (/\s/.test(ref)) throw new InvalidReferenceError(`image reference ${JSON.stringify(input)} contains whitespace`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    throw new InvalidReferenceError(`image reference ${JSON.stringify(input)} must not contain a URL scheme`);
  }

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new InvalidReferenceError(`invalid digest ${JSON.stringify(digest)} in ${JSON.stringify(input)}`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError(`invalid tag ${JSON.stringify(tag)} in ${JSON.stringify(input)}`);
  }
  if (rest.length > NAME_MAX)
    throw new InvalidReferenceError(`repository name longer than ${NAME_MAX} characters: ${JSON.stringify(input)}`);

  let registry: string;
  let repository: string;
  const explicitRegistry = hasExplicitRegistry(rest);
  if (explicitRegistry) {
    const slash = rest.indexOf('/');
    registry = rest.slice(0, slash);
    repository = rest.slice(slash + 1);
    const m = DOMAIN_RE.exec(registry);
    if (!m) throw new InvalidReferenceError(`invalid registry host ${JSON.stringify(registry)} in ${JSON.stringify(input)}`);
    if (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535)) {
      throw new InvalidReferenceError(`invalid port in registry ${JSON.stringify(registry)}`);
    }
    if (registry === LEGACY_DOCKER_HUB) registry = DOCKER_HUB;
  } else {
    registry = DOCKER_HUB;
    repository = rest;
  }
  if (repository === '') throw new InvalidReferenceError(`missing repository name in ${JSON.stringify(input)}`);
  if (repository.toLowerCase() !== repository) {
    throw new InvalidReferenceError(`repository name must be lowercase: ${JSON.stringify(input)}`);
  }
  for (const part of repository.split('/')) {
    if (!PATH_COMPONENT_RE.test(part)) {
      throw new InvalidReferenceError(`invalid repository path component ${JSON.stringify(part)} in ${JSON.stringify(input)}`);
    }
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  return {
    original: input,
    registry,
    apiHost: registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry,
    repository,
    tag,
    digest,
    explicitRegistry,
  };
}

/** What goes after `/manifests/`: the digest if pinned, else the tag, else `latest`. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Fully qualified form: `docker.io/library/ubuntu:latest`, `ghcr.io/o/r@sha256:...`. */
export function formatReference(ref: ImageReference): string {
  const tagPart = ref.tag !== undefined ? `:${ref.tag}` : ref.digest === undefined ? ':latest' : '';
  return `${ref.registry}/${ref.repository}${tagPart}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
