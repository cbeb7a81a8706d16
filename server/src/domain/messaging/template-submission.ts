// Submitting WhatsApp templates to Meta for review, run by the messenger worker of every node: a template due for
// submission is leased (a conditional update: one node takes it), posted to `/{waba_id}/message_templates` (or, once Meta filed it, edited at `/{message_template_id}`), and Meta's
// answer committed with its TEMPLATE_STATUS — pending (the review's outcome comes later by webhook), approved, or
// rejected with Meta's message. A template the account deleted is deleted at Meta the same way (work `delete`). A
// failure to reach Meta is kept in `last_error` and tried again with backoff.
import { channelRuntime } from '../../channels/runtime.js';
import type { OpenChannel } from '../../channels/store.js';
import { deleteWhatsappTemplate, editWhatsappTemplate, submitWhatsappTemplate } from '../../channels/whatsapp.js';
import type { AppContext } from '../../context.js';
import { dialectOf } from '../../db/dialect.js';
import type { MessengerTemplateRow } from '../../db/schema.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { metaTemplateBody, type TemplateContent } from './template-render.js';
import { changeTemplateStatus, whatsappStatusOf } from './template-status.js';

const BATCH = 10;
const LEASE_MS = 60_000;
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Submits the templates due; answers how many were handled. */
export async function submitDueTemplates(context: AppContext): Promise<number> {
  const db = context.db;
  const now = nowInstant();
  const due = await db
    .selectFrom('messenger_template')
    .selectAll()
    .where((eb) =>
      eb.or([eb.and([eb('work', '=', 'submit'), eb('deleted_at', 'is', null)]), eb('work', '=', 'delete')]),
    )
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('due_at')
    .limit(BATCH)
    .execute();
  let handled = 0;
  for (const template of due) {
    const leased = await db
      .updateTable('messenger_template')
      .set({ lease_until: new Date(Date.now() + LEASE_MS).toISOString() })
      .where('id', '=', template.id)
      .where('updated_at', '=', template.updated_at)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    if (Number(leased.numUpdatedRows) !== 1) continue;
    handled += 1;
    const runtime = channelRuntime(context);
    const channel =
      template.whatsapp_channel_id === null ? undefined : await runtime.directory.get(template.whatsapp_channel_id);
    const at = () => nowInstant();
    if (template.work === 'delete') {
      await deleteAtMeta(context, template, channel);
      continue;
    }
    if (channel === undefined || channel.row.type !== 'whatsapp' || template.waba_id === null) {
      await transact(db, (trx) =>
        changeTemplateStatus(trx, template, 'rejected', 'The WhatsApp channel of the template is gone.', at(), {
          work: null,
          due_at: null,
        }),
      );
      continue;
    }
    const body = metaTemplateBody({ ...template, content: JSON.parse(template.content) as TemplateContent });
    const sendContext = runtime.sendContext(channel) as Parameters<typeof submitWhatsappTemplate>[0];
    // A template Meta already filed is edited in place (its name and language stay); a new one is created.
    const answer =
      template.meta_template_id === null
        ? await submitWhatsappTemplate(sendContext, template.waba_id, body)
        : await editWhatsappTemplate(sendContext, template.meta_template_id, body);
    await transact(db, async (trx) => {
      // Locked on PostgreSQL until this commits: a deletion or a change committed while this read would otherwise be
      // overwritten by the answer's `work: null` (the deletion at Meta lost, the template left there).
      const current = await trx
        .selectFrom('messenger_template')
        .selectAll()
        .where('id', '=', template.id)
        .$if(dialectOf(trx) === 'postgres', (query) => query.forUpdate())
        .executeTakeFirstOrThrow();
      // Changed or deleted while Meta answered: that change's own work follows, so the lease is let go at once (kept, it
      // would hold that work back for a whole minute). A template Meta filed meanwhile keeps its id: an edit goes to
      // it, and a deletion deletes it at Meta rather than leaving it there.
      if (current.updated_at !== template.updated_at || current.deleted_at !== null) {
        const filedMeanwhile =
          answer.ok && current.meta_template_id === null && (current.deleted_at !== null || current.work === 'submit');
        await trx
          .updateTable('messenger_template')
          .set({
            lease_until: null,
            ...(filedMeanwhile ? { meta_template_id: answer.id } : {}),
            ...(filedMeanwhile && current.deleted_at !== null
              ? { work: 'delete' as const, due_at: nowInstant(), attempts: 0 }
              : {}),
          })
          .where('id', '=', template.id)
          .execute();
        return;
      }
      if (answer.ok) {
        // Meta's review of this filing came first and recorded Meta's id (recordMetaTemplateStatus): its status is
        // newer than the answer's "PENDING", so it stays.
        const reviewedFirst = template.meta_template_id === null && current.meta_template_id === answer.id;
        if (!reviewedFirst)
          await changeTemplateStatus(trx, current, whatsappStatusOf(answer.status) ?? 'pending', null, at(), {
            meta_template_id: answer.id,
            work: null,
            due_at: null,
          });
        await trx
          .updateTable('messenger_template')
          .set({ lease_until: null, last_error: null, ...(reviewedFirst && { work: null, due_at: null }) })
          .where('id', '=', template.id)
          .execute();
      } else if (!answer.retry) {
        await changeTemplateStatus(
          trx,
          current,
          'rejected',
          `Meta refused the template: ${answer.error.message}`,
          at(),
          {
            work: null,
            due_at: null,
          },
        );
      } else await retryLater(trx, current, answer);
    });
  }
  return handled;
}

