// pgtrail ui: the page. Views by the URL's hash (route.ts).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get } from "./api";
import { Activity } from "./activity";
import { Feed } from "./feed";
import { Revert } from "./revert";
import { link, useRoute } from "./route";
import { Timeline } from "./timeline";
import { Transaction } from "./transaction";
import "./style.css";

function App() {
  const route = useRoute();
  const [allowRevert, setAllowRevert] = useState(false);
  useEffect(() => {
    get<{ allow_revert: boolean }>("/api/config").then((c) => setAllowRevert(c.allow_revert), () => {});
  }, []);
  const views: Record<string, () => preact.JSX.Element> = {
    feed: () => <Feed params={route.params} />,
    row: () => <Timeline params={route.params} />,
    tx: () => <Transaction params={route.params} />,
    activity: () => <Activity params={route.params} />,
    revert: () => <Revert params={route.params} allowRevert={allowRevert} />,
  };
  const view = views[route.view] ?? views.feed;
  return (
    <>
      <header>
        <a class="brand" href={link("feed")}>pgtrail</a>
        <nav>
          <a href={link("feed")} aria-current={route.view === "feed"}>Feed</a>
          <a href={link("activity")} aria-current={route.view === "activity"}>Activity</a>
        </nav>
      </header>
      <main>{view()}</main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
