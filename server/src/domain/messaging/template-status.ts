// A message template's WhatsApp review state and its TEMPLATE_STATUS event: the one command that changes it, used when
// a template is saved, when Meta answers its submission, and when Meta's message_template_status_update webhook
// arrives (channels/inbound.ts, in the stored payload's transaction).
import type { MessengerTemplateRow, WhatsappTemplateStatus } from '../../db/schema.js';
import { appendEvent } from '../../events/append.js';
import type { Tx } from '../../events/transact.js';

/** Meta's template events and answers, as the review states the API shows. */
const META_STATUSES: Record<string, WhatsappTemplateStatus> = {
  APPROVED: 'approved',
  REJECTED: 'rejected',
  PENDING: 'pending',
  IN_APPEAL: 'pending',
  PAUSED: 'paused',
  DISABLED: 'disabled',
  PENDING_DELETION: 'disabled',
  DELETED: 'disabled',
  FLAGGED: 'approved',
  REINSTATED: 'approved',
};

export function whatsappStatusOf(metaStatus: string): WhatsappTemplateStatus | undefined {
  return META_STATUSES[metaStatus.toUpperCase()];
}

/** Moves a template's review state (no event when it stays the same) and announces it as TEMPLATE_STATUS. */
export async function changeTemplateStatus(
  trx: Tx,
  template: MessengerTemplateRow,
  status: WhatsappTemplateStatus,
  reason: string | null,
  at: string,
  set: { meta_template_id?: string | null; work?: 'submit' | null; due_at?: string | null; updated_at?: string } = {},
): Promise<void> {
  await trx
    .updateTable('messenger_template')
    // New work starts its retries afresh.
    .set({ whatsapp_status: status, whatsapp_reason: reason, updated_at: at, ...set, ...(set.work && { attempts: 0 }) })
    .where('id', '=', template.id)
    .execute();
  if (status === template.whatsapp_status && reason === template.whatsapp_reason) return;
  await appendEvent(trx, {
    type: 'messaging.template_status',
    clientId: template.client_id,
    subject: { type: 'messenger_template', id: template.id },
    payload: {
      owner: { kind: 'client', id: template.client_id },
      resourceId: template.id,
      state: status,
      previousState: template.whatsapp_status,
      reason,
      data: {
        name: template.name,
        language: template.language,
        category: template.category,
        channel: 'whatsapp',
        meta_template_id: set.meta_template_id ?? template.meta_template_id,
      },
    },
    at,
  });
}

/**
 * Meta's review outcome for a template of the client that owns `channelId`'s business account: found by Meta's
 * template id, else by name and language. Answers whether a template of ours was concerned.
 */
export async function recordMetaTemplateStatus(
  trx: Tx,
  channel: { id: number; client_id: number },
  update: {
    wabaId: string | undefined;
    templateId: string | undefined;
    name: string | undefined;
    language: string | undefined;
    event: string;
    reason: string | undefined;
  },
  at: string,
): Promise<boolean> {
  const status = whatsappStatusOf(update.event);
  if (status === undefined) return false;
  const { templateId, name, language } = update;
  const byName = name !== undefined && language !== undefined;
  if (templateId === undefined && !byName) return false;
  // By Meta's id; or, for a review that overtook the recording of Meta's answer to the submission (Meta may approve
  // within seconds), the template of that name and language whose filing is still unrecorded. One statement, so that
  // an answer committed meanwhile is seen either way (the id found, or the template still without one).
  let query = trx
    .selectFrom('messenger_template')
    .selectAll()
    .where('client_id', '=', channel.client_id)
    .where('whatsapp_channel_id', '=', channel.id)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(templateId !== undefined ? [eb('meta_template_id', '=', templateId)] : []),
        ...(byName
          ? [
              eb.and([
                eb('name', '=', name),
                eb('language', '=', language),
                templateId !== undefined ? eb('meta_template_id', 'is', null) : eb.lit(true),
              ]),
            ]
          : []),
      ]),
    );
  // One Meta app may serve several business accounts: a name is only that account's.
  if (update.wabaId !== undefined) query = query.where('waba_id', '=', update.wabaId);
  const found = await query.execute();
  const template = found.find((row) => row.meta_template_id === templateId) ?? found[0];
  if (template === undefined) return false;
  const reason = status === 'approved' ? null : (update.reason ?? null);
  if (template.meta_template_id === null && templateId !== undefined)
    // Meta's id is recorded with the review, and the template's updated_at is left alone: the submission's answer,
    // committed next, finds its template unchanged and its id already there, and keeps this newer status.
    await changeTemplateStatus(trx, template, status, reason, at, {
      meta_template_id: templateId,
      updated_at: template.updated_at,
    });
  else await changeTemplateStatus(trx, template, status, reason, at);
  return true;
}
