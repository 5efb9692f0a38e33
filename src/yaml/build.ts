import { Alias, CST, isAlias, isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { Node as YamlNode, YAMLMap, YAMLSeq } from 'yaml';
import { Pos, PyValue } from '../py/value';
import { pyRepr, reprStr } from '../py/repr';
import { constructScalar, isScalarTag, resolveImplicit, ScalarError, TAG } from './scalars';
import { keyHash } from './keys';
import { scanBlockScalar } from './block-scalar';
import { scanQuotedScalar } from './quoted-scalar';
import { Positions } from './positions';
import { ALIAS_BOMB, YAML_LIMITS } from './limits';

/**
 * Turns the `yaml` package's document tree into Python values the way PyYAML's composer and
 * SafeConstructor do: anchors registered in document order, aliases sharing one value, `<<`
 * merges flattened, and scalars typed by PyYAML's resolvers.
 */

/** PyYAML's scanner only accepts these characters in anchor and alias names. */
const ANCHOR_NAME = /^[0-9A-Za-z_-]+$/;

type Entries = Array<[PyValue, PyValue]>;

interface Built {
  value: PyValue;
  /** Values and scalar characters this node expands to, aliases included. */
  size: number;
  chars: number;
}

interface Anchor {
  node: YamlNode;
  /** Unset while the anchored collection is still being built. */
  built?: Built;
}

export class ValueBuilder {
  private readonly anchors = new Map<string, Anchor>();
  private aliasedValues = 0;
  private aliasedChars = 0;

  constructor(
    private readonly text: string,
    private readonly at: Positions,
  ) {}

  build(root: YamlNode): PyValue {
    return this.node(root).value;
  }

  private offset(node: YamlNode | null | undefined): number {
    return node?.range?.[0] ?? 0;
  }

  private pos(node: YamlNode): Pos {
    return this.at.at(this.offset(node));
  }

  /** One node; its anchor is registered before its children, as PyYAML's composer does. */
  private node(node: YamlNode, asKey = false): Built {
    if (isAlias(node)) return this.alias(node);
    const name = node.anchor;
    if (name === undefined) return this.content(node, asKey);
    this.checkAnchorName(name, node);
    const entry: Anchor = { node };
    this.anchors.set(name, entry);
    entry.built = this.content(node, asKey);
    return entry.built;
  }

  private checkAnchorName(name: string, node: YamlNode): void {
    if (!ANCHOR_NAME.test(name)) {
      throw this.at.error(`anchor names may only use letters, digits, '-' and '_' (PyYAML rejects &${name})`, this.offset(node));
    }
    const seen = this.anchors.get(name);
    if (seen) {
      throw this.at.error(`found duplicate anchor '${name}'; first occurrence at line ${this.pos(seen.node).line}`, this.offset(node));
    }
  }

  private content(node: Exclude<YamlNode, Alias>, asKey: boolean): Built {
    if (isScalar(node)) return this.scalar(node, asKey);
    if (isMap(node)) return this.mapping(node);
    return this.sequence(node);
  }

  private alias(node: Alias): Built {
    const name = node.source;
    const at = this.offset(node);
    if (!ANCHOR_NAME.test(name)) throw this.at.error(`alias names may only use letters, digits, '-' and '_' (PyYAML rejects *${name})`, at);
    const entry = this.anchors.get(name);
    if (!entry) throw this.at.error(`found undefined alias '${name}'`, at);
    if (!entry.built) {
      if (isScalar(entry.node)) throw this.at.error(tagProblem(this.scalarTag(entry.node, this.scalarText(entry.node)), 'scalar'), at);
      throw this.at.error(`alias *${name} refers to a collection that contains it; self-referencing values are not supported`, at);
    }
    // Each use repeats the whole anchored value when flytekit prints it, so it counts again.
    this.aliasedValues += entry.built.size;
    this.aliasedChars += entry.built.chars;
    if (this.aliasedValues > YAML_LIMITS.maxAliasedValues || this.aliasedChars > YAML_LIMITS.maxAliasedChars) {
      throw this.at.error(ALIAS_BOMB, at);
    }
    // The same Python object appears again; only its position is that of the alias.
    return { ...entry.built, value: { ...entry.built.value, pos: this.at.at(at) } };
  }

  /** The scalar's string value; quoted and block scalars are rescanned the PyYAML way. */
  private scalarText(node: Scalar): string {
    const value = String(node.value);
    if (!node.range || node.type === Scalar.PLAIN) return value;
    const [start, end] = node.range;
    if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
      const res = scanQuotedScalar(this.text, start);
      if ('error' in res) throw this.at.error(res.error, res.offset);
      if (res.end !== end) throw this.at.error('quoted scalar ends where PyYAML does not expect it', start);
      return res.value;
    }
    const res = scanBlockScalar(this.text, start, (node.srcToken as CST.BlockScalar | undefined)?.indent ?? 0);
    if ('error' in res) throw this.at.error(res.error, res.offset);
    // Both parsers must agree on where the scalar ends, or the rest of the file reads differently.
    const gap = res.end < end ? this.text.slice(res.end, end) : this.text.slice(end, res.end);
    if (/[^ \r\n]/.test(gap)) {
      throw this.at.error('block scalar lines are not indented the way PyYAML expects (indent every line more than its key)', start);
    }
    return res.value;
  }

  /** PyYAML runs untagged plain scalars, and any scalar tagged `!` (even quoted), through its resolvers. */
  private scalarTag(node: Scalar, value: string): string {
    if (node.tag === '!') return resolveImplicit(value);
    if (node.tag === undefined) return node.type === Scalar.PLAIN ? resolveImplicit(value) : TAG.str;
    return node.tag;
  }

  private scalar(node: Scalar, asKey: boolean): Built {
    const value = this.scalarText(node);
    const at = this.offset(node);
    let tag = this.scalarTag(node, value);
    // PyYAML turns a `=` key into the string '=' while flattening the mapping; elsewhere it fails.
    if (asKey && tag === TAG.value) tag = TAG.str;
    if (!isScalarTag(tag)) throw this.at.error(tagProblem(tag, 'scalar'), at);
    try {
      return { value: constructScalar(tag, value, this.at.at(at)), size: 1, chars: value.length };
    } catch (e) {
      if (e instanceof ScalarError) throw this.at.error(`cannot construct ${shortTag(tag)} from ${reprStr(value)}: ${e.message}`, at);
      throw e;
    }
  }

  private checkCollectionTag(node: YAMLMap | YAMLSeq, kind: 'mapping' | 'sequence'): void {
    const tag = node.tag;
    const expected = kind === 'mapping' ? TAG.map : TAG.seq;
    if (tag !== undefined && tag !== '!' && tag !== expected) throw this.at.error(tagProblem(tag, kind), this.offset(node));
  }

  private sequence(node: YAMLSeq): Built {
    if (node.tag === TAG.pairs || node.tag === TAG.omap) return this.pairs(node, node.tag);
    this.checkCollectionTag(node, 'sequence');
    const items: PyValue[] = [];
    let size = 1;
    let chars = 0;
    for (const item of node.items) {
      if (isPair(item)) throw this.at.error('unexpected key/value pair in a sequence', this.offset(node));
      const b = item === null || item === undefined ? this.none(this.pos(node)) : this.node(item as YamlNode);
      items.push(b.value);
      size += b.size;
      chars += b.chars;
    }
    return { value: { kind: 'list', items, pos: this.pos(node) }, size, chars };
  }

  /**
   * `!!pairs` and `!!omap`: SafeConstructor builds both as a list of (key, value) tuples from a
   * sequence of one-entry mappings, without building those mappings: no duplicate check, no merge,
   * unhashable keys allowed, the mappings' own tags ignored.
   */
  private pairs(node: YAMLSeq, tag: string): Built {
    const what = tag === TAG.pairs ? 'pairs' : 'an ordered map';
    const items: PyValue[] = [];
    let size = 1;
    let chars = 0;
    for (const item of node.items) {
      const sub = item === null || item === undefined ? null : this.target(item as YamlNode);
      const at = this.offset(item as YamlNode | null) || this.offset(node);
      if (sub === null || !isMap(sub)) {
        throw this.at.error(`while constructing ${what}: expected a mapping of length 1, but found ${kindOf(sub)}`, at);
      }
      if (sub.items.length !== 1) {
        throw this.at.error(`while constructing ${what}: expected a single mapping item, but found ${sub.items.length} items`, at);
      }
      if (!isAlias(item as YamlNode) && sub.anchor !== undefined) {
        // PyYAML would register it as a mapping that an alias could later build as a dict; not worth modelling.
        throw this.at.error(`an anchor on an entry of ${shortTag(tag)} is not supported; anchor the key or the value instead`, at);
      }
      const pair = sub.items[0];
      const pos = this.pos(sub);
      const k = pair.key === null ? this.none(pos) : this.node(pair.key as YamlNode);
      const v = pair.value === null ? this.none(k.value.pos) : this.node(pair.value as YamlNode);
      items.push({ kind: 'tuple', items: [k.value, v.value], pos });
      size += 1 + k.size + v.size;
      chars += k.chars + v.chars;
    }
    return { value: { kind: 'list', items, pos: this.pos(node) }, size, chars };
  }

  private none(pos: Pos | undefined): Built {
    return { value: { kind: 'none', pos }, size: 1, chars: 0 };
  }

  /** Follow an alias to the node PyYAML would see. */
  private target(node: YamlNode): YamlNode {
    return isAlias(node) ? (this.anchors.get(node.source)?.node ?? node) : node;
  }

  private isMergeKey(key: YamlNode | null): boolean {
    if (key === null) return false;
    const t = this.target(key);
    return isScalar(t) && this.scalarTag(t, this.scalarText(t)) === TAG.merge;
  }

  private mapping(node: YAMLMap): Built {
    this.checkCollectionTag(node, 'mapping');
    const mapPos = this.pos(node);
    const merged: Entries = [];
    const own: Entries = [];
    const ownKeys = new Map<string, Pos | undefined>();
    let size = 1;
    let chars = 0;
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const valueNode = pair.value as YamlNode | null;
      if (this.isMergeKey(keyNode)) {
        if (keyNode && !isAlias(keyNode) && keyNode.anchor !== undefined) {
          // An anchored `<<` is never constructed, but an alias may reuse it as a merge key.
          this.checkAnchorName(keyNode.anchor, keyNode);
          this.anchors.set(keyNode.anchor, { node: keyNode });
        }
        const b = this.mergeSource(valueNode, keyNode);
        merged.push(...b.entries);
        size += b.size;
        chars += b.chars;
        continue;
      }
      const k = keyNode === null ? this.none(mapPos) : this.node(keyNode, true);
      if (k.value.kind === 'list' || k.value.kind === 'dict' || k.value.kind === 'tuple') {
        const what = k.value.kind === 'dict' ? 'mapping' : 'sequence';
        throw this.at.error(`found unhashable key: a ${what} cannot be a mapping key`, k.value.pos ?? mapPos);
      }
      const v = valueNode === null ? this.none(k.value.pos) : this.node(valueNode);
      const h = keyHash(k.value);
      if (ownKeys.has(h)) {
        const first = ownKeys.get(h);
        const where = first ? ` (first defined at line ${first.line})` : '';
        throw this.at.error(
          `duplicate key ${pyRepr(k.value)}${where}; PyYAML would silently keep only the last value`,
          k.value.pos ?? mapPos,
        );
      }
      ownKeys.set(h, k.value.pos);
      own.push([k.value, v.value]);
      size += k.size + v.size;
      chars += k.chars + v.chars;
    }
    return { value: { kind: 'dict', entries: mergeEntries(merged, own), pos: mapPos }, size, chars };
  }

  /** The value of a `<<` key, flattened the way PyYAML's `flatten_mapping` does. */
  private mergeSource(valueNode: YamlNode | null, keyNode: YamlNode | null): { entries: Entries; size: number; chars: number } {
    const at = valueNode ? this.offset(valueNode) : this.offset(keyNode);
    const target = valueNode === null ? null : this.target(valueNode);
    if (target !== null && isSeq(target) && (target.tag === TAG.pairs || target.tag === TAG.omap)) {
      throw this.at.error(`a ${shortTag(target.tag)} sequence as the value of '<<' is not supported; merge mappings instead`, at);
    }
    if (target === null || (!isMap(target) && !isSeq(target))) {
      throw this.at.error(`expected a mapping or list of mappings for merging, but found ${kindOf(target)}`, at);
    }
    if (isSeq(target)) {
      for (const item of target.items) {
        const t = item === null || item === undefined ? null : this.target(item as YamlNode);
        if (t === null || !isMap(t)) {
          throw this.at.error(`expected a mapping for merging, but found ${kindOf(t)}`, this.offset(item as YamlNode | null) || at);
        }
      }
    }
    const b = this.node(valueNode as YamlNode);
    // Earlier mappings in a list win, so PyYAML applies them last.
    const sources = b.value.kind === 'list' ? b.value.items.slice().reverse() : [b.value];
    const entries = sources.flatMap((d) => (d.kind === 'dict' ? d.entries : []));
    return { entries, size: b.size, chars: b.chars };
  }
}

