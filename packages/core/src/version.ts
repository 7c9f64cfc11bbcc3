declare const __DIFY_LOGS_VERSION__: string;

/** The package version, injected at build time (`0.0.0-dev` when running from source). */
export const VERSION: string = typeof __DIFY_LOGS_VERSION__ === 'string' ? __DIFY_LOGS_VERSION__ : '0.0.0-dev';

export const USER_AGENT = `dify-logs/${VERSION}`;
