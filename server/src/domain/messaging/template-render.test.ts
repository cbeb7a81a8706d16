import { describe, expect, it } from 'vitest';
import {
  MissingVariable,
  metaTemplateBody,
  renderTemplate,
  smsSegments,
  type TemplateContent,
  templateVariables,
  validateTemplate,
} from './template-render.js';

const ORDER: TemplateContent = {
  body: 'Bonjour {{firstname}}, votre commande {{order}} est prête. {{firstname}}, à bientôt !',
  footer: 'Boulangerie Martin',
  buttons: [
    { type: 'reply', text: 'Merci' },
    { type: 'url', text: 'Suivre', url: 'https://shop.example/o/{{order}}' },
  ],
};
const template = { name: 'commande_prete', language: 'fr', category: 'UTILITY', content: ORDER };
/** The same with a fixed link (a WhatsApp template may also have a dynamic one: see ORDER). */
const ORDER_WHATSAPP: TemplateContent = {
  ...ORDER,
  buttons: [
    { type: 'reply', text: 'Merci' },
    { type: 'url', text: 'Suivre', url: 'https://shop.example/commandes' },
  ],
};

describe('template variables and validation', () => {
  it('lists the variables once each, in order, from every part', () => {
    expect(templateVariables(ORDER)).toEqual(['firstname', 'order']);
  });

  it('names the field of a malformed variable and of an unclosed brace', () => {
    expect(validateTemplate({ body: 'Bonjour {{first name}}' }, ['sms'])).toEqual([
      expect.objectContaining({ field: 'content.body', message: expect.stringContaining("'{{first name}}'") }),
    ]);
    expect(validateTemplate({ body: 'Bonjour {{firstname' }, ['sms'])[0]?.message).toContain('not closed');
    expect(validateTemplate({ body: 'ok', footer: 'x }}' }, ['sms'])[0]?.field).toBe('content.footer');
  });

  it("applies WhatsApp's limits: body length, reply buttons, button text", () => {
    const problems = validateTemplate(
      {
        body: 'x'.repeat(1025),
        buttons: [
          { type: 'reply', text: 'A' },
          { type: 'reply', text: 'B' },
          { type: 'reply', text: 'C' },
          { type: 'reply', text: 'Un texte de bouton bien trop long' },
        ],
      },
      ['whatsapp'],
    );
    expect(problems.map((problem) => problem.field)).toEqual([
      'content.body',
      'content.buttons[3]',
      'content.buttons[3].text',
    ]);
    expect(validateTemplate(ORDER_WHATSAPP, ['whatsapp', 'sms', 'rcs'])).toEqual([]);
  });

  it('keeps WhatsApp variables inside the body, never its first or last word', () => {
    const fields = (content: TemplateContent) =>
      validateTemplate(content, ['whatsapp']).map((problem) => problem.field);
    expect(fields({ body: '{{firstname}}, votre commande est prête.' })).toEqual(['content.body']);
    expect(fields({ body: 'Votre commande {{order}}' })).toEqual(['content.body']);
    expect(validateTemplate({ body: 'Votre commande {{order}} ' }, ['whatsapp'])[0]?.message).toContain(
      'starts or ends',
    );
    expect(
      fields({
        body: 'Votre commande {{order}} est prête.',
        header: { type: 'text', text: 'Pour {{firstname}}' },
        footer: 'Réf. {{order}}',
        buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/o/{{order}}' }],
      }),
    ).toEqual(['content.footer']);
    // The same content is fine where the whole text is ours to fill.
    expect(validateTemplate(ORDER, ['sms', 'rcs'])).toEqual([]);
  });

  it('takes one variable in a WhatsApp text header and one at the end of a URL button, naming the field otherwise', () => {
    const problems = validateTemplate(
      {
        body: 'Votre commande {{order}} est prête.',
        header: { type: 'text', text: '{{firstname}}, commande {{order}}' },
        buttons: [
          { type: 'url', text: 'Suivre', url: 'https://shop.example/o/{{order}}/suivi' },
          { type: 'url', text: 'Payer', url: 'https://shop.example/{{shop}}/{{order}}' },
        ],
      },
      ['whatsapp'],
    );
    expect(problems).toEqual([
      { field: 'content.header.text', message: 'A WhatsApp text header takes at most one {{variable}}.' },
      {
        field: 'content.buttons[0].url',
        message:
          "On WhatsApp, a URL button's {{variable}} goes at the end of the url (https://example.com/order/{{order_id}}).",
      },
      {
        field: 'content.buttons[1].url',
        message: 'A WhatsApp URL button takes at most one {{variable}}, at the end of the url.',
      },
    ]);
    // SMS and RCS write the whole url themselves: a variable may sit anywhere in it there.
    expect(
      validateTemplate(
        { body: 'ok', buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/o/{{order}}/suivi' }] },
        ['sms', 'rcs'],
      ),
    ).toEqual([]);
  });

  it('names a variable in a button label, and a malformed one in a link or a card', () => {
    expect(
      validateTemplate(
        {
          body: 'ok',
          buttons: [
            { type: 'reply', text: 'Oui {{firstname}}' },
            { type: 'url', text: 'Voir', url: 'https://shop.example/{{bad name}}' },
          ],
          card: { title: 'Pain {{', description: 'Au levain' },
        },
        ['sms', 'rcs'],
      ).map((problem) => problem.field),
    ).toEqual(['content.buttons[0].text', 'content.buttons[1].url', 'content.card.title']);
  });

  it("applies RCS's carousel bounds and SMS's ten segments", () => {
    const card = { title: 'Pain', description: 'Au levain' };
    expect(validateTemplate({ body: 'ok', carousel: [card] }, ['rcs'])[0]?.field).toBe('content.carousel');
    expect(validateTemplate({ body: 'é'.repeat(1531) }, ['sms'])[0]?.message).toContain('11 GSM-7 segments');
  });
});

describe('SMS segments', () => {
  it('counts GSM-7 septets (extension characters twice) and UCS-2 code units', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2 });
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1 });
    expect(smsSegments('ç'.repeat(70))).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1 });
    expect(smsSegments('ç'.repeat(71))).toEqual({ encoding: 'UCS-2', characters: 71, segments: 2 });
    expect(smsSegments('🙂')).toEqual({ encoding: 'UCS-2', characters: 2, segments: 1 });
  });
});

