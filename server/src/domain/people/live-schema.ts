// Request and response schemas of an operator's live availability, statistic and profile (seed 003 "Operator").
import { Type } from 'typebox';
import { PROBLEM_KEYWORD } from '../../http/validation.js';

/** The channels an operator is available on, in the order the API shows them. */
export const LIVE_CHANNELS = ['chat', 'call', 'video'] as const;
export type LiveChannel = (typeof LIVE_CHANNELS)[number];

const LiveChannelData = (channel: LiveChannel) =>
  Type.Object(
    {
      enabled: Type.Boolean({ description: `Whether the operator may process ${channel} (\`${channel}_enabled\`).` }),
      slot_number: Type.Integer({
        description: `${channel} conversations assigned to the operator that are not closed (open or waiting).`,
      }),
      slot_max_number: Type.Integer({
        description:
          channel === 'chat'
            ? "Simultaneous chats allowed: the operator's `chat_max_number`."
            : `Simultaneous ${channel}s allowed: always 1.`,
      }),
      busy: Type.Boolean({ description: '`slot_number` has reached `slot_max_number`.' }),
      available: Type.Boolean({ description: `Whether the operator has made themselves available for ${channel}.` }),
    },
    { description: `Live state on the ${channel} channel.` },
  );

export const OperatorLiveData = Type.Object({
  id: Type.Integer({ description: 'Operator identifier.' }),
  connected: Type.Boolean({ description: 'Whether the operator is online.' }),
  chat: LiveChannelData('chat'),
  call: LiveChannelData('call'),
  video: LiveChannelData('video'),
});

const AvailabilityFlag = (channel: LiveChannel) =>
  Type.Object(
    {
      available: Type.Boolean({
        description: `\`1\` makes the operator available for ${channel} (connecting them if needed), \`0\` unavailable.`,
        [PROBLEM_KEYWORD]: 'Expected 1 (available) or 0 (unavailable).',
      }),
    },
    {
      additionalProperties: false,
      description: `Send as \`${channel}[available]\`.`,
      [PROBLEM_KEYWORD]: `Expected ${channel}[available]=1 or ${channel}[available]=0.`,
    },
  );

/** The message of a `connected` value other than 0: the schema accepts 1 only to answer with this sentence. */
export const CONNECT_REFUSED = 'Only 0 (disconnect) can be set through the API; operators connect from the console.';

export const OperatorLiveUpdateBody = Type.Object(
  {
    chat: Type.Optional(AvailabilityFlag('chat')),
    call: Type.Optional(AvailabilityFlag('call')),
    video: Type.Optional(AvailabilityFlag('video')),
    connected: Type.Optional(
      Type.Boolean({
        description: '`0` disconnects the operator and makes them unavailable on every channel; `1` is refused.',
        [PROBLEM_KEYWORD]: CONNECT_REFUSED,
      }),
    ),
  },
  { additionalProperties: false },
);

export const OperatorStatisticData = Type.Object({
  id: Type.Integer({ description: 'Operator identifier.' }),
  conversation_number: Type.Integer({
    description: 'Conversations assigned to the operator, on every channel, since the beginning.',
  }),
  satisfaction_global_rate: Type.Union([Type.Number(), Type.Null()], {
    description:
      "Mean satisfaction of the operator's surveys, from 0 to 1 (each survey: its three notes out of 3, averaged), 2 decimals; null without any survey.",
  }),
  experience: Type.Integer({ description: 'Messages the operator has written in conversations.' }),
  problem: Type.Integer({
    description:
      'Causerie addition: among those conversations, the ones with a problem reported on them (`POST /conversation/{id}/problem`).',
  }),
});

/** Profile fields and their longest accepted length. */
export const PROFILE_LIMITS = {
  status: 140,
  description: 2000,
  facebook: 100,
  twitter: 100,
  city: 100,
  country: 100,
} as const;
export type ProfileField = keyof typeof PROFILE_LIMITS;
export const PROFILE_FIELDS = Object.keys(PROFILE_LIMITS) as ProfileField[];

const PROFILE_DESCRIPTIONS: Record<ProfileField, string> = {
  status: 'Short text status written by the operator.',
  description: 'Profile description.',
  facebook: 'Facebook identifier.',
  twitter: 'Twitter identifier.',
  city: 'City.',
  country: 'Country.',
};

const shownText = (field: ProfileField) =>
  Type.Union([Type.String(), Type.Null()], { description: `${PROFILE_DESCRIPTIONS[field]} Null when never set.` });
const writableText = (field: ProfileField) =>
  Type.Union([Type.Null(), Type.String({ maxLength: PROFILE_LIMITS[field] })], {
    description: `${PROFILE_DESCRIPTIONS[field]} At most ${PROFILE_LIMITS[field]} characters; empty clears it.`,
    // A union reports its own failure first (validation.ts): say the limit rather than "Expected text".
    [PROBLEM_KEYWORD]: `Expected text of at most ${PROFILE_LIMITS[field]} characters, or empty to clear it.`,
  });

export const OperatorProfileData = Type.Object({
  user_id: Type.Integer({ description: 'Operator identifier.' }),
  status: shownText('status'),
  description: shownText('description'),
  facebook: shownText('facebook'),
  twitter: shownText('twitter'),
  city: shownText('city'),
  country: shownText('country'),
});

export const OperatorProfileUpdateBody = Type.Object(
  {
    status: Type.Optional(writableText('status')),
    description: Type.Optional(writableText('description')),
    facebook: Type.Optional(writableText('facebook')),
    twitter: Type.Optional(writableText('twitter')),
    city: Type.Optional(writableText('city')),
    country: Type.Optional(writableText('country')),
  },
  { additionalProperties: false },
);
