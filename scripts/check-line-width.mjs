// No source line over the formatter's width: prettier (printWidth 120) breaks code but not long string and template
// literals, comments or regexes, so this check fails on every line of the tracked code under packages/, examples/ and
// scripts/ that is still wider than 120 characters, naming it as `file:line (N chars)`.
// Usage: `node scripts/check-line-width.mjs` (root script `lint:width`; run by `scripts/test-all.mjs`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const WIDTH = 120;
const EXTENSIONS = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;
const ROOTS = ['packages/', 'examples/', 'scripts/'];
// Built output, dependencies, generated API reports and test data keep their generated or hand-made form.
const SKIPPED = [/(?:^|\/)dist\//, /(?:^|\/)node_modules\//, /\.api\.md$/, /\/test\/fixtures\//, /\/test\/golden\//];

// Lines that cannot be split without harm, by file and the exact line text, each with its reason.
const ALLOWED = [];

const files = execFileSync('git', ['ls-files', '-z', '--', ...ROOTS], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
  .split('\0')
  .filter((file) => EXTENSIONS.test(file) && !SKIPPED.some((pattern) => pattern.test(file)));

const wide = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') continue; // deleted in the work tree, not yet in the index
    throw error;
  }
  text.split(/\r?\n/).forEach((line, index) => {
    // Characters, not UTF-16 code units: what an editor shows and what prettier measures (near enough).
    const length = [...line].length;
    if (length <= WIDTH) return;
    if (ALLOWED.some((entry) => entry.file === file && entry.line === line)) return;
    wide.push(`${file}:${index + 1} (${length} chars)`);
  });
}

if (wide.length > 0) {
  console.error(wide.join('\n'));
  console.error(
    `\n${wide.length} line(s) over ${WIDTH} characters: break them (split strings with +, rewrap comments) or, ` +
      'when that would do harm, list them in ALLOWED in scripts/check-line-width.mjs with the reason.',
  );
  process.exit(1);
}
console.log(`line width: ${files.length} files, no line over ${WIDTH} characters`);