describe('rendering per channel', () => {
  const variables = { firstname: 'Léa', order: 'A-1042' };

  it('sends the approved template with the body variables as parameters on WhatsApp', () => {
    const rendered = renderTemplate({ ...template, content: ORDER_WHATSAPP }, variables, 'whatsapp');
    expect(rendered.content).toEqual({
      type: 'template',
      name: 'commande_prete',
      language: 'fr',
      parameters: ['Léa', 'A-1042'],
    });
    expect(rendered.text).toBe('Bonjour Léa, votre commande A-1042 est prête. Léa, à bientôt !');
  });

  it("sends a text header's variable and a dynamic URL's value as their own parameters on WhatsApp", () => {
    const content: TemplateContent = { ...ORDER, header: { type: 'text', text: 'Commande {{order}}' } };
    const rendered = renderTemplate({ ...template, content }, variables, 'whatsapp');
    expect(rendered.content).toEqual({
      type: 'template',
      name: 'commande_prete',
      language: 'fr',
      parameters: ['Léa', 'A-1042'],
      header: { type: 'text', text: 'A-1042' },
      buttons: [{ index: 1, text: 'A-1042' }],
    });
    expect(rendered.text).toBe('Commande A-1042\nBonjour Léa, votre commande A-1042 est prête. Léa, à bientôt !');
    expect(() => renderTemplate({ ...template, content }, { firstname: 'Léa' }, 'whatsapp')).toThrow("'order'");
  });

  it("sends a media header's link as the header's parameter on WhatsApp", () => {
    const content: TemplateContent = {
      ...ORDER_WHATSAPP,
      header: { type: 'image', url: 'https://cdn.shop.example/pain.jpg' },
    };
    expect(renderTemplate({ ...template, content }, variables, 'whatsapp').content).toMatchObject({
      header: { type: 'image', url: 'https://cdn.shop.example/pain.jpg' },
    });
  });

  it('fills the header and the url on RCS and SMS', () => {
    const content: TemplateContent = { ...ORDER, header: { type: 'text', text: 'Commande {{order}}' } };
    expect(renderTemplate({ ...template, content }, variables, 'rcs').text).toBe(
      'Commande A-1042\nBonjour Léa, votre commande A-1042 est prête. Léa, à bientôt !\n• Merci\nSuivre: https://shop.example/o/A-1042',
    );
    expect(renderTemplate({ ...template, content }, variables, 'sms').text).toBe(
      'Commande A-1042\nBonjour Léa, votre commande A-1042 est prête. Léa, à bientôt !\nBoulangerie Martin\nSuivre: https://shop.example/o/A-1042',
    );
  });

  it('writes the footer and link buttons as lines by SMS, and counts its segments', () => {
    const rendered = renderTemplate(template, variables, 'sms');
    expect(rendered.text).toBe(
      'Bonjour Léa, votre commande A-1042 est prête. Léa, à bientôt !\nBoulangerie Martin\nSuivre: https://shop.example/o/A-1042',
    );
    // 'ê' is not in the GSM alphabet: the whole text goes in UCS-2, 67 characters a part.
    expect(rendered.sms).toEqual({
      encoding: 'UCS-2',
      characters: rendered.text.length,
      segments: Math.ceil(rendered.text.length / 67),
    });
    expect(rendered.sms?.segments).toBe(2);
  });

  it('writes suggestions as lines on RCS', () => {
    expect(renderTemplate(template, variables, 'rcs').text).toBe(
      'Bonjour Léa, votre commande A-1042 est prête. Léa, à bientôt !\n• Merci\nSuivre: https://shop.example/o/A-1042',
    );
  });

  it('refuses to render without a variable, naming it', () => {
    expect(() => renderTemplate(template, { firstname: 'Léa' }, 'sms')).toThrow(MissingVariable);
    expect(() => renderTemplate(template, { firstname: 'Léa' }, 'sms')).toThrow("'order'");
  });

  it("numbers the body's variables for Meta, with examples", () => {
    const body = metaTemplateBody({ ...template, content: ORDER_WHATSAPP });
    expect(body.components).toEqual([
      {
        type: 'BODY',
        text: 'Bonjour {{1}}, votre commande {{2}} est prête. {{1}}, à bientôt !',
        example: { body_text: [['<firstname>', '<order>']] },
      },
      { type: 'FOOTER', text: 'Boulangerie Martin' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Merci' },
          { type: 'URL', text: 'Suivre', url: 'https://shop.example/commandes' },
        ],
      },
    ]);
  });

  it('declares a header variable and a dynamic URL to Meta as {{1}} with examples', () => {
    const content: TemplateContent = { ...ORDER, header: { type: 'text', text: 'Commande {{order}}' } };
    const body = metaTemplateBody({ ...template, content });
    expect(body.components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Commande {{1}}', example: { header_text: ['<order>'] } },
      {
        type: 'BODY',
        text: 'Bonjour {{1}}, votre commande {{2}} est prête. {{1}}, à bientôt !',
        example: { body_text: [['<firstname>', '<order>']] },
      },
      { type: 'FOOTER', text: 'Boulangerie Martin' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Merci' },
          {
            type: 'URL',
            text: 'Suivre',
            url: 'https://shop.example/o/{{1}}',
            example: ['https://shop.example/o/order'],
          },
        ],
      },
    ]);
  });
});
