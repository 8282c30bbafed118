import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import type { SessionService } from '../sessions/service.js';
import type { TreeMessage } from '../sessions/types.js';

/**
 * What a turn does to the conversation tree (spec §4.7):
 * - `chat`: a new user message after the active branch's leaf;
 * - `edit`: a new version of a sent user message (a sibling), then its answer;
 * - `regenerate`: a new answer to a user message (a sibling of the earlier answers);
 * - `continue`: more of a stopped answer, appended to that same message.
 */
export type TurnAction =
  | { kind: 'chat' }
  | { kind: 'edit'; messageId: string }
  | { kind: 'regenerate'; messageId: string }
  | { kind: 'continue'; messageId: string };

export { BUSY } from '../sessions/service.js';

/** Where a branch action starts, checked against the stored tree before anything streams. */
export interface BranchTarget {
  /** The user message to answer (regenerate), the one being replaced (edit), or the answer to extend (continue). */
  message: TreeMessage;
  /** regenerate: a failed answer with no replies, replaced rather than kept as a version. */
  replace?: TreeMessage;
}

/** Throws a domain error (clear message, 4xx) when the action does not fit the tree. */
export function checkBranchAction(sessions: SessionService, sessionId: string, action: Exclude<TurnAction, { kind: 'chat' }>): BranchTarget {
  const target = sessions.message(sessionId, action.messageId);
  if (!target) throw new NotFoundError('Message not found in this session');
  switch (action.kind) {
    case 'edit':
      if (target.role !== 'user') throw new InvalidInputError('Only your own messages can be edited.');
      return { message: target };
    case 'regenerate': {
      if (target.role === 'user') return { message: target };
      if (target.role !== 'assistant' || !target.parent_id) throw new InvalidInputError('That message has no question to answer again.');
      const question = sessions.message(sessionId, target.parent_id);
      if (!question || question.role !== 'user') throw new InvalidInputError('That message has no question to answer again.');
      const failed = typeof target.metadata.error === 'string' && target.children === 0;
      return failed ? { message: question, replace: target } : { message: question };
    }
    case 'continue':
      if (target.role !== 'assistant') throw new InvalidInputError('Only an answer can be continued.');
      if (!target.active || target.children > 0) throw new InvalidInputError('Only the last answer of the conversation can be continued.');
      return { message: target };
  }
}

/**
 * Inside the session's turn lock: moves the active branch so the turn's messages land where the
 * action says. `edit` ends the branch before the edited message (its new version is appended
 * next); `regenerate` ends it at the question (the new answer is appended next), after removing
 * a failed answer it replaces.
 */
export function applyBranchAction(sessions: SessionService, sessionId: string, action: TurnAction, target: BranchTarget | undefined): void {
  if (!target || action.kind === 'chat' || action.kind === 'continue') return;
  if (action.kind === 'edit') return sessions.activate(sessionId, target.message.parent_id);
  if (target.replace) sessions.deleteLeaf(sessionId, target.replace.id);
  sessions.activate(sessionId, target.message.id);
}
