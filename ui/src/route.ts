// The page's address: "#/<view>?<parameters>", so every view (filters included) can be shared as a link.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  view: string;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, "");
  const [view, query] = hash.split("?", 2);
  return { view: view || "feed", params: new URLSearchParams(query ?? "") };
}

export function link(view: string, params?: URLSearchParams | Record<string, string>): string {
  const query = new URLSearchParams(params as Record<string, string>).toString();
  return `#/${view}${query ? "?" + query : ""}`;
}

export function go(view: string, params?: URLSearchParams | Record<string, string>) {
  location.hash = link(view, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}
