/** Deeper than this, the caller's checking path decides (it also finds cycles, which recurse forever here). */
const maxPlainDepth = 64;

const acceptAll = (): boolean => true;

/**
 * True when `JSON.stringify(value)` needs no checking replacer: nothing but null, booleans,
 * finite numbers, strings (and object keys) that `acceptText` accepts, arrays without holes or
 * `undefined`, Dates, and plain objects without `toJSON` (their `undefined` properties are
 * dropped, as JSON does). Anything else (a class instance, a Map, a bigint, a cycle, a value
 * nested deeper than 64) is left to the caller's checking path, which accepts or refuses it
 * with the precise issue. A replacer costs a call per member, several times the stringify
 * itself; this walk allocates nothing.
 *
 * @example
 * ```ts
 * const text = isPlainJson(value) ? JSON.stringify(value) : checkedStringify(value);
 * ```
 */
export function isPlainJson(
  value: unknown,
  acceptText: (text: string) => boolean = acceptAll,
): boolean {
  return plain(value, 0, false, acceptText);
}

function plain(
  value: unknown,
  depth: number,
  isProperty: boolean,
  acceptText: (text: string) => boolean,
): boolean {
  switch (typeof value) {
    case 'string':
      return acceptText(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'undefined':
      return isProperty;
    case 'object': {
      if (value === null) return true;
      if (depth >= maxPlainDepth) return false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          if (!plain(value[index], depth + 1, false, acceptText)) return false;
        }
        return true;
      }
      // An own `toJSON` (and a polluted Object.prototype.toJSON) is the checking path's.
      if (Object.hasOwn(value, 'toJSON')) return false;
      const prototype = Object.getPrototypeOf(value);
      if (prototype === Date.prototype) return true;
      if (prototype !== Object.prototype && prototype !== null) return false;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      for (const key of Object.keys(value)) {
        if (!acceptText(key)) return false;
        if (!plain((value as Record<string, unknown>)[key], depth + 1, true, acceptText)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}