/** A failure to reach Meta: the same work again after a backoff, the failure kept for the API to show. */
async function retryLater(
  trx: Tx,
  template: MessengerTemplateRow,
  answer: { retryAfterMs?: number | undefined; error: { code: string; message: string } },
): Promise<void> {
  const backoff = RETRY_FIRST_MS * 2 ** template.attempts;
  const delay = Math.min(RETRY_MAX_MS, Math.max(answer.retryAfterMs ?? 0, backoff));
  await trx
    .updateTable('messenger_template')
    .set({
      attempts: template.attempts + 1,
      lease_until: null,
      due_at: new Date(Date.now() + delay).toISOString(),
      last_error: JSON.stringify({ ...answer.error, at: nowInstant() }),
    })
    .where('id', '=', template.id)
    .execute();
}

/**
 * A template deleted by the account is deleted at Meta too (that language, by its id), so it stops counting against
 * the business account's templates. Its TEMPLATE_STATUS `disabled` was announced when it was deleted here.
 */
async function deleteAtMeta(
  context: AppContext,
  template: MessengerTemplateRow,
  channel: OpenChannel | undefined,
): Promise<void> {
  const done = () =>
    context.db
      .updateTable('messenger_template')
      .set({ work: null, due_at: null, lease_until: null, last_error: null })
      .where('id', '=', template.id)
      .execute();
  // No channel left to reach Meta with, or nothing Meta filed: nothing to delete there.
  if (
    channel === undefined ||
    channel.row.type !== 'whatsapp' ||
    template.waba_id === null ||
    template.meta_template_id === null
  )
    return void (await done());
  const runtime = channelRuntime(context);
  const answer = await deleteWhatsappTemplate(
    runtime.sendContext(channel) as Parameters<typeof deleteWhatsappTemplate>[0],
    template.waba_id,
    { name: template.name, metaTemplateId: template.meta_template_id },
  );
  if (answer.ok) return void (await done());
  if (!answer.retry) {
    await context.db
      .updateTable('messenger_template')
      .set({
        work: null,
        due_at: null,
        lease_until: null,
        last_error: JSON.stringify({ ...answer.error, at: nowInstant() }),
      })
      .where('id', '=', template.id)
      .execute();
    return;
  }
  await transact(context.db, (trx) => retryLater(trx, template, answer));
}
