// Google's RCS Business Messaging Management API (Business Communications API v1) as FakeRbm serves it beside the
// messaging API: brands and agents under a brand (create, get, list; agents patch), per-region (carrier) launch,
// verification and testers, with Google's error shape and test controls to move a carrier's launch state, answer an
// invitation, or make calls fail (an error status, a garbled 200, an answer lost after the call was carried out, or
// one sent past the caller's timeout).
//
// Shapes checked against Google's reference and samples (not copied from the server, so a mismatch there shows):
// - developers.google.com/business-communications/rcs-business-messaging/reference/business-communications/rest/v1/
//   brands.agents (RcsBusinessMessagingAgent: description, logoUri, heroUri, phoneNumbers[{phoneNumber{number},label}],
//   emails[{address,label}], websites[{uri,label}], privacy{uri,label}, termsConditions{uri,label}, color,
//   billingConfig{billingCategory}, agentUseCase, hostingRegion), AgentLaunch (rcsBusinessMessaging.launchDetails:
//   map region name → {launchState, comment, updateTime}), testers (name "testers/{E.164}", agentId, phoneNumber,
//   inviteStatus PENDING | ACCEPTED | DECLINED; testers.get takes agentId as a query parameter).
// - github.com/rcs-business-messaging/rbm-api-examples: nodejs/rbm-mgmt-api/src/agents/{create,launch,verify}.js
//   (launch keys '/v1/regions/<id>', agentVerificationContact fields), java/.../RbmApiOperations.java (requestLaunch
//   body {agentLaunch}, requestVerification body {agentVerificationContact}).
// Google has no EXPIRED invite status: an invitation left unanswered is dropped, so testers.get answers 404 NOT_FOUND
// for it (expireInvitation). A number whose device is not RCS-capable is refused at create with 400 FAILED_PRECONDITION.
import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, json } from './http.js';

export type LaunchState =
  | 'LAUNCH_STATE_UNLAUNCHED'
  | 'LAUNCH_STATE_PENDING'
  | 'LAUNCH_STATE_LAUNCHED'
  | 'LAUNCH_STATE_REJECTED'
  | 'LAUNCH_STATE_SUSPENDED'
  | 'LAUNCH_STATE_PENDING_UNLAUNCH';
export type VerificationState =
  | 'VERIFICATION_STATE_UNVERIFIED'
  | 'VERIFICATION_STATE_PENDING'
  | 'VERIFICATION_STATE_VERIFIED';
export type InviteStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED';

export interface FakeBrand {
  name: string;
  displayName: string;
}

export interface FakeAgent {
  name: string;
  displayName: string;
  brandName: string;
  rcsBusinessMessagingAgent: Record<string, unknown>;
}

interface RegionLaunch {
  launchState: LaunchState;
  comment?: string;
  updateTime: string;
}

interface Launch {
  questionnaire: Record<string, unknown>;
  launchDetails: Record<string, RegionLaunch>;
}

/**
 * A failure instead of the real answer: an HTTP status (Google's error body), a 200 that is not JSON; or the call is
 * carried out and then its answer lost (`lostAnswer`: a 503 after the entity was created) or sent late (`delayMs`,
 * past the caller's timeout).
 */
export type InjectedFailure = { status: number } | { malformed: true } | { lostAnswer: true } | { delayMs: number };

/** Regions (carriers) the fake knows, as `regions.list` names them. */
export const DEFAULT_REGIONS = ['orange-fr', 'sfr-fr', 'bouygues-fr', 'free-fr'];

const STATUS_OF: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's error body; an INVALID_ARGUMENT names the field in a BadRequest detail, as the real API does. */
export function googleError(code: number, message: string, status = STATUS_OF[code] ?? 'UNKNOWN', field?: string) {
  return json(code, {
    error: {
      code,
      message,
      status,
      ...(field !== undefined && {
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field, description: message }],
          },
        ],
      }),
    },
  });
}

