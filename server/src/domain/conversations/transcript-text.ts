// The text of a transcript mail: the subject names the website, the body lists what the visitor saw, one line per
// message (time in UTC, author, text). System entries and navigation are left out; private notes never leave the
// console, so they are never read here.
import type { Kysely } from 'kysely';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';
import type { TranscriptLocale } from './transcript.js';

const TEXTS = {
  en: {
    subject: (website: string) => `Your conversation with ${website}`,
    intro: (website: string) => `Hello,\n\nHere is the transcript of your conversation with ${website} (times in UTC).`,
    visitor: 'You',
    operator: 'Operator',
    empty: '(No messages.)',
  },
  fr: {
    subject: (website: string) => `Votre conversation avec ${website}`,
    intro: (website: string) =>
      `Bonjour,\n\nVoici la transcription de votre conversation avec ${website} (heures en UTC).`,
    visitor: 'Vous',
    operator: 'Conseiller',
    empty: '(Aucun message.)',
  },
} satisfies Record<TranscriptLocale, unknown>;

export interface TranscriptMail {
  subject: string;
  text: string;
}

/** The subject and plain-text body of conversation `conversationId`'s transcript. */
export async function composeTranscript(
  db: Kysely<Database>,
  conversationId: number,
  locale: TranscriptLocale,
): Promise<TranscriptMail> {
  const texts = TEXTS[locale];
  const website = await db
    .selectFrom('conversation')
    .innerJoin('website', 'website.id', 'conversation.website_id')
    .select('website.label')
    .where('conversation.id', '=', conversationId)
    .executeTakeFirstOrThrow();
  // Visible messages only: the kind filter is what keeps private notes (and system entries) out of the mail.
  const messages = await db
    .selectFrom('conversation_message')
    .leftJoin('operator', 'operator.id', 'conversation_message.operator_id')
    .select([
      'conversation_message.kind',
      'conversation_message.body',
      'conversation_message.created_at',
      'operator.name as operator_name',
      'operator.pseudo as operator_pseudo',
    ])
    .where('conversation_message.conversation_id', '=', conversationId)
    .where('conversation_message.kind', 'in', [MESSAGE_KIND.visitor, MESSAGE_KIND.operator])
    .orderBy('conversation_message.seq')
    .execute();
  const lines = messages.map((message) => {
    const author =
      message.kind === MESSAGE_KIND.visitor
        ? texts.visitor
        : (message.operator_pseudo ?? message.operator_name ?? texts.operator);
    const time = message.created_at.slice(0, 16).replace('T', ' ');
    const body = message.body.replace(/\r?\n/g, '\n    ');
    return `[${time}] ${author}: ${body}`;
  });
  return {
    subject: texts.subject(website.label),
    text: `${texts.intro(website.label)}\n\n${lines.length > 0 ? lines.join('\n') : texts.empty}\n`,
  };
}
