// Request shapes the messenger routes share (submit, conversation, broadcast): the content of a send and its fallback.
import { Type } from 'typebox';
import { IdSchema } from '../../http/ids.js';

export const MessengerContentSchema = Type.Union(
  [
    Type.Object(
      { template_id: IdSchema('A template of the account (`/messenger/template`).') },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        text: Type.String({
          minLength: 1,
          maxLength: 4096,
          description: 'A text; `{{name}}` is replaced by the recipient’s variable `name`.',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description: 'A template of the account, or a text with `{{variables}}`.',
    examples: [{ text: 'Bonjour {{firstname}}, votre commande {{order}} est prête.' }, { template_id: 4 }],
  },
);

export const FallbackSchema = Type.Object(
  {
    channel: Type.Enum(['rcs', 'whatsapp', 'sms'], { description: 'The channel to send on instead.' }),
    after_minutes: Type.Integer({
      minimum: 1,
      maximum: 1440,
      description: 'When the first channel has not delivered within this many minutes (or failed sooner).',
    }),
  },
  { additionalProperties: false, description: 'Send again on another channel when the first does not deliver.' },
);

export const RequestedChannel = Type.Enum(['auto', 'rcs', 'whatsapp', 'sms'], {
  description:
    'auto: RCS when the number can take it and the environment is launched on its carrier, else WhatsApp with an approved template, else SMS.',
});

export const PhoneNumber = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'E.164 mobile number (+33612345678).',
});

export const Variables = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4096 }), {
  description: 'The values of the content’s `{{variables}}`.',
});
