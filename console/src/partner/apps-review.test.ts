// The platform admin's review pages' rules: the invitation body from what was typed, the version a review decides,
// the queue's rows (developer named, oldest submission first), the interactions listed in order, and their paths.
import { CauserieError } from '@causerie/sdk/client';
import { describe, expect, it } from 'vitest';
import { developerLabel, interactionLines, invitationBody, queueRows, versionUnderReview } from './apps-review';
import { failedFieldOf, inputOfField } from './logic';
import { partnerRouteOf } from './routes';

const developers = [
  { id: 1, name: 'Léa Martin', company: 'Connecteurs SAS' },
  { id: 2, name: 'Sam Roy', company: null },
];

describe('the review pages', () => {
  it('invites with the typed email and name trimmed, and no company when left blank', () => {
    expect(invitationBody({ email: ' lea@example.test ', name: ' Léa ', company: '  ' })).toEqual({
      email: 'lea@example.test',
      name: 'Léa',
    });
    expect(invitationBody({ email: 'a@b.test', name: 'A', company: ' Acme ' })).toEqual({
      email: 'a@b.test',
      name: 'A',
      company: 'Acme',
    });
  });

  it('shows the version under review, else the published one, else the newest (versions come newest first)', () => {
    const versions = [
      { version: '1.0.1', status: 'under_review' },
      { version: '1.0.0', status: 'refused' },
    ];
    expect(versionUnderReview(versions)?.version).toBe('1.0.1');
    const refusedAfterPublished = [
      { version: '1.1.0', status: 'refused' },
      { version: '1.0.0', status: 'published' },
    ];
    expect(versionUnderReview(refusedAfterPublished)?.version).toBe('1.0.0');
    expect(versionUnderReview([{ version: '2.0.0', status: 'refused' }])?.version).toBe('2.0.0');
    expect(versionUnderReview([])).toBeNull();
  });

  it('names the developer with their company, or by id when unknown', () => {
    expect(developerLabel(developers, 1)).toBe('Léa Martin (Connecteurs SAS)');
    expect(developerLabel(developers, 2)).toBe('Sam Roy');
    expect(developerLabel(developers, 9)).toBe('#9');
  });

  it('lists the queue oldest submission first, with the version each submitted', () => {
    const rows = queueRows(
      [
        { id: 10, name: 'Later', developerId: 2 },
        { id: 11, name: 'Earlier', developerId: 1 },
      ],
      developers,
      new Map([
        [10, [{ version: '1.0.0', status: 'under_review', submitted_at: '2026-12-05 10:00:00' }]],
        [
          11,
          [
            { version: '1.0.1', status: 'under_review', submitted_at: '2026-12-05 09:00:00' },
            { version: '1.0.0', status: 'refused', submitted_at: '2026-12-04 09:00:00' },
          ],
        ],
      ]),
    );
    expect(rows).toEqual([
      {
        id: 11,
        name: 'Earlier',
        developer: 'Léa Martin (Connecteurs SAS)',
        version: '1.0.1',
        submittedAt: '2026-12-05 09:00:00',
      },
      { id: 10, name: 'Later', developer: 'Sam Roy', version: '1.0.0', submittedAt: '2026-12-05 10:00:00' },
    ]);
  });

  it('lists the declared interactions in the seed order with their URLs', () => {
    expect(
      interactionLines({
        conversation_closing: { url: 'https://c.test/closing' },
        visitor_profile: null,
        product_list: { catalogue_url: 'https://c.test/products', categories_url: 'https://c.test/categories' },
      }),
    ).toEqual([
      { name: 'product_list', urls: ['https://c.test/products', 'https://c.test/categories'] },
      { name: 'conversation_closing', urls: ['https://c.test/closing'] },
    ]);
  });

  it('puts the server’s refusal without a reason beside the reason field', () => {
    const refused = new CauserieError(400, 'A refusal says why.', {}, 'field_invalid', 'reason');
    expect(inputOfField(failedFieldOf(refused))).toBe('reason');
  });

  it('routes the developers and the review pages', () => {
    expect(partnerRouteOf('partner/developers')).toEqual({ view: 'developers' });
    expect(partnerRouteOf('partner/apps')).toEqual({ view: 'apps', id: null });
    expect(partnerRouteOf('partner/apps/7')).toEqual({ view: 'apps', id: 7 });
    expect(partnerRouteOf('partner/apps/x')).toBeNull();
  });
});
