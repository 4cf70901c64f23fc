// The feed: newest first, page by page (keyset cursor), filters in the URL, live tail by polling,
// export links, keyboard navigation (j/k or arrows to move, Enter: row timeline, t: transaction,
// n: next page, /: context filter).
import { useEffect, useRef, useState } from "preact/hooks";
import { Change, filterParams, get, Page } from "./api";
import { Filters } from "./filters";
import { link, go } from "./route";

function contextSummary(context: Record<string, unknown>): string {
  return Object.entries(context)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

export function rowLink(c: Change): string {
  return link("row", { table: `${c.schema}.${c.table}`, key: c.primary_key ?? "" });
}

export function Feed({ params }: { params: URLSearchParams }) {
  const filters = filterParams(params);
  const [changes, setChanges] = useState<Change[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [newest, setNewest] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [live, setLive] = useState(false);
  const [selected, setSelected] = useState(0);
  const table = useRef<HTMLTableElement>(null);

  const load = (before?: string) => {
    const query = new URLSearchParams(filters);
    if (before) query.set("before", before);
    get<Page>("/api/feed", query).then(
      (page) => {
        setChanges((old) => (before ? [...old, ...page.changes] : page.changes));
        setNext(page.next);
        if (!before) setNewest(page.newest);
        setError("");
      },
      (e) => setError(String(e.message)),
    );
  };
  useEffect(() => {
    setSelected(0);
    load();
  }, [filters.toString()]);

  // Live tail: ask for what was committed after the newest change shown.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      const query = new URLSearchParams(filters);
      query.set("after", newest ?? "0.0");
      get<Page>("/api/tail", query).then((page) => {
        if (page.changes.length === 0) return;
        setChanges((old) => [...page.changes, ...old]);
        setNewest(page.newest);
      }, () => {});
    }, 2000);
    return () => clearInterval(timer);
  }, [live, newest, filters.toString()]);

  useEffect(() => {
    const key = (event: KeyboardEvent) => {
      if ((event.target as HTMLElement).closest("input, select, textarea")) return;
      const c = changes[selected];
      if (event.key === "j" || event.key === "ArrowDown") setSelected((s) => Math.min(s + 1, changes.length - 1));
      else if (event.key === "k" || event.key === "ArrowUp") setSelected((s) => Math.max(s - 1, 0));
      else if (event.key === "Enter" && c && c.primary_key !== null) location.hash = rowLink(c);
      else if (event.key === "t" && c) go("tx", { id: String(c.transaction_id) });
      else if (event.key === "n" && next) load(next);
      else if (event.key === "/") document.getElementById("ctx-filter")?.focus();
      else return;
      event.preventDefault();
    };
    addEventListener("keydown", key);
    return () => removeEventListener("keydown", key);
  }, [changes, selected, next]);
  useEffect(() => {
    table.current?.querySelector(`tr[data-index="${selected}"]`)?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  const query = filters.toString();
  return (
    <section>
      <Filters view="feed" params={params} />
      <div class="toolbar">
        <label class="live">
          <input type="checkbox" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} /> Live
        </label>
        <a href={`/api/export.csv${query ? "?" + query : ""}`} download>Export CSV</a>
        <a href={`/api/export.ndjson${query ? "?" + query : ""}`} download>Export NDJSON</a>
        <a href={link("activity", filters)}>Activity of these changes</a>
        <span class="hint">j/k move · Enter row · t transaction · n more · / filter</span>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <table class="feed" ref={table}>
        <thead>
          <tr>
            <th>When</th>
            <th>Table</th>
            <th>Operation</th>
            <th>Key</th>
            <th>Transaction</th>
            <th>Context</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c, i) => (
            <tr data-index={i} class={i === selected ? "selected" : ""} onClick={() => setSelected(i)}>
              <td data-label="When">{new Date(c.committed_at).toLocaleString()}</td>
              <td data-label="Table">{`${c.schema}.${c.table}`}</td>
              <td data-label="Operation" class={`op ${c.operation}`}>{c.operation}</td>
              <td data-label="Key">{c.primary_key !== null ? <a href={rowLink(c)}>{c.primary_key}</a> : ""}</td>
              <td data-label="Transaction"><a href={link("tx", { id: String(c.transaction_id) })}>{c.transaction_id}</a></td>
              <td data-label="Context" class="context">{contextSummary(c.context)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {changes.length === 0 && !error && <p class="empty">No changes match.</p>}
      {next && <button class="more" onClick={() => load(next)}>More</button>}
    </section>
  );
}
