import { DifyConfigError } from '../errors/config-error.js';
import type { NodeRecord } from '../records/schema.js';

/**
 * A price for a model, overriding what Dify recorded (self-hosted models that Dify prices at 0, or
 * negotiated rates). `model` matches the model name, case-insensitive; a `*` matches any characters
 * (`qwen*`). `provider`, when given, must occur in Dify's provider name (`openai` matches
 * `langgenius/openai/openai`). Prices are per 1,000 tokens. The first matching rule wins.
 */
export interface PriceRule {
  model: string;
  provider?: string;
  /** Per 1,000 prompt (input) tokens. */
  input: number;
  /** Per 1,000 completion (output) tokens. */
  output: number;
  /** ISO code or Dify's (`USD`, `RMB`). */
  currency: string;
}

export type PriceTable = readonly PriceRule[];

interface CompiledRule extends PriceRule {
  pattern: RegExp;
  providerLower: string | undefined;
}

/** Prices nodes: from the table when a rule matches, else Dify's own price. Results are cached per model. */
export interface Pricer {
  /** [currency, amount] of a node, or null when it has no price. */
  price(node: NodeRecord): readonly [string, number] | null;
}

export function createPricer(table: PriceTable = []): Pricer {
  const rules: CompiledRule[] = table.map((rule, index) => {
    for (const key of ['input', 'output'] as const) {
      if (!Number.isFinite(rule[key]) || rule[key] < 0)
        throw new DifyConfigError(
          `prices.${index}.${key}`,
          `must be a number ≥ 0 (price per 1,000 tokens), got ${String(rule[key])}`,
        );
    }
    if (typeof rule.model !== 'string' || rule.model === '')
      throw new DifyConfigError(`prices.${index}.model`, 'must name a model (a `*` matches any characters)');
    if (typeof rule.currency !== 'string' || rule.currency === '')
      throw new DifyConfigError(`prices.${index}.currency`, 'must name a currency, e.g. USD');
    const pattern = new RegExp(
      `^${rule.model
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    );
    return { ...rule, pattern, providerLower: rule.provider?.toLowerCase() };
  });
  const cache = new Map<string, CompiledRule | null>();
  const ruleFor = (provider: string | null, model: string): CompiledRule | null => {
    const key = `${provider ?? ''}\u0000${model}`;
    let rule = cache.get(key);
    if (rule === undefined) {
      const lower = provider?.toLowerCase() ?? '';
      rule =
        rules.find(
          (candidate) =>
            candidate.pattern.test(model) &&
            (candidate.providerLower === undefined || lower.includes(candidate.providerLower)),
        ) ?? null;
      cache.set(key, rule);
    }
    return rule;
  };
  return {
    price(node) {
      if (rules.length > 0 && node.modelName) {
        const rule = ruleFor(node.modelProvider, node.modelName);
        if (rule) {
          const prompt = node.promptTokens ?? null;
          const completion = node.completionTokens ?? null;
          // Without the split, every token is priced as input: the cheaper side, never an overstatement.
          const amount =
            prompt === null && completion === null
              ? (node.totalTokens * rule.input) / 1000
              : ((prompt ?? 0) * rule.input + (completion ?? 0) * rule.output) / 1000;
          return [rule.currency, amount];
        }
      }
      if (node.totalPrice === null || node.totalPrice === 0) return null;
      return [node.currency ?? 'USD', node.totalPrice];
    },
  };
}
