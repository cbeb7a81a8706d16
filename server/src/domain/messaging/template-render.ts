// Message templates of issue 20 (`/messenger/template`): what a template's content may hold, checked field by field
// against the channels' published limits (WhatsApp Cloud API templates, RCS Business Messaging, SMS segments), its
// variables, and how it is rendered for each channel. One module, so the API's validation, the console's preview and
// the messenger's sends say the same thing.
import type { OutboundContent, TemplateHeaderParameter } from '../../channels/adapter.js';

export type TemplateChannel = 'whatsapp' | 'sms' | 'rcs';

export type TemplateButton =
  | { type: 'reply'; text: string }
  | { type: 'url'; text: string; url: string }
  | { type: 'dial'; text: string; phone: string };

export interface TemplateCard {
  title: string;
  description: string;
  media_url?: string;
}

export interface TemplateContent {
  /** The message, with `{{variables}}`. */
  body: string;
  header?: { type: 'text'; text: string } | { type: 'image' | 'video' | 'document'; url: string };
  footer?: string;
  buttons?: TemplateButton[];
  /** RCS rich card, or a carousel of them. */
  card?: TemplateCard;
  carousel?: TemplateCard[];
  /** What SMS sends instead of the body (buttons appended as lines when absent). */
  sms_text?: string;
}

export interface TemplateProblem {
  field: string;
  message: string;
}

/** Meta's and Google's published limits. */
export const LIMITS = {
  whatsappBody: 1024,
  whatsappHeaderText: 60,
  whatsappFooter: 60,
  whatsappButtons: 10,
  whatsappReplyButtons: 3,
  whatsappUrlButtons: 2,
  whatsappDialButtons: 1,
  whatsappButtonText: 25,
  rcsSuggestions: 11,
  rcsSuggestionText: 25,
  rcsCardTitle: 200,
  rcsCardDescription: 2000,
  rcsCarouselMin: 2,
  rcsCarouselMax: 10,
  smsSegments: 10,
} as const;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Anything between double braces: checked to be a variable name. */
const BRACES = /\{\{([^{}]*)\}\}/g;

/** A missing value for a variable the template uses: the send fails naming it. */
export class MissingVariable extends Error {
  constructor(readonly variable: string) {
    super(`The variable '${variable}' has no value.`);
    this.name = 'MissingVariable';
  }
}

/** Problems of the braces of one text: `{{ bad name }}`, a `{{` never closed, a `}}` never opened. */
function braceProblems(text: string, field: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const match of text.matchAll(BRACES)) {
    const name = String(match[1]).trim();
    if (!VARIABLE_NAME.test(name))
      problems.push({
        field,
        message: `'{{${match[1]}}}' is not a variable: a name is letters, digits, _ and . and starts with a letter or _ ({{firstname}}).`,
      });
  }
  const rest = text.replace(BRACES, '');
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push({ field, message: 'A variable is written {{name}}: a brace pair is not closed or not opened.' });
  return problems;
}

function textVariablesOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(BRACES)].map((match) => String(match[1]).trim()).filter((name) => VARIABLE_NAME.test(name));
}

/** The template's variables, in order of first appearance (body, header, footer, buttons, cards, SMS text). */
export function templateVariables(content: TemplateContent): string[] {
  const texts = [
    content.body,
    content.header?.type === 'text' ? content.header.text : undefined,
    content.footer,
    ...(content.buttons ?? []).map((button) => (button.type === 'url' ? button.url : undefined)),
    content.card?.title,
    content.card?.description,
    ...(content.carousel ?? []).flatMap((card) => [card.title, card.description]),
    content.sms_text,
  ];
  return [...new Set(texts.flatMap(textVariablesOf))];
}

