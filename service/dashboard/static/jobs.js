// The jobs list: one row per job the key's project owns, newest first, 50 a page.
import { FINAL, api, el, fail, number, ready, statusBadge, when } from "./common.js";

const PAGE = 50;
const body = document.querySelector("#jobs tbody");
const more = document.getElementById("more");
let after = null;
let extended = false; // the user loaded further pages: stop replacing the first

function row(job) {
  const link = el("a", { href: `/dashboard/jobs/${encodeURIComponent(job.id)}`, text: job.id });
  return el(
    "tr",
    { "data-testid": "job-row", "data-job-id": job.id },
    el("td", {}, link),
    el("td", {}, statusBadge(job.status)),
    el("td", { text: job.model }),
    el("td", { text: (job.method && job.method.type) || "supervised" }),
    el("td", { text: when(job.created_at) }),
    el("td", { text: when(job.finished_at) }),
    el("td", { class: "number", text: number(job.trained_tokens) }),
    el("td", { "data-testid": "fine-tuned-model", text: job.fine_tuned_model || "" }),
  );
}

async function load(append) {
  const page = await api("/fine_tuning/jobs", { query: { limit: PAGE, after: append ? after : null } });
  const rows = page.data.map(row);
  if (append) body.append(...rows);
  else body.replaceChildren(...rows);
  if (page.data.length) after = page.data[page.data.length - 1].id;
  more.hidden = !page.has_more;
  if (!append && page.data.length === 0) {
    body.append(el("tr", {}, el("td", { colspan: 8, text: "No fine-tuning jobs yet." })));
  }
  return page.data;
}

more.addEventListener("click", () => {
  extended = true;
  load(true).catch(fail);
});

await ready();
try {
  const first = await load(false);
  // While jobs on the first page are moving, refresh it; further pages stay as loaded.
  if (first.some((job) => !FINAL.has(job.status))) {
    const timer = setInterval(async () => {
      if (extended) return;
      const jobs = await load(false).catch((error) => (fail(error), []));
      if (!jobs.some((job) => !FINAL.has(job.status))) clearInterval(timer);
    }, 3000);
  }
} catch (error) {
  fail(error);
}
