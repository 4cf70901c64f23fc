// A row's life: every change, oldest first, with the columns it changed (unchanged ones collapsed),
// its context, and the row as of any instant (pgtrail.row_as_of).
import { useEffect, useState } from "preact/hooks";
import { get, HistoryEntry, show } from "./api";
import { link } from "./route";

function Diff({ entry }: { entry: HistoryEntry }) {
  const diff = entry.diff ?? {};
  const changed = Object.keys(diff);
  const unchanged = Object.keys(entry.after ?? {}).filter((c) => !(c in diff));
  return (
    <>
      <table class="diff">
        <tbody>
          {changed.map((column) => (
            <tr>
              <th>{column}</th>
              <td class="old">{show(diff[column][0])}</td>
              <td class="new">{show(diff[column][1])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {unchanged.length > 0 && (
        <details>
          <summary>{unchanged.length} unchanged</summary>
          <table class="diff">
            <tbody>
              {unchanged.map((column) => (
                <tr>
                  <th>{column}</th>
                  <td colSpan={2}>{show(entry.after![column])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}

function AsOf({ table, rowKey }: { table: string; rowKey: string }) {
  const [at, setAt] = useState("");
  const [row, setRow] = useState<string>("");
  const ask = (event: Event) => {
    event.preventDefault();
    const query = new URLSearchParams({ table, key: rowKey, at: new Date(at).toISOString() });
    get<{ row: unknown }>("/api/row", query).then(
      (r) => setRow(r.row === null ? "(no such row at that instant)" : JSON.stringify(r.row, null, 2)),
      (e) => setRow(String(e.message)),
    );
  };
  return (
    <form class="asof" onSubmit={ask}>
      <label>
        Row as of <input type="datetime-local" step="1" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} required />
      </label>
      <button type="submit">Show</button>
      {row && <pre class="row-as-of">{row}</pre>}
    </form>
  );
}

export function Timeline({ params }: { params: URLSearchParams }) {
  const table = params.get("table") ?? "";
  const key = params.get("key") ?? "";
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get<{ changes: HistoryEntry[] }>("/api/timeline", new URLSearchParams({ table, key })).then(
      (t) => setEntries(t.changes),
      (e) => setError(String(e.message)),
    );
  }, [table, key]);
  return (
    <section class="timeline">
      <h1>
        {table} <span class="key">key {key}</span>
      </h1>
      <AsOf table={table} rowKey={key} />
      {error && <p class="error" role="alert">{error}</p>}
      {entries?.length === 0 && <p class="empty">No changes recorded for this row.</p>}
      <ol>
        {entries?.map((entry) => (
          <li class="change">
            <div class="meta">
              <span class={`op ${entry.operation}`}>{entry.operation}</span>
              <time>{new Date(entry.committed_at).toLocaleString()}</time>
              <a href={link("tx", { id: String(entry.transaction_id) })}>transaction {entry.transaction_id}</a>
              {entry.operation !== "SNAPSHOT" && <a href={link("revert", { change: entry.id })}>revert…</a>}
            </div>
            {Object.keys(entry.context ?? {}).length > 0 && <code class="context">{JSON.stringify(entry.context)}</code>}
            <Diff entry={entry} />
          </li>
        ))}
      </ol>
    </section>
  );
}
