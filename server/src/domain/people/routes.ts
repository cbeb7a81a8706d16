// HTTP routes of operators, groups and skills: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { notPermitted } from '../../errors.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize, type Principal } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import {
  createGroup,
  createOperator,
  createSkill,
  deleteGroup,
  deleteOperator,
  deleteSkill,
  updateGroup,
  updateOperator,
  updateSkill,
} from './commands.js';
import { parseJsonList, presentGroup, presentOperator, presentSkill } from './present.js';
import {
  GROUP_FILTERS,
  GroupCreateBody,
  GroupData,
  GroupUpdateBody,
  OPERATOR_FILTERS,
  OperatorCreateBody,
  OperatorData,
  OperatorUpdateBody,
  SKILL_FILTERS,
  SkillCreateBody,
  SkillData,
  SkillUpdateBody,
} from './schema.js';
import { listGroupIds, listOperatorIds, listSkillIds, loadGroups, loadOperators, loadSkills } from './store.js';

/**
 * A manager's console session may manage operators but not the admin role: granting or removing it takes an admin
 * (or an API key, which acts for the whole client).
 */
function guardAdminRole(principal: Principal, before: readonly string[], after: readonly string[] | undefined): void {
  if (
    after === undefined ||
    principal.scope !== 'client' ||
    principal.session === undefined ||
    principal.session.roles.includes('admin')
  )
    return;
  if (before.includes('admin') !== after.includes('admin'))
    throw notPermitted('Only an admin can grant or remove the admin role.');
}

