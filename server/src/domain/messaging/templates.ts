// Message templates (issue 20 `/messenger/template`): the account's reusable contents. Saving one checks its content
// against every channel's limits (template-render.ts) and, when it names a WhatsApp channel, queues its submission to
// Meta for review (durable work the messenger worker claims); RCS and SMS use it at once. Each review state change is
// a TEMPLATE_STATUS (template-status.ts).
import type { Kysely } from 'kysely';
import { dialectOf, isUniqueViolation } from '../../db/dialect.js';
import type { Database, MessengerTemplateRow } from '../../db/schema.js';
import { ApiError, conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { checkDefinition, DefinitionError, type FlowDefinition, type StepType } from '../flows/definition.js';
import { insertFlow, insertVersion, retireFlow } from '../flows/flows.js';
import { newestFirst, type PageRequest } from './listing.js';
import { type TemplateChannel, type TemplateContent, templateVariables, validateTemplate } from './template-render.js';
import { changeTemplateStatus } from './template-status.js';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
export const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

export interface TemplateInput {
  name: string;
  language: string;
  category: (typeof TEMPLATE_CATEGORIES)[number];
  content: TemplateContent;
  /** Submit to Meta for WhatsApp: the account's WhatsApp channel and its business account id. */
  whatsapp?: { channel_id: number; waba_id: string } | null | undefined;
  /**
   * What follows the opening message (`content`): flow steps the flow engine runs for each recipient, in the
   * conversation the opening message went to (null: a plain template). Checked by scenarioOrError.
   */
  scenario?: unknown;
}

/** The steps a scenario may take: a conversation's own (the commerce steps call merchants and charge). */
export const SCENARIO_STEP_TYPES: readonly StepType[] = [
  'send_message',
  'send_template',
  'wait_reply',
  'branch',
  'set_variable',
  'wait',
  'handover',
  'end',
];

/** A field named as this API names them: `/steps/2/conditions/0/next` → `scenario.steps[2].conditions[0].next`. */
function scenarioField(pointer: string): string {
  return `scenario${pointer.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
}

function scenarioProblem(pointer: string, problem: string): ApiError {
  const field = scenarioField(pointer);
  return new ApiError('field_invalid', 400, `Value of field '${field}' is not valid: ${problem}.`, 'fail', { field });
}

/**
 * A scenario as the flow engine will run it, or a 400 naming the field: a flow definition (docs/COMMERCE.md) of
 * conversation steps only, with no channel of its own — it continues on the channel its opening message left on.
 */
export function scenarioOrError(value: unknown): FlowDefinition {
  let definition: FlowDefinition;
  try {
    definition = checkDefinition(value);
  } catch (error) {
    if (error instanceof DefinitionError) throw scenarioProblem(error.pointer, error.problem);
    throw error;
  }
  if (definition.channel_id !== undefined)
    throw scenarioProblem(
      '/channel_id',
      'a scenario continues on the channel its opening message left on; it names no channel',
    );
  definition.steps.forEach((step, index) => {
    if (!SCENARIO_STEP_TYPES.includes(step.type))
      throw scenarioProblem(`/steps/${index}/type`, `a scenario takes ${SCENARIO_STEP_TYPES.join(', ')}`);
    if ('channel_id' in step && step.channel_id !== undefined)
      throw scenarioProblem(
        `/steps/${index}/channel_id`,
        'a scenario continues on the channel its opening message left on; its steps name no channel',
      );
    if ('to' in step && step.to !== undefined)
      throw scenarioProblem(`/steps/${index}/to`, 'a scenario talks to the recipient of its send only');
  });
  return definition;
}

/** The flow holding a template's scenario: hidden from triggers (inactive), started by sends only. */
const scenarioFlow = (templateId: number, name: string, language: string) => ({
  code: `messenger-template-${templateId}`,
  name: `Scenario of template ${name} (${language})`,
  trigger: { type: 'request' as const },
  active: false,
});

export interface LoadedTemplate {
  row: MessengerTemplateRow;
  content: TemplateContent;
}

/** The template `id` of the client (not deleted), with its content, or 404 naming `field` when given. */
export async function loadTemplate(
  db: Kysely<Database> | Tx,
  clientId: number,
  id: number,
  field?: string,
): Promise<LoadedTemplate> {
  // Read in a transaction, the template is about to be changed or deleted: on PostgreSQL it is locked, so Meta's
  // answer to a filing under way commits either before (its Meta id is read here) or after (it sees this change).
  const row = await db
    .selectFrom('messenger_template')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .$if(db.isTransaction && dialectOf(db) === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('messenger/template', id, field);
  return { row, content: JSON.parse(row.content) as TemplateContent };
}

/** The channels a template is checked for: SMS and RCS always, WhatsApp when it is submitted to Meta. */
function channelsOf(input: Pick<TemplateInput, 'whatsapp'>): TemplateChannel[] {
  return input.whatsapp ? ['whatsapp', 'sms', 'rcs'] : ['sms', 'rcs'];
}

/** 400 naming the first problem's field. */
function check(input: TemplateInput): void {
  if (!TEMPLATE_NAME.test(input.name))
    throw fieldInvalid(
      'name',
      'Lower-case letters, digits and _ only (Meta’s rule for template names): commande_prete.',
    );
  if (!TEMPLATE_LANGUAGE.test(input.language))
    throw fieldInvalid('language', 'A language code as Meta takes it: fr, en_US, pt_BR.');
  const [problem] = validateTemplate(input.content, channelsOf(input));
  if (problem !== undefined)
    throw new ApiError(
      'field_invalid',
      400,
      `Value of field '${problem.field}' is not valid. ${problem.message}`,
      'fail',
      {
        field: problem.field,
      },
    );
}

async function checkWhatsappChannel(trx: Tx, clientId: number, whatsapp: TemplateInput['whatsapp']): Promise<void> {
  if (!whatsapp) return;
  const channel = await trx
    .selectFrom('channel')
    .select(['type', 'deleted_at'])
    .where('id', '=', whatsapp.channel_id)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (channel === undefined || channel.deleted_at !== null)
    throw unknownResource('channel', whatsapp.channel_id, 'whatsapp.channel_id');
  if (channel.type !== 'whatsapp')
    throw fieldInvalid('whatsapp.channel_id', `Channel ${whatsapp.channel_id} is ${channel.type}, not whatsapp.`);
}

async function checkUnique(trx: Tx, clientId: number, name: string, language: string, except?: number): Promise<void> {
  let query = trx
    .selectFrom('messenger_template')
    .select('id')
    .where('client_id', '=', clientId)
    .where('name', '=', name)
    .where('language', '=', language)
    .where('deleted_at', 'is', null);
  if (except !== undefined) query = query.where('id', '!=', except);
  if ((await query.executeTakeFirst()) !== undefined) throw duplicateName(name, language);
}

function duplicateName(name: string, language: string): ApiError {
  return conflict(`The account already has a template '${name}' in '${language}'.`, 'name');
}

/** The unique index settles two saves of one name racing past checkUnique: the later one is a 409, not a 500. */
async function settlingDuplicates<T>(saved: () => Pick<TemplateInput, 'name' | 'language'>, save: () => Promise<T>) {
  try {
    return await save();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const { name, language } = saved();
    throw duplicateName(name, language);
  }
}

export async function createTemplate(db: Kysely<Database>, clientId: number, input: TemplateInput): Promise<number> {
  check(input);
  const scenario = input.scenario == null ? undefined : scenarioOrError(input.scenario);
  return settlingDuplicates(
    () => input,
    () => createRow(db, clientId, input, scenario),
  );
}

function createRow(
  db: Kysely<Database>,
  clientId: number,
  input: TemplateInput,
  scenario: FlowDefinition | undefined,
): Promise<number> {
  return transact(db, async (trx) => {
    await checkWhatsappChannel(trx, clientId, input.whatsapp);
    await checkUnique(trx, clientId, input.name, input.language);
    const at = nowInstant();
    const row = await trx
      .insertInto('messenger_template')
      .values({
        client_id: clientId,
        name: input.name,
        language: input.language,
        category: input.category,
        content: JSON.stringify(input.content),
        whatsapp_channel_id: input.whatsapp?.channel_id ?? null,
        waba_id: input.whatsapp?.waba_id ?? null,
        meta_template_id: null,
        whatsapp_status: 'none',
        whatsapp_reason: null,
        work: null,
        due_at: null,
        lease_until: null,
        last_error: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (scenario !== undefined) {
      const flowId = await insertFlow(trx, clientId, scenarioFlow(row.id, row.name, row.language), scenario);
      await trx.updateTable('messenger_template').set({ flow_id: flowId }).where('id', '=', row.id).execute();
    }
    if (input.whatsapp) await changeTemplateStatus(trx, row, 'pending', null, at, { work: 'submit', due_at: at });
    return row.id;
  });
}

/** Replaces a template's content (and category or WhatsApp binding): a WhatsApp template is reviewed again. */
export async function updateTemplate(
  db: Kysely<Database>,
  clientId: number,
  id: number,
  change: Partial<TemplateInput>,
): Promise<void> {
  // The name and language saved, for the 409 of a concurrent save that took them first.
  let saved: Pick<TemplateInput, 'name' | 'language'> = { name: change.name ?? '', language: change.language ?? '' };
  await settlingDuplicates(
    () => saved,
    () =>
      replaceRow(db, clientId, id, change, (next) => {
        saved = next;
      }),
  );
}

function replaceRow(
  db: Kysely<Database>,
  clientId: number,
  id: number,
  change: Partial<TemplateInput>,
  saving: (next: Pick<TemplateInput, 'name' | 'language'>) => void,
): Promise<void> {
  return transact(db, async (trx) => {
    const { row, content } = await loadTemplate(trx, clientId, id);
    const whatsapp =
      change.whatsapp !== undefined
        ? change.whatsapp
        : row.whatsapp_channel_id !== null && row.waba_id !== null
          ? { channel_id: row.whatsapp_channel_id, waba_id: row.waba_id }
          : null;
    const next: TemplateInput = {
      name: change.name ?? row.name,
      language: change.language ?? row.language,
      category: change.category ?? row.category,
      content: change.content ?? content,
      whatsapp,
    };
    check(next);
    const scenario = change.scenario == null ? change.scenario : scenarioOrError(change.scenario);
    saving(next);
    await checkWhatsappChannel(trx, clientId, next.whatsapp);
    await checkUnique(trx, clientId, next.name, next.language, id);
    const sameWhatsapp =
      next.whatsapp?.channel_id === row.whatsapp_channel_id && next.whatsapp?.waba_id === row.waba_id;
    const reviewedAsIs =
      sameWhatsapp &&
      next.category === row.category &&
      next.name === row.name &&
      next.language === row.language &&
      JSON.stringify(next.content) === row.content;
    // Meta files a template under its name and language: one it filed is edited in place (same id), unless the
    // replacement renames it, moves it to another business account, or it is still in review (Meta edits no
    // template under review — changing it then would be refused there, so it is refused here, plainly).
    const filed =
      sameWhatsapp && row.meta_template_id !== null && next.name === row.name && next.language === row.language;
    if (filed && !reviewedAsIs && row.whatsapp_status === 'pending' && row.work === null)
      throw conflict(
        `Template '${row.name}' is in Meta's review: it can be changed once Meta has approved or rejected it.`,
        'content',
      );
    const at = nowInstant();
    await trx
      .updateTable('messenger_template')
      .set({
        name: next.name,
        language: next.language,
        category: next.category,
        content: JSON.stringify(next.content),
        whatsapp_channel_id: next.whatsapp?.channel_id ?? null,
        waba_id: next.whatsapp?.waba_id ?? null,
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
    await replaceScenario(trx, clientId, row, scenario);
    const updated = {
      ...row,
      name: next.name,
      language: next.language,
      category: next.category,
      content: JSON.stringify(next.content),
      whatsapp_channel_id: next.whatsapp?.channel_id ?? null,
      waba_id: next.whatsapp?.waba_id ?? null,
    };
    // Nothing Meta reviews changed: its review stands (and Meta's edit allowance is not spent).
    if (next.whatsapp && reviewedAsIs) return;
    if (next.whatsapp)
      await changeTemplateStatus(trx, updated, 'pending', null, at, {
        work: 'submit',
        due_at: at,
        meta_template_id: filed ? row.meta_template_id : null,
      });
    else if (row.whatsapp_status !== 'none')
      await changeTemplateStatus(trx, updated, 'none', null, at, { work: null, meta_template_id: null });
  });
}

