// The page in a real browser (Debian's chromium through playwright-core): feed, a context user filter,
// keyboard navigation, a row's timeline with its diff, a transaction, the activity chart, a revert
// applied after the confirmation, the CSV export; a screenshot of each screen into SHOT_DIR.
// Writes what it saw to OUT (JSON) for tests/integration/ui/e2e_test.sh to compare with SQL.
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";

const url = process.env.UI_URL;
const until = async (condition, ms = 15000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await condition()) return;
  throw new Error(`timed out waiting for ${condition}`);
};
const shots = process.env.SHOT_DIR;
const seen = {};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("dialog", (d) => d.accept());
  const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });

  // Feed.
  await page.goto(`${url}/#/feed`);
  await page.waitForSelector("table.feed tbody tr");
  seen.feed_rows = await page.locator("table.feed tbody tr").count();
  await shot("feed");

  // Keyboard: two rows down, Enter opens that row's timeline.
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  seen.selected_after_jj = await page.locator("tr.selected").getAttribute("data-index");
  await page.keyboard.press("k");
  seen.selected_after_k = await page.locator("tr.selected").getAttribute("data-index");

  // Filter by a context user.
  await page.fill("#ctx-filter", "user_id=7");
  await page.click("form.filters button[type=submit]");
  // Polled from here: the page's Content-Security-Policy forbids the eval that waitForFunction uses.
  await until(async () => (await page.evaluate(() => location.hash)).includes("ctx.user_id=7"));
  await until(async () => {
    const contexts = await page.locator("table.feed tbody td.context").allTextContents();
    return contexts.length > 0 && contexts.every((text) => text.includes("user_id=7"));
  });
  seen.filtered_hash = await page.evaluate(() => location.hash);
  seen.filtered = await page.locator("table.feed tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].slice(1, 4).map((td) => td.textContent).join(" ")));
  await shot("feed-filtered");

  // Export the filtered set as CSV through the page's link.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Export CSV")]);
  await download.saveAs(`${process.env.WORK}/e2e-export.csv`);
  seen.export_url = download.url();

  // Row timeline of orders key 1 and its diff.
  await page.click("table.feed tbody tr:has-text('public.orders') td[data-label=Key] a:text-is('1')");
  await page.waitForSelector(".timeline .change table.diff");
  seen.timeline_hash = await page.evaluate(() => location.hash);
  seen.timeline = await page.locator(".timeline li.change").evaluateAll((items) => items.map((li) => ({
    operation: li.querySelector(".op").textContent,
    diff: [...li.querySelectorAll(":scope > table.diff tr")].map((tr) => [...tr.children].map((c) => c.textContent).join(" ")),
  })));
  await shot("timeline");

  // Its transaction.
  await page.locator(".timeline li.change").nth(1).locator("a:has-text('transaction')").click();
  await page.waitForSelector(".transaction li.change");
  seen.transaction_hash = await page.evaluate(() => location.hash);
  seen.transaction = await page.locator(".transaction li.change .meta").evaluateAll((m) => m.map((x) => x.textContent));
  await shot("transaction");

  // Revert the request from the transaction view, after the confirmation.
  await page.click("text=Revert request abc…");
  await page.waitForSelector("pre.sql");
  seen.revert_sql = await page.locator("pre.sql").textContent();
  await shot("revert");
  await page.click("#apply-revert");
  await page.waitForSelector(".result");
  seen.revert_result = await page.locator(".result").textContent();
  await shot("revert-done");

  // Activity.
  await page.goto(`${url}/#/activity?bucket=minute`);
  await page.waitForSelector("svg.chart rect");
  seen.activity_bars = await page.locator("svg.chart rect").count();
  await shot("activity");

  // A narrow screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${url}/#/feed`);
  await page.waitForSelector("table.feed tbody tr");
  await shot("feed-narrow");
  seen.problems = problems;
} finally {
  await browser.close();
}
writeFileSync(process.env.OUT, JSON.stringify(seen, null, 2));
