// HTTP routes of targeting rules under /api/2: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { createTargetingRule, deleteTargetingRule, updateTargetingRule } from './commands.js';
import { presentTargetingRule } from './present.js';
import {
  TARGETING_RULE_FILTERS,
  TargetingRuleCreateBody,
  TargetingRuleData,
  TargetingRuleUpdateBody,
} from './schema.js';
import { listTargetingRuleIds, loadTargetingRules, type TargetingRuleFilter } from './store.js';

const RESOURCE = 'targeting_rule';

export const targetingRuleRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Targeting rule'];

  app.get(
    '/targeting_rule',
    {
      schema: {
        tags,
        summary: 'List your targeting rules',
        description: 'Deleted rules are not listed. Newest first.',
        querystring: listQuerySchema(TARGETING_RULE_FILTERS),
        response: { 200: ListEnvelope(TargetingRuleData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, RESOURCE, 'list');
      const query = parseListQuery<TargetingRuleFilter>(
        request.query,
        TARGETING_RULE_FILTERS as Record<TargetingRuleFilter, (typeof TARGETING_RULE_FILTERS)[string]>,
        RESOURCE,
      );
      return listAnswer(
        query,
        await listTargetingRuleIds(db, request.principal, query),
        RESOURCE,
        (ids) => loadTargetingRules(db, request.principal, ids),
        presentTargetingRule,
      );
    },
  );
  app.get(
    '/targeting_rule/:id',
    {
      schema: {
        tags,
        summary: 'Get a targeting rule details',
        params: IdParams,
        response: { 200: OneEnvelope(TargetingRuleData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, RESOURCE, 'read');
      return one(
        presentTargetingRule(
          await loadVisible(RESOURCE, request.params.id, (ids) => loadTargetingRules(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/targeting_rule',
    {
      schema: {
        tags,
        summary: 'Create a targeting rule',
        description:
          "The website's widget shows the chat button or an invitation on the pages where the rule's conditions hold (docs/TARGETING.md). `invitation_message` is required with `action` `invitation`; `group_id` or `skill_id` (not both) must be the client's.",
        body: TargetingRuleCreateBody,
        response: { 200: OneEnvelope(TargetingRuleData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, RESOURCE, 'create');
      const id = await createTargetingRule(db, request.principal, request.body);
      return one(
        presentTargetingRule(await loadVisible(RESOURCE, id, (ids) => loadTargetingRules(db, request.principal, ids))),
      );
    },
  );
  app.put(
    '/targeting_rule/:id',
    {
      schema: {
        tags,
        summary: 'Update a targeting rule',
        description: '`conditions`, when given, replace the whole set. `status` `inactive` disables the rule.',
        params: IdParams,
        body: TargetingRuleUpdateBody,
        response: { 200: OneEnvelope(TargetingRuleData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, RESOURCE, 'update');
      const load = (ids: number[]) => loadTargetingRules(db, request.principal, ids);
      const existing = await loadVisible(RESOURCE, request.params.id, load);
      await updateTargetingRule(db, existing, request.body);
      return one(presentTargetingRule(await loadVisible(RESOURCE, existing.id, load)));
    },
  );
  app.delete(
    '/targeting_rule/:id',
    {
      schema: {
        tags,
        summary: 'Delete a targeting rule',
        description:
          'Widgets stop showing it; its display counters and the conversations it started keep naming it for statistics.',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, RESOURCE, 'delete');
      const existing = await loadVisible(RESOURCE, request.params.id, (ids) =>
        loadTargetingRules(db, request.principal, ids),
      );
      await deleteTargetingRule(db, existing);
      return done();
    },
  );
};
