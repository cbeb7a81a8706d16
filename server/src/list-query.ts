// What a store's list takes: the page, its size, whether to present items in full, and the filters, already read and
// checked (http/filters.ts reads them from a request; stores need not know HTTP).

export interface ListQuery<F extends string> {
  page: number;
  limit: number;
  full: boolean;
  filters: Partial<Record<F, string | number | boolean>>;
}
