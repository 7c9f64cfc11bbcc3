/** A request parameter that cannot be used: answered with 400 and the parameter's name. */
export class BadParameterError extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.name = 'BadParameterError';
    this.parameter = parameter;
  }
}

/** Reads the parameters of a query string, each known name at most once; unknown names are refused. */
export class Parameters {
  private readonly values: URLSearchParams;
  constructor(search: URLSearchParams, known: readonly string[]) {
    for (const name of new Set(search.keys())) {
      if (!known.includes(name)) throw new BadParameterError(name, `unknown parameter (known: ${known.join(', ')})`);
      if (search.getAll(name).length > 1) throw new BadParameterError(name, 'given more than once');
    }
    this.values = search;
  }

  /** The trimmed text, or undefined when absent or empty. */
  text(name: string, maxLength = 500): string | undefined {
    const value = this.values.get(name)?.trim();
    if (value === undefined || value === '') return undefined;
    if (value.length > maxLength) throw new BadParameterError(name, `longer than ${maxLength} characters`);
    return value;
  }

  /** A comma-separated list (`status=failed,stopped`). */
  list(name: string): string[] | undefined {
    const items = this.text(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    return items && items.length > 0 ? items : undefined;
  }

  number(name: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER, whole = false): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || (whole && !Number.isInteger(value)))
      throw new BadParameterError(name, `${JSON.stringify(text)} is not a ${whole ? 'whole ' : ''}number`);
    if (value < minimum || value > maximum) throw new BadParameterError(name, `must be from ${minimum} to ${maximum}`);
    return value;
  }

  /** A day (`2026-03-09`, from its start; as `to`, through its end) or an ISO time, as an ISO time. */
  time(name: string, end = false): string | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
    const time = Date.parse(day ? `${text}T00:00:00.000Z` : text);
    if (Number.isNaN(time) || (!day && !/^\d{4}-\d{2}-\d{2}T/.test(text)))
      throw new BadParameterError(name, `${JSON.stringify(text)} is not a day (YYYY-MM-DD) or an ISO time`);
    return new Date(day && end ? time + 86_400_000 : time).toISOString();
  }

  oneOf<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    if (!choices.includes(text as T)) throw new BadParameterError(name, `must be one of ${choices.join(', ')}`);
    return text as T;
  }
}
