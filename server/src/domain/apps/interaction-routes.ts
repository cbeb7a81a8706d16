// HTTP routes of the agent console's interactions with installed apps (docs/APPS.md, Interactions): what the
// conversation's website has installed, the product list, the visitor profile, the closing form, sending a product and
// closing with the form answered. Operators' console sessions may use them (their daily work).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { fieldInvalid } from '../../errors.js';
import { done, EmptyEnvelope, ErrorEnvelope, ErrorResponses, OneEnvelope, one } from '../../http/envelope.js';
import { IdSchema } from '../../http/ids.js';
import { loadVisible } from '../../http/respond.js';
import { writingOperator } from '../conversations/commands.js';
import { presentMessage } from '../conversations/present.js';
import { MessageData } from '../conversations/schema.js';
import { loadConversationRows } from '../conversations/store.js';
import { authorize, type Principal } from '../tenancy/policy.js';
import { closeWithAnswers, sendProduct } from './interaction-commands.js';
import {
  ConnectorCalls,
  closingForm,
  conversationApp,
  conversationApps,
  listCategories,
  listProducts,
  readProduct,
  visitorProfile,
} from './interactions.js';
import { interactionsOf } from './present.js';

const TAGS = ['Interactions'];
const responses = { ...ErrorResponses, 502: ErrorEnvelope };

const ConversationAppParams = Type.Object({
  id: IdSchema('Conversation identifier.'),
  installationId: IdSchema('Installation identifier (GET /conversation/{id}/app).'),
});
const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Items per page (default 20).' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Items skipped.' })),
};
const CategoryQuery = Type.Object({ idParent: Type.Optional(Type.String({ maxLength: 100 })), ...Paging });
const ProductQuery = Type.Object({
  idCategory: Type.Optional(Type.String({ maxLength: 100 })),
  search: Type.Optional(Type.String({ maxLength: 200, description: "Sent as the seed's search[default][contains]." })),
  ...Paging,
});
const LocaleQuery = Type.Object({
  operator_locale: Type.Optional(
    Type.String({ pattern: '^[a-z]{2}$', description: "Default: the operator's language." }),
  ),
});

