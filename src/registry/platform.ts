/** `os/arch[/variant]` platforms as in ImageSpec's `platform` and OCI indexes. */

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm' };

function normalizeArch(arch: string, variant: string | undefined): { architecture: string; variant?: string } {
  const a = ARCH_ALIASES[arch.toLowerCase()] ?? arch.toLowerCase();
  let v = variant?.toLowerCase() || undefined;
  if (a === 'arm64' && v === 'v8') v = undefined;
  if (a === 'amd64' && v === 'v1') v = undefined;
  return { architecture: a, variant: v };
}

/** One component of a platform, as containerd's `platforms.Parse` accepts it. */
const COMPONENT = '[A-Za-z0-9_-]+';
const ONE = `${COMPONENT}/${COMPONENT}(?:/${COMPONENT})?`;
const PLATFORM_LIST_RE = new RegExp(`^${ONE}(?:,${ONE})*$`);
/** Longer lists are no platform list anyone builds; the limit keeps argv and messages small. */
export const PLATFORM_MAX = 256;

/**
 * The grammar of a `platform` value, which goes to `docker buildx build --platform` as one argument:
 * `os/arch[/variant]`, or a comma-separated list of those, with no blanks. Returns what is wrong,
 * or undefined when the value is fine.
 */
export function platformProblem(value: string): string | undefined {
  if (value.length > PLATFORM_MAX) return `is longer than ${PLATFORM_MAX} characters`;
  if (!PLATFORM_LIST_RE.test(value)) {
    return "is not os/arch[/variant] or a comma-separated list of them (letters, digits, '_' and '-' only, no blanks), e.g. linux/amd64,linux/arm64";
  }
  return undefined;
}

/** Parses `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`. Throws on anything else. */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new Error(`invalid platform ${JSON.stringify(s)}: expected os/arch[/variant]`);
  }
  return { os: parts[0].toLowerCase(), ...normalizeArch(parts[1], parts[2]) };
}

/** `linux/amd64,linux/arm64` (or an array of such strings) → distinct platform strings. */
export function splitPlatforms(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  const out: string[] = [];
  for (const item of list) for (const p of item.split(',')) if (p.trim() && !out.includes(p.trim())) out.push(p.trim());
  return out;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** From an index entry's or an image config's fields; undefined for attestation/unknown entries. */
export function platformOf(fields: { os?: unknown; architecture?: unknown; variant?: unknown } | undefined): Platform | undefined {
  if (!fields || typeof fields.os !== 'string' || typeof fields.architecture !== 'string') return undefined;
  if (fields.os === 'unknown' || fields.architecture === 'unknown') return undefined;
  return {
    os: fields.os.toLowerCase(),
    ...normalizeArch(fields.architecture, typeof fields.variant === 'string' ? fields.variant : undefined),
  };
}

/** Whether an image for `have` satisfies a request for `want` (a request without variant takes any). */
export function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (!want.variant) return true;
  return want.variant === (have.variant ?? (have.architecture === 'arm' ? 'v7' : undefined));
}