/**
 * A scenario given with an update: null removes it (its runs under way are cancelled), a definition becomes the
 * flow's next version (runs under way keep theirs) or the template's first scenario; undefined leaves it.
 */
async function replaceScenario(
  trx: Tx,
  clientId: number,
  row: MessengerTemplateRow,
  scenario: FlowDefinition | null | undefined,
): Promise<void> {
  if (scenario === undefined) return;
  const flow = await scenarioFlowOf(trx, row);
  if (scenario === null) {
    if (flow === undefined) return;
    await retireFlow(trx, clientId, flow, `The scenario of template '${row.name}' was removed.`);
    await trx.updateTable('messenger_template').set({ flow_id: null }).where('id', '=', row.id).execute();
    return;
  }
  if (flow !== undefined) {
    await insertVersion(trx, clientId, flow, scenario);
    return;
  }
  // A scenario removed earlier left its flow (deleted) under the template's code: a new one gets a code of its own.
  const base = scenarioFlow(row.id, row.name, row.language);
  const earlier = await trx
    .selectFrom('flow')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('client_id', '=', clientId)
    .where((eb) => eb.or([eb('code', '=', base.code), eb('code', 'like', `${base.code}-%`)]))
    .executeTakeFirstOrThrow();
  const code = Number(earlier.count) === 0 ? base.code : `${base.code}-${Number(earlier.count) + 1}`;
  const flowId = await insertFlow(trx, clientId, { ...base, code }, scenario);
  await trx.updateTable('messenger_template').set({ flow_id: flowId }).where('id', '=', row.id).execute();
}

