/**
 * Keeps credentials out of logs, results and errors. Every secret the registry code handles
 * (passwords, identity tokens, Basic header values, bearer tokens) is registered here: it is
 * handed to `setSecret` (the action wires `core.setSecret`, so the runner masks it too) and
 * replaced by `***` in any text that passes through `redact`, which also blanks generic shapes
 * (Authorization values, JWTs, token fields in JSON or query strings) that a registry might
 * echo back in an error body.
 */
export const REDACTED = '***';

export type SetSecret = (secret: string) => void;

const GENERIC: ReadonlyArray<[RegExp, string]> = [
  // Authorization header values
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  // JWTs (header.payload.signature, base64url)
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // "token": "...", "password": "..." in JSON
  [
    /("(?:token|access_token|refresh_token|id_token|identitytoken|identity_token|registrytoken|password|passwd|secret|auth)"\s*:\s*")(?:[^"\\]|\\.)*"/gi,
    `$1${REDACTED}"`,
  ],
  // token=..., password=... in query strings and forms
  [/\b((?:access_token|refresh_token|token|password|passwd|secret)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

export class Redactor {
  private readonly secrets = new Set<string>();
  private sorted: string[] = [];

  constructor(private readonly setSecret: SetSecret = () => undefined) {}

  /** Registers a secret (and the encoded forms in which it may come back). Empty values are ignored. */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.trim() === '') return;
    const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
    let changed = false;
    for (const form of forms) {
      if (form === '' || this.secrets.has(form)) continue;
      this.secrets.add(form);
      changed = true;
      this.setSecret(form);
    }
    if (changed) this.sorted = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  /** `text` with every registered secret and every generic credential shape replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const s of this.sorted) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const [re, replacement] of GENERIC) out = out.replace(re, replacement);
    return out;
  }

  /** Number of registered secret forms (for tests). */
  get size(): number {
    return this.secrets.size;
  }
}