function kindOf(node: YamlNode | null): string {
  return node !== null && isMap(node) ? 'mapping' : node !== null && isSeq(node) ? 'sequence' : 'scalar';
}

/** A Python dict built from the pairs `merged + own`: a key keeps its first position and its last value. */
function mergeEntries(merged: Entries, own: Entries): Entries {
  if (merged.length === 0) return own;
  const out: Entries = [];
  const index = new Map<string, number>();
  for (const [k, v] of [...merged, ...own]) {
    const h = keyHash(k);
    const i = index.get(h);
    if (i === undefined) {
      index.set(h, out.length);
      out.push([k, v]);
    } else {
      out[i] = [out[i][0], v];
    }
  }
  return out;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? '!!' + tag.slice('tag:yaml.org,2002:'.length) : tag;
}

function tagProblem(tag: string, kind: 'scalar' | 'sequence' | 'mapping'): string {
  if (tag === TAG.map || tag === TAG.seq || isScalarTag(tag)) {
    const wants = tag === TAG.map ? 'mapping' : tag === TAG.seq ? 'sequence' : 'scalar';
    return `${shortTag(tag)} expects a ${wants} node, but found a ${kind}`;
  }
  if (tag === TAG.pairs || tag === TAG.omap) return `${shortTag(tag)} expects a sequence of one-entry mappings, but found a ${kind}`;
  if (['binary', 'set'].some((t) => tag === `tag:yaml.org,2002:${t}`)) {
    return `${shortTag(tag)} values are not supported: an ImageSpec can only hold strings, numbers, booleans, null, dates, lists and mappings`;
  }
  if (tag === TAG.merge || tag === TAG.value) {
    const text = tag === TAG.merge ? '<<' : '=';
    return `could not determine a constructor for the tag '${tag}' (a bare '${text}' only has a meaning as a mapping key; quote it to get a string)`;
  }
  return `could not determine a constructor for the tag '${tag}' (yaml.safe_load only knows the standard tags)`;
}
