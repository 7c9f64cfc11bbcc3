import type { Sink } from '../adapters/sink.js';
import { sampleChatMessage, sampleContext, sampleConversation, unique, write } from './sink-samples.js';
import type { TestRunner } from './runner.js';

/** What a reader sees of one conversation. */
export interface SinkConversationView {
  updatedAt: string | null;
  messageCount: number | null;
  dislikes: number;
}

export interface ConversationSuiteOptions<S extends Sink = Sink> {
  /**
   * A committed conversation as a reader sees it (by conversation id), `undefined` when none is visible. With it the
   * conversations are tested (the sink's writer must then have `addConversation`); without it those tests are skipped,
   * with that reason.
   */
  readConversation?: (sink: S, conversationId: string) => Promise<SinkConversationView | undefined>;
}

const EARLY = '2026-03-02T09:00:00.000Z';
const LATE = '2026-03-06T09:00:00.000Z';

/**
 * The conversation part of the Sink contract (`SinkWriter.addConversation`): a conversation is written again by every
 * window that sees it; the sink keeps its newest version and never goes back to an older one.
 */
export function conversationCases<S extends Sink>(
  runner: TestRunner,
  sink: () => S,
  options: ConversationSuiteOptions<S>,
): void {
  const { expect, it } = runner;
  const withConversations = (
    title: string,
    body: (read: (id: string) => Promise<SinkConversationView | undefined>) => Promise<void>,
  ) =>
    options.readConversation
      ? it(title, () => body((id) => options.readConversation!(sink(), id)))
      : it.skip(`${title} (skipped: no readConversation option)`, () => undefined);

  withConversations('keeps the newest version of a conversation, whatever order the windows come in', async (read) => {
    const id = unique('conversation');
    const first = sampleConversation(id, { updatedAt: EARLY, messageCount: 1, dislikes: 0 });
    const later = sampleConversation(id, { updatedAt: LATE, messageCount: 4, dislikes: 1 });
    const commit = await write(sink(), [], sampleContext(), [], [first]);
    expect(commit.rows).toMatchObject({ conversations: 1 });
    expect(await read(id)).toEqual({ updatedAt: EARLY, messageCount: 1, dislikes: 0 });
    await write(sink(), [], sampleContext(), [], [later]);
    expect(await read(id)).toEqual({ updatedAt: LATE, messageCount: 4, dislikes: 1 });
    // A re-run of the first window brings the older version again: it does not replace the newer one.
    await write(sink(), [], sampleContext(), [], [first]);
    expect(await read(id)).toEqual({ updatedAt: LATE, messageCount: 4, dislikes: 1 });
    // Twice in one window: the newer wins there too, in either order.
    const other = unique('conversation');
    await write(
      sink(),
      [],
      sampleContext(),
      [],
      [
        sampleConversation(other, { updatedAt: LATE, messageCount: 3 }),
        sampleConversation(other, { updatedAt: EARLY, messageCount: 1 }),
      ],
    );
    expect(await read(other)).toMatchObject({ updatedAt: LATE, messageCount: 3 });
    // Nothing of an aborted write.
    const writer = await sink().open(sampleContext());
    await writer.addConversation!(sampleConversation(id, { updatedAt: '2026-03-09T09:00:00.000Z', messageCount: 9 }));
    await writer.abort(new Error('a test abort'));
    expect(await read(id)).toMatchObject({ messageCount: 4 });
  });

  withConversations("forgets an end user's conversations with their messages", async (read) => {
    if (!sink().forget) return;
    const id = unique('forget-conversation');
    const person = `${id}-person`;
    const own = sampleConversation(`${id}-own`, { endUserSessionId: person, endUserId: null });
    // Another form of the same person: a Dify end-user id on a message of the conversation.
    const viaMessage = sampleConversation(`${id}-via-message`, { endUserSessionId: null, endUserId: null });
    const message = sampleChatMessage(`${id}-m`, { conversationId: viaMessage.conversationId, endUserId: person });
    const someoneElse = sampleConversation(`${id}-other`, { endUserSessionId: `${id}-someone`, endUserId: null });
    await write(sink(), [], sampleContext(), [message], [own, viaMessage, someoneElse]);
    const dry = await sink().forget!({ endUsers: [person], dryRun: true });
    expect(dry.rows).toMatchObject({ conversations: 2 });
    expect(await read(own.conversationId)).not.toBeUndefined();
    const forgotten = await sink().forget!({ endUsers: [person] });
    expect(forgotten.rows).toMatchObject({ conversations: 2, messages: 1 });
    expect(await read(own.conversationId)).toBeUndefined();
    expect(await read(viaMessage.conversationId)).toBeUndefined();
    expect(await read(someoneElse.conversationId)).not.toBeUndefined();
  });
}
