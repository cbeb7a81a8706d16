// The template editor's pure parts: the form's draft and the API body it becomes, the template's {{variables}}, the
// draft rendered per channel as you type (the server's rules of server/src/domain/messaging/template-render.ts: the
// preview endpoint renders saved templates only, so an unsaved draft is rendered here), and the form input a 400's
// field names.
import { type Segments, smsSegments } from '../campaigns/logic';

export type ButtonType = 'reply' | 'url' | 'dial';
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
  body: string;
  header?: { type: 'text'; text: string } | { type: 'image' | 'video' | 'document'; url: string };
  footer?: string;
  buttons?: TemplateButton[];
  card?: TemplateCard;
  carousel?: TemplateCard[];
  sms_text?: string;
}

export const CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'] as const;
export const WHATSAPP_STATUSES = ['none', 'pending', 'approved', 'rejected', 'paused', 'disabled'] as const;

/** A template as the API presents it. */
export interface Template {
  id: number;
  name: string;
  language: string;
  category: string;
  content: TemplateContent;
  variables: string[];
  whatsapp: {
    channel_id: number;
    waba_id: string | null;
    status: string;
    reason: string | null;
    meta_template_id: string | null;
    last_error: unknown;
  } | null;
  created_at: string;
  updated_at: string;
}

/** One button row of the form: `value` is the URL of a link or the number of a call. */
export interface ButtonDraft {
  type: ButtonType;
  text: string;
  value: string;
}

export interface TemplateDraft {
  name: string;
  language: string;
  category: string;
  body: string;
  headerText: string;
  footer: string;
  smsText: string;
  buttons: ButtonDraft[];
  /** The WhatsApp channel to submit it with ('' = RCS and SMS only), and its business account id. */
  whatsappChannelId: string;
  wabaId: string;
  /** What the form does not edit (a media header, an RCS card or carousel), kept as it was on save. */
  kept: Pick<TemplateContent, 'card' | 'carousel'> & { mediaHeader?: TemplateContent['header'] };
}

export const EMPTY_DRAFT: TemplateDraft = {
  name: '',
  language: 'fr',
  category: 'UTILITY',
  body: '',
  headerText: '',
  footer: '',
  smsText: '',
  buttons: [],
  whatsappChannelId: '',
  wabaId: '',
  kept: {},
};

/** The form's draft of a saved template. */
export function draftOf(template: Template): TemplateDraft {
  const { content } = template;
  const header = content.header;
  return {
    name: template.name,
    language: template.language,
    category: template.category,
    body: content.body,
    headerText: header?.type === 'text' ? header.text : '',
    footer: content.footer ?? '',
    smsText: content.sms_text ?? '',
    buttons: (content.buttons ?? []).map((button) => ({
      type: button.type,
      text: button.text,
      value: button.type === 'url' ? button.url : button.type === 'dial' ? button.phone : '',
    })),
    whatsappChannelId: template.whatsapp === null ? '' : String(template.whatsapp.channel_id),
    wabaId: template.whatsapp?.waba_id ?? '',
    kept: {
      ...(content.card !== undefined && { card: content.card }),
      ...(content.carousel !== undefined && { carousel: content.carousel }),
      ...(header !== undefined && header.type !== 'text' && { mediaHeader: header }),
    },
  };
}

function buttonOf(button: ButtonDraft): TemplateButton {
  if (button.type === 'url') return { type: 'url', text: button.text, url: button.value.trim() };
  if (button.type === 'dial') return { type: 'dial', text: button.text, phone: button.value.trim() };
  return { type: 'reply', text: button.text };
}

/** The content the draft saves: empty optional parts are left out (the API refuses empty strings). */
export function contentOf(draft: TemplateDraft): TemplateContent {
  const header =
    draft.headerText.trim() !== '' ? { type: 'text' as const, text: draft.headerText } : draft.kept.mediaHeader;
  return {
    body: draft.body,
    ...(header !== undefined && { header }),
    ...(draft.footer.trim() !== '' && { footer: draft.footer }),
    ...(draft.buttons.length > 0 && { buttons: draft.buttons.map(buttonOf) }),
    ...(draft.kept.card !== undefined && { card: draft.kept.card }),
    ...(draft.kept.carousel !== undefined && { carousel: draft.kept.carousel }),
    ...(draft.smsText.trim() !== '' && { sms_text: draft.smsText }),
  };
}

/** The body of `POST /messenger/template` (and of its `PUT`, every field given). */
export function templateBody(draft: TemplateDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    language: draft.language.trim(),
    category: draft.category,
    content: contentOf(draft),
    whatsapp:
      draft.whatsappChannelId === ''
        ? null
        : { channel_id: Number(draft.whatsappChannelId), waba_id: draft.wabaId.trim() },
  };
}

/** Whether the draft saves exactly what the template holds (then the server's preview shows it as it is). */
export function unchanged(draft: TemplateDraft, template: Template | null): boolean {
  if (template === null) return false;
  return JSON.stringify(templateBody(draft)) === JSON.stringify(templateBody(draftOf(template)));
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const BRACES = /\{\{([^{}]*)\}\}/g;

function textVariablesOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(BRACES)].map((match) => String(match[1]).trim()).filter((name) => VARIABLE_NAME.test(name));
}

