// The product list of an installed app, over the conversation: categories (into their children and back), the products
// of a category, a search, and one click to send a product to the visitor. A slow or failing connector shows the
// server's message with a retry; the popup closes at any time and the conversation goes on.
import { useEffect, useState } from 'react';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { ErrorLine, Modal, messageOf } from '../ui';
import { Availability, PriceLine, ProductThumb, useInteractionWords } from './AppInteractions';
import { type Category, type ConversationApp, interactionsApi, type Product } from './interactions';

const SEARCH_DELAY_MS = 300;
const PAGE = 20;

export function ProductPopup({
  api,
  conversationId,
  app,
  onClose,
}: {
  api: Api;
  conversationId: number;
  app: ConversationApp;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const w = useInteractionWords();
  /** The categories opened, root first. */
  const [trail, setTrail] = useState<Category[]>([]);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [products, setProducts] = useState<Product[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState<string | null>(null);
  /** More products of the same list were asked for (the next page is loading). */
  const [more, setMore] = useState<'idle' | 'loading' | 'done'>('idle');
  const [sendError, setSendError] = useState<string | null>(null);
  const current = trail[trail.length - 1] ?? null;
  const installationId = app.installation_id;

  // The search is sent once the operator pauses typing.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a retry (attempt) loads the same page again.
  useEffect(() => {
    let live = true;
    setError(null);
    setCategories(null);
    setProducts(null);
    setMore('idle');
    const searching = query !== '';
    const idCategory = current?.id;
    const loads: Promise<unknown>[] = [];
    if (!searching)
      loads.push(
        interactionsApi
          .categories(api, conversationId, installationId, idCategory ?? null)
          .then((found) => live && setCategories(found)),
      );
    else setCategories([]);
    if (searching || idCategory !== undefined)
      loads.push(
        interactionsApi
          .products(api, conversationId, installationId, {
            ...(idCategory !== undefined && { idCategory }),
            ...(searching && { search: query }),
            limit: PAGE,
          })
          .then((found) => live && setProducts(found)),
      );
    else setProducts([]);
    Promise.all(loads).catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [api, conversationId, installationId, current?.id, query, attempt]);

  /** The next page of the same products (the connector's `offset`), appended below. */
  const loadMore = async () => {
    if (products === null) return;
    setMore('loading');
    try {
      const next = await interactionsApi.products(api, conversationId, installationId, {
        ...(current !== null && { idCategory: current.id }),
        ...(query !== '' && { search: query }),
        limit: PAGE,
        offset: products.length,
      });
      setProducts([...products, ...next.filter((product) => !products.some((shown) => shown.id === product.id))]);
      setMore(next.length < PAGE ? 'done' : 'idle');
    } catch (failure) {
      setSendError(messageOf(failure));
      setMore('idle');
    }
  };

  const send = async (product: Product) => {
    setSending(product.id);
    setSendError(null);
    try {
      await interactionsApi.sendProduct(api, conversationId, installationId, product);
      onClose();
    } catch (failure) {
      setSendError(messageOf(failure));
      setSending(null);
    }
  };

  const loading = error === null && (categories === null || products === null);
  return (
    <Modal title={w('productsTitle', { app: app.name })} onCancel={onClose} testId="product-popup">
      <div className="product-popup">
        <input
          type="search"
          name="product-search"
          aria-label={w('search')}
          placeholder={w('search')}
          value={search}
          maxLength={200}
          onChange={(event) => setSearch(event.target.value)}
        />
        <nav className="small" aria-label={w('categories')} style={{ margin: '8px 0' }}>
          {trail.length > 0 && (
            <button type="button" className="small" onClick={() => setTrail((opened) => opened.slice(0, -1))}>
              ← {w('back')}
            </button>
          )}{' '}
          <span className="muted" data-testid="product-trail">
            {[w('allCategories'), ...trail.map((category) => category.label)].join(' › ')}
          </span>
        </nav>
        {error !== null && (
          <div data-testid="product-error">
            <ErrorLine error={error} />
            <button type="button" className="small" onClick={() => setAttempt((count) => count + 1)}>
              {w('retry')}
            </button>
          </div>
        )}
        {loading && <p className="muted small">{t('common.loading')}</p>}
        {categories !== null && categories.length > 0 && (
          <ul className="product-categories" style={{ listStyle: 'none', padding: 0 }}>
            {categories.map((category) => (
              <li key={category.id}>
                <button
                  type="button"
                  className="link"
                  data-testid="product-category"
                  onClick={() => {
                    setSearch('');
                    setQuery('');
                    setTrail((opened) => [...opened, category]);
                  }}
                >
                  {category.label}
                </button>{' '}
                <span className="muted small">({category.productsCount})</span>
              </li>
            ))}
          </ul>
        )}
        {products !== null && (current !== null || query !== '') && products.length === 0 && !loading && (
          <p className="muted small">{w('noProducts')}</p>
        )}
        <ErrorLine error={sendError} />
        {products !== null && products.length > 0 && (
          <ul className="product-list" style={{ listStyle: 'none', padding: 0, maxHeight: 360, overflowY: 'auto' }}>
            {products.map((product) => (
              <li
                key={product.id}
                data-testid="product-item"
                style={{ display: 'flex', gap: 8, alignItems: 'center', padding: '6px 0' }}
              >
                <ProductThumb product={product} size={48} />
                <div style={{ flex: 1 }}>
                  <strong>{product.title}</strong>
                  <div>
                    <PriceLine product={product} /> <Availability product={product} />
                  </div>
                </div>
                <button
                  type="button"
                  className="primary small"
                  disabled={sending !== null}
                  onClick={() => void send(product)}
                >
                  {w('send')}
                </button>
              </li>
            ))}
          </ul>
        )}
        {products !== null && products.length > 0 && products.length % PAGE === 0 && more !== 'done' && (
          <button type="button" className="small" disabled={more === 'loading'} onClick={() => void loadMore()}>
            {w('more')}
          </button>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            {w('close')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