const invalid = (field: string, message: string) => googleError(400, message, 'INVALID_ARGUMENT', field);
const notFound = () => googleError(404, 'Requested entity was not found.');
const E164 = /^\+[1-9][0-9]{6,14}$/;
const COLOR = /^#[0-9A-Fa-f]{6}$/;
const BILLING = ['CONVERSATIONAL', 'CONVERSATIONAL_LEGACY', 'NON_CONVERSATIONAL', 'BASIC_MESSAGE', 'SINGLE_MESSAGE'];
const USE_CASES = ['TRANSACTIONAL', 'PROMOTIONAL', 'OTP', 'MULTI_USE'];
const HOSTING = ['NORTH_AMERICA', 'EUROPE', 'ASIA_PACIFIC'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The management half of the fake RBM server; FakeRbm routes `/v1/brands…`, `/v1/regions` and `/v1/testers…` here. */
export class RbmManagement {
  readonly brands = new Map<string, FakeBrand>();
  readonly agents = new Map<string, FakeAgent>();
  readonly launches = new Map<string, Launch>();
  readonly verifications = new Map<string, { state: VerificationState; contact: Record<string, unknown> }>();
  /** Every management call, in order (tests count creations: a retry must not create a second brand or agent). */
  readonly calls: Array<{ method: string; path: string; status: number }> = [];
  /** Failures answered before the real handling, each to the next call matching its `match` ('POST /v1/brands'). */
  private readonly failures: Array<{ match: string; failure: InjectedFailure }> = [];

  constructor(
    /** Tester invitations by agent id: the fake's own agent shares FakeRbm's map, so accepted testers get messages. */
    private readonly testersOf: (agentId: string) => Map<string, InviteStatus>,
    /** Whether a number's device can take RCS (capabilities). */
    private readonly reachable: (msisdn: string) => boolean,
    readonly regions: string[] = DEFAULT_REGIONS,
  ) {}

  /** The next `count` calls whose "METHOD path" contains `match` answer `failure` (a 503, a 429, a malformed 200…). */
  failNext(match: string, failure: InjectedFailure, count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push({ match, failure });
  }

  /** A carrier (region id, 'orange-fr', or its full name) decides on the agent's launch: LAUNCHED, REJECTED… */
  setLaunchState(agent: string, region: string, launchState: LaunchState, comment?: string): void {
    const launch = this.launches.get(this.agentName(agent));
    const key = region.startsWith('/v1/regions/') ? region : `/v1/regions/${region}`;
    if (launch === undefined || launch.launchDetails[key] === undefined)
      throw new Error(`No launch of ${agent} on ${key}.`);
    launch.launchDetails[key] = { launchState, updateTime: new Date().toISOString(), ...(comment && { comment }) };
  }

  /** Google's verification of the agent's brand ends. */
  setVerificationState(agent: string, state: VerificationState): void {
    const verification = this.verifications.get(this.agentName(agent));
    if (verification === undefined) throw new Error(`No verification requested for ${agent}.`);
    verification.state = state;
  }

  /** The tester answers the invitation on the device. */
  answerInvitation(agentId: string, msisdn: string, answer: 'ACCEPTED' | 'DECLINED'): void {
    const testers = this.testersOf(agentId);
    if (!testers.has(msisdn)) throw new Error(`No invitation of ${msisdn} for ${agentId}.`);
    testers.set(msisdn, answer);
  }

  /** The invitation lapses unanswered: Google forgets it (testers.get answers 404). */
  expireInvitation(agentId: string, msisdn: string): void {
    this.testersOf(agentId).delete(msisdn);
  }

  /** The agent created with this display name (tests find what the server created). */
  agentNamed(displayName: string): FakeAgent | undefined {
    return [...this.agents.values()].find((agent) => agent.displayName === displayName);
  }

  /** 'brands/b/agents/a', or the agent id 'a' alone. */
  private agentName(agent: string): string {
    if (agent.startsWith('brands/')) return agent;
    return [...this.agents.keys()].find((name) => name.endsWith(`/agents/${agent}`)) ?? agent;
  }

  handles(path: string): boolean {
    return /^\/v1\/(brands|regions|testers)(\/|$|:)/.test(path);
  }

  async handle(request: FakeRequest): Promise<FakeAnswer> {
    const line = `${request.method} ${request.path}`;
    const injected = this.failures.findIndex((entry) => line.includes(entry.match));
    const failure = injected === -1 ? undefined : this.failures.splice(injected, 1)[0]?.failure;
    let answer: FakeAnswer;
    if (failure !== undefined && 'malformed' in failure)
      answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"name": "brands/' };
    else if (failure !== undefined && 'status' in failure)
      answer = googleError(failure.status, failure.status >= 500 ? 'The service is currently unavailable.' : 'Error.');
    else {
      answer = this.route(request);
      if (failure !== undefined && 'lostAnswer' in failure)
        answer = googleError(503, 'The service is currently unavailable.');
      if (failure !== undefined && 'delayMs' in failure)
        await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
    }
    this.calls.push({ method: request.method, path: request.path, status: answer.status });
    return answer;
  }

  private route(request: FakeRequest): FakeAnswer {
    const path = decodeURIComponent(request.path);
    let body: Record<string, unknown> = {};
    if (request.method === 'POST' || request.method === 'PATCH') {
      try {
        const parsed: unknown = JSON.parse(request.body.toString('utf8') || '{}');
        if (!isObject(parsed)) return googleError(400, 'Invalid JSON payload received.');
        body = parsed;
      } catch {
        return googleError(400, 'Invalid JSON payload received.');
      }
    }
    if (path === '/v1/regions' && request.method === 'GET')
      return json(200, {
        regions: this.regions.map((id) => ({
          name: `/v1/regions/${id}`,
          displayName: id,
          managementType: 'GOOGLE_MANAGED',
        })),
      });
    if (path === '/v1/brands' && request.method === 'POST') return this.createBrand(body);
    if (path === '/v1/brands' && request.method === 'GET') return json(200, { brands: [...this.brands.values()] });
    let match = /^\/v1\/brands\/([^/:]+)$/.exec(path);
    if (match !== null && request.method === 'GET') {
      const brand = this.brands.get(`brands/${match[1]}`);
      return brand === undefined ? notFound() : json(200, brand);
    }
    match = /^\/v1\/brands\/([^/:]+)\/agents$/.exec(path);
    if (match !== null && request.method === 'POST') return this.createAgent(`brands/${match[1]}`, body);
    if (match !== null && request.method === 'GET') {
      const brandName = `brands/${match[1]}`;
      if (!this.brands.has(brandName)) return notFound();
      return json(200, { agents: [...this.agents.values()].filter((agent) => agent.brandName === brandName) });
    }
    match =
      /^\/v1\/(brands\/[^/:]+\/agents\/[^/:]+)(:requestLaunch|:requestVerification|\/launch|\/verification)?$/.exec(
        path,
      );
    if (match !== null) {
      const [, name = '', action] = match;
      const agent = this.agents.get(name);
      if (agent === undefined) return notFound();
      if (action === undefined && request.method === 'GET') return json(200, agent);
      if (action === undefined && request.method === 'PATCH') return this.patchAgent(agent, body, request.query);
      if (action === ':requestLaunch' && request.method === 'POST') return this.requestLaunch(name, body);
      if (action === '/launch' && request.method === 'GET') return this.launchOf(name);
      if (action === ':requestVerification' && request.method === 'POST') return this.requestVerification(name, body);
      if (action === '/verification' && request.method === 'GET') {
        const verification = this.verifications.get(name);
        return json(200, {
          name: `${name}/verification`,
          verificationState: verification?.state ?? 'VERIFICATION_STATE_UNVERIFIED',
          ...(verification !== undefined && { agentVerificationContact: verification.contact }),
        });
      }
      return googleError(405, 'Method not allowed.', 'UNIMPLEMENTED');
    }
    if (path === '/v1/testers' && request.method === 'POST') return this.createTester(body);
    match = /^\/v1\/testers\/(\+[0-9]+)$/.exec(path);
    if (match !== null) {
      const msisdn = match[1] ?? '';
      const agentId = request.query.get('agentId') ?? '';
      const testers = this.testersOf(agentId);
      const status = testers.get(msisdn);
      if (status === undefined) return notFound();
      if (request.method === 'DELETE') {
        testers.delete(msisdn);
        return json(200, {});
      }
      if (request.method === 'GET')
        return json(200, { name: `testers/${msisdn}`, agentId, phoneNumber: msisdn, inviteStatus: status });
    }
    return notFound();
  }

  private createBrand(body: Record<string, unknown>): FakeAnswer {
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '')
      return invalid('brand.display_name', 'Brand display name is required.');
    const name = `brands/${randomBytes(16).toString('hex')}`;
    const brand = { name, displayName: body.displayName };
    this.brands.set(name, brand);
    return json(200, brand);
  }

  /** The checks Google makes of an agent's fields; answers the first violation. */
  private agentProblem(body: Record<string, unknown>): FakeAnswer | undefined {
    const displayName = body.displayName;
    if (typeof displayName !== 'string' || displayName === '')
      return invalid('agent.display_name', 'Agent display name is required.');
    if (displayName.length > 40)
      return invalid('agent.display_name', 'Agent display name must be at most 40 characters.');
    const rbm = body.rcsBusinessMessagingAgent;
    if (!isObject(rbm))
      return invalid('agent.rcs_business_messaging_agent', 'rcsBusinessMessagingAgent is required for an RBM agent.');
    const at = (field: string) => `agent.rcs_business_messaging_agent.${field}`;
    if (typeof rbm.description !== 'string' || rbm.description.length > 100)
      return invalid(at('description'), 'Description is required, at most 100 characters.');
    for (const [field, uri] of [
      ['logo_uri', rbm.logoUri],
      ['hero_uri', rbm.heroUri],
    ] as const)
      if (!isHttpsUrl(uri)) return invalid(at(field), `${field} must be a publicly reachable https URL.`);
    if (rbm.color !== undefined && (typeof rbm.color !== 'string' || !COLOR.test(rbm.color)))
      return invalid(at('color'), 'Color must be a hex color such as #0B78D0.');
    const phones = Array.isArray(rbm.phoneNumbers) ? rbm.phoneNumbers : [];
    for (const entry of phones) {
      const number = isObject(entry) && isObject(entry.phoneNumber) ? entry.phoneNumber.number : undefined;
      if (typeof number !== 'string' || !E164.test(number))
        return invalid(at('phone_numbers.phone_number.number'), 'Phone numbers must be in E.164 format.');
    }
    const emails = Array.isArray(rbm.emails) ? rbm.emails : [];
    const websites = Array.isArray(rbm.websites) ? rbm.websites : [];
    if (phones.length + emails.length + websites.length === 0)
      return invalid(at('phone_numbers'), 'At least one contact method (phone, email or website) is required.');
    for (const [field, value] of [
      ['privacy', rbm.privacy],
      ['terms_conditions', rbm.termsConditions],
    ] as const)
      if (!isObject(value) || !isHttpsUrl(value.uri))
        return invalid(at(`${field}.uri`), `${field} needs an https uri.`);
    const billing = isObject(rbm.billingConfig) ? rbm.billingConfig.billingCategory : undefined;
    if (typeof billing !== 'string' || !BILLING.includes(billing))
      return invalid(at('billing_config.billing_category'), 'A billing category is required.');
    if (typeof rbm.agentUseCase !== 'string' || !USE_CASES.includes(rbm.agentUseCase))
      return invalid(at('agent_use_case'), 'An agent use case is required.');
    if (typeof rbm.hostingRegion !== 'string' || !HOSTING.includes(rbm.hostingRegion))
      return invalid(at('hosting_region'), 'A hosting region is required.');
    return undefined;
  }

  private createAgent(brandName: string, body: Record<string, unknown>): FakeAnswer {
    if (!this.brands.has(brandName)) return notFound();
    const problem = this.agentProblem(body);
    if (problem !== undefined) return problem;
    const slug = String(body.displayName)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, 20);
    const name = `${brandName}/agents/${slug}_${randomBytes(4).toString('hex')}_agent`;
    const agent: FakeAgent = {
      name,
      displayName: String(body.displayName),
      brandName,
      rcsBusinessMessagingAgent: body.rcsBusinessMessagingAgent as Record<string, unknown>,
    };
    this.agents.set(name, agent);
    return json(200, agent);
  }

  private patchAgent(agent: FakeAgent, body: Record<string, unknown>, query: URLSearchParams): FakeAnswer {
    const mask = query.get('updateMask');
    if (mask === null || mask === '') return invalid('update_mask', 'updateMask is required.');
    const merged = {
      displayName: body.displayName ?? agent.displayName,
      rcsBusinessMessagingAgent: { ...agent.rcsBusinessMessagingAgent, ...(body.rcsBusinessMessagingAgent as object) },
    };
    const problem = this.agentProblem(merged);
    if (problem !== undefined) return problem;
    if (merged.displayName !== agent.displayName && this.verifications.get(agent.name)?.state !== undefined)
      return invalid('agent.display_name', 'The display name cannot change once verification was requested.');
    agent.displayName = String(merged.displayName);
    agent.rcsBusinessMessagingAgent = merged.rcsBusinessMessagingAgent;
    return json(200, agent);
  }

  private requestLaunch(name: string, body: Record<string, unknown>): FakeAnswer {
    const agentLaunch = body.agentLaunch;
    const rbm = isObject(agentLaunch) ? agentLaunch.rcsBusinessMessaging : undefined;
    if (!isObject(rbm)) return invalid('agent_launch.rcs_business_messaging', 'rcsBusinessMessaging is required.');
    const details = rbm.launchDetails;
    if (!isObject(details) || Object.keys(details).length === 0)
      return invalid('agent_launch.rcs_business_messaging.launch_details', 'At least one region is required.');
    for (const region of Object.keys(details))
      if (!this.regions.some((id) => `/v1/regions/${id}` === region))
        return invalid('agent_launch.rcs_business_messaging.launch_details', `Unknown region ${region}.`);
    const existing = this.launches.get(name);
    if (existing !== undefined && Object.keys(existing.launchDetails).some((region) => !(region in details)))
      return invalid(
        'agent_launch.rcs_business_messaging.launch_details',
        'Launch details must include every region already requested.',
      );
    const launch: Launch = existing ?? {
      questionnaire: isObject(rbm.questionnaire) ? rbm.questionnaire : {},
      launchDetails: {},
    };
    const now = new Date().toISOString();
    // Regions already requested keep their state; new ones wait for the carrier.
    for (const region of Object.keys(details))
      launch.launchDetails[region] ??= { launchState: 'LAUNCH_STATE_PENDING', updateTime: now };
    this.launches.set(name, launch);
    return this.launchOf(name);
  }

  private launchOf(name: string): FakeAnswer {
    const launch = this.launches.get(name);
    return json(200, {
      name: `${name}/launch`,
      rcsBusinessMessaging: {
        questionnaire: launch?.questionnaire ?? {},
        launchDetails: launch?.launchDetails ?? {},
        launchRegion: 'LAUNCH_REGION_UNSPECIFIED',
      },
    });
  }

  private requestVerification(name: string, body: Record<string, unknown>): FakeAnswer {
    const contact = body.agentVerificationContact;
    if (!isObject(contact)) return invalid('agent_verification_contact', 'agentVerificationContact is required.');
    for (const field of ['partnerName', 'partnerEmailAddress', 'brandContactName', 'brandContactEmailAddress'])
      if (typeof contact[field] !== 'string' || contact[field] === '')
        return invalid(
          `agent_verification_contact.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
          `${field} is required.`,
        );
    if (!isHttpsUrl(contact.brandWebsiteUrl))
      return invalid('agent_verification_contact.brand_website_url', 'brandWebsiteUrl must be an https URL.');
    const verification = this.verifications.get(name) ?? {
      state: 'VERIFICATION_STATE_PENDING' as VerificationState,
      contact,
    };
    this.verifications.set(name, verification);
    return json(200, {
      name: `${name}/verification`,
      verificationState: verification.state,
      agentVerificationContact: verification.contact,
    });
  }

  private createTester(body: Record<string, unknown>): FakeAnswer {
    const phoneNumber = body.phoneNumber;
    if (typeof phoneNumber !== 'string' || !E164.test(phoneNumber))
      return invalid('tester.phone_number', 'phoneNumber must be in E.164 format.');
    const agentId = body.agentId;
    if (typeof agentId !== 'string' || ![...this.agents.keys()].some((name) => name.endsWith(`/agents/${agentId}`)))
      return invalid('tester.agent_id', 'agentId names no agent of this partner.');
    if (!this.reachable(phoneNumber))
      return googleError(400, 'The phone number is not RCS-enabled or not reachable.', 'FAILED_PRECONDITION');
    const testers = this.testersOf(agentId);
    testers.set(phoneNumber, testers.get(phoneNumber) ?? 'PENDING');
    return json(200, { name: `testers/${phoneNumber}`, agentId, phoneNumber, inviteStatus: testers.get(phoneNumber) });
  }
}
