/**
 * The cookies of one Dify console session. Names are kept exactly as the server set them
 * (`access_token` or `__Host-access_token`): Dify reads them back under the same names.
 */
export interface CookieJar {
  store(setCookieHeaders: readonly string[]): void;
  get(suffix: string): string | undefined;
  header(): string;
  size(): number;
  values(): string[];
  clear(): void;
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    store(setCookieHeaders) {
      for (const line of setCookieHeaders) {
        const [pair, ...attributes] = line.split(';');
        const separator = pair?.indexOf('=') ?? -1;
        if (!pair || separator <= 0) continue;
        const name = pair.slice(0, separator).trim();
        const value = pair.slice(separator + 1).trim();
        if (value === '' || isExpired(attributes)) cookies.delete(name);
        else cookies.set(name, value);
      }
    },
    get(suffix) {
      for (const [name, value] of cookies) {
        if (name === suffix || name.endsWith(`-${suffix}`)) return value;
      }
      return undefined;
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    size: () => cookies.size,
    values: () => [...cookies.values()],
    clear: () => cookies.clear(),
  };
}

function isExpired(attributes: string[]): boolean {
  for (const attribute of attributes) {
    const [rawKey, ...rest] = attribute.split('=');
    const key = rawKey?.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'max-age' && Number(value) <= 0) return true;
    if (key === 'expires' && Date.parse(value) <= Date.now()) return true;
  }
  return false;
}
