import { deriveUuid } from './ids.js';

/**
 * Chat data of the chat-like apps (advanced-chat): every finished production run is one message, and
 * consecutive messages form conversations of 1 to 4 messages (sizes cycle 1, 3, 2, 4, 2: 12 messages per 5
 * conversations), so a message's conversation is found without a scan. A chatflow message's workflow run is the
 * run itself (`workflow_run_id`); running runs have no message yet.
 */
export const SIZES = [1, 3, 2, 4, 2];
const PREFIX = [0, 1, 4, 6, 10, 12];
const CYCLE_MESSAGES = 12;
export const CYCLE_CONVERSATIONS = SIZES.length;
export const SALT_CONVERSATION = 0xc0417;
export const SALT_MESSAGE = 0xc0418;
export const SALT_FEEDBACK = 0xc0419;

/** The conversation of message (run) `index`, and where it starts. */
export function conversationIndexOf(index: number): { conversation: number; first: number; size: number } {
  const cycle = Math.floor(index / CYCLE_MESSAGES);
  const offset = index % CYCLE_MESSAGES;
  let slot = 0;
  while (PREFIX[slot + 1]! <= offset) slot += 1;
  return {
    conversation: cycle * CYCLE_CONVERSATIONS + slot,
    first: cycle * CYCLE_MESSAGES + PREFIX[slot]!,
    size: SIZES[slot]!,
  };
}

/** First message index of conversation `conversation`. */
export function firstMessageOf(conversation: number): number {
  return Math.floor(conversation / CYCLE_CONVERSATIONS) * CYCLE_MESSAGES + PREFIX[conversation % CYCLE_CONVERSATIONS]!;
}

/** The id of conversation `conversation` of app `appIndex`. */
export function conversationUuid(seed: number, appIndex: number, conversation: number): string {
  return deriveUuid(seed, SALT_CONVERSATION, appIndex, conversation);
}
