import { DifyLogsError } from '../../errors/dify-logs-error.js';
import type { ClientContext } from '../context.js';
import { CompletionConversationPageSchema, ConversationPageSchema } from '../schemas/chat.js';
import { CHAT_APP_MODES, withArticle } from './chat.js';

export interface ProbeProblem {
  step: string;
  code: string;
  message: string;
}

export interface AppAccess {
  id: string;
  name: string | null;
  mode: string;
  data: 'runs' | 'conversations' | 'none';
  reason: string;
}

/**
 * What the console gives of one app: workflow apps' run logs, and for chat and completion apps one request for a
 * conversation of that app (its own URL, its own answer: the editor role is workspace-wide, but an app can fail on
 * its own), with the refusal in `problems`.
 */
export async function probeAppAccess(
  context: ClientContext,
  app: { id: string; name: string; mode: string },
  problems: ProbeProblem[],
): Promise<AppAccess> {
  const base = { id: app.id, name: app.name, mode: app.mode };
  const kind = withArticle(app.mode);
  if (app.mode === 'workflow')
    return { ...base, data: 'runs', reason: 'workflow run logs (and node executions) through the console' };
  const completion = app.mode === 'completion';
  if (!completion && !CHAT_APP_MODES.includes(app.mode))
    return { ...base, data: 'none', reason: `${kind} app: not read by dify-logs yet` };
  const path = `/apps/${encodeURIComponent(app.id)}/${completion ? 'completion' : 'chat'}-conversations`;
  try {
    await context.call(
      { surface: 'console', path, query: { page: 1, limit: 1 } },
      completion ? CompletionConversationPageSchema : ConversationPageSchema,
    );
  } catch (error) {
    const code = DifyLogsError.isInstance(error) ? error.code : 'error';
    const refusal =
      code === 'forbidden'
        ? 'the console account lacks the editor role, which conversations need'
        : `conversations could not be read: ${error instanceof Error ? error.message : String(error)}`;
    problems.push({ step: 'conversations (console)', code, message: `app ${app.id} (${app.name}): ${refusal}` });
    return { ...base, data: 'none', reason: `${kind} app: ${refusal}` };
  }
  const what = completion
    ? 'completion conversations (one message each) through the console'
    : `conversations and messages through the console${
        app.mode === 'advanced-chat' ? ', with the chatflow run behind each message' : ''
      }`;
  return { ...base, data: 'conversations', reason: `${kind} app: ${what}` };
}
