import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAtomicFileWriter } from '../src/adapter-kit.js';

describe('createAtomicFileWriter', () => {
  it('shows nothing at the path until commit, then the whole content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'out.ndjson');
    const writer = await createAtomicFileWriter(path, { bufferBytes: 10 });
    for (let index = 0; index < 100; index += 1) await writer.write(`line ${index}\n`);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await writer.commit();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(101);
    expect(await readdir(dir)).toEqual(['out.ndjson']);
  });

  it('leaves the old file untouched and no temp file on abort', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'out.json');
    await writeFile(path, 'old');
    const writer = await createAtomicFileWriter(path, { bufferBytes: 1 });
    await writer.write('new partial');
    await writer.abort();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('refuses to overwrite with noOverwrite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'report.csv');
    await writeFile(path, 'first');
    const writer = await createAtomicFileWriter(path, { noOverwrite: true });
    await writer.write('second');
    await expect(writer.commit()).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['report.csv']);
  });
});
