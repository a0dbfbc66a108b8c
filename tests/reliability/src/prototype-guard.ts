const guarded = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
  Promise: Promise.prototype,
};

/** The own property names of the built-in prototypes, to compare against later. */
export function prototypeSnapshot(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(guarded).map(([name, prototype]) => [
      name,
      Reflect.ownKeys(prototype).map(String).sort(),
    ]),
  );
}

/**
 * What changed on the built-in prototypes since `before`: added or removed property names,
 * and whether a fresh object now inherits a `polluted` property. Empty when clean.
 */
export function prototypeChanges(before: Record<string, string[]>): string[] {
  const after = prototypeSnapshot();
  const changes: string[] = [];
  for (const [name, keys] of Object.entries(after)) {
    const earlier = new Set(before[name]);
    const now = new Set(keys);
    for (const key of keys) if (!earlier.has(key)) changes.push(`${name}.prototype.${key} added`);
    for (const key of earlier) if (!now.has(key)) changes.push(`${name}.prototype.${key} removed`);
  }
  if ('polluted' in {}) changes.push('({}).polluted is inherited');
  return changes;
}
