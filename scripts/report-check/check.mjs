#!/usr/bin/env node
// Checks heapdiff reports (`--report out.html` / `--report out.md`) the way a
// reader sees them: HTML reports in headless Chromium (the system browser,
// driven by puppeteer-core), Markdown reports rendered by `marked` with no
// sanitizer (heapdiff's own escaping must be what makes them inert) and then
// loaded into the same browser.
//
// Usage:
//   node check.mjs [--screenshot PATH] [FILE-OPTIONS] FILE [[FILE-OPTIONS] FILE ...]
//
// FILE-OPTIONS apply to the next FILE only:
//   --search RE          regex typed into #search (HTML reports with a flame graph)
//   --expect-top NAME    first row of the "Top growers" table names NAME
//   --top-heading TEXT   heading of the table --expect-top looks at (default "Top growers")
//   --no-flame           the report has no flame graph (heap snapshot reports)
//   --malicious          the malicious-names fixture: its markup must stay text
//
// FILE ending in .md is a Markdown report, anything else an HTML report.
// Prints one JSON line per file and exits 1 when any check failed.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { marked } from "marked";
import puppeteer from "puppeteer-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const MALICIOUS_LITERALS = [
  "<script>window.__pwned=1;alert(1)</script>",
  "<img src=x onerror=alert(1)>",
];

function usage(msg) {
  process.stderr.write(`check.mjs: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const files = [];
  let screenshot = null;
  let opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--screenshot") screenshot = value();
    else if (a === "--search") opts.search = value();
    else if (a === "--expect-top") opts.expectTop = value();
    else if (a === "--top-heading") opts.topHeading = value();
    else if (a === "--no-flame") opts.noFlame = true;
    else if (a === "--malicious") opts.malicious = true;
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else {
      files.push({ path: resolve(a), markdown: a.endsWith(".md"), ...opts });
      opts = {};
    }
  }
  if (Object.keys(opts).length) usage("options after the last file");
  if (!files.length) usage("no report given");
  return { files, screenshot };
}

// Everything the page does that a report must never do.
function watch(page, problems) {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "assert") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message ?? e}`));
  page.on("dialog", async (d) => {
    problems.push(`dialog (${d.type()}): ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  page.on("request", (r) => {
    const url = r.url();
    if (/^(file|data|about):/.test(url)) r.continue().catch(() => {});
    else {
      problems.push(`network request: ${url}`);
      r.abort().catch(() => {});
    }
  });
  page.on("requestfailed", (r) => {
    if (/^(file|data|about):/.test(r.url())) problems.push(`request failed: ${r.url()}`);
  });
}

// Runs in the page: the first data row of the first table after the heading.
function firstRowAfter(heading) {
  const h = [...document.querySelectorAll("h1,h2,h3,h4")].find((e) => e.textContent.trim() === heading);
  if (!h) return null;
  for (let el = h.nextElementSibling; el; el = el.nextElementSibling) {
    if (/^H[1-4]$/.test(el.tagName)) return null;
    const t = el.tagName === "TABLE" ? el : el.querySelector("table");
    if (t) {
      const row = t.tBodies[0]?.rows[0];
      return row ? [...row.cells].map((c) => c.textContent.trim()) : null;
    }
  }
  return null;
}

// Runs in the page: markup that would mean an untrusted name escaped.
function activeContent(scope) {
  const root = document.querySelector(scope);
  if (!root) return [`no ${scope}`];
  const bad = [];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["script", "img", "iframe", "object", "embed", "svg", "style", "link", "meta", "form"].includes(tag)) {
      // The HTML report's own two scripts (flame data and code) and its <style> are in <head>/<body> outside the scopes checked.
      bad.push(`<${tag}>`);
    }
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(`<${tag} ${a.name}>`);
      if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*(javascript|vbscript|data):/i.test(a.value)) {
        bad.push(`<${tag} ${a.name}="${a.value}">`);
      }
    }
  }
  return bad;
}

async function checkCommon(page, f, result, scopes) {
  if (f.malicious) {
    const text = await page.evaluate(() => document.body.innerText);
    for (const s of MALICIOUS_LITERALS) {
      if (!text.includes(s)) result.problems.push(`literal text missing: ${s}`);
    }
    const pwned = await page.evaluate(() => typeof window.__pwned);
    if (pwned !== "undefined") result.problems.push(`window.__pwned is ${pwned}`);
  }
  for (const scope of scopes) {
    const bad = await page.evaluate(activeContent, scope);
    if (bad.length) result.problems.push(`active content in ${scope}: ${[...new Set(bad)].join(", ")}`);
  }
  if (f.expectTop) {
    const heading = f.topHeading || "Top growers";
    const row = await page.evaluate(firstRowAfter, heading);
    result.top = row ? row.join(" | ") : null;
    if (!row) result.problems.push(`no table row after "${heading}"`);
    else if (!row.some((c) => c === f.expectTop || c.includes(f.expectTop))) {
      result.problems.push(`first "${heading}" row is not ${f.expectTop}: ${result.top}`);
    }
  }
}

async function checkHtml(page, f, result, screenshot) {
  await page.setViewport({ width: 1300, height: 1200, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(f.path).href, { waitUntil: "load" });
  const tables = await page.evaluate(() => document.querySelectorAll("table.sortable tbody tr").length);
  result.table_rows = tables;
  if (tables === 0) result.problems.push("no rows in any sortable table");

  // Sorting must work and keep every row.
  if (tables > 0) {
    const before = await page.evaluate(() => document.querySelector("table.sortable").tBodies[0].rows.length);
    await page.click("table.sortable th");
    await page.click("table.sortable th");
    const after = await page.evaluate(() => {
      const t = document.querySelector("table.sortable");
      return { rows: t.tBodies[0].rows.length, sorted: !!t.querySelector("th.asc, th.desc") };
    });
    if (after.rows !== before || !after.sorted) result.problems.push(`sorting a table failed: ${JSON.stringify(after)}`);
    // Back to the report's own order (a third click would only flip again): reload.
    await page.reload({ waitUntil: "load" });
  }

  const frames = await page.$$eval("#flame .frame", (els) => els.length);
  result.frames = frames;
  if (f.noFlame) {
    if (frames !== 0) result.problems.push(`expected no flame graph, found ${frames} frames`);
  } else {
    if (frames === 0) result.problems.push("no .frame in #flame");
    const search = f.search ?? f.expectTop;
    if (!search) result.problems.push("no --search regex for a report with a flame graph");
    else if (!(await page.$("#search"))) result.problems.push("no #search input");
    else {
      await page.type("#search", search);
      const { hits, text } = await page.evaluate(() => ({
        hits: document.querySelectorAll("#flame .frame.match").length,
        text: document.getElementById("matches")?.textContent ?? "",
      }));
      result.search = search;
      result.matches = hits;
      if (hits === 0) result.problems.push(`search /${search}/ marked no frame`);
      const m = /(\d+)\s+matching/.exec(text);
      if (!m || Number(m[1]) !== hits) result.problems.push(`#matches says "${text}" but ${hits} frames match`);
      // A search string that is markup must stay a search string.
      if (f.malicious) {
        const count = () => page.evaluate(() => document.querySelectorAll("img").length);
        const before = await count();
        await page.$eval("#search", (e) => { e.value = ""; });
        await page.type("#search", "<img src=x onerror=alert(1)>");
        const created = (await count()) - before;
        if (created > 0) result.problems.push(`typing markup into #search created ${created} <img>`);
      }
    }
  }
  await checkCommon(page, f, result, [...(f.noFlame ? [] : ["#flame"]), ...(await tableScopes(page))]);

  if (screenshot) {
    // Show the search result in the picture, then cap the height.
    if (!f.noFlame && (f.search ?? f.expectTop)) {
      await page.$eval("#search", (e, v) => { e.value = v; e.dispatchEvent(new Event("input")); }, f.search ?? f.expectTop);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: 1300, height: Math.min(height, 1200) } });
    result.screenshot = screenshot;
  }
}

