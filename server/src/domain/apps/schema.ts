// Request and response schemas of the developer platform's routes (the OpenAPI document is generated from them).
import { Type } from 'typebox';
import { EMAIL_MAX } from '../../email.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK } from '../../http/validation.js';
import { VERSION_PATTERN } from './apps.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

export const AppField = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: "The field's id in the developer's code (`field_login`): the verification call names it.",
    }),
    label: Type.String({ minLength: 1, maxLength: 200, pattern: NON_BLANK, description: 'What the installer reads.' }),
    type: Type.Union(
      [
        Type.Literal('TEXT'),
        Type.Literal('NUMERIC'),
        Type.Literal('PASSWORD'),
        Type.Literal('EMAIL'),
        Type.Literal('URL'),
        Type.Literal('CHECKBOX'),
      ],
      {
        description: 'PASSWORD values are stored encrypted and never returned. CHECKBOX values are `true` or `false`.',
      },
    ),
  },
  { additionalProperties: false },
);

const Url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });
// Null first: with type coercion on, a union trying the string first would read null as "".
const NullableUrl = (description: string) => Type.Union([Type.Null(), Url(description)]);

export const FieldStep = Type.Object(
  {
    fields: Type.Array(AppField, {
      maxItems: 30,
      description: 'In the order the installer sees them (the order of creation, as the seed says).',
    }),
    verification_url: Type.Optional(
      NullableUrl(
        "Called with the step's values before the step is accepted (docs/APPS.md, Verification URL); none: accepted as typed.",
      ),
    ),
  },
  { additionalProperties: false },
);

export const Interactions = Type.Object(
  {
    product_list: Type.Optional(
      Type.Union([
        Type.Object(
          {
            catalogue_url: Url("The products URL (the seed's product list URL)."),
            categories_url: Url('The categories URL.'),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    visitor_profile: Type.Optional(
      Type.Union([
        Type.Object({ url: Url("The visitor profile's connector URL.") }, { additionalProperties: false }),
        Type.Null(),
      ]),
    ),
    conversation_closing: Type.Optional(
      Type.Union([
        Type.Object({ url: Url("The closing form's connector URL.") }, { additionalProperties: false }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const AppLinks = Type.Object(
  {
    website: Type.Optional(Url("The developer's or the app's site.")),
    support: Type.Optional(Url('Where installers get help.')),
    documentation: Type.Optional(Url("The app's documentation.")),
    privacy: Type.Optional(Url("The app's privacy policy.")),
  },
  { additionalProperties: false },
);

/** The draft's fields a developer sets (every one optional on update). */
export const AppProfile = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: NON_BLANK }),
  description: Type.String({ maxLength: 5000 }),
  logo_url: Type.Union([Type.Null(), Url('An image URL shown in the marketplace.')]),
  links: AppLinks,
  price: Type.Number({
    minimum: 0,
    maximum: 100_000,
    description: 'Monthly fee per user, in euros; 0 for a free app (seed 003, Developer Policy).',
  }),
  privacy: Type.Union([Type.Literal('public'), Type.Literal('private')], {
    description: '`public`: every client sees it in the marketplace; `private`: only the clients of `client_ids`.',
  }),
  client_ids: Type.Array(IdSchema('A client'), { maxItems: 500, uniqueItems: true }),
  authentication: FieldStep,
  settings: FieldStep,
  interactions: Interactions,
};

// Developers

export const DeveloperInviteBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: EMAIL_MAX, pattern: NON_BLANK }),
    name: Type.String({ minLength: 1, maxLength: 200, pattern: NON_BLANK }),
    company: Type.Optional(Type.String({ maxLength: 200, description: 'A paid app needs a legal person (seed 003).' })),
  },
  { additionalProperties: false },
);

export const DeveloperData = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  company: Nullable(Type.String(), 'Company, if any.'),
  state: Type.Union([Type.Literal('invited'), Type.Literal('active'), Type.Literal('disabled')]),
  invitation: Type.Optional(
    Type.Object(
      {
        token: Type.String({ description: 'Shown once: the developer sets their password with it.' }),
        link: Type.String({ description: 'The console page that takes it: send it to the developer.' }),
        expires_at: Type.String(),
      },
      { description: 'Only in the answers of the invitation and of a new invitation.' },
    ),
  ),
  created_at: Type.String(),
  _link: Type.String(),
});

export const ActivationBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 1024, description: 'At least 10 characters.' }),
  },
  { additionalProperties: false },
);

export const DeveloperLoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: EMAIL_MAX, pattern: NON_BLANK }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const DeveloperSessionData = Type.Object({
  token: Type.String({ description: 'Bearer token (`dvs_…`): send it as `Authorization: Bearer …` to /api/2.' }),
  developer_id: Type.Integer(),
  expires_at: Type.String(),
});