// Null first: with type coercion on, a union trying the string first would read null as "".
const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([Type.Null(), schema]);
const CategoryData = Type.Object({
  id: Type.String(),
  idParent: Nullable(Type.String()),
  label: Type.String(),
  products: Type.Union([Type.Array(Type.String()), Type.Null()]),
  productsCount: Type.Integer(),
});
const ProductSchema = Type.Object(
  {
    id: Type.String({ maxLength: 100 }),
    title: Type.String({ minLength: 1, maxLength: 500 }),
    productUrl: Type.String({ maxLength: 2048 }),
    brand: Nullable(Type.String({ maxLength: 200 })),
    description: Type.String({ maxLength: 5000 }),
    shortDescription: Nullable(Type.String({ maxLength: 1000 })),
    available: Type.Union([Type.Boolean(), Type.Null()]),
    imageUrl: Type.String({ maxLength: 2048 }),
    reference: Nullable(Type.String({ maxLength: 200 })),
    priceCatalog: Type.String({ maxLength: 100 }),
    pricePromotion: Nullable(Type.String({ maxLength: 100 })),
    priceSpecial: Nullable(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const ProfileData = Type.Object({
  id: Type.String(),
  label: Type.String(),
  value: Type.String(),
  fieldType: Type.Union([Type.Literal('URL'), Type.Literal('TEXT')]),
});
const ClosingFieldData = Type.Object({
  id: Type.String(),
  idParent: Nullable(Type.String()),
  label: Type.String(),
  fieldType: Type.Union([Type.Literal('TEXT'), Type.Literal('CHECKBOX')]),
  isRequired: Type.Boolean(),
});
const ConversationAppData = Type.Object({
  installation_id: Type.Integer(),
  app_id: Type.Integer(),
  name: Type.String(),
  interactions: Type.Array(Type.String()),
});
const ProductBody = Type.Object(
  {
    installation_id: IdSchema('The installed app the product comes from.'),
    product: ProductSchema,
    operator_id: Type.Optional(IdSchema("API keys: the operator who sends it (default: the conversation's).")),
  },
  { additionalProperties: false },
);
const ClosingBody = Type.Object(
  {
    installation_id: IdSchema('The installed app whose closing form was answered.'),
    answers: Type.Record(
      Type.String({ maxLength: 100 }),
      Type.Union([Type.String({ maxLength: 2000 }), Type.Boolean()]),
      {
        description: 'Field id → answer (CHECKBOX: true or false).',
      },
    ),
    operator_locale: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
  },
  { additionalProperties: false },
);

export const interactionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const calls = new ConnectorCalls(context.outbound);
  const conversation = (principal: Principal, id: number) =>
    loadVisible('conversation', id, (ids) => loadConversationRows(db, principal, ids));
  /** The operator's language for the connector: the query's, else the session operator's, else English. */
  const localeOf = async (principal: Principal, given: string | undefined) => {
    if (given !== undefined) return given;
    if (principal.scope !== 'client' || principal.session === undefined) return 'en';
    const row = await db
      .selectFrom('operator')
      .select('language_admin')
      .where('id', '=', principal.session.operatorId)
      .executeTakeFirst();
    return row?.language_admin ?? 'en';
  };

  app.get(
    '/conversation/:id/app',
    {
      schema: {
        tags: TAGS,
        summary: "Apps installed for the conversation's website, with their interactions",
        params: Type.Object({ id: IdSchema('Conversation identifier.') }),
        response: { 200: OneEnvelope(Type.Array(ConversationAppData)), ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const found = await conversationApps(
        db,
        secretsKey(context.config),
        await conversation(request.principal, request.params.id),
      );
      return one(
        found.map(({ installation, definition }) => ({
          installation_id: installation.id,
          app_id: installation.app_id,
          name: definition.name,
          interactions: interactionsOf(definition),
        })),
      );
    },
  );
  app.get(
    '/conversation/:id/app/:installationId/category',
    {
      schema: {
        tags: TAGS,
        summary: "The app's product categories (seed 003's categories URL, with its filters)",
        params: ConversationAppParams,
        querystring: CategoryQuery,
        response: { 200: OneEnvelope(Type.Array(CategoryData)), ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const row = await conversation(request.principal, request.params.id);
      const installed = await conversationApp(db, secretsKey(context.config), row, request.params.installationId);
      return one(await listCategories(calls, installed, row, request.query));
    },
  );
  app.get(
    '/conversation/:id/app/:installationId/product',
    {
      schema: {
        tags: TAGS,
        summary:
          "The app's products (seed 003's product list URL: idCategory, search[default][contains], limit, offset)",
        params: ConversationAppParams,
        querystring: ProductQuery,
        response: { 200: OneEnvelope(Type.Array(ProductSchema)), ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const row = await conversation(request.principal, request.params.id);
      const installed = await conversationApp(db, secretsKey(context.config), row, request.params.installationId);
      return one(await listProducts(calls, installed, row, request.query));
    },
  );
  app.get(
    '/conversation/:id/app/:installationId/visitor-profile',
    {
      schema: {
        tags: TAGS,
        summary:
          "The visitor's profile in the app (emailVisitor, idVisitorExternal, idVisitorUnique, idWebsite, operatorLocale)",
        params: ConversationAppParams,
        querystring: LocaleQuery,
        response: { 200: OneEnvelope(Type.Array(ProfileData)), ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const row = await conversation(request.principal, request.params.id);
      const installed = await conversationApp(db, secretsKey(context.config), row, request.params.installationId);
      const locale = await localeOf(request.principal, request.query.operator_locale);
      return one(await visitorProfile(db, calls, installed, row, locale));
    },
  );
  app.get(
    '/conversation/:id/app/:installationId/closing-form',
    {
      schema: {
        tags: TAGS,
        summary: "The app's conversation closing form (TEXT and CHECKBOX fields, children under their checkbox)",
        params: ConversationAppParams,
        querystring: LocaleQuery,
        response: { 200: OneEnvelope(Type.Array(ClosingFieldData)), ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'read');
      const row = await conversation(request.principal, request.params.id);
      const installed = await conversationApp(db, secretsKey(context.config), row, request.params.installationId);
      const locale = await localeOf(request.principal, request.query.operator_locale);
      return one(await closingForm(calls, installed, row, locale));
    },
  );
  app.post(
    '/conversation/:id/product',
    {
      schema: {
        tags: TAGS,
        summary: 'Send a product of an installed app to the visitor, as a card',
        description:
          'An operator message: its `data.product` is the card (image, title, availability, price, a link to `productUrl`); its text (title, price, link) is what channels without cards show.',
        params: Type.Object({ id: IdSchema('Conversation identifier.') }),
        body: ProductBody,
        response: { 200: OneEnvelope(MessageData), ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const row = await conversation(request.principal, request.params.id);
      const installed = await conversationApp(db, secretsKey(context.config), row, request.body.installation_id);
      const product = readProduct(request.body.product);
      if (product === undefined)
        throw fieldInvalid('product', 'Expected a product with http(s) productUrl and imageUrl.');
      const session = request.principal.scope === 'client' ? request.principal.session : undefined;
      const operatorId = session?.operatorId ?? writingOperator(row, request.body.operator_id);
      return one(presentMessage(await sendProduct(db, row, installed, operatorId, product)));
    },
  );
  app.post(
    '/conversation/:id/closing',
    {
      schema: {
        tags: TAGS,
        summary: "Close the conversation with an installed app's closing form answered",
        description:
          'Required fields (shown ones: no parent, or their parent checkbox checked) must be answered, else 400 naming `closing[answers][id]`. The answers are kept on the conversation (`closing_answers`) and sent in `conversation.closed`.',
        params: Type.Object({ id: IdSchema('Conversation identifier.') }),
        body: ClosingBody,
        response: { 200: EmptyEnvelope, ...responses },
      },
    },
    async (request) => {
      authorize(request.principal, 'conversation', 'update');
      const row = await conversation(request.principal, request.params.id);
      const installed = await conversationApp(db, secretsKey(context.config), row, request.body.installation_id);
      const locale = await localeOf(request.principal, request.body.operator_locale);
      await closeWithAnswers(db, calls, row, installed, request.body.answers, locale);
      return done();
    },
  );
};
