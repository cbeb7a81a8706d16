// The iframe's settings, read from its URL fragment (the loader writes them; the fragment never reaches the server).

/** Options the loader puts in the iframe's URL fragment (never sent to the server). */
export interface FrameOptions {
  websiteId: number;
  parentOrigin: string | null;
  lang: string | null;
  forceHttp: boolean;
}

/** Reads `#w=12&o=https%3A%2F%2Fshop.example&l=fr&t=http`. */
export function readOptions(hash: string): FrameOptions | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const websiteId = Number(params.get('w'));
  if (!Number.isInteger(websiteId) || websiteId < 1) return null;
  const origin = params.get('o');
  return {
    websiteId,
    parentOrigin: origin !== null && /^https?:\/\/[^/]+$/.test(origin) ? origin : null,
    lang: params.get('l'),
    forceHttp: params.get('t') === 'http',
  };
}