export const peopleRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;

  // Operators.
  app.get(
    '/operator',
    {
      schema: {
        tags: ['Operator'],
        summary: 'List your operators',
        querystring: listQuerySchema(OPERATOR_FILTERS),
        response: { 200: ListEnvelope(OperatorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'list');
      const query = parseListQuery(request.query, OPERATOR_FILTERS, 'operator');
      return listAnswer(
        query,
        await listOperatorIds(db, request.principal, query),
        'operator',
        (ids) => loadOperators(db, request.principal, ids),
        presentOperator,
      );
    },
  );
  app.get(
    '/operator/:id',
    {
      schema: {
        tags: ['Operator'],
        summary: "Get operator's details",
        params: IdParams,
        response: { 200: OneEnvelope(OperatorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'read');
      return one(
        presentOperator(
          await loadVisible('operator', request.params.id, (ids) => loadOperators(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/operator',
    {
      schema: {
        tags: ['Operator'],
        summary: 'Create an operator',
        description: '`name` and `email` are required. The password is never returned; an `sso_key` is generated.',
        body: OperatorCreateBody,
        response: { 200: OneEnvelope(OperatorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'create');
      guardAdminRole(request.principal, [], request.body.roles);
      const id = await createOperator(db, request.principal, request.body);
      return one(
        presentOperator(await loadVisible('operator', id, (ids) => loadOperators(db, request.principal, ids))),
      );
    },
  );
  app.put(
    '/operator/:id',
    {
      schema: {
        tags: ['Operator'],
        summary: 'Update an operator',
        params: IdParams,
        body: OperatorUpdateBody,
        response: { 200: OneEnvelope(OperatorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'update');
      const existing = await loadVisible('operator', request.params.id, (ids) =>
        loadOperators(db, request.principal, ids),
      );
      guardAdminRole(request.principal, parseJsonList<string>(existing.roles), request.body.roles);
      await updateOperator(db, existing.client_id, existing.id, request.body);
      return one(
        presentOperator(await loadVisible('operator', existing.id, (ids) => loadOperators(db, request.principal, ids))),
      );
    },
  );
  app.delete(
    '/operator/:id',
    {
      schema: {
        tags: ['Operator'],
        summary: 'Delete an operator',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'delete');
      const existing = await loadVisible('operator', request.params.id, (ids) =>
        loadOperators(db, request.principal, ids),
      );
      await deleteOperator(db, existing.client_id, existing.id);
      return done();
    },
  );

  // Groups.
  app.get(
    '/group',
    {
      schema: {
        tags: ['Group'],
        summary: 'List your groups',
        querystring: listQuerySchema(GROUP_FILTERS),
        response: { 200: ListEnvelope(GroupData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'group', 'list');
      const query = parseListQuery(request.query, GROUP_FILTERS, 'group');
      return listAnswer(
        query,
        await listGroupIds(db, request.principal, query),
        'group',
        (ids) => loadGroups(db, request.principal, ids),
        presentGroup,
      );
    },
  );
  app.get(
    '/group/:id',
    {
      schema: {
        tags: ['Group'],
        summary: 'Get a group details',
        params: IdParams,
        response: { 200: OneEnvelope(GroupData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'group', 'read');
      return one(
        presentGroup(await loadVisible('group', request.params.id, (ids) => loadGroups(db, request.principal, ids))),
      );
    },
  );
  app.post(
    '/group',
    {
      schema: {
        tags: ['Group'],
        summary: 'Create a group',
        body: GroupCreateBody,
        response: { 200: OneEnvelope(GroupData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'group', 'create');
      const id = await createGroup(db, request.principal, request.body);
      return one(presentGroup(await loadVisible('group', id, (ids) => loadGroups(db, request.principal, ids))));
    },
  );
  app.put(
    '/group/:id',
    {
      schema: {
        tags: ['Group'],
        summary: 'Update a group',
        params: IdParams,
        body: GroupUpdateBody,
        response: { 200: OneEnvelope(GroupData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'group', 'update');
      const existing = await loadVisible('group', request.params.id, (ids) => loadGroups(db, request.principal, ids));
      await updateGroup(db, existing.client_id, existing.id, request.body);
      return one(
        presentGroup(await loadVisible('group', existing.id, (ids) => loadGroups(db, request.principal, ids))),
      );
    },
  );
  app.delete(
    '/group/:id',
    {
      schema: {
        tags: ['Group'],
        summary: 'Delete a group',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'group', 'delete');
      const existing = await loadVisible('group', request.params.id, (ids) => loadGroups(db, request.principal, ids));
      await deleteGroup(db, existing.client_id, existing.id);
      return done();
    },
  );

  // Skills.
  app.get(
    '/skill',
    {
      schema: {
        tags: ['Skill'],
        summary: 'List your skills',
        querystring: listQuerySchema(SKILL_FILTERS),
        response: { 200: ListEnvelope(SkillData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'skill', 'list');
      const query = parseListQuery(request.query, SKILL_FILTERS, 'skill');
      return listAnswer(
        query,
        await listSkillIds(db, request.principal, query),
        'skill',
        (ids) => loadSkills(db, request.principal, ids),
        presentSkill,
      );
    },
  );
  app.get(
    '/skill/:id',
    {
      schema: {
        tags: ['Skill'],
        summary: 'Get a skill details',
        params: IdParams,
        response: { 200: OneEnvelope(SkillData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'skill', 'read');
      return one(
        presentSkill(await loadVisible('skill', request.params.id, (ids) => loadSkills(db, request.principal, ids))),
      );
    },
  );
  app.post(
    '/skill',
    {
      schema: {
        tags: ['Skill'],
        summary: 'Create a skill',
        body: SkillCreateBody,
        response: { 200: OneEnvelope(SkillData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'skill', 'create');
      const id = await createSkill(db, request.principal, request.body);
      return one(presentSkill(await loadVisible('skill', id, (ids) => loadSkills(db, request.principal, ids))));
    },
  );
  app.put(
    '/skill/:id',
    {
      schema: {
        tags: ['Skill'],
        summary: 'Update a skill',
        params: IdParams,
        body: SkillUpdateBody,
        response: { 200: OneEnvelope(SkillData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'skill', 'update');
      const existing = await loadVisible('skill', request.params.id, (ids) => loadSkills(db, request.principal, ids));
      await updateSkill(db, existing.client_id, existing.id, request.body);
      return one(
        presentSkill(await loadVisible('skill', existing.id, (ids) => loadSkills(db, request.principal, ids))),
      );
    },
  );
  app.delete(
    '/skill/:id',
    {
      schema: {
        tags: ['Skill'],
        summary: 'Delete a skill',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'skill', 'delete');
      const existing = await loadVisible('skill', request.params.id, (ids) => loadSkills(db, request.principal, ids));
      await deleteSkill(db, existing.client_id, existing.id);
      return done();
    },
  );
};
