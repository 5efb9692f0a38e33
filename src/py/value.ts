/**
 * A model of the Python values that PyYAML's safe_load (and the flytekit Python API) can produce.
 * JS values cannot stand in for them: 1 vs 1.0, 12345678901234567890, int dict keys and dict
 * insertion order all change the repr that flytekit hashes.
 */
export interface Pos {
  /** 1-based line in the source file. */
  line: number;
  /** 1-based column in the source file. */
  col: number;
}

interface Located {
  /** Where the value was written, when it came from a file. Never part of the value's identity. */
  pos?: Pos;
}

export interface PyStr extends Located {
  kind: 'str';
  value: string;
}
export interface PyInt extends Located {
  kind: 'int';
  value: bigint;
}
export interface PyFloat extends Located {
  kind: 'float';
  value: number;
}
export interface PyBool extends Located {
  kind: 'bool';
  value: boolean;
}
export interface PyNone extends Located {
  kind: 'none';
}
export interface PyList extends Located {
  kind: 'list';
  items: PyValue[];
}
export interface PyTuple extends Located {
  kind: 'tuple';
  items: PyValue[];
}
export interface PyDict extends Located {
  kind: 'dict';
  /** Insertion order, as a Python dict keeps it. Keys are unique by Python equality. */
  entries: Array<[PyValue, PyValue]>;
}
export interface PyDate extends Located {
  kind: 'date';
  year: number;
  month: number;
  day: number;
}
export interface PyDateTime extends Located {
  kind: 'datetime';
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** UTC offset in seconds for aware datetimes (PyYAML 6 builds datetime.timezone), absent when naive. */
  utcOffsetSeconds?: number;
}
/** An enum member, e.g. `<CopyFileDetection.ALL: 2>`; only the Python API can produce one. */
export interface PyEnum extends Located {
  kind: 'enum';
  cls: string;
  member: string;
  value: number;
}

export type PyValue = PyStr | PyInt | PyFloat | PyBool | PyNone | PyList | PyTuple | PyDict | PyDate | PyDateTime | PyEnum;

export const str = (value: string, pos?: Pos): PyStr => ({ kind: 'str', value, pos });
export const int = (value: bigint | number, pos?: Pos): PyInt => ({ kind: 'int', value: BigInt(value), pos });
export const float = (value: number, pos?: Pos): PyFloat => ({ kind: 'float', value, pos });
export const bool = (value: boolean, pos?: Pos): PyBool => ({ kind: 'bool', value, pos });
export const none = (pos?: Pos): PyNone => ({ kind: 'none', pos });
export const list = (items: PyValue[], pos?: Pos): PyList => ({ kind: 'list', items, pos });
export const dict = (entries: Array<[PyValue, PyValue]>, pos?: Pos): PyDict => ({ kind: 'dict', entries, pos });

/** Python truthiness, as `if x:` sees it. */
export function truthy(v: PyValue): boolean {
  switch (v.kind) {
    case 'str':
      return v.value.length > 0;
    case 'int':
      return v.value !== 0n;
    case 'float':
      return v.value !== 0;
    case 'bool':
      return v.value;
    case 'none':
      return false;
    case 'list':
    case 'tuple':
      return v.items.length > 0;
    case 'dict':
      return v.entries.length > 0;
    default:
      return true;
  }
}

/** The Python type name, for error messages that read like flytekit's. */
export function typeName(v: PyValue): string {
  switch (v.kind) {
    case 'none':
      return 'NoneType';
    case 'datetime':
      return 'datetime';
    case 'enum':
      return v.cls;
    default:
      return v.kind;
  }
}
