import { PyValue } from '../py/value';

/**
 * A string that is equal for two mapping keys exactly when Python considers them the same dict
 * key: `1`, `1.0` and `True` collide, `-0.0` equals `0`, and aware datetimes compare by instant.
 */
export function keyHash(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return 's' + v.value;
    case 'none':
      return 'N';
    case 'bool':
      return v.value ? 'n1' : 'n0';
    case 'int':
      return 'n' + v.value.toString();
    case 'float':
      // PyYAML returns one shared NaN object for `.nan`, and dict lookup tries identity first.
      if (Number.isNaN(v.value)) return 'nan';
      if (!Number.isFinite(v.value)) return v.value > 0 ? 'f+inf' : 'f-inf';
      return Number.isInteger(v.value) ? 'n' + BigInt(v.value).toString() : 'f' + String(v.value);
    case 'date':
      return `d${v.year}-${v.month}-${v.day}`;
    case 'datetime': {
      const micros = (((daysFromCivil(v.year, v.month, v.day) * 24 + v.hour) * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond;
      if (v.utcOffsetSeconds === undefined) return `t${micros}`;
      return `z${micros - v.utcOffsetSeconds * 1_000_000}`;
    }
    case 'enum':
      return `e${v.cls}.${v.member}`;
    case 'list':
    case 'tuple':
    case 'dict':
      throw new TypeError(`unhashable type: '${v.kind}'`);
  }
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (Python's), valid for years 1-9999. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
