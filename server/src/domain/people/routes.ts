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
  rotateSsoKey,
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
  OperatorCreatedData,
  OperatorData,
  OperatorUpdateBody,
  SKILL_FILTERS,
  SkillCreateBody,
  SkillData,
  SkillUpdateBody,
  SsoKeyData,
} from './schema.js';
import { listGroupIds, listOperatorIds, listSkillIds, loadGroups, loadOperators, loadSkills } from './store.js';

/** True for a console session without the admin role (a manager's: agents are refused before by `authorize`). */
function sessionBelowAdmin(principal: Principal): boolean {
  return principal.scope === 'client' && principal.session !== undefined && !principal.session.roles.includes('admin');
}

/**
 * A manager's console session may manage operators but not the admin role: granting or removing it takes an admin
 * (or an API key, which acts for the whole client).
 */
function guardAdminRole(principal: Principal, before: readonly string[], after: readonly string[] | undefined): void {
  if (after === undefined || !sessionBelowAdmin(principal)) return;
  if (before.includes('admin') !== after.includes('admin'))
    throw notPermitted('Only an admin can grant or remove the admin role.');
}

/**
 * Nor may a manager take over an admin's account: whoever sets an admin's password, email or SSO key can log in as
 * that admin. `changes` names what the request changes.
 */
function guardAdminCredentials(principal: Principal, targetRoles: readonly string[], changes: readonly string[]): void {
  if (!sessionBelowAdmin(principal) || !targetRoles.includes('admin') || changes.length === 0) return;
  throw notPermitted("Only an admin can change an admin's email, password or SSO key.");
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
        (row) => presentOperator(request.principal, row),
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
          request.principal,
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
        description:
          '`name` and `email` are required. The password is never returned. An `sso_key` is generated and is in this answer only: no read returns it (`POST /operator/{id}/sso_key` issues a new one).',
        body: OperatorCreateBody,
        response: { 200: OneEnvelope(OperatorCreatedData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'create');
      guardAdminRole(request.principal, [], request.body.roles);
      const created = await createOperator(db, request.principal, request.body);
      const operator = await loadVisible('operator', created.id, (ids) => loadOperators(db, request.principal, ids));
      return one({ ...presentOperator(request.principal, operator), sso_key: created.ssoKey });
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
      const roles = parseJsonList<string>(existing.roles);
      guardAdminRole(request.principal, roles, request.body.roles);
      guardAdminCredentials(
        request.principal,
        roles,
        (['email', 'password'] as const).filter((field) => request.body[field] !== undefined),
      );
      await updateOperator(db, existing.client_id, existing.id, request.body);
      return one(
        presentOperator(
          request.principal,
          await loadVisible('operator', existing.id, (ids) => loadOperators(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/operator/:id/sso_key',
    {
      schema: {
        tags: ['Operator'],
        summary: 'Issue a new SSO key',
        description:
          "Replaces the operator's SSO key and answers the new one, shown this once (only its SHA-256 is kept). The old key stops working at once. Managers cannot do it for an admin.",
        params: IdParams,
        response: { 200: OneEnvelope(SsoKeyData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'update');
      const existing = await loadVisible('operator', request.params.id, (ids) =>
        loadOperators(db, request.principal, ids),
      );
      guardAdminCredentials(request.principal, parseJsonList<string>(existing.roles), ['sso_key']);
      const ssoKey = await rotateSsoKey(db, existing.client_id, existing.id);
      return one({
        operator_id: existing.id,
        sso_key: ssoKey,
        login_url: `${context.config.publicUrl}/admin/login?key=${encodeURIComponent(ssoKey)}`,
      });
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
