// The bearer token of an `Authorization: Bearer …` header (console sessions, operator sockets).

/** `Authorization: Bearer <token>`, if present. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
