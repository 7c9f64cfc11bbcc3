import { extname } from 'node:path';
import { resolve } from 'node:path';
import { createPrivacyPolicy } from '@dify-logs/core';
import { readArchivedMessages } from '@dify-logs/core/archive';
import { createAtomicFileWriter } from '@dify-logs/core/adapter-kit';
import { DATASET_FORMATS, exportDataset, type DatasetFormat, type DatasetOptions } from '@dify-logs/reports';
import type { Command } from 'commander';
import { addConfigOptions, runtimeFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import { checkUtcDays } from '../support/connection.js';
import type { CliIo } from '../support/io.js';

interface ExportFlags extends ConfigFlags {
  from: string;
  to: string;
  app?: string;
  job?: string;
  feedback?: string;
  annotated?: boolean;
  minTurns?: string;
  format: string;
  unit?: string;
  split?: string;
  seed?: string;
  system?: string;
  out: string;
}

export function registerDataset(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const dataset = program
    .command('dataset')
    .description('fine-tuning and evaluation datasets from the archived chat messages (never calls Dify)');
  addConfigOptions(
    dataset
      .command('export')
      .description('questions, answers and feedback of the archived messages, in a published dataset shape')
      .requiredOption('--from <day>', 'first UTC day, YYYY-MM-DD')
      .requiredOption('--to <day>', 'last UTC day, YYYY-MM-DD')
      .requiredOption('--format <format>', `${Object.keys(DATASET_FORMATS).join(', ')}`)
      .requiredOption('--out <file>', 'the dataset file (with --split: FILE.train.EXT and FILE.eval.EXT)')
      .option('--app <id>', 'only this app')
      .option('--job <name>', "only this job's archive")
      .option('--feedback <rating>', 'only messages rated like, dislike, or any (a conversation needs one)')
      .option('--annotated', 'only messages with an admin annotation')
      .option('--min-turns <n>', 'only conversations of at least N messages')
      .option('--unit <unit>', 'message or conversation (default: message for jsonl/csv, else conversation)')
      .option('--split <share>', 'training share, e.g. 0.9: the rest goes to the evaluation file')
      .option('--seed <n>', 'seed of the split (default 0): the same seed gives the same sets')
      .option('--system <text>', 'a system message opening every openai-chat and sharegpt item'),
  ).action(async (flags: ExportFlags) => setExit(await runExport(flags, io)));
}

async function runExport(flags: ExportFlags, io: CliIo): Promise<number> {
  const options = datasetOptions(flags);
  const runtime = await runtimeFromFlags(flags, io);
  const out = resolve(io.cwd, flags.out);
  const paths =
    options.split === undefined ? { all: out } : { train: withSet(out, 'train'), eval: withSet(out, 'eval') };
  const writers = new Map<string, Awaited<ReturnType<typeof createAtomicFileWriter>>>();
  try {
    for (const [set, path] of Object.entries(paths)) writers.set(set, await createAtomicFileWriter(path));
    const storage = await runtime.storage();
    const privacy = createPrivacyPolicy(runtime.config.privacy);
    const messages = readArchivedMessages(storage, {
      from: flags.from,
      to: flags.to,
      ...(flags.job ? { job: flags.job } : {}),
      ...(flags.app ? { app: flags.app } : {}),
    });
    const result = await exportDataset(
      messages,
      { ...options, redact: (message) => privacy.message(message) },
      (set, text) => writers.get(set)!.write(text),
    );
    for (const writer of writers.values()) await writer.commit();
    const sets =
      options.split === undefined
        ? `${result.items.all} item(s)`
        : `${result.items.train + result.items.eval} item(s): train ${result.items.train}, eval ${result.items.eval}`;
    io.stderr.write(
      `dataset: ${sets} from ${result.messages} message(s) in ${result.conversations} conversation(s); ` +
        `${result.duplicates} duplicate(s) and ${result.filtered} filtered out\n`,
    );
    for (const path of Object.values(paths)) io.stdout.write(`${path}\n`);
    return EXIT.ok;
  } catch (error) {
    for (const writer of writers.values()) await writer.abort();
    throw error;
  } finally {
    await runtime.close();
  }
}

/** `data.jsonl` → `data.train.jsonl`. */
function withSet(path: string, set: string): string {
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}.${set}${extension}`;
}

function datasetOptions(flags: ExportFlags): DatasetOptions {
  checkUtcDays(flags);
  const oneOf = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value))
      throw new UsageError(`${flag}: expected ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
  const number = (flag: string, value: string | undefined, check: (n: number) => boolean, expected: string) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || !check(parsed))
      throw new UsageError(`${flag}: expected ${expected}, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const format = oneOf('--format', flags.format, Object.keys(DATASET_FORMATS) as DatasetFormat[])!;
  const unit = oneOf('--unit', flags.unit, ['message', 'conversation'] as const);
  const feedback = oneOf('--feedback', flags.feedback, ['like', 'dislike', 'any'] as const);
  const minTurns = number('--min-turns', flags.minTurns, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
  const split = number('--split', flags.split, (n) => n > 0 && n < 1, 'a share between 0 and 1, e.g. 0.9');
  const seed = number('--seed', flags.seed, Number.isInteger, 'a whole number');
  return {
    format,
    ...(unit ? { unit } : {}),
    ...(feedback ? { feedback } : {}),
    ...(flags.annotated ? { annotated: true } : {}),
    ...(minTurns !== undefined ? { minTurns } : {}),
    ...(split !== undefined ? { split } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(flags.system ? { system: flags.system } : {}),
  };
}
