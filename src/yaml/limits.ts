/** Bounds that keep hostile or broken YAML from using unbounded time or memory. */
export const YAML_LIMITS = {
  /** Characters of YAML text; spec files are a few hundred. */
  maxChars: 2 * 1024 * 1024,
  /** Nesting of collections; flytekit fields nest at most three deep. */
  maxDepth: 64,
  /** Values that aliases add by repeating anchored nodes: stops "billion laughs" documents early. */
  maxAliasedValues: 100_000,
  /** Characters of scalar text that aliases add. */
  maxAliasedChars: 10_000_000,
};

export const ALIAS_BOMB = `aliases expand this document by more than ${YAML_LIMITS.maxAliasedValues} values or ${YAML_LIMITS.maxAliasedChars} characters (an alias bomb?)`;
