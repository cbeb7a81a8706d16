// A minimal Causerie app connector (docs/APPS.md), plain node:http and no dependencies: the two verification URLs,
// the product list (categories and products), the visitor profile, the conversation closing form, and a webhook
// endpoint that checks the Standard Webhooks signature with the app webhook's security token.
//   PORT=4000 CONNECTOR_LOGIN=demo CONNECTOR_PASSWORD=demo-password WEBHOOK_SECRET=whsec_… SIGNING_SECRET=whsec_… \
//     node server.mjs
// SIGNING_SECRET (the app's `signing_secret`): Causerie's calls that do not verify with it are refused (401).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const login = process.env.CONNECTOR_LOGIN ?? 'demo';
const password = process.env.CONNECTOR_PASSWORD ?? 'demo-password';
const webhookSecret = process.env.WEBHOOK_SECRET ?? '';
const signingSecret = process.env.SIGNING_SECRET ?? '';
const apiKeys = new Map(); // Causerie client id → the app's API key for that client (given on the last verified step)
const received = []; // verified webhook bodies, newest last (GET /received)

const categories = [
  { id: '10', idParent: null, label: 'Bikes', products: null, productsCount: 1 },
  { id: '11', idParent: '10', label: 'City bikes', products: ['1001'], productsCount: 1 },
  { id: '20', idParent: null, label: 'Accessories', products: ['2001'], productsCount: 1 },
];
const product = (id, title, categoryId, price, available) => ({
  ...{ id, title, productUrl: `https://shop.example/p/${id}`, brand: null, description: title, shortDescription: null },
  ...{ available, imageUrl: `https://shop.example/img/${id}.jpg`, reference: `REF-${id}`, priceCatalog: price },
  ...{ pricePromotion: null, priceSpecial: null, categoryId },
});
const products = [product('1001', 'City bike', '11', '499 €', true), product('2001', 'Helmet', '20', '59 €', false)];

const page = (list, query) => {
  const offset = Number(query.get('offset') ?? 0);
  return list.slice(offset, offset + Number(query.get('limit') ?? 50));
};
const fieldValue = (values, id) => values.find((field) => field.id === id)?.value;

/** The verification URLs: `[ { id, value, fieldType } ]` in, `{ isValid, message, fields }` out. */
function verify(step, values, headers) {
  if (step === 'authentication') {
    if (fieldValue(values, 'field_login') !== login)
      return {
        isValid: false,
        message: 'Unknown account.',
        fields: [{ id: 'field_login', message: 'No such login.' }],
      };
    if (fieldValue(values, 'field_password') !== password)
      return { isValid: false, message: '', fields: [{ id: 'field_password', message: 'password is not valid' }] };
  } else if (!['EUR', 'CHF'].includes(fieldValue(values, 'field_currency'))) {
    return {
      isValid: false,
      message: 'Unsupported currency.',
      fields: [{ id: 'field_currency', message: 'EUR or CHF' }],
    };
  }
  // Sent on the last step that has a verification URL; it works only once the installation has succeeded.
  if (headers['x-causerie-api-key']) {
    apiKeys.set(headers['x-causerie-client-id'], headers['x-causerie-api-key']);
    console.log(JSON.stringify({ apiKeyFor: headers['x-causerie-client-id'] }));
  }
  return { isValid: true, message: '' };
}

/**
 * Standard Webhooks: base64 HMAC-SHA256 of `${id}.${timestamp}.${payload}`, keyed with the base64 after `whsec_`. The
 * payload is the body (webhooks, verification calls) or the raw path and query of a GET (interactions).
 */
function signed(headers, payload, secret) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  if (!secret || !id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${payload}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((signature) => signature.startsWith('v1,'))
    .map((signature) => Buffer.from(signature.slice(3), 'base64'))
    .some((offered) => offered.length === expected.length && timingSafeEqual(offered, expected));
}

function answer(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://connector');
    // Causerie's own calls (not webhooks, not /received) are signed with the app's signing secret, when given.
    const fromCauserie =
      url.pathname.startsWith('/verify/') ||
      ['/categories', '/products', '/visitor-profile', '/closing'].includes(url.pathname);
    if (
      signingSecret &&
      fromCauserie &&
      !signed(request.headers, request.method === 'GET' ? request.url : body, signingSecret)
    )
      return answer(response, 401, { error: 'bad signature' });
    const query = url.searchParams;
    const route = `${request.method} ${url.pathname}`;
    const step = /^POST \/verify\/(authentication|settings)$/.exec(route)?.[1];
    if (step !== undefined) {
      let values;
      try {
        values = JSON.parse(body);
      } catch {
        return answer(response, 400, { error: 'expected JSON' });
      }
      return answer(response, 200, verify(step, Array.isArray(values) ? values : [], request.headers));
    }
    switch (route) {
      case 'GET /categories': // idConnectorVersion, idParent, idWebsite, limit, offset
        return answer(
          response,
          200,
          page(
            categories.filter((c) => c.idParent === (query.get('idParent') || null)),
            query,
          ),
        );
      case 'GET /products': {
        // idConnectorVersion, idCategory, idWebsite, limit, offset, search[default][contains]
        const category = query.get('idCategory');
        const search = (query.get('search[default][contains]') ?? '').toLowerCase();
        const list = products.filter(
          (p) => (!category || p.categoryId === category) && p.title.toLowerCase().includes(search),
        );
        return answer(
          response,
          200,
          page(
            list.map(({ categoryId, ...rest }) => rest),
            query,
          ),
        );
      }
      case 'GET /visitor-profile': // emailVisitor, idVisitorExternal, idVisitorUnique, idWebsite, operatorLocale
        return answer(response, 200, [
          {
            id: '1',
            label: 'CRM profile',
            value: `https://crm.example/v/${query.get('idVisitorUnique') ?? ''}`,
            fieldType: 'URL',
          },
          { id: '2', label: 'CRM email', value: query.get('emailVisitor') ?? 'unknown', fieldType: 'TEXT' },
        ]);
      case 'GET /closing': // idConnectorVersion, idWebsite, operatorLocale
        return answer(response, 200, [
          { id: '1', label: 'Create a ticket', fieldType: 'CHECKBOX', isRequired: false },
          { id: '2', idParent: '1', label: 'Subject', fieldType: 'TEXT', isRequired: true },
        ]);
      case 'POST /webhook':
        if (!signed(request.headers, body, webhookSecret)) return answer(response, 401, { error: 'bad signature' });
        received.push(JSON.parse(body));
        console.log(JSON.stringify({ verified: received.at(-1) }));
        return answer(response, 200, { ok: true });
      case 'GET /received':
        return answer(response, 200, received);
      default:
        return answer(response, 404, { error: `no route ${route}` });
    }
  });
});
server.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: server.address().port }));
});
