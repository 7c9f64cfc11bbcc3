import type { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { isPlainObject } from './key-path.js';
import { ConfigSchema } from './schema.js';

interface Definition {
  type: string;
  innerType?: z.ZodType;
  out?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

function definitionOf(schema: z.ZodType): Definition {
  return (schema as unknown as { _zod: { def: Definition } })._zod.def;
}

/** The object schemas a value at this schema may be checked against (wrappers and pipes unwrapped). */
function objectShapes(schema: z.ZodType | undefined): Array<Record<string, z.ZodType>> | 'any' {
  if (!schema) return 'any';
  const definition = definitionOf(schema);
  switch (definition.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return objectShapes(definition.innerType);
    case 'pipe':
      return definition.in && definitionOf(definition.in).type !== 'transform'
        ? objectShapes(definition.in)
        : objectShapes(definition.out);
    case 'object':
      return [definition.shape ?? {}];
    case 'union': {
      const shapes = (definition.options ?? []).map(objectShapes);
      if (shapes.includes('any')) return 'any';
      return shapes.flat() as Array<Record<string, z.ZodType>>;
    }
    default:
      return 'any';
  }
}

function elementOf(schema: z.ZodType | undefined): z.ZodType | undefined {
  if (!schema) return undefined;
  const definition = definitionOf(schema);
  if (definition.type === 'array') return definition.element;
  if (['optional', 'default', 'prefault', 'nullable'].includes(definition.type)) return elementOf(definition.innerType);
  if (definition.type === 'pipe') return elementOf(definition.out) ?? elementOf(definition.in);
  return undefined;
}

/**
 * The keys of a partial configuration (a profile) that the schema does not know, without validating values:
 * a profile may hold references that only resolve when it is selected.
 */
export function unknownKeys(tree: unknown, prefix: string, schema: z.ZodType = ConfigSchema): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, current: z.ZodType | undefined, path: string) => {
    if (Array.isArray(value)) {
      const element = elementOf(current);
      value.forEach((item, index) => walk(item, element, `${path}.${index}`));
      return;
    }
    if (!isPlainObject(value)) return;
    const shapes = objectShapes(current);
    if (shapes === 'any') return;
    const allowed = [...new Set(shapes.flatMap((shape) => Object.keys(shape)))];
    for (const [key, item] of Object.entries(value)) {
      const child = `${path}.${key}`;
      // Own keys only: `hasOwnProperty` or `constructor` in a profile are unknown keys, not Object.prototype's.
      const shape = shapes.find((candidate) => Object.hasOwn(candidate, key));
      if (!shape) issues.push({ key: child, message: `unknown key (expected one of: ${allowed.join(', ')})` });
      else walk(item, shape[key], child);
    }
  };
  walk(tree, schema, prefix);
  return issues;
}