/** The content's variables in order of first appearance (body, header, footer, links, cards, SMS text), once each. */
export function variablesOf(content: TemplateContent): string[] {
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

/** `text` with the variables that have a value filled; the others stay as written, to be seen. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(BRACES, (whole, raw: string) => {
    const value = values[raw.trim()];
    return value === undefined || value === '' ? whole : value;
  });
}

function buttonLine(button: TemplateButton, values: Readonly<Record<string, string>>): string {
  if (button.type === 'url') return `${button.text}: ${fill(button.url, values)}`;
  if (button.type === 'dial') return `${button.text}: ${button.phone}`;
  return `• ${button.text}`;
}

export interface WhatsappPreview {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: string[];
}

export interface ChannelPreviews {
  whatsapp: WhatsappPreview | null;
  rcs: string;
  sms: { text: string } & Segments;
}

/**
 * The draft as each channel would send it: WhatsApp the approved template (header, body, footer and buttons as Meta
 * shows them; only when it goes to WhatsApp), RCS the text with its cards and suggestions as lines, SMS the SMS text
 * (or the header, body, footer and link / call buttons as lines) with its encoding and segment count.
 */
export function previewDraft(
  content: TemplateContent,
  values: Readonly<Record<string, string>>,
  withWhatsapp: boolean,
): ChannelPreviews {
  const buttons = content.buttons ?? [];
  const cards = [...(content.card === undefined ? [] : [content.card]), ...(content.carousel ?? [])];
  const sms =
    content.sms_text !== undefined
      ? fill(content.sms_text, values)
      : [
          ...(content.header?.type === 'text' ? [fill(content.header.text, values)] : []),
          fill(content.body, values),
          ...(content.footer === undefined ? [] : [fill(content.footer, values)]),
          ...buttons.filter((button) => button.type !== 'reply').map((button) => buttonLine(button, values)),
        ].join('\n');
  return {
    whatsapp: withWhatsapp
      ? {
          // WhatsApp sends the header, footer and links as Meta approved them: only the body takes values.
          header: content.header?.type === 'text' ? content.header.text : null,
          body: fill(content.body, values),
          footer: content.footer ?? null,
          buttons: buttons.map((button) => button.text),
        }
      : null,
    rcs: [
      fill(content.body, values),
      ...cards.map((card) => `${fill(card.title, values)} — ${fill(card.description, values)}`),
      ...buttons.map((button) => buttonLine(button, values)),
    ].join('\n'),
    sms: { text: sms, ...smsSegments(sms) },
  };
}

/** What `POST /messenger/template/{id}/preview` answers. */
export interface ServerPreview {
  sms?: { text: string; encoding: 'GSM-7' | 'UCS-2'; characters: number; segments: number };
  rcs?: { text: string };
  whatsapp?: { name: string; language: string; parameters: string[]; text: string; status: string };
}

/** Where a field's 400 lands when no input carries its exact name: the nearest input or group that does. */
const ALIASES: Readonly<Record<string, string>> = {
  content: 'content.body',
  'content.header': 'content.header.text',
  whatsapp: 'whatsapp.channel_id',
  'whatsapp.waba': 'whatsapp.waba_id',
};

/** The form keys of a draft's inputs and groups, as the API names their fields (`content.buttons.2.text`). */
export function formKeysOf(draft: TemplateDraft): string[] {
  return [
    'name',
    'language',
    'category',
    'content.body',
    'content.header.text',
    'content.footer',
    'content.sms_text',
    'content.buttons',
    ...draft.buttons.flatMap((button, index) => [
      `content.buttons.${index}`,
      `content.buttons.${index}.text`,
      ...(button.type === 'url' ? [`content.buttons.${index}.url`] : []),
      ...(button.type === 'dial' ? [`content.buttons.${index}.phone`] : []),
    ]),
    'whatsapp.channel_id',
    'whatsapp.waba_id',
  ];
}

/**
 * The form key an API field names: `content.buttons[3].text` → `content.buttons.3.text`; a path the form has no input
 * for goes to its nearest enclosing one (the schema's `content[buttons][text]`, without the index, → the buttons
 * group); null when nothing in `keys` encloses it.
 */
export function formKeyOf(field: string | null | undefined, keys: readonly string[]): string | null {
  if (field === null || field === undefined) return null;
  const parts = field.split(/[[\]./]+/).filter((part) => part !== '');
  for (let length = parts.length; length > 0; length -= 1) {
    const key = parts.slice(0, length).join('.');
    const named = ALIASES[key] ?? key;
    if (keys.includes(named)) return named;
  }
  return null;
}

/** Which review states show as what: WhatsApp's review, or none when the template does not go to WhatsApp. */
export function statusOf(template: Template): (typeof WHATSAPP_STATUSES)[number] | string {
  return template.whatsapp === null ? 'none' : template.whatsapp.status;
}

/** The channels a template goes on. */
export function channelsOf(template: Pick<Template, 'whatsapp'>): string[] {
  return [...(template.whatsapp === null ? [] : ['WhatsApp']), 'RCS', 'SMS'];
}
