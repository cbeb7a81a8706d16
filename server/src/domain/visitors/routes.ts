// HTTP routes of visitors and call meetings: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { fieldInvalid } from '../../errors.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize, type Principal } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { createCallMeeting, createVisitor, deleteVisitor, updateCallMeeting, updateVisitor } from './commands.js';
import { mergeVisitors } from './contacts.js';
import { presentCallMeeting, presentVisitor } from './present.js';
import {
  CALL_MEETING_FILTERS,
  CallMeetingCreateBody,
  CallMeetingData,
  CallMeetingUpdateBody,
  VISITOR_FILTERS,
  VisitorCreateBody,
  VisitorData,
  VisitorMergeBody,
  VisitorUpdateBody,
} from './schema.js';
import { listCallMeetingIds, listVisitorIds, loadCallMeetings, loadVisitors } from './store.js';

export const visitorRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const visible = (principal: Principal, id: number) =>
    loadVisible('visitor', id, (ids) => loadVisitors(db, principal, ids));

  app.get(
    '/visitor',
    {
      schema: {
        tags: ['Visitor'],
        summary: 'Get visitors',
        description:
          'Visitors (contacts) of your account, newest first, each with its identities across channels and its conversations. `filters[q]` searches names, email, phone and ids, those of merged visitors included.',
        querystring: listQuerySchema(VISITOR_FILTERS),
        response: { 200: ListEnvelope(VisitorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'visitor', 'list');
      const query = parseListQuery(request.query, VISITOR_FILTERS, 'visitor');
      return listAnswer(
        query,
        await listVisitorIds(db, request.principal, query),
        'visitor',
        (ids) => loadVisitors(db, request.principal, ids),
        presentVisitor,
      );
    },
  );
  app.get(
    '/visitor/:id',
    {
      schema: {
        tags: ['Visitor'],
        summary: 'Get a visitor details',
        description:
          'A visitor (contact) with `identities` (its browser or API unique ids, WhatsApp, SMS and RCS addresses, emails and phone numbers, those of the visitors merged into it included), `custom_attributes` and `conversation_id` (its conversations, newest first; read them with `GET /conversation?filters[visitor_id]=`). A visitor merged into another answers 404.',
        params: IdParams,
        response: { 200: OneEnvelope(VisitorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'visitor', 'read');
      return one(presentVisitor(await visible(request.principal, request.params.id)));
    },
  );
  app.post(
    '/visitor',
    {
      schema: {
        tags: ['Visitor'],
        summary: 'Create a visitor',
        description:
          '`unique_id` is generated when omitted and must be unique within your account (409 otherwise). `website_id` lists your websites the visitor came to.',
        body: VisitorCreateBody,
        response: { 200: OneEnvelope(VisitorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'visitor', 'create');
      const id = await createVisitor(db, request.principal, request.body);
      return one(presentVisitor(await visible(request.principal, id)));
    },
  );
  app.put(
    '/visitor/:id',
    {
      schema: {
        tags: ['Visitor'],
        summary: 'Update a visitor',
        description:
          'Changes the fields given; `website_id` replaces the list; `custom_attributes` sets the keys given (null removes one) and keeps the others. `email` must be an email address and `phone` a phone number (international `+33612345678`, separators removed). `unique_id` and `created_at` cannot be changed.',
        params: IdParams,
        body: VisitorUpdateBody,
        response: { 200: OneEnvelope(VisitorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'visitor', 'update');
      const existing = await visible(request.principal, request.params.id);
      await updateVisitor(db, existing, request.body);
      return one(presentVisitor(await visible(request.principal, existing.id)));
    },
  );
  app.post(
    '/visitor/:id/merge',
    {
      schema: {
        tags: ['Visitor'],
        summary: 'Merge a visitor into this one',
        description:
          "Merges the visitor `from_id` into the visitor of the path, for one person known on several channels (a web visitor who also wrote on WhatsApp). This visitor's fields win and the other's fill its blanks (custom attributes key by key); websites add up; the other's identities, conversations, messaging contacts and sales move here. Afterwards the merged visitor answers 404 and leaves the lists, but its browser or phone number finds this visitor when they come back. Events: `visitor.updated` of this visitor and `visitor.deleted` of the merged one. Both must be yours and of the same client (400 naming `from_id` otherwise); the answer is this visitor.",
        params: IdParams,
        body: VisitorMergeBody,
        response: { 200: OneEnvelope(VisitorData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'visitor', 'update');
      const target = await visible(request.principal, request.params.id);
      const [source] = await loadVisitors(db, request.principal, [request.body.from_id]);
      if (source === undefined)
        throw fieldInvalid(
          'from_id',
          `No visitor ${request.body.from_id} of yours to merge (unknown or already merged).`,
        );
      await mergeVisitors(db, target, source);
      return one(presentVisitor(await visible(request.principal, target.id)));
    },
  );
  app.delete(
    '/visitor/:id',
    {
      schema: {
        tags: ['Visitor'],
        summary: 'Delete a visitor',
        description:
          "A privacy erase: the personal fields and the unique id are erased and the visitor disappears from the API. Its conversations, satisfaction answers and sales stay (without the visitor's personal data) so statistics do not change.",
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'visitor', 'delete');
      await deleteVisitor(db, await visible(request.principal, request.params.id));
      return done();
    },
  );
};

export const callMeetingRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const visible = (principal: Principal, id: number) =>
    loadVisible('callmeeting', id, (ids) => loadCallMeetings(db, principal, ids));

  app.get(
    '/callmeeting',
    {
      schema: {
        tags: ['Call meeting'],
        summary: 'Get call meetings',
        querystring: listQuerySchema(CALL_MEETING_FILTERS),
        response: { 200: ListEnvelope(CallMeetingData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'callmeeting', 'list');
      const query = parseListQuery(request.query, CALL_MEETING_FILTERS, 'callmeeting');
      return listAnswer(
        query,
        await listCallMeetingIds(db, request.principal, query),
        'callmeeting',
        (ids) => loadCallMeetings(db, request.principal, ids),
        presentCallMeeting,
      );
    },
  );
  app.get(
    '/callmeeting/:id',
    {
      schema: {
        tags: ['Call meeting'],
        summary: 'Get a call meeting details',
        params: IdParams,
        response: { 200: OneEnvelope(CallMeetingData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'callmeeting', 'read');
      return one(presentCallMeeting(await visible(request.principal, request.params.id)));
    },
  );
  app.post(
    '/callmeeting',
    {
      schema: {
        tags: ['Call meeting'],
        summary: 'Create a call meeting',
        description:
          '`website_id`, `phone_number` and `start_at` (`YYYY-MM-DD HH:MM:SS`, UTC) are required; `status` defaults to `pending`.',
        body: CallMeetingCreateBody,
        response: { 200: OneEnvelope(CallMeetingData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'callmeeting', 'create');
      const id = await createCallMeeting(db, request.principal, request.body);
      return one(presentCallMeeting(await visible(request.principal, id)));
    },
  );
  app.put(
    '/callmeeting/:id',
    {
      schema: {
        tags: ['Call meeting'],
        summary: 'Update a call meeting',
        description: 'Changes `status`, `start_at` or `phone_number`.',
        params: IdParams,
        body: CallMeetingUpdateBody,
        response: { 200: OneEnvelope(CallMeetingData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'callmeeting', 'update');
      const existing = await visible(request.principal, request.params.id);
      await updateCallMeeting(db, existing, request.body);
      return one(presentCallMeeting(await visible(request.principal, existing.id)));
    },
  );
};