// Apps

const ProfileFields = {
  description: Type.Optional(AppProfile.description),
  logo_url: Type.Optional(AppProfile.logo_url),
  links: Type.Optional(AppProfile.links),
  price: Type.Optional(AppProfile.price),
  privacy: Type.Optional(AppProfile.privacy),
  client_ids: Type.Optional(AppProfile.client_ids),
  authentication: Type.Optional(FieldStep),
  settings: Type.Optional(FieldStep),
  interactions: Type.Optional(Interactions),
};

export const AppCreateBody = Type.Object({ name: AppProfile.name, ...ProfileFields }, { additionalProperties: false });
export const AppUpdateBody = Type.Object(
  { name: Type.Optional(AppProfile.name), ...ProfileFields },
  { additionalProperties: false },
);

const StepData = Type.Object({
  fields: Type.Array(AppField),
  verification_url: Nullable(Type.String(), 'The verification URL, if any.'),
});
const InteractionsData = Type.Object({
  product_list: Nullable(Type.Object({ catalogue_url: Type.String(), categories_url: Type.String() }), 'Product list.'),
  visitor_profile: Nullable(Type.Object({ url: Type.String() }), 'Visitor profile.'),
  conversation_closing: Nullable(Type.Object({ url: Type.String() }), 'Conversation closing option.'),
});

const VersionRef = Type.Object({
  id: Type.Integer(),
  version: Type.String(),
  connector_version_id: Type.String({ description: "The seed's connectorVersionId (idConnectorVersion)." }),
});

export const AppData = Type.Object({
  id: Type.Integer(),
  connector_id: Type.String({ description: "The seed's connectorId: a UUID, in connector.* webhooks." }),
  developer_id: Type.Integer(),
  name: Type.String(),
  status: Type.Union([Type.Literal('sandbox'), Type.Literal('under_review'), Type.Literal('published')], {
    description: '`sandbox`: editable; `under_review`: submitted, frozen; `published`: the approved version is live.',
  }),
  description: Type.String(),
  logo_url: Nullable(Type.String(), 'Logo.'),
  links: AppLinks,
  price: Type.Number({ description: 'Monthly fee per user, euros.' }),
  privacy: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  client_ids: Type.Array(Type.Integer()),
  authentication: StepData,
  settings: StepData,
  interactions: InteractionsData,
  published_version: Nullable(VersionRef, 'The version in the marketplace, if one was approved.'),
  review_reason: Nullable(Type.String(), 'Why the last submission was refused.'),
  signing_secret: Type.Optional(
    Type.String({
      description:
        "Read-only (`whsec_…`): Causerie signs its calls to the app's connector with it, as Standard Webhooks (docs/APPS.md, Signatures).",
    }),
  ),
  created_at: Type.String(),
  updated_at: Type.String(),
  _link: Type.String(),
});

export const AppWebhookBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    content_type: Type.Optional(
      Type.Union([Type.Literal('application/json'), Type.Literal('application/x-www-form-urlencoded')]),
    ),
    events: Type.Array(Type.String({ maxLength: 100 }), {
      minItems: 1,
      maxItems: 50,
      description: '`*`, a domain (`conversations.domain`) or event names, as the Webhook API.',
    }),
  },
  { additionalProperties: false },
);
export const AppWebhookUpdateBody = Type.Partial(AppWebhookBody, { additionalProperties: false });

export const AppWebhookData = Type.Object({
  id: Type.Integer(),
  app_id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  content_type: Type.String(),
  events: Type.Array(Type.String()),
  security_token: Type.String({
    description:
      'Generated, read-only (`whsec_…`): every installing client’s copy of this webhook is signed with it (docs/WEBHOOKS.md).',
  }),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const AppWebhookParams = Type.Object({ id: IdSchema('App identifier.'), webhookId: IdSchema('Webhook.') });

export const SubmissionBody = Type.Object(
  {
    version: Type.String({
      pattern: VERSION_PATTERN,
      maxLength: 20,
      description: 'The version number the developer declares (`1.0.0`); each is submitted once.',
    }),
  },
  { additionalProperties: false },
);

export const ReviewBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approved'), Type.Literal('refused')]),
    reason: Type.Optional(
      Type.String({ maxLength: 2000, description: 'Required when refused: shown to the developer.' }),
    ),
  },
  { additionalProperties: false },
);