async function scenarioFlowOf(trx: Tx, row: Pick<MessengerTemplateRow, 'flow_id'>) {
  if (row.flow_id === null) return undefined;
  return trx.selectFrom('flow').select(['id', 'code']).where('id', '=', row.flow_id).executeTakeFirst();
}

export async function deleteTemplate(db: Kysely<Database>, clientId: number, id: number): Promise<void> {
  await transact(db, async (trx) => {
    const { row } = await loadTemplate(trx, clientId, id);
    const flow = await scenarioFlowOf(trx, row);
    if (flow !== undefined) await retireFlow(trx, clientId, flow, `Template '${row.name}' was deleted.`);
    const at = nowInstant();
    await trx
      .updateTable('messenger_template')
      .set({
        deleted_at: at,
        updated_at: at,
        // Meta keeps a template it filed until it is deleted there too: the messenger worker does it.
        work: row.meta_template_id === null ? null : 'delete',
        due_at: row.meta_template_id === null ? null : at,
        attempts: 0,
      })
      .where('id', '=', row.id)
      .execute();
    if (row.whatsapp_status !== 'none') await changeTemplateStatus(trx, row, 'disabled', 'Deleted by the account.', at);
  });
}

export interface TemplateFilters {
  name?: string | undefined;
  language?: string | undefined;
  whatsapp_status?: string | undefined;
}

