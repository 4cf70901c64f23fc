// One source transaction: all its changes with their context, and the way to revert it.
import { useEffect, useState } from "preact/hooks";
import { Change, get, show } from "./api";
import { rowLink } from "./feed";
import { link } from "./route";

export function Transaction({ params }: { params: URLSearchParams }) {
  const id = params.get("id") ?? "";
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get<{ changes: Change[] }>("/api/transaction", new URLSearchParams({ id })).then(
      (t) => setChanges(t.changes),
      (e) => setError(String(e.message)),
    );
  }, [id]);
  const requestIds = new Set((changes ?? []).map((c) => c.context?.request_id).filter((r) => r !== undefined));
  return (
    <section class="transaction">
      <h1>Transaction {id}</h1>
      <p class="actions">
        <a href={link("revert", { transaction: id })}>Revert this transaction…</a>
        {[...requestIds].map((r) => (
          <a href={link("revert", { context: JSON.stringify({ request_id: r }) })}>Revert request {String(r)}…</a>
        ))}
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      <ol>
        {changes?.map((c) => (
          <li class="change">
            <div class="meta">
              <span class={`op ${c.operation}`}>{c.operation}</span>
              <span>{`${c.schema}.${c.table}`}</span>
              {c.primary_key !== null && <a href={rowLink(c)}>key {c.primary_key}</a>}
              <time>{new Date(c.committed_at).toLocaleString()}</time>
            </div>
            {Object.keys(c.context ?? {}).length > 0 && <code class="context">{JSON.stringify(c.context)}</code>}
            <pre class="image">{c.after ? show(c.after) : show(c.before)}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
