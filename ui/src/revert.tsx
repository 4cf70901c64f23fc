// Reverting: the SQL that undoes a change, a transaction or a request (copyable), the conflict that
// `pgtrail revert` would refuse on, and, when the server allows it, applying it after a confirmation.
import { useEffect, useState } from "preact/hooks";
import { get, post } from "./api";

interface Plan {
  statements: string[];
  conflict: string | null;
}

export function Revert({ params, allowRevert }: { params: URLSearchParams; allowRevert: boolean }) {
  const what = new URLSearchParams();
  for (const name of ["transaction", "context", "change"]) if (params.get(name)) what.set(name, params.get(name)!);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState("");
  const [result, setResult] = useState("");
  const [force, setForce] = useState(false);
  useEffect(() => {
    get<Plan>("/api/revert-sql", what).then(setPlan, (e) => setError(String(e.message)));
  }, [what.toString()]);
  const sql = plan?.statements.map((s) => (s.trimEnd().endsWith(";") ? s : s + ";")).join("\n") ?? "";
  const apply = () => {
    if (!confirm(`Apply ${plan?.statements.length} statements to the database?`)) return;
    const query = new URLSearchParams(what);
    if (force) query.set("force", "true");
    post<{ statements: string[] }>("/api/revert", query).then(
      (r) => setResult(`Reverted with ${r.statements.length} statements.`),
      (e) => setResult(`Not reverted: ${e.message}`),
    );
  };
  return (
    <section class="revert">
      <h1>Revert {[...what].map(([k, v]) => `${k} ${v}`).join(" ")}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {plan?.conflict && <p class="warning">Conflict: {plan.conflict}</p>}
      {plan && (
        <>
          <pre class="sql">{sql || "-- nothing to revert"}</pre>
          <p class="actions">
            <button onClick={() => navigator.clipboard?.writeText(sql)}>Copy SQL</button>
            {allowRevert ? (
              <>
                {plan.conflict && (
                  <label>
                    <input type="checkbox" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} /> force
                  </label>
                )}
                <button class="danger" id="apply-revert" onClick={apply} disabled={plan.statements.length === 0}>
                  Apply revert…
                </button>
              </>
            ) : (
              <span class="hint">Applying is off (pgtrail ui --allow-revert turns it on).</span>
            )}
          </p>
        </>
      )}
      {result && <p class="result" role="status">{result}</p>}
    </section>
  );
}
