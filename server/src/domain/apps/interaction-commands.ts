// What an operator does with an installed app in a conversation: send a product of its catalogue to the visitor (an
// operator message whose `data.product` carries the card; its text is what channels without cards show), and close
// the conversation with the app's closing form answered (required fields enforced, the answers kept on the
// conversation and in `conversation.closed`).
import type { Kysely } from 'kysely';
import { type ConversationMessageRow, type ConversationRow, type Database, MESSAGE_KIND } from '../../db/schema.js';
import { conflict } from '../../errors.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { actAsOperator, appendMessage, closeConversation } from '../conversations/commands.js';
import {
  type ConnectorCalls,
  type ConversationApp,
  checkClosingAnswers,
  closingForm,
  type Product,
} from './interactions.js';

/** The words a product card falls back to: title, the price shown (promotion first), availability, the link. */
export function productText(product: Product): string {
  const price = product.pricePromotion ?? product.priceSpecial ?? product.priceCatalog;
  const availability = product.available === false ? ' (out of stock)' : '';
  return `${product.title} — ${price}${availability}\n${product.productUrl}`;
}

export async function sendProduct(
  db: Kysely<Database>,
  conversation: ConversationRow,
  app: ConversationApp,
  operatorId: number,
  product: Product,
): Promise<ConversationMessageRow> {
  if (conversation.status === 'closed') throw conflict(`Conversation ${conversation.id} is closed.`);
  return transact(db, async (trx) => {
    await actAsOperator(trx, conversation, operatorId, true);
    return appendMessage(trx, conversation.id, {
      kind: MESSAGE_KIND.operator,
      text: productText(product),
      operatorId,
      at: nowInstant(),
      data: { product: { ...product, installation_id: app.installation.id, app: app.definition.name } },
    });
  });
}

/** Closes with the app's closing form answered; the form is the connector's (kept briefly), checked here. */
export async function closeWithAnswers(
  db: Kysely<Database>,
  calls: ConnectorCalls,
  conversation: ConversationRow,
  app: ConversationApp,
  answers: Record<string, string | boolean>,
  operatorLocale: string,
): Promise<void> {
  if (conversation.status === 'closed') throw conflict(`Conversation ${conversation.id} is already closed.`);
  const form = await closingForm(calls, app, conversation, operatorLocale);
  const kept = checkClosingAnswers(form, answers);
  await transact(db, (trx) =>
    closeConversation(trx, conversation.id, {
      at: nowInstant(),
      closingAnswers: { installation_id: app.installation.id, app: app.definition.name, answers: kept },
    }),
  );
}
