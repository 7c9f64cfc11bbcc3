import { DifyLogsError } from '@dify-logs/core';
import type { NotificationMessage } from '@dify-logs/core/adapter-kit';
import { CORE_NOTIFIER_TYPES } from '@dify-logs/core/internal';
import type { Command } from 'commander';
import { addConfigOptions, PLUGINS, runtimeFromFlags, type ConfigFlags } from '../support/config-flags.js';

/** Every notifier type: core's console and each registered notifier plugin. */
const NOTIFIER_TYPES: readonly string[] = [...CORE_NOTIFIER_TYPES, ...PLUGINS.parts.notifiers.types];
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';

interface NotifyTestFlags extends ConfigFlags {
  channel: string;
}

export function registerNotify(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const notify = program.command('notify').description('notification channels');
  addConfigOptions(
    notify
      .command('test')
      .description(
        'send a sample message through one configured channel, to check a webhook or mailbox before the first night',
      )
      .requiredOption('--channel <type>', `one of ${NOTIFIER_TYPES.join(', ')}`),
  ).action(async (flags: NotifyTestFlags) => setExit(await runNotifyTest(flags, io)));
}

export function testMessage(now: Date): NotificationMessage {
  return {
    kind: 'report-ready',
    severity: 'info',
    title: 'dify-logs test message',
    summary: 'If you can read this, dify-logs can reach this channel. Nightly reports and alerts will arrive here.',
    facts: [
      { label: 'Runs', value: '1,204' },
      { label: 'Failed', value: '17' },
      { label: 'Success rate', value: '98.6 %' },
    ],
    links: [],
    job: 'notify-test',
    occurredAt: now.toISOString(),
  };
}

export async function runNotifyTest(flags: NotifyTestFlags, io: CliIo): Promise<number> {
  const type = flags.channel.trim().toLowerCase() === 'wechat' ? 'wecom' : flags.channel.trim().toLowerCase();
  if (!NOTIFIER_TYPES.includes(type))
    throw new UsageError(`--channel must be one of ${NOTIFIER_TYPES.join(', ')}, got ${JSON.stringify(flags.channel)}`);
  const runtime = await runtimeFromFlags(flags, io, (text) => void io.stdout.write(text));
  const notifier = await runtime.notifier(type);
  try {
    await notifier.send(testMessage(new Date()));
    io.stdout.write(`${notifier.name}: delivered\n`);
    return EXIT.ok;
  } catch (error) {
    const detail = DifyLogsError.isInstance(error)
      ? `${error.message} [${error.code}${error.isRetryable ? ', retryable' : ''}]`
      : error instanceof Error
        ? error.message
        : String(error);
    io.stderr.write(`dify-logs: ${notifier.name}: not delivered: ${detail}\n`);
    return EXIT.failed;
  } finally {
    await notifier.close?.();
  }
}
