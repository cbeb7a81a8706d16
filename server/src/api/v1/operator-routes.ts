// v1 models `operator` and `website` (seed 002 §3–4): operator accounts, their websites and availability, on the same rows as v2.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import {
  createOperator,
  deleteOperator,
  linkOperatorWebsite,
  type OperatorInput,
  unlinkOperatorWebsite,
  updateOperator,
} from '../../domain/people/commands.js';
import { changeOperatorLive, type LiveChange } from '../../domain/people/presence.js';
import { ApiError, conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { type MethodRegistry, registerMethod, SUCCESS, unknownBy } from './method.js';
import { presentV1Operator, presentV1Website } from './present.js';
import {
  findOperator,
  findWebsite,
  listClientOperators,
  listClientWebsites,
  operatorIdsByExternalId,
} from './queries.js';
import {
  CreateAccountParams,
  DeleteAccountParams,
  EditAccountParams,
  LinkWebsiteParams,
  NoParams,
  OperatorList,
  OperatorTargetParams,
  Success,
  WebsiteList,
  WebsiteOperatorListParams,
} from './schema.js';

/** An empty `pseudo=` or `external_id=` clears the value. */
const textOrNull = (value: string | undefined): string | null | undefined =>
  value === undefined ? undefined : value.trim() === '' ? null : value;

export function registerOperatorMethods(app: FastifyInstance, registry: MethodRegistry, context: AppContext): void {
  const { db } = context;

  async function liveOperator(clientId: number, id: number) {
    const row = await findOperator(db, clientId, id);
    if (!row) throw unknownResource('operator', id);
    return row;
  }

  /** The live operator `opid`/`opId` or `external_id` names (seed 002 §3.7–3.9), and which parameter named it. */
  async function targetOperator(clientId: number, input: { opid?: number; opId?: number; external_id?: string }) {
    const id = input.opid ?? input.opId;
    if (id !== undefined) return { operator: await liveOperator(clientId, id), field: 'opid' };
    if (input.external_id === undefined)
      throw new ApiError('field_missing', 400, "Field 'opid' is missing. Give 'opid' or 'external_id'.", 'fail', {
        field: 'opid',
      });
    const [only, ...others] = await operatorIdsByExternalId(db, clientId, input.external_id);
    if (only === undefined) throw unknownBy('operator', 'external_id', input.external_id);
    if (others.length > 0)
      throw conflict(`Several operators have the external_id '${input.external_id}': name one with 'opid'.`);
    return { operator: await liveOperator(clientId, only), field: 'external_id' };
  }

  const live = (method: string, summary: string, description: string, change: LiveChange) =>
    registerMethod(app, registry, {
      model: 'operator',
      method,
      summary,
      description: `${description} Name the operator with \`opid\` (or \`opId\`) or \`external_id\`.`,
      params: OperatorTargetParams,
      formats: ['json'],
      json: Success,
      answer: async (input, { clientId }) => {
        const { operator, field } = await targetOperator(clientId, input);
        // Said here in v1's words: the shared command would name v2's `chat[available]`.
        if (change.chat === true && operator.chat_enabled !== 1) {
          throw fieldInvalid(
            field,
            `The operator cannot process chat: enable chat first (PUT /api/2/operator/${operator.id} with chat_enabled=1).`,
          );
        }
        // Serving the queue and moving a leaver's conversations follow the committed events, as for REST v2.
        await changeOperatorLive(db, clientId, operator.id, change);
        return SUCCESS;
      },
    });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'createAccount',
    summary: 'Create an operator account',
    description:
      'Creates an operator (`user.created`), the same account `POST /api/2/operator` creates. `name`, `email` and `password` are required; `type` is `operator` (default), `manager` or `admin`; `maxchat` 1 to 6 (default 2). ' +
      'Answers `{"result":"success"}`; find the new id with `getClientOperatorList` (by `external_id`, for instance).',
    params: CreateAccountParams,
    formats: ['json'],
    json: Success,
    answer: async (input, { principal }) => {
      await createOperator(db, principal, {
        name: input.name,
        email: input.email,
        password: input.password,
        pseudo: textOrNull(input.pseudo) ?? null,
        external_id: textOrNull(input.external_id) ?? null,
        role: input.type ?? 'operator',
        chat_max_number: input.maxchat ?? 2,
      });
      return SUCCESS;
    },
  });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'getClientOperatorList',
    summary: 'List all your operators',
    description:
      'Every operator of your account, whichever website they answer on. Every value is a string: `rights` is the highest role, `curchat` the conversations open now, `is_online` `1` when connected, `messenger_isonline` `1` when available for chat.',
    params: NoParams,
    formats: ['json'],
    json: OperatorList,
    answer: async (_input, { principal, clientId }) => ({
      json: { operators: (await listClientOperators(db, clientId)).map((row) => presentV1Operator(principal, row)) },
    }),
  });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'getWebsiteOperatorList',
    summary: "List one website's operators",
    description: 'The operators linked to the website `sid`, in the shape of `getClientOperatorList`.',
    params: WebsiteOperatorListParams,
    formats: ['json'],
    json: OperatorList,
    answer: async (input, { principal, clientId }) => {
      if (!(await findWebsite(db, clientId, input.sid))) throw unknownResource('website', input.sid);
      const operators = await listClientOperators(db, clientId, input.sid);
      return { json: { operators: operators.map((row) => presentV1Operator(principal, row)) } };
    },
  });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'editAccount',
    summary: 'Change an operator account',
    description:
      'Changes the fields given of the operator `id` (`user.updated`); at least one of `name`, `email`, `password`, `pseudo`, `type`, `maxchat`, `external_id` is required. An empty `pseudo` or `external_id` clears it.',
    params: EditAccountParams,
    formats: ['json'],
    json: Success,
    answer: async (input, { clientId }) => {
      const operator = await liveOperator(clientId, input.id);
      const changes: OperatorInput = {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.email !== undefined && { email: input.email }),
        ...(input.password !== undefined && { password: input.password }),
        ...(input.pseudo !== undefined && { pseudo: textOrNull(input.pseudo) }),
        ...(input.type !== undefined && { role: input.type }),
        ...(input.maxchat !== undefined && { chat_max_number: input.maxchat }),
        ...(input.external_id !== undefined && { external_id: textOrNull(input.external_id) }),
      };
      // A misspelt parameter would otherwise "succeed" having changed nothing.
      if (Object.keys(changes).length === 0) {
        throw new ApiError(
          'field_missing',
          400,
          'Nothing to change: give at least one of name, email, password, pseudo, type, maxchat, external_id.',
        );
      }
      await updateOperator(db, clientId, operator.id, changes);
      return SUCCESS;
    },
  });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'deleteAccount',
    summary: 'Delete an operator account',
    description:
      'Deletes the operator `id` (`user.deleted`), as `DELETE /api/2/operator/{id}` does; its past conversations keep its name.',
    params: DeleteAccountParams,
    formats: ['json'],
    json: Success,
    answer: async (input, { clientId }) => {
      await deleteOperator(db, clientId, (await liveOperator(clientId, input.id)).id);
      return SUCCESS;
    },
  });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'linkWebsite',
    summary: 'Link an operator to a website',
    description:
      'The operator `opid` answers on the website `sid` from now on (`user.updated`). Linking twice is harmless.',
    params: LinkWebsiteParams,
    formats: ['json'],
    json: Success,
    answer: async (input, { clientId }) => {
      const operator = await liveOperator(clientId, input.opid);
      if (!(await findWebsite(db, clientId, input.sid))) throw unknownResource('website', input.sid);
      await linkOperatorWebsite(db, clientId, operator.id, input.sid);
      return SUCCESS;
    },
  });

  registerMethod(app, registry, {
    model: 'operator',
    method: 'unlinkWebsite',
    summary: 'Remove an operator from a website',
    description:
      'The operator `opid` no longer answers on the website `sid` (`user.updated`). Unlinking an operator that was not linked is harmless.',
    params: LinkWebsiteParams,
    formats: ['json'],
    json: Success,
    answer: async (input, { clientId }) => {
      const operator = await liveOperator(clientId, input.opid);
      if (!(await findWebsite(db, clientId, input.sid))) throw unknownResource('website', input.sid);
      await unlinkOperatorWebsite(db, clientId, operator.id, input.sid);
      return SUCCESS;
    },
  });

  live(
    'setUnavailable',
    'Make an operator unavailable',
    'The operator stops receiving chats (`user.availability_changed`); it stays connected.',
    { chat: false },
  );
  live(
    'setAvailable',
    'Make an operator available',
    'The operator can receive chats again (`user.availability_changed`).',
    { chat: true },
  );
  live('disconnect', 'Disconnect an operator', 'Disconnects the operator from the console (`user.disconnected`).', {
    connected: false,
  });

  registerMethod(app, registry, {
    model: 'website',
    method: 'getClientWebsiteList',
    summary: 'List your websites',
    description:
      'Every website of your account; `id` is the `sid` that `linkWebsite`, `unlinkWebsite` and `getWebsiteOperatorList` take.',
    params: NoParams,
    formats: ['json'],
    json: WebsiteList,
    answer: async (_input, { clientId }) => ({
      json: { websites: (await listClientWebsites(db, clientId)).map(presentV1Website) },
    }),
  });
}
