// An eval run (what evals' report_url points at): its status, result counts and output items.
import { api, definitions, el, fail, number, ready, statusBadge, when } from "./common.js";

const [, , , evalId, , runId] = location.pathname.split("/").map(decodeURIComponent);
const base = `/evals/${encodeURIComponent(evalId)}/runs/${encodeURIComponent(runId)}`;
const DONE = new Set(["completed", "failed", "canceled"]);
const body = document.querySelector("#items tbody");
const more = document.getElementById("more");
let after = null;

function brief(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function row(item) {
  const output = (item.sample && item.sample.output) || [];
  const grades = (item.results || []).map((r) => `${r.name}: ${number(r.score)}${r.passed ? " ✓" : ""}`);
  return el(
    "tr",
    { "data-testid": "output-item" },
    el("td", { text: item.datasource_item_id }),
    el("td", { text: item.status }),
    el("td", { text: brief(item.datasource_item) }),
    el("td", { text: brief(output.map((m) => m.content).join("\n")) }),
    el("td", { text: grades.join(", ") }),
  );
}

async function loadItems(append) {
  const page = await api(`${base}/output_items`, { query: { limit: 100, after: append ? after : null, order: "asc" } });
  if (append) body.append(...page.data.map(row));
  else body.replaceChildren(...page.data.map(row));
  if (page.data.length) after = page.data[page.data.length - 1].id;
  more.hidden = !page.has_more;
}

async function load() {
  const run = await api(base);
  document.getElementById("run-title").textContent = run.name || run.id;
  definitions(document.getElementById("run-summary"), [
    ["Status", statusBadge(run.status)],
    ["Model", run.model],
    ["Eval", run.eval_id],
    ["Created", when(run.created_at)],
    ["Error", run.error && run.error.message],
  ]);
  definitions(
    document.getElementById("result-counts"),
    Object.entries(run.result_counts || {}).map(([name, value]) => [name, number(value)]),
  );
  await loadItems(false);
  return run;
}

more.addEventListener("click", () => loadItems(true).catch(fail));

await ready();
async function poll() {
  try {
    const run = await load();
    if (!DONE.has(run.status)) setTimeout(poll, 2000);
  } catch (error) {
    fail(error);
  }
}
poll();
