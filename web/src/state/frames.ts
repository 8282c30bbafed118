/**
 * Where each server frame goes: plan frames to the plan cards, session frames to the list,
 * errors to a plan card or a toast, and the chat's own output to the turn machine.
 */
import type { ServerFrame } from '@protocol';
import { navigate } from '../router';
import { onOAuthRedirect } from './mcp';
import { failPlanDecision, onPlanDecided, onPlanProposed } from './plans';
import { removeSession, upsertSession } from './sessions';
import { chat } from './stores';
import { turns } from './turn';
import { toast } from './ui';

export function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'mcp_oauth_redirect':
      return onOAuthRedirect(f);
    case 'plan_proposed':
      return onPlanProposed(f);
    case 'plan_approved':
    case 'plan_rejected':
      return onPlanDecided(f);
    case 'connection_info':
      return turns.onConnected(String(f.id ?? ''));
    case 'session_history':
      return turns.onSessionHistory(f.session_id, f.messages);
    case 'new_session':
      return turns.onNewSession(String(f.id));
    case 'session_updated': {
      const s = f.session;
      if (!s || typeof s.id !== 'string') return;
      upsertSession(s);
      return turns.onSessionUpdated(s.id);
    }
    case 'session_deleted': {
      const id = String(f.id ?? '');
      removeSession(id);
      const c = chat.get();
      if (id && id === c.sessionId && !c.draft) {
        toast('This conversation was deleted.');
        navigate('#/');
      }
      return;
    }
    case 'error': {
      const content = String(f.content ?? 'Something went wrong.');
      turns.onActionError(f.action);
      if (!failPlanDecision(f.action, content)) toast(content, 'error');
      return;
    }
    default:
      turns.onChatFrame(f);
  }
}
