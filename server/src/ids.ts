// The identifier rule shared by the API and the domain: whole numbers from 1 to the largest id a 32-bit integer column
// holds (PostgreSQL's `integer`); anything above can name no row, and would fail the query.

/** The largest identifier a row can have. */
export const ID_MAX = 2_147_483_647;

/** True for text that reads as an identifier within range. */
export function isIdText(text: string): boolean {
  return /^\d{1,10}$/.test(text) && Number(text) >= 1 && Number(text) <= ID_MAX;
}
