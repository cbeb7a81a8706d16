// How many SMS a text is sent as, the unit carriers and Twilio bill: GSM-7 texts fit 160 characters in one message and
// 153 per part when split (the rest of each part carries the concatenation header); any character outside GSM-7 makes
// the whole text UCS-2: 70 in one, 67 per part. GSM-7's extension characters (€, [, ], {, }, …) take two places.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** The number of SMS `text` is sent as (at least 1: an empty text is still one message). */
export function smsSegments(text: string): number {
  let septets = 0;
  let gsm = true;
  for (const character of text) {
    if (BASIC.has(character)) septets += 1;
    else if (EXTENSION.has(character)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  // UCS-2 counts UTF-16 code units: a character beyond the Basic Multilingual Plane (an emoji) takes two.
  const units = text.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
