// Operators, groups and skills (seed 003 "Operator", "Group", "Skill") end to end on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.js';
import { clientWithKey, eventTypesFor, type Resource, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'People Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Co'));
});
afterAll(async () => t.close());

let emailCounter = 0;
const freshEmail = (stem: string): string => `${stem}.${++emailCounter}@people.example`;

async function create(
  path: '/operator' | '/group' | '/skill' | '/website',
  json: Record<string, unknown>,
  as: string = key,
): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

async function operator(name: string, extra: Record<string, unknown> = {}, as: string = key): Promise<Resource> {
  return create('/operator', { name, email: freshEmail(name.toLowerCase().replace(/\W+/g, '.')), ...extra }, as);
}

async function rowCount(table: keyof Database): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Ids of a list answer (all pages fit in 100). */
async function listIds(path: string, as: string = key): Promise<number[]> {
  const answer = await t.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100`, { key: as });
  expect(answer.status).toBe(200);
  return answer.body.data.map((item) => item.id);
}

describe('operators', () => {
  it('creates an operator with every seed 003 field and reads them back', async () => {
    const site = await create('/website', { url: 'https://every.example' });
    const group = await create('/group', { name: 'Every field group' });
    const skill = await create('/skill', { name: 'Every field skill' });
    const created = await t.api('POST', '/operator', {
      key,
      json: {
        name: 'Martin',
        first_name: 'Julie',
        pseudo: 'Jules',
        email: 'julie.every@people.example',
        password: 'correct horse battery',
        external_id: 'EXT-42',
        roles: ['manager', 'expert'],
        chat_enabled: false,
        call_enabled: true,
        video_enabled: true,
        chat_max_number: 5,
        chat_and_call: true,
        chat_priority: 10,
        call_priority: 10,
        video_priority: 0,
        language_list: ['FR', 'en'],
        language_admin: 'es',
        group_id: group.id,
        website_list: [site.id],
        skill_list: [skill.id],
      },
    });
    expect(created.status).toBe(200);
    expect(created.body.meta.status).toBe('success');
    const expected = {
      name: 'Martin',
      first_name: 'Julie',
      pseudo: 'Jules',
      email: 'julie.every@people.example',
      external_id: 'EXT-42',
      role: 'manager',
      roles: ['manager', 'expert'],
      chat_enabled: false,
      call_enabled: true,
      video_enabled: true,
      chat_max_number: 5,
      chat_and_call: true,
      chat_priority: 10,
      call_priority: 10,
      video_priority: 0,
      language_list: ['fr', 'en'],
      language_admin: 'es',
      group_id: group.id,
      website_list: [site.id],
      skill_list: [skill.id],
    };
    expect(created.body.data).toMatchObject(expected);
    const id = created.body.data.id;
    expect(created.body.data._link).toBe(`/operator/${id}`);
    const read = await t.api('GET', `/operator/${id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id, ...expected });
    expect(read.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('accepts the deprecated single role and shows it in roles', async () => {
    const admin = await operator('Role Admin', { role: 'admin' });
    expect(admin).toMatchObject({ role: 'admin', roles: ['admin'] });
  });

  it("applies defaults for omitted fields (language from the client's lang)", async () => {
    const plain = await operator('Plain Operator');
    expect(plain).toMatchObject({
      first_name: null,
      pseudo: null,
      external_id: null,
      role: 'operator',
      roles: ['operator'],
      chat_enabled: true,
      call_enabled: false,
      video_enabled: false,
      chat_max_number: 2,
      chat_and_call: false,
      chat_priority: 0,
      call_priority: 0,
      video_priority: 0,
      language_list: ['fr'],
      language_admin: 'en',
      group_id: null,
      website_list: [],
      skill_list: [],
      connected: false,
    });
  });

  it('generates a distinct, non-empty sso_key per operator', async () => {
    const first = await operator('Sso One');
    const second = await operator('Sso Two');
    expect(typeof first.sso_key).toBe('string');
    expect(String(first.sso_key).length).toBeGreaterThan(10);
    expect(first.sso_key).not.toBe(second.sso_key);
  });

  it('never shows the password and stores it as an argon2id hash', async () => {
    const secret = 'my secret password 123';
    const created = await t.api('POST', '/operator', {
      key,
      json: { name: 'Secretive', email: freshEmail('secret'), password: secret },
    });
    expect(created.status).toBe(200);
    const id = created.body.data.id;
    const answers = [
      created,
      await t.api('GET', `/operator/${id}`, { key }),
      await t.api('GET', '/operator?full=1&limit=100', { key }),
      await t.api('PUT', `/operator/${id}`, { key, json: { password: 'another secret 456' } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.body);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('another secret 456');
      expect(text).not.toContain('password');
      expect(text).not.toContain('$argon2');
    }
    const row = await t.store.db
      .selectFrom('operator')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash?.startsWith('$argon2id$')).toBe(true);
    const events = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_type', '=', 'operator')
      .where('subject_id', '=', id)
      .execute();
    for (const event of events) {
      expect(event.payload).not.toContain('another secret 456');
      expect(event.payload).not.toContain('$argon2');
    }
  });

  it('requires name and email', async () => {
    const noName = await t.api('POST', '/operator', { key, json: { email: freshEmail('noname') } });
    expect(noName.status).toBe(400);
    expect(noName.body.meta).toMatchObject({ status: 'fail', message: "Field 'name' is missing." });
    const noEmail = await t.api('POST', '/operator', { key, json: { name: 'No Email' } });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.meta).toMatchObject({ status: 'fail', message: "Field 'email' is missing." });
  });

  it('refuses a name of only spaces for operators, groups and skills, writing nothing', async () => {
    const before = {
      operator: await rowCount('operator'),
      group: await rowCount('operator_group'),
      skill: await rowCount('skill'),
      event: await rowCount('event'),
    };
    const answers = [
      await t.api('POST', '/operator', { key, json: { name: '   ', email: freshEmail('blank') } }),
      await t.api('POST', '/group', { key, json: { name: ' ' } }),
      await t.api('POST', '/skill', { key, json: { name: '\t ' } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({
        status: 'fail',
        message: "Value of field 'name' is not valid. It must not be empty.",
      });
    }
    expect({
      operator: await rowCount('operator'),
      group: await rowCount('operator_group'),
      skill: await rowCount('skill'),
      event: await rowCount('event'),
    }).toEqual(before);
    const kept = await operator('Kept Name');
    const update = await t.api('PUT', `/operator/${kept.id}`, { key, json: { name: '  ' } });
    expect(update.status).toBe(400);
    expect((await t.api('GET', `/operator/${kept.id}`, { key })).body.data.name).toBe('Kept Name');
    const trimmed = await operator('  Padded Name  ');
    expect(trimmed.name).toBe('Padded Name');
  });

  it('refuses an invalid email, naming the field', async () => {
    for (const email of ['not-an-email', 'a@b', 'two words@shop.example']) {
      const answer = await t.api('POST', '/operator', { key, json: { name: 'Bad Email', email } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message).toContain("Value of field 'email' is not valid.");
    }
    const target = await operator('Good Email');
    const update = await t.api('PUT', `/operator/${target.id}`, { key, json: { email: 'nope' } });
    expect(update.status).toBe(400);
    expect(update.body.meta.message).toContain("'email'");
  });

  it('answers 409 for an email already in use, whatever its case, on create and update', async () => {
    const email = freshEmail('taken');
    await operator('First Owner', { email });
    const duplicate = await t.api('POST', '/operator', { key, json: { name: 'Second', email: email.toUpperCase() } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.meta.status).toBe('fail');
    expect(duplicate.body.meta.message).toContain("'email'");
    const other = await operator('Other Owner');
    const update = await t.api('PUT', `/operator/${other.id}`, { key, json: { email } });
    expect(update.status).toBe(409);
    expect((await t.api('GET', `/operator/${other.id}`, { key })).body.data.email).toBe(other.email);
  });

  it('gives one email to one operator when several creates race', async () => {
    const email = freshEmail('race');
    const answers = await Promise.all(
      [1, 2, 3].map((n) => t.api('POST', '/operator', { key, json: { name: `Racer ${n}`, email } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    const rows = await t.store.db.selectFrom('operator').select('id').where('email', '=', email).execute();
    expect(rows).toHaveLength(1);
  });

  it('updates only the fields given', async () => {
    const original = await operator('Update Me', {
      pseudo: 'UM',
      chat_max_number: 3,
      call_enabled: true,
      language_list: ['de'],
    });
    const updated = await t.api('PUT', `/operator/${original.id}`, {
      key,
      json: { name: 'Updated', chat_priority: 10 },
    });
    expect(updated.status).toBe(200);
    const { sso_key: _shownOnce, ...readable } = original;
    expect(updated.body.data).toEqual({ ...readable, name: 'Updated', chat_priority: 10 });
    const read = await t.api('GET', `/operator/${original.id}`, { key });
    expect(read.body.data).toEqual(updated.body.data);
  });

  it('refuses out-of-range values', async () => {
    const priority = await t.api('POST', '/operator', {
      key,
      json: { name: 'P', email: freshEmail('p'), chat_priority: 5 },
    });
    expect(priority.status).toBe(400);
    expect(priority.body.meta.message).toBe("Value of field 'chat_priority' is not valid. Expected 0 or 10.");
    const lang = await t.api('POST', '/operator', {
      key,
      json: { name: 'L', email: freshEmail('l'), language_admin: 'it' },
    });
    expect(lang.status).toBe(400);
    expect(lang.body.meta.message).toContain("'language_admin'");
  });

  it('deletes an operator: 404 afterwards, gone from lists and from its group', async () => {
    const group = await create('/group', { name: 'Delete group' });
    const skill = await create('/skill', { name: 'Delete skill' });
    const doomed = await operator('Doomed', { group_id: group.id, skill_list: [skill.id] });
    expect((await t.api('GET', `/group/${group.id}`, { key })).body.data.operator_list).toEqual([doomed.id]);
    const deleted = await t.api('DELETE', `/operator/${doomed.id}`, { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body.meta.status).toBe('success');
    const read = await t.api('GET', `/operator/${doomed.id}`, { key });
    expect(read.status).toBe(404);
    expect(read.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'operator' with 'id' ${doomed.id}.` });
    expect(await listIds('/operator')).not.toContain(doomed.id);
    expect(await listIds(`/operator?filters[group_id]=${group.id}`)).toEqual([]);
    expect((await t.api('GET', `/group/${group.id}`, { key })).body.data.operator_list).toEqual([]);
    expect((await t.api('GET', `/skill/${skill.id}`, { key })).body.data.operator_list).toEqual([]);
    expect((await t.api('PUT', `/operator/${doomed.id}`, { key, json: { name: 'Back' } })).status).toBe(404);
    expect((await t.api('DELETE', `/operator/${doomed.id}`, { key })).status).toBe(404);
    const members = await t.api('PUT', `/group/${group.id}`, { key, json: { operator_list: [doomed.id] } });
    expect(members.status).toBe(400);
    expect(members.body.meta.message).toBe(
      `Value of field 'operator_list' is not valid. Unknown 'operator' with 'id' ${doomed.id}.`,
    );
  });

  it('lets the email of a deleted operator be used again', async () => {
    const email = freshEmail('reused');
    const first = await operator('Leaver', { email });
    expect((await t.api('DELETE', `/operator/${first.id}`, { key })).status).toBe(200);
    const again = await t.api('POST', '/operator', { key, json: { name: 'Newcomer', email } });
    expect(again.status).toBe(200);
    expect(again.body.data.email).toBe(email);
    expect(again.body.data.id).not.toBe(first.id);
  });
});

describe('operator filters', () => {
  let groupA: Resource;
  let groupB: Resource;
  let siteA: Resource;
  let siteB: Resource;
  let skillA: Resource;
  let skillB: Resource;
  let julie: Resource;
  let paul: Resource;
  let marc: Resource;
  let fk: string;
  const ids = (path: string): Promise<number[]> => listIds(path, fk);

  beforeAll(async () => {
    ({ key: fk } = await clientWithKey(t, 'Filters Co'));
    groupA = await create('/group', { name: 'A' }, fk);
    groupB = await create('/group', { name: 'B' }, fk);
    siteA = await create('/website', { url: 'https://a.filters.example' }, fk);
    siteB = await create('/website', { url: 'https://b.filters.example' }, fk);
    skillA = await create('/skill', { name: 'Bikes' }, fk);
    skillB = await create('/skill', { name: 'Boats' }, fk);
    julie = await operator(
      'Julie',
      { group_id: groupA.id, website_list: [siteA.id], skill_list: [skillA.id], external_id: 'crm-julie' },
      fk,
    );
    paul = await operator(
      'Paul',
      { group_id: groupB.id, website_list: [siteA.id, siteB.id], skill_list: [skillB.id], external_id: 'crm-paul' },
      fk,
    );
    marc = await operator('Marc', { website_list: [siteB.id], skill_list: [skillA.id, skillB.id] }, fk);
    await t.store.db.updateTable('operator').set({ connected: 1 }).where('id', 'in', [julie.id, marc.id]).execute();
  });

  it('filters by group_id', async () => {
    expect(await ids(`/operator?filters[group_id]=${groupA.id}`)).toEqual([julie.id]);
    expect(await ids(`/operator?filters[group_id]=${groupB.id}`)).toEqual([paul.id]);
  });

  it('filters by website_id', async () => {
    expect(await ids(`/operator?filters[website_id]=${siteA.id}`)).toEqual([paul.id, julie.id]);
    expect(await ids(`/operator?filters[website_id]=${siteB.id}`)).toEqual([marc.id, paul.id]);
  });

  it('filters by skill_id', async () => {
    expect(await ids(`/operator?filters[skill_id]=${skillA.id}`)).toEqual([marc.id, julie.id]);
    expect(await ids(`/operator?filters[skill_id]=${skillB.id}`)).toEqual([marc.id, paul.id]);
  });

  it('filters by name, exactly or with * wildcards', async () => {
    expect(await ids('/operator?filters[name]=*uli*')).toEqual([julie.id]);
    expect(await ids('/operator?filters[name]=Paul')).toEqual([paul.id]);
    expect(await ids('/operator?filters[name]=uli')).toEqual([]);
    expect(await ids('/operator?filters[name]=*a*')).toEqual([marc.id, paul.id]);
  });

  it('filters by external_id', async () => {
    expect(await ids('/operator?filters[external_id]=crm-paul')).toEqual([paul.id]);
    expect(await ids('/operator?filters[external_id]=crm-*')).toEqual([paul.id, julie.id]);
  });

  it('filters by connected status', async () => {
    expect(await ids('/operator?filters[connected]=1')).toEqual([marc.id, julie.id]);
    expect(await ids('/operator?filters[connected]=0')).toEqual([paul.id]);
    const full = await t.api('GET', `/operator/${julie.id}`, { key: fk });
    expect(full.body.data.connected).toBe(true);
    const bad = await t.api('GET', '/operator?filters[connected]=yes', { key: fk });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toContain("'filters[connected]'");
  });

  it('combines filters', async () => {
    expect(await ids(`/operator?filters[website_id]=${siteB.id}&filters[connected]=1`)).toEqual([marc.id]);
    expect(await ids(`/operator?filters[skill_id]=${skillB.id}&filters[group_id]=${groupA.id}`)).toEqual([]);
  });
});

describe("references to another client's rows", () => {
  it('refuses websites, skills and groups of another client, writing no row and no event', async () => {
    const foreignSite = await create('/website', { url: 'https://foreign.example' }, otherKey);
    const foreignSkill = await create('/skill', { name: 'Foreign skill' }, otherKey);
    const foreignGroup = await create('/group', { name: 'Foreign group' }, otherKey);
    const operators = await rowCount('operator');
    const events = await rowCount('event');
    const links = (await rowCount('operator_website')) + (await rowCount('operator_skill'));

    const cases: [Record<string, unknown>, string][] = [
      [
        { website_list: [foreignSite.id] },
        `Value of field 'website_list' is not valid. Unknown 'website' with 'id' ${foreignSite.id}.`,
      ],
      [
        { skill_list: [foreignSkill.id] },
        `Value of field 'skill_list' is not valid. Unknown 'skill' with 'id' ${foreignSkill.id}.`,
      ],
      [
        { group_id: foreignGroup.id },
        `Value of field 'group_id' is not valid. Unknown 'group' with 'id' ${foreignGroup.id}.`,
      ],
      [{ website_list: [999999] }, "Value of field 'website_list' is not valid. Unknown 'website' with 'id' 999999."],
    ];
    for (const [fields, message] of cases) {
      const answer = await t.api('POST', '/operator', {
        key,
        json: { name: 'Crosser', email: freshEmail('crosser'), ...fields },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
    }
    const mine = await operator('Stay Home');
    const eventsAfterCreate = await rowCount('event');
    for (const [fields, message] of cases) {
      const answer = await t.api('PUT', `/operator/${mine.id}`, { key, json: { name: 'Changed', ...fields } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.message).toBe(message);
    }
    const { sso_key: _shownOnce, ...readable } = mine;
    expect((await t.api('GET', `/operator/${mine.id}`, { key })).body.data).toEqual(readable);
    expect(await rowCount('operator')).toBe(operators + 1);
    expect(await rowCount('event')).toBe(eventsAfterCreate);
    expect(eventsAfterCreate).toBe(events + 1);
    expect((await rowCount('operator_website')) + (await rowCount('operator_skill'))).toBe(links);
  });

  it("refuses another client's operators in a group or skill, and another client's parent", async () => {
    const foreignOperator = await operator('Foreign Op', {}, otherKey);
    const foreignGroup = await create('/group', { name: 'Foreign parent' }, otherKey);
    const groups = await rowCount('operator_group');
    const skills = await rowCount('skill');
    const events = await rowCount('event');
    const group = await t.api('POST', '/group', {
      key,
      json: { name: 'Poacher', operator_list: [foreignOperator.id] },
    });
    expect(group.status).toBe(400);
    expect(group.body.meta.message).toBe(
      `Value of field 'operator_list' is not valid. Unknown 'operator' with 'id' ${foreignOperator.id}.`,
    );
    const parent = await t.api('POST', '/group', { key, json: { name: 'Adopted', parent_id: foreignGroup.id } });
    expect(parent.status).toBe(400);
    expect(parent.body.meta.message).toBe(
      `Value of field 'parent_id' is not valid. Unknown 'group' with 'id' ${foreignGroup.id}.`,
    );
    const skill = await t.api('POST', '/skill', {
      key,
      json: { name: 'Poached', operator_list: [foreignOperator.id] },
    });
    expect(skill.status).toBe(400);
    expect(skill.body.meta.message).toContain("'operator_list'");
    expect(await rowCount('operator_group')).toBe(groups);
    expect(await rowCount('skill')).toBe(skills);
    expect(await rowCount('event')).toBe(events);
    expect((await t.api('GET', `/operator/${foreignOperator.id}`, { key: otherKey })).body.data.group_id).toBeNull();
  });

  it("answers 404 for another client's operator, group and skill", async () => {
    const foreignOperator = await operator('Hidden Op', {}, otherKey);
    const foreignGroup = await create('/group', { name: 'Hidden group' }, otherKey);
    const foreignSkill = await create('/skill', { name: 'Hidden skill' }, otherKey);
    for (const path of [`/operator/${foreignOperator.id}`, `/group/${foreignGroup.id}`, `/skill/${foreignSkill.id}`]) {
      expect((await t.api('GET', path, { key })).status).toBe(404);
      expect((await t.api('PUT', path, { key, json: { name: 'Mine now' } })).status).toBe(404);
      expect((await t.api('DELETE', path, { key })).status).toBe(404);
    }
    expect((await t.api('GET', `/operator/${foreignOperator.id}`, { key: otherKey })).body.data.name).toBe('Hidden Op');
    expect(await listIds('/operator')).not.toContain(foreignOperator.id);
  });
});

describe('groups', () => {
  it('creates, reads, updates and deletes a group', async () => {
    const created = await t.api('POST', '/group', { key, json: { name: 'Support' } });
    expect(created.status).toBe(200);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      name: 'Support',
      parent_id: null,
      operator_list: [],
      client_id: clientId,
      _link: `/group/${id}`,
    });
    expect(created.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await t.api('GET', `/group/${id}`, { key })).body.data).toEqual(created.body.data);
    const renamed = await t.api('PUT', `/group/${id}`, { key, json: { name: 'Customer support' } });
    expect(renamed.body.data).toEqual({ ...created.body.data, name: 'Customer support' });
    expect(await listIds('/group')).toContain(id);
    expect((await t.api('DELETE', `/group/${id}`, { key })).status).toBe(200);
    const gone = await t.api('GET', `/group/${id}`, { key });
    expect(gone.status).toBe(404);
    expect(gone.body.meta.message).toBe(`Unknown 'group' with 'id' ${id}.`);
    expect(await listIds('/group')).not.toContain(id);
  });

  it('requires a name', async () => {
    const answer = await t.api('POST', '/group', { key, json: {} });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toBe("Field 'name' is missing.");
  });

  it('filters by parent_id', async () => {
    const root = await create('/group', { name: 'Root' });
    const childA = await create('/group', { name: 'Child A', parent_id: root.id });
    const childB = await create('/group', { name: 'Child B', parent_id: root.id });
    await create('/group', { name: 'Grandchild', parent_id: childA.id });
    expect(childA.parent_id).toBe(root.id);
    expect(await listIds(`/group?filters[parent_id]=${root.id}`)).toEqual([childB.id, childA.id]);
  });

  it('sets operator_list on create and update, moving operators between groups', async () => {
    const ann = await operator('Ann');
    const bob = await operator('Bob');
    const cat = await operator('Cat');
    const first = await create('/group', { name: 'First', operator_list: [ann.id, bob.id] });
    expect(first.operator_list).toEqual([ann.id, bob.id]);
    expect((await t.api('GET', `/operator/${ann.id}`, { key })).body.data.group_id).toBe(first.id);

    const second = await create('/group', { name: 'Second', operator_list: [bob.id, cat.id] });
    expect(second.operator_list).toEqual([bob.id, cat.id]);
    expect((await t.api('GET', `/group/${first.id}`, { key })).body.data.operator_list).toEqual([ann.id]);
    expect((await t.api('GET', `/operator/${bob.id}`, { key })).body.data.group_id).toBe(second.id);

    const replaced = await t.api('PUT', `/group/${second.id}`, { key, json: { operator_list: [ann.id] } });
    expect(replaced.body.data.operator_list).toEqual([ann.id]);
    expect((await t.api('GET', `/group/${first.id}`, { key })).body.data.operator_list).toEqual([]);
    expect((await t.api('GET', `/operator/${bob.id}`, { key })).body.data.group_id).toBeNull();
    expect((await t.api('GET', `/operator/${cat.id}`, { key })).body.data.group_id).toBeNull();
    expect((await t.api('GET', `/operator/${ann.id}`, { key })).body.data.group_id).toBe(second.id);

    const moved = await t.api('PUT', `/operator/${cat.id}`, { key, json: { group_id: first.id } });
    expect(moved.body.data.group_id).toBe(first.id);
    expect((await t.api('GET', `/group/${first.id}`, { key })).body.data.operator_list).toEqual([cat.id]);

    const renamed = await t.api('PUT', `/group/${first.id}`, { key, json: { name: 'First renamed' } });
    expect(renamed.body.data.operator_list).toEqual([cat.id]);
  });

  it('refuses a parent that would make a cycle, naming parent_id', async () => {
    const top = await create('/group', { name: 'Top' });
    const middle = await create('/group', { name: 'Middle', parent_id: top.id });
    const bottom = await create('/group', { name: 'Bottom', parent_id: middle.id });
    const events = await rowCount('event');
    for (const parentId of [top.id, bottom.id]) {
      const answer = await t.api('PUT', `/group/${top.id}`, { key, json: { parent_id: parentId } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message).toContain("Value of field 'parent_id' is not valid.");
    }
    expect((await t.api('GET', `/group/${top.id}`, { key })).body.data.parent_id).toBeNull();
    expect(await rowCount('event')).toBe(events);
  });

  it('deletes a group: its operators leave it and its subgroups move up to its parent', async () => {
    const grand = await create('/group', { name: 'Grand' });
    const parent = await create('/group', { name: 'Parent', parent_id: grand.id });
    const kidA = await create('/group', { name: 'Kid A', parent_id: parent.id });
    const kidB = await create('/group', { name: 'Kid B', parent_id: parent.id });
    const member = await operator('Member', { group_id: parent.id });
    const kidMember = await operator('Kid Member', { group_id: kidA.id });
    expect((await t.api('DELETE', `/group/${parent.id}`, { key })).status).toBe(200);
    expect((await t.api('GET', `/group/${kidA.id}`, { key })).body.data.parent_id).toBe(grand.id);
    expect((await t.api('GET', `/group/${kidB.id}`, { key })).body.data.parent_id).toBe(grand.id);
    expect((await t.api('GET', `/operator/${member.id}`, { key })).body.data.group_id).toBeNull();
    expect((await t.api('GET', `/operator/${kidMember.id}`, { key })).body.data.group_id).toBe(kidA.id);
    expect(await listIds(`/group?filters[parent_id]=${grand.id}`)).toEqual([kidB.id, kidA.id]);

    const orphanParent = await create('/group', { name: 'Orphan parent' });
    const orphan = await create('/group', { name: 'Orphan', parent_id: orphanParent.id });
    await t.api('DELETE', `/group/${orphanParent.id}`, { key });
    expect((await t.api('GET', `/group/${orphan.id}`, { key })).body.data.parent_id).toBeNull();
  });
});

describe('skills', () => {
  it('creates, reads, updates and deletes a skill with order', async () => {
    const created = await t.api('POST', '/skill', { key, json: { name: 'Returns', order: 3 } });
    expect(created.status).toBe(200);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      name: 'Returns',
      order: 3,
      parent_id: null,
      operator_list: [],
      _link: `/skill/${id}`,
    });
    expect(created.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const defaulted = await create('/skill', { name: 'No order' });
    expect(defaulted.order).toBe(0);
    const updated = await t.api('PUT', `/skill/${id}`, { key, json: { order: -2 } });
    expect(updated.body.data).toEqual({ ...created.body.data, order: -2 });
    expect((await t.api('GET', `/skill/${id}`, { key })).body.data).toEqual(updated.body.data);
    expect((await t.api('DELETE', `/skill/${id}`, { key })).status).toBe(200);
    const gone = await t.api('GET', `/skill/${id}`, { key });
    expect(gone.status).toBe(404);
    expect(gone.body.meta.message).toBe(`Unknown 'skill' with 'id' ${id}.`);
  });

  it('filters by operator_id and parent_id', async () => {
    const parent = await create('/skill', { name: 'Languages' });
    const german = await create('/skill', { name: 'German', parent_id: parent.id });
    const spanish = await create('/skill', { name: 'Spanish', parent_id: parent.id });
    const polyglot = await operator('Polyglot', { skill_list: [german.id, parent.id] });
    expect(await listIds(`/skill?filters[parent_id]=${parent.id}`)).toEqual([spanish.id, german.id]);
    expect(await listIds(`/skill?filters[operator_id]=${polyglot.id}`)).toEqual([german.id, parent.id]);
  });

  it('sets operator_list (deprecated) and keeps it in step with operators skill_list', async () => {
    const one = await operator('Skill One');
    const two = await operator('Skill Two');
    const skill = await create('/skill', { name: 'Listed', operator_list: [one.id, two.id] });
    expect(skill.operator_list).toEqual([one.id, two.id]);
    expect((await t.api('GET', `/operator/${one.id}`, { key })).body.data.skill_list).toEqual([skill.id]);
    const narrowed = await t.api('PUT', `/skill/${skill.id}`, { key, json: { operator_list: [two.id] } });
    expect(narrowed.body.data.operator_list).toEqual([two.id]);
    expect((await t.api('GET', `/operator/${one.id}`, { key })).body.data.skill_list).toEqual([]);
    expect(await listIds(`/operator?filters[skill_id]=${skill.id}`)).toEqual([two.id]);
  });

  it('deletes a skill: operators lose it and sub-skills move up', async () => {
    const top = await create('/skill', { name: 'Top skill' });
    const doomed = await create('/skill', { name: 'Doomed skill', parent_id: top.id });
    const child = await create('/skill', { name: 'Child skill', parent_id: doomed.id });
    const keeper = await create('/skill', { name: 'Keeper skill' });
    const holder = await operator('Holder', { skill_list: [doomed.id, keeper.id] });
    expect((await t.api('DELETE', `/skill/${doomed.id}`, { key })).status).toBe(200);
    expect((await t.api('GET', `/operator/${holder.id}`, { key })).body.data.skill_list).toEqual([keeper.id]);
    expect((await t.api('GET', `/skill/${child.id}`, { key })).body.data.parent_id).toBe(top.id);
    expect(await listIds(`/skill?filters[operator_id]=${holder.id}`)).toEqual([keeper.id]);
  });

  it('refuses a skill parent cycle', async () => {
    const a = await create('/skill', { name: 'Cycle A' });
    const b = await create('/skill', { name: 'Cycle B', parent_id: a.id });
    const answer = await t.api('PUT', `/skill/${a.id}`, { key, json: { parent_id: b.id } });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toContain("'parent_id'");
    const self = await t.api('PUT', `/skill/${a.id}`, { key, json: { parent_id: a.id } });
    expect(self.status).toBe(400);
  });
});

describe('events', () => {
  it('writes exactly one event per operator create, update and delete', async () => {
    const created = await operator('Evented');
    expect(await eventTypesFor(t, 'operator', created.id)).toEqual(['user.created']);
    await t.api('PUT', `/operator/${created.id}`, { key, json: { pseudo: 'Ev' } });
    expect(await eventTypesFor(t, 'operator', created.id)).toEqual(['user.created', 'user.updated']);
    await t.api('DELETE', `/operator/${created.id}`, { key });
    expect(await eventTypesFor(t, 'operator', created.id)).toEqual(['user.created', 'user.updated', 'user.deleted']);
    const row = await t.store.db
      .selectFrom('event')
      .select(['client_id', 'payload'])
      .where('subject_type', '=', 'operator')
      .where('subject_id', '=', created.id)
      .where('type', '=', 'user.updated')
      .executeTakeFirstOrThrow();
    expect(row.client_id).toBe(created.client_id);
    expect(JSON.parse(row.payload)).toMatchObject({ changed: ['pseudo'] });
  });

  it('writes exactly one event per group and skill create, update and delete', async () => {
    const group = await create('/group', { name: 'Evented group' });
    await t.api('PUT', `/group/${group.id}`, { key, json: { name: 'Renamed group' } });
    await t.api('DELETE', `/group/${group.id}`, { key });
    expect(await eventTypesFor(t, 'group', group.id)).toEqual(['group.created', 'group.updated', 'group.deleted']);
    const skill = await create('/skill', { name: 'Evented skill' });
    await t.api('PUT', `/skill/${skill.id}`, { key, json: { order: 7 } });
    await t.api('DELETE', `/skill/${skill.id}`, { key });
    expect(await eventTypesFor(t, 'skill', skill.id)).toEqual(['skill.created', 'skill.updated', 'skill.deleted']);
  });

  it('writes no row and no event for a request that fails validation, a conflict, or an unknown id', async () => {
    const existing = await operator('Existing');
    const before = {
      operator: await rowCount('operator'),
      group: await rowCount('operator_group'),
      skill: await rowCount('skill'),
      event: await rowCount('event'),
    };
    const failures = [
      await t.api('POST', '/operator', { key, json: { name: 'No email' } }),
      await t.api('POST', '/operator', { key, json: { name: 'Bad', email: 'bad' } }),
      await t.api('POST', '/operator', { key, json: { name: 'Dup', email: existing.email } }),
      await t.api('POST', '/operator', { key, json: { name: 'Extra', email: freshEmail('extra'), colour: 'red' } }),
      await t.api('POST', '/operator', { key, json: { name: 'Group', email: freshEmail('group'), group_id: 999999 } }),
      await t.api('PUT', `/operator/${existing.id}`, { key, json: { chat_max_number: 0 } }),
      await t.api('PUT', '/operator/999999', { key, json: { name: 'Ghost' } }),
      await t.api('POST', '/group', { key, json: { name: '' } }),
      await t.api('POST', '/group', { key, json: { name: 'Orphan', parent_id: 999999 } }),
      await t.api('POST', '/skill', { key, json: { name: 'Orderly', order: 'first' } }),
      await t.api('POST', '/skill', { key, json: { name: 'Orphan', parent_id: 999999 } }),
      await t.api('DELETE', '/skill/999999', { key }),
    ];
    for (const answer of failures) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body.meta.status).toBe('fail');
    }
    expect({
      operator: await rowCount('operator'),
      group: await rowCount('operator_group'),
      skill: await rowCount('skill'),
      event: await rowCount('event'),
    }).toEqual(before);
    expect(await eventTypesFor(t, 'operator', existing.id)).toEqual(['user.created']);
  });
});

describe('nullable fields, tenant-local emails and unknown fields', () => {
  it('clears first_name, pseudo and external_id with JSON null and with an empty form value', async () => {
    const created = await t.api('POST', '/operator', {
      key,
      json: {
        name: 'Null Test',
        email: 'null.test@shop.example',
        first_name: 'Nina',
        pseudo: 'Nin',
        external_id: 'X-1',
      },
    });
    expect(created.body.data).toMatchObject({ first_name: 'Nina', pseudo: 'Nin', external_id: 'X-1' });
    const cleared = await t.api('PUT', `/operator/${created.body.data.id}`, { key, json: { first_name: null } });
    expect(cleared.body.data.first_name).toBeNull();
    const formCleared = await t.api('PUT', `/operator/${created.body.data.id}`, { key, form: 'pseudo=&external_id=' });
    expect(formCleared.body.data).toMatchObject({ pseudo: null, external_id: null });
    const badGroup = await t.api('PUT', `/operator/${created.body.data.id}`, { key, form: 'group_id=abc' });
    expect(badGroup.body.meta.message).toBe(
      "Value of field 'group_id' is not valid. Expected a whole number identifier, or empty for none.",
    );
  });

  it("lets two clients each have an operator with the same email, so a conflict never reveals another tenant's addresses", async () => {
    const email = 'shared.address@shop.example';
    const mine = await t.api('POST', '/operator', { key, json: { name: 'Mine', email } });
    const theirs = await t.api('POST', '/operator', { key: otherKey, json: { name: 'Theirs', email } });
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect((await t.api('POST', '/operator', { key, json: { name: 'Again', email } })).status).toBe(409);
  });

  it('names the resource when a body carries a field it does not have', async () => {
    const answer = await t.api('POST', '/operator', {
      key,
      json: { name: 'X', email: 'x.unknown@shop.example', colour: 'red' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toBe("Field 'colour' is not a field of 'operator'.");
  });
});
