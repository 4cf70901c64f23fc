// The filter form of the feed and the activity chart. Submitting it rewrites the URL (route.ts),
// so the filtered view is a link. Context filters are typed "user_id=42 endpoint=/orders".
import { useEffect, useState } from "preact/hooks";
import { filterParams, get } from "./api";
import { go } from "./route";

interface Table {
  schema: string;
  table: string;
}

function contextText(params: URLSearchParams): string {
  return [...params].filter(([name]) => name.startsWith("ctx.")).map(([name, value]) => `${name.slice(4)}=${value}`).join(" ");
}

export function Filters({ view, params }: { view: string; params: URLSearchParams }) {
  const [tables, setTables] = useState<Table[]>([]);
  useEffect(() => {
    get<{ tables: Table[] }>("/api/tables").then((t) => setTables(t.tables), () => {});
  }, []);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const out = new URLSearchParams();
    for (const name of ["table", "op", "key", "from", "to", "tx"]) {
      const value = String(form.get(name) ?? "").trim();
      if (value) out.set(name, name === "from" || name === "to" ? new Date(value).toISOString() : value);
    }
    for (const pair of String(form.get("ctx") ?? "").split(/\s+/)) {
      const equals = pair.indexOf("=");
      if (equals > 0) out.append(`ctx.${pair.slice(0, equals)}`, pair.slice(equals + 1));
    }
    if (view === "activity" && params.get("bucket")) out.set("bucket", params.get("bucket")!);
    go(view, out);
  };
  const local = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16) : "");
  const f = filterParams(params);
  return (
    <form class="filters" onSubmit={submit} key={params.toString()}>
      <label>
        Table
        <select name="table" defaultValue={f.get("table") ?? ""}>
          <option value="">any</option>
          {tables.map((t) => (
            <option value={`${t.schema}.${t.table}`}>{`${t.schema}.${t.table}`}</option>
          ))}
        </select>
      </label>
      <label>
        Operation
        <select name="op" defaultValue={f.get("op") ?? ""}>
          <option value="">any</option>
          {["CREATE", "UPDATE", "DELETE", "TRUNCATE", "SNAPSHOT"].map((op) => (
            <option value={op}>{op}</option>
          ))}
        </select>
      </label>
      <label>
        Key <input name="key" defaultValue={f.get("key") ?? ""} placeholder="primary key" />
      </label>
      <label>
        Context <input name="ctx" id="ctx-filter" defaultValue={contextText(f)} placeholder="user_id=42 endpoint=/x" />
      </label>
      <label>
        Transaction <input name="tx" defaultValue={f.get("tx") ?? ""} inputMode="numeric" />
      </label>
      <label>
        From <input name="from" type="datetime-local" defaultValue={local(f.get("from"))} />
      </label>
      <label>
        To <input name="to" type="datetime-local" defaultValue={local(f.get("to"))} />
      </label>
      <div class="buttons">
        <button type="submit">Filter</button>
        <button type="button" onClick={() => go(view)}>Clear</button>
      </div>
    </form>
  );
}