export const VersionData = Type.Object({
  id: Type.Integer(),
  app_id: Type.Integer(),
  version: Type.String(),
  connector_version_id: Type.String(),
  status: Type.Union([Type.Literal('under_review'), Type.Literal('published'), Type.Literal('refused')]),
  review_reason: Nullable(Type.String(), 'Why it was refused.'),
  submitted_at: Type.String(),
  reviewed_at: Nullable(Type.String(), 'When the admin decided.'),
  name: Type.String(),
  description: Type.String(),
  price: Type.Number(),
  privacy: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  authentication: StepData,
  settings: StepData,
  interactions: InteractionsData,
  webhooks: Type.Array(
    Type.Object({
      name: Type.String(),
      url: Type.String(),
      content_type: Type.String(),
      events: Type.Array(Type.String()),
    }),
  ),
});

// Marketplace and installations

export const MarketplaceData = Type.Object({
  id: Type.Integer({ description: 'The app id (`app_id` of an installation).' }),
  connector_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  logo_url: Nullable(Type.String(), 'Logo.'),
  links: AppLinks,
  price: Type.Number(),
  developer: Type.String({ description: "The developer's company, or name." }),
  version: Type.String(),
  connector_version_id: Type.String(),
  authentication: Type.Object({ fields: Type.Array(AppField) }),
  settings: Type.Object({ fields: Type.Array(AppField) }),
  interactions: Type.Array(
    Type.Union([Type.Literal('product_list'), Type.Literal('visitor_profile'), Type.Literal('conversation_closing')]),
  ),
  installation_id: Nullable(Type.Integer(), "The client's installation of it, if installed."),
});

export const MarketplaceQuery = Type.Object({
  client_id: Type.Optional(IdSchema('Partner and platform keys: whose marketplace (private apps granted to it).')),
});

const StepValues = Type.Record(
  Type.String(),
  Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean()]),
  {
    description: 'Field id → value, for every field of the step (CHECKBOX: true or false, default false).',
  },
);

export const InstallBody = Type.Object(
  {
    app_id: IdSchema('The app (its marketplace id).'),
    client_id: Type.Optional(IdSchema('Partner and platform keys: the client installing.')),
    website_id: Type.Optional(
      Type.Array(IdSchema('A website'), {
        uniqueItems: true,
        maxItems: 200,
        description: 'Default: every website of the client, those added later too.',
      }),
    ),
    authentication: Type.Optional(StepValues),
    settings: Type.Optional(StepValues),
  },
  { additionalProperties: false },
);

export const UpdateInstallationBody = Type.Object(
  {
    website_id: Type.Optional(
      Type.Array(IdSchema('A website'), {
        uniqueItems: true,
        maxItems: 200,
        description:
          'The websites it covers from now on; empty: every website of the client, those added later too. Left out: unchanged.',
      }),
    ),
    authentication: Type.Optional({
      ...StepValues,
      description: 'New values by field id; a field left out keeps its value (PASSWORD ones included).',
    }),
    settings: Type.Optional({
      ...StepValues,
      description: 'New values by field id; a field left out keeps its value.',
    }),
  },
  {
    additionalProperties: false,
    description:
      "New field values (and websites) of an installation, checked with the app's verification URLs as at install time.",
    examples: [{ settings: { field_currency: 'CHF' }, website_id: [1, 2] }],
  },
);

export const VerifyStepBody = Type.Object(
  {
    app_id: IdSchema('The app.'),
    client_id: Type.Optional(IdSchema('Partner and platform keys: the client installing.')),
    step: Type.Union([Type.Literal('authentication'), Type.Literal('settings')]),
    values: Type.Optional(StepValues),
  },
  { additionalProperties: false },
);

export const InstallationData = Type.Object({
  id: Type.Integer(),
  client_id: Type.Integer(),
  app_id: Type.Integer(),
  app_name: Type.String(),
  version: Type.String(),
  connector_id: Type.String(),
  connector_version_id: Type.String({
    description: 'The version installed (idConnectorVersion): kept until reinstalled.',
  }),
  website_id: Type.Array(Type.Integer(), {
    description: 'The websites it is installed on; empty: every website of the client, those added later too.',
  }),
  values: Type.Record(Type.String(), Type.String(), {
    description: 'The values given, by field id; PASSWORD fields are never returned.',
  }),
  interactions: Type.Array(Type.String()),
  created_at: Type.String(),
  _link: Type.String(),
});

/** The 422 of a step the app's connector refused: its message, and each field's. */
export const VerificationRefusedEnvelope = Type.Object({
  meta: Type.Object({
    status: Type.Literal('fail'),
    message: Type.String(),
    error: Type.Literal('verification_refused'),
    field: Type.Optional(Type.String()),
  }),
  data: Type.Object({
    step: Type.String(),
    fields: Type.Array(Type.Object({ id: Type.String(), field: Type.String(), message: Type.String() })),
  }),
});
