import { describe, expect, it } from 'vitest';
import {
  contentOf,
  draftOf,
  EMPTY_DRAFT,
  formKeyOf,
  formKeysOf,
  previewDraft,
  type Template,
  templateBody,
  unchanged,
  variablesOf,
} from './logic';
import { templatesRouteOf } from './routes';

const SAVED: Template = {
  id: 4,
  name: 'commande_prete',
  language: 'fr',
  category: 'UTILITY',
  content: {
    body: 'Bonjour {{firstname}}, votre commande {{order}} est prête.',
    header: { type: 'text', text: 'Commande' },
    footer: 'Boulangerie Martin',
    buttons: [
      { type: 'reply', text: 'Merci' },
      { type: 'url', text: 'Suivre', url: 'https://shop.example/c/{{order}}' },
      { type: 'dial', text: 'Appeler', phone: '+33612345678' },
    ],
    card: { title: 'Votre commande', description: 'Prête en boutique' },
  },
  variables: ['firstname', 'order'],
  whatsapp: null,
  created_at: '2026-12-05T10:00:00Z',
  updated_at: '2026-12-05T10:00:00Z',
};

describe('the draft and the body it saves', () => {
  it('leaves empty optional parts out and keeps what the form does not edit (a card)', () => {
    const draft = { ...EMPTY_DRAFT, name: ' rappel ', body: 'Bonjour {{firstname}}.' };
    expect(templateBody(draft)).toEqual({
      name: 'rappel',
      language: 'fr',
      category: 'UTILITY',
      content: { body: 'Bonjour {{firstname}}.' },
      whatsapp: null,
    });
    expect(contentOf(draftOf(SAVED))).toEqual(SAVED.content);
  });
  it('submits to WhatsApp with the chosen channel and business account', () => {
    const draft = { ...draftOf(SAVED), whatsappChannelId: '12', wabaId: ' 102290129340398 ' };
    expect(templateBody(draft).whatsapp).toEqual({ channel_id: 12, waba_id: '102290129340398' });
  });
  it('knows when the form shows the template as saved (then the server previews it)', () => {
    const draft = draftOf(SAVED);
    expect(unchanged(draft, SAVED)).toBe(true);
    expect(unchanged({ ...draft, footer: 'Boulangerie Martin, Lyon' }, SAVED)).toBe(false);
    expect(unchanged(draft, null)).toBe(false);
  });
});

describe('variables and the preview per channel', () => {
  it('lists the variables in order of first appearance, once each, ignoring what is not a name', () => {
    expect(
      variablesOf({ body: 'Hi {{ firstname }} {{order}} {{firstname}} {{ bad name }}', sms_text: '{{code}}' }),
    ).toEqual(['firstname', 'order', 'code']);
  });
  it('renders SMS as header, body, footer and link / call lines, counting its segments', () => {
    const preview = previewDraft(SAVED.content, { firstname: 'Léa', order: 'A-1042' }, false);
    expect(preview.whatsapp).toBeNull();
    expect(preview.sms.text).toBe(
      'Commande\nBonjour Léa, votre commande A-1042 est prête.\nBoulangerie Martin\nSuivre: https://shop.example/c/A-1042\nAppeler: +33612345678',
    );
    // « prête »: ê is not in the GSM set, so UCS-2, and over 70 units two parts.
    expect(preview.sms).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(preview.rcs).toBe(
      'Bonjour Léa, votre commande A-1042 est prête.\nVotre commande — Prête en boutique\n• Merci\nSuivre: https://shop.example/c/A-1042\nAppeler: +33612345678',
    );
  });
  it('sends the SMS text instead when there is one; a value not typed yet stays visible', () => {
    const preview = previewDraft({ body: 'x', sms_text: 'Code {{code}} ✓' }, {}, true);
    expect(preview.sms).toMatchObject({ text: 'Code {{code}} ✓', encoding: 'UCS-2', segments: 1 });
    expect(preview.whatsapp).toEqual({ header: null, body: 'x', footer: null, buttons: [] });
  });
  it('fills WhatsApp’s body only: header, footer and buttons go as Meta approved them', () => {
    const preview = previewDraft(SAVED.content, { firstname: 'Léa', order: 'A1' }, true);
    expect(preview.whatsapp).toEqual({
      header: 'Commande',
      body: 'Bonjour Léa, votre commande A1 est prête.',
      footer: 'Boulangerie Martin',
      buttons: ['Merci', 'Suivre', 'Appeler'],
    });
  });
});

describe('the input a 400 names', () => {
  const keys = formKeysOf(draftOf(SAVED));
  it('finds a button’s part by its index', () => {
    expect(formKeyOf('content.buttons[1].url', keys)).toBe('content.buttons.1.url');
    expect(formKeyOf('content.buttons[2].phone', keys)).toBe('content.buttons.2.phone');
    expect(formKeyOf('content.buttons[0]', keys)).toBe('content.buttons.0');
  });
  it('sends what no input carries to the nearest enclosing one', () => {
    // The schema's check names no index: the buttons group.
    expect(formKeyOf('content[buttons][text]', keys)).toBe('content.buttons');
    expect(formKeyOf('content.buttons[10]', keys)).toBe('content.buttons');
    expect(formKeyOf('content[header][text]', keys)).toBe('content.header.text');
    expect(formKeyOf('content', keys)).toBe('content.body');
    expect(formKeyOf('whatsapp[waba_id]', keys)).toBe('whatsapp.waba_id');
    expect(formKeyOf('content.carousel', keys)).toBe('content.body');
    expect(formKeyOf('body', keys)).toBeNull();
    expect(formKeyOf(null, keys)).toBeNull();
  });
});

describe('templatesRouteOf', () => {
  it('routes the template pages in the Campaigns area', () => {
    expect(templatesRouteOf('campaigns/templates')).toEqual({ view: 'list' });
    expect(templatesRouteOf('campaigns/templates/new')).toEqual({ view: 'new' });
    expect(templatesRouteOf('campaigns/templates/12')).toEqual({ view: 'template', id: 12 });
    expect(templatesRouteOf('campaigns/12')).toBeNull();
  });
});
