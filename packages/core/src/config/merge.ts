import { isPlainObject } from './key-path.js';

/** A configuration fragment: nested plain objects, lists and scalars. */
export type ConfigTree = Record<string, unknown>;

/**
 * `overlay` deep-merged over `base`, both left untouched: mappings merge key by key, lists and scalars replace,
 * and `null` removes the key (so a profile can drop a section of the base).
 */
export function deepMerge(base: ConfigTree, overlay: ConfigTree): ConfigTree {
  const result: ConfigTree = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === undefined) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    result[key] = isPlainObject(value) ? deepMerge(isPlainObject(current) ? current : {}, value) : cloneTree(value);
  }
  return result;
}

export function cloneTree<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneTree(item)) as T;
  if (isPlainObject(value)) {
    const copy: ConfigTree = {};
    for (const [key, item] of Object.entries(value)) copy[key] = cloneTree(item);
    return copy as T;
  }
  return value;
}

/**
 * The leaves of a tree by dotted path: scalars, lists of scalars, and empty mappings or lists.
 * Lists holding mappings are walked by index (`jobs.0.name`). `null` leaves are kept (they remove a key).
 */
export function leaves(value: unknown, prefix = ''): Array<[path: string, value: unknown]> {
  const join = (key: string | number) => (prefix ? `${prefix}.${key}` : String(key));
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return prefix ? [[prefix, value]] : [];
    return entries.flatMap(([key, item]) => leaves(item, join(key)));
  }
  if (Array.isArray(value) && value.some((item) => isPlainObject(item) || Array.isArray(item))) {
    return value.flatMap((item, index) => leaves(item, join(index)));
  }
  return prefix ? [[prefix, value]] : [];
}

/** The value at a dotted path, or undefined. */
export function valueAt(tree: unknown, path: string): unknown {
  let current: unknown = tree;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isPlainObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** Sets the value at a dotted path, creating mappings on the way. */
export function setAt(tree: ConfigTree, path: string, value: unknown): void {
  const segments = path.split('.');
  const last = segments.pop();
  if (last === undefined) return;
  let current: ConfigTree = tree;
  for (const segment of segments) {
    const next = current[segment];
    if (!isPlainObject(next)) current[segment] = {};
    current = current[segment] as ConfigTree;
  }
  current[last] = value;
}
