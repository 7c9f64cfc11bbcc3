import { z } from 'zod';
import { DifyAuthError } from '../../errors/auth-error.js';
import { DifyWorkspaceError } from '../../errors/workspace-error.js';
import type { ClientContext } from '../context.js';
import { WorkspaceListSchema } from '../schemas/dify.js';

export interface Workspace {
  id: string;
  name: string | null;
}

/** The workspace a run reads, checked before apps are listed. */
export interface WorkspaceCheck extends Workspace {
  /** True when `console.workspaceId` names it (or the admin key's `X-WORKSPACE-ID` does). */
  pinned: boolean;
  /** The workspace that was current before the client switched back to the pinned one; null when none was switched. */
  switchedFrom: Workspace | null;
}

const SwitchAnswerSchema = z.object({
  result: z.string().optional(),
  new_tenant: z.object({ id: z.string(), name: z.string().optional() }).optional(),
});

/** The account's workspaces (`GET /console/api/workspaces`), with the current one marked. */
export async function listWorkspaces(context: ClientContext): Promise<Array<Workspace & { current: boolean }>> {
  const answer = (await context.call({ surface: 'console', path: '/workspaces' }, WorkspaceListSchema))!;
  return answer.workspaces.map((workspace) => ({
    id: workspace.id,
    name: workspace.name ?? null,
    current: workspace.current === true,
  }));
}

const named = (workspace: Workspace) => `${workspace.name ? `"${workspace.name}" ` : ''}(${workspace.id})`;

/**
 * Makes `workspaceId` the account's current workspace (`POST /console/api/workspaces/switch`). Dify keeps it per
 * account, so this moves every session of the account, a person's browser too. 403: not a workspace of the account.
 */
export async function switchWorkspace(context: ClientContext, workspaceId: string): Promise<void> {
  try {
    await context.call(
      { surface: 'console', method: 'POST', path: '/workspaces/switch', json: { tenant_id: workspaceId } },
      SwitchAnswerSchema,
    );
  } catch (error) {
    if (DifyAuthError.isInstance(error) && error.code === 'forbidden') {
      throw new DifyWorkspaceError(
        'workspace_not_joined',
        `console.workspaceId: Dify refused to switch to workspace ${workspaceId}: ` +
          `the account did not join it (403 account_not_link_tenant)`,
        error,
      );
    }
    throw error;
  }
}

/**
 * Which workspace the console reads now, made right before apps are listed. Dify keeps the current workspace per
 * account (`TenantAccountJoin.current`, read on every request): whoever uses the account in a browser can switch it,
 * and apps then resolve in the other workspace without any error.
 * - `wanted` (`console.workspaceId`): another current workspace is switched back, and the switch confirmed.
 * - Else `expected` (the workspace apps were listed in earlier): another current workspace is an error, never read.
 * - The admin key acts in its own `X-WORKSPACE-ID` on every request: nothing is switched (that would move the owner's
 *   browser).
 * null without console access (a Service API key reads its own app wherever it is).
 */
export async function checkWorkspace(
  context: ClientContext,
  options: { wanted?: string; expected?: string } = {},
): Promise<WorkspaceCheck | null> {
  if (!context.console) return null;
  const workspaces = await listWorkspaces(context);
  const current = workspaces.find((workspace) => workspace.current);
  const describe = () => workspaces.map(named).join(', ');
  if (context.console.kind === 'admin-key') {
    if (!current)
      throw new DifyWorkspaceError('workspace_not_joined', 'the admin key reads no workspace (X-WORKSPACE-ID)');
    return { id: current.id, name: current.name, pinned: true, switchedFrom: null };
  }
  const { wanted, expected } = options;
  if (wanted !== undefined) {
    const target = workspaces.find((workspace) => workspace.id === wanted);
    if (!target)
      throw new DifyWorkspaceError(
        'workspace_not_joined',
        `console.workspaceId: ${wanted} is not a workspace of this account; its workspaces: ${describe()}`,
      );
    if (current?.id === wanted) return { id: target.id, name: target.name, pinned: true, switchedFrom: null };
    context.logger.warn(
      { current: current?.id, workspace: wanted },
      'another workspace is current for the account (switched in a browser?); switching back',
    );
    await switchWorkspace(context, wanted);
    const after = (await listWorkspaces(context)).find((workspace) => workspace.current);
    if (after?.id !== wanted)
      throw new DifyWorkspaceError(
        'workspace_changed',
        `console.workspaceId: switched to ${named(target)}, but ${after ? named(after) : 'no workspace'} ` +
          `is current again: someone keeps switching this account's workspace`,
      );
    return {
      id: target.id,
      name: target.name,
      pinned: true,
      switchedFrom: current ? { id: current.id, name: current.name } : null,
    };
  }
  if (!current)
    throw new DifyWorkspaceError(
      'workspace_changed',
      `the account has no current workspace; its workspaces: ${describe()}`,
    );
  if (expected !== undefined && current.id !== expected) {
    const before = workspaces.find((workspace) => workspace.id === expected) ?? { id: expected, name: null };
    throw new DifyWorkspaceError(
      'workspace_changed',
      `the account's current workspace is now ${named(current)}, not ${named(before)} ` +
        `where this run's apps were listed: someone switched it (in a browser?). ` +
        `Nothing was read from it; set dify.console.workspaceId to keep one workspace`,
    );
  }
  return { id: current.id, name: current.name, pinned: false, switchedFrom: null };
}
