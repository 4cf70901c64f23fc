// The JSON API of pgtrail ui (docs/UI.md). Every request is same-origin; the token, when the server
// has one, travels in the cookie set by /?token=...
export interface Change {
  id: string;
  schema: string;
  table: string;
  operation: string;
  primary_key: string | null;
  committed_at: string;
  transaction_id: number;
  commit_lsn: number;
  ordinal: number;
  cursor: string;
  context: Record<string, unknown>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Page {
  changes: Change[];
  next: string | null;
  newest: string | null;
  more: boolean;
}

export interface HistoryEntry {
  committed_at: string;
  operation: string;
  diff: Record<string, [unknown, unknown]> | null;
  after: Record<string, unknown> | null;
  context: Record<string, unknown>;
  transaction_id: number;
  id: string;
  commit_lsn: number;
  ordinal: number;
}

export class ApiError extends Error {}

export async function get<T>(path: string, params?: URLSearchParams): Promise<T> {
  const url = params && [...params.keys()].length ? `${path}?${params}` : path;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(body.error ?? `HTTP ${response.status}`);
  return body as T;
}

/// A changing request: the custom header is the server's CSRF defence.
export async function post<T>(path: string, params: URLSearchParams): Promise<T> {
  const response = await fetch(`${path}?${params}`, { method: "POST", headers: { "X-Pgtrail-Csrf": "1" } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(body.error ?? `HTTP ${response.status}`);
  return body as T;
}

/// The filter parameters the API knows, from the page's URL.
export const filterNames = ["table", "op", "key", "from", "to", "tx", "context"];
export function filterParams(all: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of all) if (value && (filterNames.includes(name) || name.startsWith("ctx."))) out.append(name, value);
  return out;
}

export function show(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value);
}
