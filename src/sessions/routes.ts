import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireObjectBody } from '../http/body.js';
import { InvalidInputError } from '../lib/errors.js';
import type { ExportFile } from './export.js';
import {
  branchBody, clampLegacy, exportFormat, exportQuery, legacyLimit, legacySummary, legacyTitle, listQuery, modelBody, searchQuery,
  sessionIdParams, v1Limit, v1RenameBody, v1Summary,
} from './schemas.js';
import { BUSY, type SessionService } from './service.js';

const scope = ['sessions'] as const;
const tags = ['sessions'];
const OK = { status: 'ok' } as const;

function sendExport(reply: FastifyReply, file: ExportFile) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .send(file.body);
}

/** Spec §3.1: the legacy `/api/...` and versioned `/api/v1/...` session routes. */
export function registerSessionRoutes(app: FastifyInstance, sessions: SessionService, isBusy: (sessionId: string) => boolean): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const config = { scope };

  // ---- list ----
  r.get('/api/sessions', {
    config, schema: { tags, summary: 'List sessions, newest activity first', querystring: listQuery(legacyLimit(50)) },
  }, async (req) => {
    const { sessions: rows, total } = sessions.list(clampLegacy(req.query.limit), req.query.before, req.query.before_id);
    return { sessions: rows.map(legacySummary), total };
  });
  r.get('/api/v1/sessions', {
    config, schema: { tags, summary: 'List sessions, newest activity first', querystring: listQuery(v1Limit(50, 500)) },
  }, async (req) => {
    const { sessions: rows, total } = sessions.list(req.query.limit, req.query.before, req.query.before_id);
    return { sessions: rows.map(v1Summary), total };
  });
  r.get('/api/memory/sessions', {
    config, schema: { tags, summary: 'List sessions (legacy bare array)', querystring: z.object({ limit: legacyLimit(20) }) },
  }, async (req) => sessions.list(clampLegacy(req.query.limit)).sessions.map(legacySummary));

  // ---- search ----
  r.get('/api/sessions/search', {
    config, schema: { tags, summary: 'Search message text (case-insensitive substring)', querystring: searchQuery(legacyLimit(20)) },
  }, async (req) => ({ sessions: sessions.search(req.query.q, clampLegacy(req.query.limit)) }));
  r.get('/api/v1/sessions/search', {
    config, schema: { tags, summary: 'Search message text (case-insensitive substring)', querystring: searchQuery(v1Limit(20, 200)) },
  }, async (req) => ({ sessions: sessions.search(req.query.q, req.query.limit) }));

  // ---- rename (the seed page) ----
  r.post('/api/sessions/:id/title', {
    config, schema: { tags, summary: 'Rename a session (legacy rules: trimmed, non-empty)', params: sessionIdParams },
  }, async (req) => {
    await sessions.rename(req.params.id, legacyTitle(requireObjectBody(req.body).title));
    return OK;
  });
  r.post('/api/v1/sessions/:id/title', {
    config, schema: { tags, summary: 'Rename a session (stored as given, 1–200 characters)', params: sessionIdParams, body: v1RenameBody },
  }, async (req) => {
    await sessions.rename(req.params.id, req.body.title);
    return OK;
  });

  // ---- delete ----
  for (const path of ['/api/sessions/:id', '/api/v1/sessions/:id']) {
    r.delete(path, { config, schema: { tags, summary: 'Delete a session and its messages', params: sessionIdParams } }, async (req) => {
      await sessions.delete(req.params.id);
      return OK;
    });
  }

  // ---- history ----
  r.get('/api/memory/session', {
    config, schema: { tags, summary: 'Last messages of a session', querystring: z.object({ id: z.string().optional(), limit: legacyLimit(50) }) },
  }, async (req) => {
    if (!req.query.id) return [];
    return sessions.history(req.query.id, clampLegacy(req.query.limit)).map((m) => ({ role: m.role || 'user', content: m.content }));
  });
  r.get('/api/v1/sessions/:id/history', {
    config, schema: { tags, summary: 'Last messages of a session', params: sessionIdParams, querystring: z.object({ limit: v1Limit(50, 500) }) },
  }, async (req) => sessions.historyView(req.params.id, req.query.limit));

  // ---- the conversation tree and the chat's own model (ours, spec §4.7) ----
  r.post('/api/v1/sessions/:id/branch', {
    config, schema: { tags, summary: 'Make the branch through a message active; returns the new history', params: sessionIdParams, body: branchBody },
  }, async (req) => {
    if (isBusy(req.params.id)) throw new InvalidInputError(BUSY);
    sessions.switchBranch(req.params.id, req.body.message_id);
    return sessions.historyView(req.params.id, 500);
  });
  r.post('/api/v1/sessions/:id/model', {
    config,
    schema: { tags, summary: "Set the chat's own model (\"<provider>:<model id>\"), or null for the default", params: sessionIdParams, body: modelBody },
  }, async (req) => legacySummary(sessions.redactedRecord(sessions.setModel(req.params.id, req.body.model))));

  // ---- export ----
  r.get('/api/memory/session/export', {
    config, schema: { tags, summary: 'Download a session as JSON or Markdown', querystring: exportQuery.extend({ id: z.string().optional() }) },
  }, async (req, reply) => {
    if (!req.query.id) throw new InvalidInputError('Missing required parameter: id');
    const format = exportFormat(req.query.format);
    return sendExport(reply, sessions.export(req.query.id, format));
  });
  r.get('/api/v1/sessions/:id/export', {
    config, schema: { tags, summary: 'Download a session as JSON or Markdown', params: sessionIdParams, querystring: exportQuery },
  }, async (req, reply) => sendExport(reply, sessions.export(req.params.id, exportFormat(req.query.format))));
}
