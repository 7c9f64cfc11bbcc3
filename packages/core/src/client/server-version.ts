/** Parses "1.13.3" (or "1.13.3-fix.1", "v1.9.2") into numbers; null when it is not a version. */
export function parseVersion(version: string): [number, number, number] | null {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** true when `version` is at least `minimum`; false for an unknown or unparseable version. */
export function versionAtLeast(version: string | null | undefined, minimum: string): boolean {
  if (!version) return false;
  const have = parseVersion(version);
  const need = parseVersion(minimum);
  if (!have || !need) return false;
  for (let index = 0; index < 3; index += 1) {
    if (have[index]! !== need[index]!) return have[index]! > need[index]!;
  }
  return true;
}