// One selector per table, so a report with no flame graph still has scopes.
async function tableScopes(page) {
  const n = await page.evaluate(() => {
    document.querySelectorAll("table").forEach((t, i) => t.setAttribute("data-check", String(i)));
    return document.querySelectorAll("table").length;
  });
  return Array.from({ length: n }, (_, i) => `table[data-check="${i}"]`);
}

async function checkMarkdown(page, f, result) {
  const md = readFileSync(f.path, "utf8");
  // No sanitizer on purpose: GitHub and GitLab sanitize, but heapdiff must not rely on it.
  const body = marked.parse(md, { gfm: true, async: false });
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${basename(f.path)}</title></head>` +
    `<body><main id="rendered">${body}</main></body></html>`;
  await page.setViewport({ width: 1300, height: 1200, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: "load" });
  result.tables = await page.evaluate(() => document.querySelectorAll("#rendered table").length);
  if (result.tables === 0) result.problems.push("marked rendered no table");
  await checkCommon(page, f, result, ["#rendered"]);
}

async function main() {
  const { files, screenshot } = parseArgs(process.argv.slice(2));
  const profile = mkdtempSync(join(tmpdir(), "report-check-chromium-"));
  let failed = 0;
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
  } catch (e) {
    for (const f of files) {
      console.log(JSON.stringify({ file: f.path, ok: false, problems: [`cannot launch ${CHROMIUM}: ${e.message}`] }));
    }
    rmSync(profile, { recursive: true, force: true });
    process.exit(1);
  }
  let shot = screenshot;
  for (const f of files) {
    const result = { file: f.path, kind: f.markdown ? "markdown" : "html", ok: false, problems: [] };
    const page = await browser.newPage();
    page.setDefaultTimeout(30000);
    await page.setRequestInterception(true);
    watch(page, result.problems);
    try {
      if (f.markdown) await checkMarkdown(page, f, result);
      else {
        await checkHtml(page, f, result, shot);
        shot = null;
      }
      // Let late errors (timers, deferred scripts) surface.
      await new Promise((r) => setTimeout(r, 200));
    } catch (e) {
      result.problems.push(`exception: ${e.message}`);
    }
    await page.close().catch(() => {});
    result.problems = [...new Set(result.problems)]; // a reload repeats the same page's messages
    result.ok = result.problems.length === 0;
    if (!result.ok) failed++;
    const { problems, ...rest } = result;
    console.log(JSON.stringify(problems.length ? { ...rest, problems } : rest));
  }
  await browser.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`check.mjs: ${e.stack ?? e}\n`);
  process.exit(1);
});
