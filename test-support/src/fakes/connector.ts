// A developer's connector as seed 003 describes it: verification URLs answering `{ isValid, message, fields }` for the
// values posted as `[ { id, value, fieldType } ]`, a product catalogue and its categories, a visitor's CRM profile and
// a conversation closing form — with the seed's filters and shapes, and the webhooks the platform sends to the app.
// Tests set what it accepts (`acceptedLogin`), and can make it slow or broken to see how the platform copes.
import { type FakeAnswer, FakeProvider, type FakeRequest, json } from './http.js';

export interface VerificationCall {
  step: 'authentication' | 'settings';
  headers: Record<string, string | string[] | undefined>;
  values: Array<{ id: string; value: string; fieldType: string }>;
}

export interface ConnectorProduct {
  id: string;
  title: string;
  productUrl: string;
  brand: string | null;
  description: string;
  shortDescription: string | null;
  available: boolean;
  imageUrl: string;
  reference: string | null;
  priceCatalog: string;
  pricePromotion: string | null;
  priceSpecial: string | null;
  categoryId: string;
}

export const CONNECTOR_CATEGORIES = [
  { id: '10', idParent: null, label: 'Vélos', products: null, productsCount: 2 },
  { id: '11', idParent: '10', label: 'Vélos de ville', products: ['1001', '1002'], productsCount: 2 },
  { id: '20', idParent: null, label: 'Accessoires', products: ['2001'], productsCount: 1 },
];

export const CONNECTOR_PRODUCTS: ConnectorProduct[] = [
  {
    id: '1001',
    title: 'Vélo urbain Lyon',
    productUrl: 'https://shop.example/velo-lyon',
    brand: 'Cyclo',
    description: 'Un vélo de ville léger, 7 vitesses.',
    shortDescription: 'Léger, 7 vitesses',
    available: true,
    imageUrl: 'https://shop.example/img/velo-lyon.jpg',
    reference: 'CY-LYON',
    priceCatalog: '499 €',
    pricePromotion: '449 €',
    priceSpecial: null,
    categoryId: '11',
  },
  {
    id: '1002',
    title: 'Vélo urbain Nantes',
    productUrl: 'https://shop.example/velo-nantes',
    brand: null,
    description: 'Cadre acier, panier avant.',
    shortDescription: null,
    available: false,
    imageUrl: 'https://shop.example/img/velo-nantes.jpg',
    reference: null,
    priceCatalog: '389 €',
    pricePromotion: null,
    priceSpecial: null,
    categoryId: '11',
  },
  {
    id: '2001',
    title: 'Casque Urbain',
    productUrl: 'https://shop.example/casque',
    brand: 'Cyclo',
    description: 'Casque ventilé, taille M.',
    shortDescription: 'Ventilé',
    available: true,
    imageUrl: 'https://shop.example/img/casque.jpg',
    reference: 'CY-CASQUE',
    priceCatalog: '59 €',
    pricePromotion: null,
    priceSpecial: null,
    categoryId: '20',
  },
];

export class FakeConnector extends FakeProvider {
  /** The login and password its authentication step accepts. */
  acceptedLogin = { login: 'boutique-lyon', password: 'p4ssw0rd-lyon' };
  readonly verifications: VerificationCall[] = [];
  readonly requests: Array<{
    path: string;
    query: URLSearchParams;
    /** The path and query as sent: what a GET's signature covers. */
    target: string;
    headers: Record<string, string | string[] | undefined>;
  }> = [];
  /** Answer every call this late (ms): a slow connector. */
  delayMs = 0;
  /** Answer every call with this instead: a broken connector. */
  brokenAnswer: FakeAnswer | undefined;

  get authenticationUrl(): string {
    return `${this.url}/verify/authentication`;
  }
  get settingsUrl(): string {
    return `${this.url}/verify/settings`;
  }

  protected async handle(request: FakeRequest): Promise<FakeAnswer> {
    const search = request.query.toString();
    this.requests.push({
      path: request.path,
      query: request.query,
      target: `${request.path}${search === '' ? '' : `?${search}`}`,
      headers: request.headers,
    });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.brokenAnswer !== undefined) return this.brokenAnswer;
    const verify = /^\/verify\/(authentication|settings)$/.exec(request.path);
    if (verify !== null && request.method === 'POST')
      return this.verify(verify[1] as VerificationCall['step'], request);
    if (request.method !== 'GET') return json(405, { error: 'method not allowed' });
    switch (request.path) {
      case '/categories':
        return this.categories(request.query);
      case '/products':
        return this.products(request.query);
      case '/visitor-profile':
        return json(200, [
          { id: '1', label: 'CRM profile', value: 'https://crm.example/visitors/42', fieldType: 'URL' },
          {
            id: '2',
            label: 'CRM tag',
            value: `client fidèle (${request.query.get('emailVisitor') ?? '?'})`,
            fieldType: 'TEXT',
          },
        ]);
      case '/closing':
        return json(200, [
          { id: '1', label: 'create a salesforce ticket', fieldType: 'CHECKBOX', isRequired: true },
          { id: '2', idParent: '1', label: 'Brand name', fieldType: 'TEXT', isRequired: true },
          { id: '3', idParent: '1', label: 'Color', fieldType: 'TEXT', isRequired: false },
        ]);
      default:
        return json(404, { error: `no route ${request.path}` });
    }
  }

  private verify(step: VerificationCall['step'], request: FakeRequest): FakeAnswer {
    let values: VerificationCall['values'];
    try {
      values = JSON.parse(request.body.toString('utf8')) as VerificationCall['values'];
    } catch {
      return json(400, { error: 'expected JSON' });
    }
    this.verifications.push({ step, headers: request.headers, values });
    const value = (id: string) => values.find((item) => item.id === id)?.value;
    if (step === 'authentication') {
      if (value('field_login') !== this.acceptedLogin.login)
        return json(200, {
          isValid: false,
          message: 'Unknown account.',
          fields: [{ id: 'field_login', message: 'No shop has this login.' }],
        });
      if (value('field_password') !== this.acceptedLogin.password)
        return json(200, {
          isValid: false,
          message: '',
          fields: [{ id: 'field_password', message: 'password is not valid' }],
        });
      return json(200, { isValid: true, message: '' });
    }
    const currency = value('field_currency');
    if (currency !== undefined && !['EUR', 'CHF'].includes(currency))
      return json(200, {
        isValid: false,
        message: 'Unsupported currency.',
        fields: [{ id: 'field_currency', message: 'EUR or CHF' }],
      });
    return json(200, { isValid: true });
  }

  private categories(query: URLSearchParams): FakeAnswer {
    const parent = query.get('idParent');
    const list = CONNECTOR_CATEGORIES.filter((category) =>
      parent === null || parent === '' ? category.idParent === null : category.idParent === parent,
    );
    return json(200, page(list, query));
  }

  private products(query: URLSearchParams): FakeAnswer {
    const category = query.get('idCategory');
    const search = query.get('search[default][contains]')?.toLowerCase();
    const list = CONNECTOR_PRODUCTS.filter(
      (product) =>
        (category === null || category === '' || product.categoryId === category) &&
        (search === undefined || product.title.toLowerCase().includes(search)),
    ).map(({ categoryId: _category, ...product }) => product);
    return json(200, page(list, query));
  }
}

function page<T>(list: T[], query: URLSearchParams): T[] {
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 50);
  return list.slice(offset, offset + limit);
}
