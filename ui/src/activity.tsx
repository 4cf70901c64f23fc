// Changes per time bucket for the filtered set, one bar per bucket stacked by operation (plain SVG),
// and the counts per table below.
import { useEffect, useState } from "preact/hooks";
import { filterParams, get } from "./api";
import { Filters } from "./filters";
import { go } from "./route";

interface Count {
  bucket: string;
  schema: string;
  table: string;
  operation: string;
  count: number;
}

const operations = ["CREATE", "UPDATE", "DELETE", "TRUNCATE", "SNAPSHOT"];

function Chart({ counts }: { counts: Count[] }) {
  const buckets = [...new Set(counts.map((c) => c.bucket))];
  const totals = new Map<string, Map<string, number>>();
  for (const c of counts) {
    const perOp = totals.get(c.bucket) ?? new Map<string, number>();
    perOp.set(c.operation, (perOp.get(c.operation) ?? 0) + c.count);
    totals.set(c.bucket, perOp);
  }
  const max = Math.max(1, ...[...totals.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
  const width = Math.max(300, buckets.length * 24), height = 200;
  const barWidth = width / Math.max(1, buckets.length);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label="changes over time">
      {buckets.map((bucket, i) => {
        let y = height;
        return (
          <g>
            {operations.map((op) => {
              const n = totals.get(bucket)?.get(op) ?? 0;
              const h = (n / max) * height;
              y -= h;
              return n ? (
                <rect class={`bar ${op}`} x={i * barWidth + 2} y={y} width={barWidth - 4} height={h}>
                  <title>{`${new Date(bucket).toLocaleString()} ${op}: ${n}`}</title>
                </rect>
              ) : null;
            })}
          </g>
        );
      })}
      <text x="0" y={height + 15} class="axis">{buckets[0] ? new Date(buckets[0]).toLocaleString() : ""}</text>
      <text x={width} y={height + 15} class="axis" text-anchor="end">
        {buckets.length ? new Date(buckets[buckets.length - 1]).toLocaleString() : ""}
      </text>
    </svg>
  );
}

export function Activity({ params }: { params: URLSearchParams }) {
  const bucket = params.get("bucket") ?? "hour";
  const [counts, setCounts] = useState<Count[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    const query = filterParams(params);
    query.set("bucket", bucket);
    get<{ counts: Count[] }>("/api/activity", query).then((a) => setCounts(a.counts), (e) => setError(String(e.message)));
  }, [params.toString()]);
  const perTable = new Map<string, number>();
  for (const c of counts) perTable.set(`${c.schema}.${c.table} ${c.operation}`, (perTable.get(`${c.schema}.${c.table} ${c.operation}`) ?? 0) + c.count);
  return (
    <section class="activity">
      <Filters view="activity" params={params} />
      <label>
        Per{" "}
        <select value={bucket} onChange={(e) => { const p = new URLSearchParams(params); p.set("bucket", (e.target as HTMLSelectElement).value); go("activity", p); }}>
          {["minute", "hour", "day", "week", "month"].map((b) => <option value={b}>{b}</option>)}
        </select>
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <Chart counts={counts} />
      <p class="legend">{operations.map((op) => <span class={`swatch ${op}`}>{op}</span>)}</p>
      <table class="counts">
        <tbody>
          {[...perTable].map(([name, n]) => (
            <tr><td>{name}</td><td class="number">{n}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
