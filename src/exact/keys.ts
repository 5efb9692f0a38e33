/**
 * Image keys for Python specs (the rule decided for issue 13): `<module dotted path>.<variable>`
 * for a spec bound to a module-level name, `<module>.<task function>` for a spec written inline in
 * a task's decorator (or reached only through a list, a dict or a call), and, for the exact engine's
 * nested base specs that have no name, `<key of the spec using it>.base_image`. Keys are usable as
 * `fromJSON(...)[key]`, output names and matrix values only in this form.
 */
export const KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isValidKey(key: string): boolean {
  return KEY_RE.test(key);
}

/**
 * Makes keys unique in arrival order: a repeated key gets `-2`, `-3`, … (e.g. two projects with the
 * same module names, or a task function defined twice in one module, which flytekit registers once).
 */
export class KeyRegistry {
  private readonly seen = new Set<string>();

  claim(key: string): string {
    let candidate = key;
    for (let n = 2; this.seen.has(candidate); n++) candidate = `${key}-${n}`;
    this.seen.add(candidate);
    return candidate;
  }
}