/** The GSM 03.38 basic character set (one septet each)… */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** …and its extension table (an escape and the character: two septets each). */
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** How an SMS of this text is sent: GSM-7 when every character is in the GSM set, else UCS-2; and in how many parts. */
export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; characters: number; segments: number } {
  const characters = [...text];
  const gsm = characters.every((char) => GSM_BASIC.has(char) || GSM_EXTENDED.has(char));
  if (gsm) {
    const septets = characters.reduce((sum, char) => sum + (GSM_EXTENDED.has(char) ? 2 : 1), 0);
    return { encoding: 'GSM-7', characters: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  // UCS-2 counts UTF-16 code units: a character outside the BMP (an emoji) takes two.
  const units = text.length;
  return { encoding: 'UCS-2', characters: units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

function tooLong(text: string | undefined, limit: number, field: string, what: string): TemplateProblem[] {
  return text !== undefined && [...text].length > limit
    ? [{ field, message: `${what} is ${[...text].length} characters; at most ${limit}.` }]
    : [];
}

/**
 * Where Meta takes a WhatsApp template's variables: in the body (never as its first or last word — Meta refuses a body
 * that starts or ends with a parameter, subcode 2388299), at most one in a text header, and at most one at the very end
 * of a URL button's url (a dynamic URL: Meta appends the value to the approved prefix). None in the footer.
 */
function whatsappVariableProblems(content: TemplateContent): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const body = content.body.trim();
  if (/^\{\{[^{}]*\}\}/.test(body) || /\{\{[^{}]*\}\}$/.test(body))
    problems.push({
      field: 'content.body',
      message: 'Meta refuses a WhatsApp body that starts or ends with a {{variable}}: put fixed text around it.',
    });
  if (content.header?.type === 'text' && [...content.header.text.matchAll(BRACES)].length > 1)
    problems.push({
      field: 'content.header.text',
      message: 'A WhatsApp text header takes at most one {{variable}}.',
    });
  if (content.footer !== undefined && textVariablesOf(content.footer).length > 0)
    problems.push({
      field: 'content.footer',
      message: 'On WhatsApp, the footer is sent as Meta approved it: no {{variables}}.',
    });
  for (const [index, button] of (content.buttons ?? []).entries()) {
    if (button.type !== 'url') continue;
    const found = [...button.url.matchAll(BRACES)];
    const field = `content.buttons[${index}].url`;
    if (found.length > 1)
      problems.push({ field, message: 'A WhatsApp URL button takes at most one {{variable}}, at the end of the url.' });
    else if (found.length === 1 && !/\{\{[^{}]*\}\}$/.test(button.url.trim()))
      problems.push({
        field,
        message:
          "On WhatsApp, a URL button's {{variable}} goes at the end of the url (https://example.com/order/{{order_id}}).",
      });
  }
  return problems;
}

/** The one variable of a WhatsApp text header or URL button (validation allows at most one), or undefined. */
function singleVariableOf(text: string): string | undefined {
  return textVariablesOf(text)[0];
}

function requiredValue(name: string, variables: Readonly<Record<string, string>>): string {
  const value = variables[name];
  if (value === undefined) throw new MissingVariable(name);
  return value;
}

/** The problems of a template's content for the channels it is meant for; empty when it can be saved. */
export function validateTemplate(content: TemplateContent, channels: readonly TemplateChannel[]): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  if (content.body.trim() === '') problems.push({ field: 'content.body', message: 'The body is empty.' });
  problems.push(...braceProblems(content.body, 'content.body'));
  if (content.header?.type === 'text') problems.push(...braceProblems(content.header.text, 'content.header.text'));
  if (content.footer !== undefined) problems.push(...braceProblems(content.footer, 'content.footer'));
  if (content.sms_text !== undefined) problems.push(...braceProblems(content.sms_text, 'content.sms_text'));
  const buttons = content.buttons ?? [];
  for (const [index, button] of buttons.entries()) {
    // A button's label is fixed on every channel (Meta refuses parameters there; RCS suggestions are fixed too).
    if (button.text.includes('{{') || button.text.includes('}}'))
      problems.push({ field: `content.buttons[${index}].text`, message: 'A button text is fixed: no {{variables}}.' });
    if (button.type === 'url') problems.push(...braceProblems(button.url, `content.buttons[${index}].url`));
  }
  const cards = [
    ...(content.card === undefined ? [] : [{ card: content.card, field: 'content.card' }]),
    ...(content.carousel ?? []).map((card, index) => ({ card, field: `content.carousel[${index}]` })),
  ];
  for (const { card, field } of cards) {
    problems.push(...braceProblems(card.title, `${field}.title`));
    problems.push(...braceProblems(card.description, `${field}.description`));
  }
  if (channels.includes('whatsapp')) {
    problems.push(...tooLong(content.body, LIMITS.whatsappBody, 'content.body', 'The WhatsApp body'));
    problems.push(...whatsappVariableProblems(content));
    if (content.header?.type === 'text')
      problems.push(
        ...tooLong(content.header.text, LIMITS.whatsappHeaderText, 'content.header.text', 'The WhatsApp header'),
      );
    problems.push(...tooLong(content.footer, LIMITS.whatsappFooter, 'content.footer', 'The WhatsApp footer'));
    if (buttons.length > LIMITS.whatsappButtons)
      problems.push({
        field: `content.buttons[${LIMITS.whatsappButtons}]`,
        message: `WhatsApp takes at most ${LIMITS.whatsappButtons} buttons; this template has ${buttons.length}.`,
      });
    const counts = { reply: 0, url: 0, dial: 0 };
    const caps = {
      reply: LIMITS.whatsappReplyButtons,
      url: LIMITS.whatsappUrlButtons,
      dial: LIMITS.whatsappDialButtons,
    };
    buttons.forEach((button, index) => {
      counts[button.type] += 1;
      if (counts[button.type] > caps[button.type])
        problems.push({
          field: `content.buttons[${index}]`,
          message: `WhatsApp takes at most ${caps[button.type]} ${button.type} button${caps[button.type] > 1 ? 's' : ''}.`,
        });
      problems.push(
        ...tooLong(button.text, LIMITS.whatsappButtonText, `content.buttons[${index}].text`, 'A button text'),
      );
    });
  }
  if (channels.includes('rcs')) {
    if (buttons.length > LIMITS.rcsSuggestions)
      problems.push({
        field: `content.buttons[${LIMITS.rcsSuggestions}]`,
        message: `RCS takes at most ${LIMITS.rcsSuggestions} suggestions; this template has ${buttons.length}.`,
      });
    for (const [index, button] of buttons.entries())
      problems.push(
        ...tooLong(button.text, LIMITS.rcsSuggestionText, `content.buttons[${index}].text`, 'An RCS suggestion'),
      );
    for (const { card, field } of cards) {
      problems.push(...tooLong(card.title, LIMITS.rcsCardTitle, `${field}.title`, 'A card title'));
      problems.push(
        ...tooLong(card.description, LIMITS.rcsCardDescription, `${field}.description`, 'A card description'),
      );
    }
    const carousel = content.carousel?.length;
    if (carousel !== undefined && (carousel < LIMITS.rcsCarouselMin || carousel > LIMITS.rcsCarouselMax))
      problems.push({
        field: 'content.carousel',
        message: `A carousel has ${LIMITS.rcsCarouselMin} to ${LIMITS.rcsCarouselMax} cards; this one has ${carousel}.`,
      });
  }
  if (channels.includes('sms')) {
    const segments = smsSegments(smsTextOf(content, {}, false));
    if (segments.segments > LIMITS.smsSegments)
      problems.push({
        field: content.sms_text === undefined ? 'content.body' : 'content.sms_text',
        message: `The SMS would take ${segments.segments} ${segments.encoding} segments; at most ${LIMITS.smsSegments}.`,
      });
  }
  return problems;
}

/** `text` with its variables filled; a variable without a value throws MissingVariable (`strict`) or stays as written. */
function fill(text: string, variables: Readonly<Record<string, string>>, strict: boolean): string {
  return text.replace(BRACES, (whole, raw: string) => {
    const name = raw.trim();
    const value = variables[name];
    if (value !== undefined) return value;
    if (strict) throw new MissingVariable(name);
    return whole;
  });
}

function buttonLine(button: TemplateButton, variables: Readonly<Record<string, string>>, strict: boolean): string {
  if (button.type === 'url') return `${button.text}: ${fill(button.url, variables, strict)}`;
  if (button.type === 'dial') return `${button.text}: ${button.phone}`;
  return `• ${button.text}`;
}

function smsTextOf(content: TemplateContent, variables: Readonly<Record<string, string>>, strict: boolean): string {
  if (content.sms_text !== undefined) return fill(content.sms_text, variables, strict);
  const lines = [
    ...(content.header?.type === 'text' ? [fill(content.header.text, variables, strict)] : []),
    fill(content.body, variables, strict),
    ...(content.footer === undefined ? [] : [fill(content.footer, variables, strict)]),
    ...(content.buttons ?? []).filter((button) => button.type !== 'reply').map((b) => buttonLine(b, variables, strict)),
  ];
  return lines.join('\n');
}

/** What a channel sends for a template: the conversation entry's text and the provider content. */
export interface RenderedTemplate {
  text: string;
  content: OutboundContent;
  sms?: ReturnType<typeof smsSegments>;
}

/**
 * The template for `channel` with the recipient's variables. WhatsApp sends the approved template by name with its
 * variables as the body's parameters, in order; SMS the SMS text (or the body with header, footer and link buttons
 * as lines); RCS the text with its card and suggestions as lines (the RCS adapter sends text).
 */
export function renderTemplate(
  template: { name: string; language: string; content: TemplateContent },
  variables: Readonly<Record<string, string>>,
  channel: TemplateChannel,
): RenderedTemplate {
  const { content } = template;
  if (channel === 'whatsapp') {
    // Meta's body parameters are the body's variables, in order ({{1}}, {{2}}…: metaTemplateBody numbers them so).
    const parameters = [...new Set(textVariablesOf(content.body))].map((name) => {
      const value = variables[name];
      if (value === undefined) throw new MissingVariable(name);
      return value;
    });
    // The header's parameter: its one variable's value, or the media link (Meta asks for it whenever the approved
    // header is an image, video or document).
    const header = content.header;
    const headerVariable = header?.type === 'text' ? singleVariableOf(header.text) : undefined;
    const headerParameter: TemplateHeaderParameter | undefined =
      header === undefined
        ? undefined
        : header.type === 'text'
          ? headerVariable === undefined
            ? undefined
            : { type: 'text', text: requiredValue(headerVariable, variables) }
          : { type: header.type, url: header.url };
    // A dynamic URL button's parameter is the value Meta appends to the approved url; `index` is the button's position.
    const buttons = (content.buttons ?? []).flatMap((button, index) => {
      const name = button.type === 'url' ? singleVariableOf(button.url) : undefined;
      return name === undefined ? [] : [{ index, text: requiredValue(name, variables) }];
    });
    const lines = [
      ...(header?.type === 'text' ? [fill(header.text, variables, true)] : []),
      fill(content.body, variables, true),
    ];
    return {
      text: lines.join('\n'),
      content: {
        type: 'template',
        name: template.name,
        language: template.language,
        parameters,
        ...(headerParameter !== undefined && { header: headerParameter }),
        ...(buttons.length > 0 && { buttons }),
      },
    };
  }
  if (channel === 'sms') {
    const text = smsTextOf(content, variables, true);
    return { text, content: { type: 'text', text }, sms: smsSegments(text) };
  }
  const cards = [...(content.card === undefined ? [] : [content.card]), ...(content.carousel ?? [])];
  const lines = [
    ...(content.header?.type === 'text' ? [fill(content.header.text, variables, true)] : []),
    fill(content.body, variables, true),
    ...cards.map((card) => `${fill(card.title, variables, true)} — ${fill(card.description, variables, true)}`),
    ...(content.buttons ?? []).map((button) => buttonLine(button, variables, true)),
  ];
  const text = lines.join('\n');
  return { text, content: { type: 'text', text } };
}

/** The template as Meta's `POST /{waba_id}/message_templates` takes it (components with examples for variables). */
export function metaTemplateBody(template: {
  name: string;
  language: string;
  category: string;
  content: TemplateContent;
}): Record<string, unknown> {
  const { content } = template;
  // Meta numbers a body's parameters {{1}}, {{2}}… in order of first appearance; our names map to those positions.
  const bodyNames = [...new Set(textVariablesOf(content.body))];
  const numbered = (text: string) =>
    text.replace(BRACES, (whole, raw: string) => {
      const index = bodyNames.indexOf(raw.trim());
      return index === -1 ? whole : `{{${index + 1}}}`;
    });
  // A header's and a URL button's one variable are each their own {{1}}, declared with an example value.
  const own = (text: string) => text.replace(BRACES, '{{1}}');
  const headerVariable = content.header?.type === 'text' ? singleVariableOf(content.header.text) : undefined;
  const components: Array<Record<string, unknown>> = [];
  if (content.header !== undefined)
    components.push(
      content.header.type === 'text'
        ? {
            type: 'HEADER',
            format: 'TEXT',
            text: own(content.header.text),
            ...(headerVariable !== undefined && { example: { header_text: [`<${headerVariable}>`] } }),
          }
        : {
            type: 'HEADER',
            format: content.header.type.toUpperCase(),
            example: { header_handle: [content.header.url] },
          },
    );
  components.push({
    type: 'BODY',
    text: numbered(content.body),
    ...(bodyNames.length > 0 && { example: { body_text: [bodyNames.map((name) => `<${name}>`)] } }),
  });
  if (content.footer !== undefined) components.push({ type: 'FOOTER', text: content.footer });
  if (content.buttons !== undefined && content.buttons.length > 0)
    components.push({
      type: 'BUTTONS',
      buttons: content.buttons.map((button) =>
        button.type === 'reply'
          ? { type: 'QUICK_REPLY', text: button.text }
          : button.type === 'url'
            ? urlButton(button)
            : { type: 'PHONE_NUMBER', text: button.text, phone_number: button.phone },
      ),
    });
  return { name: template.name, language: template.language, category: template.category, components };
}

/** A URL button as Meta files it: a dynamic url's variable becomes {{1}}, with a whole example url. */
function urlButton(button: Extract<TemplateButton, { type: 'url' }>): Record<string, unknown> {
  const name = singleVariableOf(button.url);
  if (name === undefined) return { type: 'URL', text: button.text, url: button.url };
  return {
    type: 'URL',
    text: button.text,
    url: button.url.replace(BRACES, '{{1}}'),
    example: [button.url.replace(BRACES, encodeURIComponent(name))],
  };
}
