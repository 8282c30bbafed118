import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../lib/errors.js';
import type { PlanBook } from './plans.js';

const planBody = z.object({
  session_key: z.string({ error: 'Input should be a valid string' }).min(1, 'String should have at least 1 character'),
});

/** Plan approval over REST (spec §3.15): approving runs a held command, so it is the owner's (`admin`). */
export function registerPlanRoutes(app: FastifyInstance, plans: Pick<PlanBook, 'decide'>): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const [verb, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    r.post(`/api/v1/plan/${verb}`, {
      config: { scope: ['admin'] },
      schema: { tags: ['safety'], summary: `${verb === 'approve' ? 'Approve' : 'Reject'} the proposed plan of a session (plan mode)`, body: planBody },
    }, async (req) => {
      const sessionKey = req.body.session_key;
      if (!plans.decide(sessionKey, decision)) throw new NotFoundError(`No active plan to ${verb}`);
      return { session_key: sessionKey, action: decision };
    });
  }
}