export function listTemplates(db: Kysely<Database>, clientId: number, filters: TemplateFilters, at: PageRequest) {
  let query = db.selectFrom('messenger_template').where('client_id', '=', clientId).where('deleted_at', 'is', null);
  if (filters.name !== undefined) query = query.where('name', '=', filters.name);
  if (filters.language !== undefined) query = query.where('language', '=', filters.language);
  if (filters.whatsapp_status !== undefined)
    query = query.where('whatsapp_status', '=', filters.whatsapp_status as MessengerTemplateRow['whatsapp_status']);
  return newestFirst(query, at);
}

/** The scenarios of these templates (their flows' current versions), by template id; one query. */
export async function scenariosOf(
  db: Kysely<Database> | Tx,
  rows: readonly Pick<MessengerTemplateRow, 'id' | 'flow_id'>[],
): Promise<Map<number, FlowDefinition>> {
  const flowIds = rows.flatMap((row) => (row.flow_id === null ? [] : [row.flow_id]));
  if (flowIds.length === 0) return new Map();
  const versions = await db
    .selectFrom('flow_version as v')
    .innerJoin('flow as f', (join) => join.onRef('f.id', '=', 'v.flow_id').onRef('f.current_version', '=', 'v.version'))
    .select(['v.flow_id', 'v.definition'])
    .where('v.flow_id', 'in', flowIds)
    .execute();
  const byFlow = new Map(
    versions.map((version) => [version.flow_id, JSON.parse(version.definition) as FlowDefinition]),
  );
  const scenarios = new Map<number, FlowDefinition>();
  for (const row of rows) {
    const scenario = row.flow_id === null ? undefined : byFlow.get(row.flow_id);
    if (scenario !== undefined) scenarios.set(row.id, scenario);
  }
  return scenarios;
}

/** A template as the API shows it; `scenario` from scenariosOf. */
export function presentTemplate(row: MessengerTemplateRow, scenario?: FlowDefinition) {
  const content = JSON.parse(row.content) as TemplateContent;
  return {
    id: row.id,
    name: row.name,
    language: row.language,
    category: row.category,
    content,
    variables: templateVariables(content),
    whatsapp:
      row.whatsapp_channel_id === null
        ? null
        : {
            channel_id: row.whatsapp_channel_id,
            waba_id: row.waba_id,
            status: row.whatsapp_status,
            reason: row.whatsapp_reason,
            meta_template_id: row.meta_template_id,
            last_error: row.last_error === null ? null : (JSON.parse(row.last_error) as unknown),
          },
    scenario: scenario ?? null,
    /** The flow running the scenario: its runs show in the flows API and the console's run inspector. */
    flow_id: row.flow_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
