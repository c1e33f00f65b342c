// One job: summary, controls, loss chart, checkpoints, hyperparameters and events, polled
// every 2 s until the job reaches a final status.
import { lineChart } from "./chart.js";
import {
  FINAL, api, call, definitions, el, fail, listAll, notice, number, ready, statusBadge, when,
} from "./common.js";

const POLL_MS = 2000;
const MAX_EVENT_ROWS = 1000;
const jobId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
let job = null;
let events = []; // oldest first
const seen = new Set();
let checkpoints = [];

function methodHyperparameters(current) {
  const method = current.method || {};
  const detail = method[method.type] || {};
  return detail.hyperparameters || current.hyperparameters || {};
}

function renderSummary() {
  document.title = `${job.id} · Whetstone`;
  document.getElementById("job-title").textContent = job.id;
  const tuned = job.fine_tuned_model
    ? el("code", { "data-testid": "fine-tuned-model", text: job.fine_tuned_model })
    : null;
  definitions(document.getElementById("job-summary"), [
    ["Status", statusBadge(job.status)],
    ["Model", el("span", { "data-testid": "model", text: job.model })],
    ["Method", (job.method && job.method.type) || "supervised"],
    ["Fine-tuned model", tuned],
    ["Created", when(job.created_at)],
    ["Finished", when(job.finished_at)],
    ["Estimated finish", job.finished_at ? null : when(job.estimated_finish)],
    ["Trained tokens", number(job.trained_tokens)],
    ["Training file", job.training_file],
    ["Validation file", job.validation_file],
    ["Seed", job.seed],
    ["Metadata", job.metadata && Object.keys(job.metadata).length ? JSON.stringify(job.metadata) : null],
  ]);
  const hyper = methodHyperparameters(job);
  definitions(
    document.getElementById("hyperparameters"),
    Object.entries(hyper).map(([name, value]) => [
      name, typeof value === "object" && value !== null ? JSON.stringify(value) : String(value),
    ]),
  );
  const error = document.getElementById("job-error");
  error.hidden = !job.error;
  if (job.error) {
    const param = job.error.param ? ` (${job.error.param})` : "";
    error.textContent = `${job.error.code}${param}: ${job.error.message}`;
  }
  const status = job.status;
  document.getElementById("cancel").disabled = FINAL.has(status);
  document.getElementById("pause").disabled = status !== "running";
  document.getElementById("resume").disabled = status !== "paused";
  const playground = document.getElementById("playground-link");
  playground.hidden = !job.fine_tuned_model || status !== "succeeded";
  if (job.fine_tuned_model) {
    const query = new URLSearchParams({ model: job.fine_tuned_model, base: job.model });
    playground.href = `/dashboard/playground?${query}`;
  }
  const report = document.getElementById("report-link");
  report.hidden = false;
  report.href = reportPath();
}

function reportPath() {
  return `/_whetstone/files/${encodeURIComponent(job.training_file)}/report`;
}

function metricPoints(key) {
  return events
    .filter((e) => e.type === "metrics" && typeof e.data[key] === "number")
    .map((e) => [e.data.step, e.data[key]]);
}

function fullValidPoints() {
  // At checkpoints (their metrics) and on the last step's event; one point per step.
  const byStep = new Map(metricPoints("full_valid_loss"));
  for (const checkpoint of checkpoints) {
    const value = checkpoint.metrics && checkpoint.metrics.full_valid_loss;
    if (typeof value === "number") byStep.set(checkpoint.step_number, value);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}

function renderCharts() {
  const box = document.getElementById("chart-box");
  const readout = document.getElementById("chart-readout");
  const losses = el("div");
  box.replaceChildren(losses);
  lineChart(
    losses,
    [
      { key: "train_loss", label: "training loss", color: "#2563eb", points: metricPoints("train_loss") },
      { key: "valid_loss", label: "validation loss", color: "#ea580c", points: metricPoints("valid_loss"), markers: true },
      { key: "full_valid_loss", label: "full validation loss", color: "#16a34a", points: fullValidPoints(), markers: true },
    ],
    { readout },
  );
  const type = job.method && job.method.type;
  const extra = type === "reinforcement"
    ? [
      { key: "train_reward_mean", label: "reward (mean)", color: "#7c3aed", points: metricPoints("train_reward_mean") },
      { key: "valid_reward_mean", label: "validation reward", color: "#db2777", points: metricPoints("valid_reward_mean"), markers: true },
    ]
    : type === "dpo"
      ? [
        { key: "train_rewards_margins", label: "reward margin", color: "#7c3aed", points: metricPoints("train_rewards_margins") },
        { key: "valid_rewards_margins", label: "validation margin", color: "#db2777", points: metricPoints("valid_rewards_margins"), markers: true },
      ]
      : null;
  if (extra) {
    const rewards = el("div");
    box.append(el("h3", { text: type === "dpo" ? "DPO reward margins" : "Reward" }), rewards);
    lineChart(rewards, extra, { testId: "reward-chart" });
  }
}

function renderEvents() {
  const rows = events.slice(-MAX_EVENT_ROWS).reverse().map((event) =>
    el(
      "tr",
      { class: `level-${event.level}`, "data-testid": "event-row", "data-type": event.type },
      el("td", { text: when(event.created_at) }),
      el("td", { text: event.level }),
      el("td", { text: event.message }),
    ),
  );
  document.querySelector("#events tbody").replaceChildren(...rows);
}

function renderCheckpoints() {
  const rows = checkpoints.map((checkpoint) =>
    el(
      "tr",
      { "data-testid": "checkpoint-row" },
      el("td", { class: "number", text: checkpoint.step_number }),
      el("td", {}, el("code", { text: checkpoint.fine_tuned_model_checkpoint })),
      el("td", {
        text: Object.entries(checkpoint.metrics || {})
          .filter(([name]) => name !== "step")
          .map(([name, value]) => `${name} ${number(value)}`)
          .join(", "),
      }),
    ),
  );
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: 3, text: "None yet." })));
  document.querySelector("#checkpoints tbody").replaceChildren(...rows);
}

function addEvents(newestFirst) {
  const fresh = newestFirst.filter((event) => !seen.has(event.id)).reverse();
  for (const event of fresh) seen.add(event.id);
  events.push(...fresh);
  return fresh;
}

// The events newer than the last one seen: pages back from the newest until a known id.
async function newEvents() {
  const collected = [];
  let after;
  for (;;) {
    const page = await api(`/fine_tuning/jobs/${encodeURIComponent(jobId)}/events`, {
      query: { limit: 100, after },
    });
    const known = page.data.findIndex((event) => seen.has(event.id));
    collected.push(...(known === -1 ? page.data : page.data.slice(0, known)));
    if (known !== -1 || !page.has_more || page.data.length === 0) return collected;
    after = page.data[page.data.length - 1].id;
  }
}

async function loadCheckpoints() {
  checkpoints = await listAll(`/fine_tuning/jobs/${encodeURIComponent(jobId)}/checkpoints`);
  renderCheckpoints();
}

async function refresh() {
  job = await api(`/fine_tuning/jobs/${encodeURIComponent(jobId)}`);
  const fresh = addEvents(await newEvents());
  if (fresh.some((event) => event.type !== "metrics") || FINAL.has(job.status)) {
    await loadCheckpoints();
  }
  renderSummary();
  if (fresh.length) {
    renderEvents();
    renderCharts();
  }
}

async function poll() {
  try {
    await refresh();
  } catch (error) {
    fail(error);
  }
  if (!FINAL.has(job && job.status)) setTimeout(poll, POLL_MS);
}

async function control(action) {
  try {
    const answer = await api(`/fine_tuning/jobs/${encodeURIComponent(jobId)}/${action}`, {
      method: "POST",
    });
    notice(`Job ${action} requested: now ${answer.status}.`);
    // Its events too, so the page shows what the action did. The poll loop, running for as
    // long as the job is not final (paused included), carries on by itself.
    await refresh();
  } catch (error) {
    fail(error);
  }
}

async function showReport(event) {
  event.preventDefault();
  // A plain link would carry no key; fetch it with the key and show it here.
  let box = document.getElementById("report");
  if (!box) {
    box = el("pre", { id: "report", class: "report", "data-testid": "data-report" });
    document.querySelector(".summary").append(box);
  }
  box.textContent = "Loading the data report…";
  try {
    box.textContent = JSON.stringify(await call(reportPath()), null, 2);
  } catch (error) {
    box.textContent = `The data report is not available: ${error.message}`;
  }
}

for (const action of ["cancel", "pause", "resume"]) {
  document.getElementById(action).addEventListener("click", () => control(action));
}
document.getElementById("report-link").addEventListener("click", showReport);

await ready();
try {
  job = await api(`/fine_tuning/jobs/${encodeURIComponent(jobId)}`);
  addEvents(await listAll(`/fine_tuning/jobs/${encodeURIComponent(jobId)}/events`, { limit: 1000 }));
  await loadCheckpoints();
  renderSummary();
  renderEvents();
  renderCharts();
  if (!FINAL.has(job.status)) setTimeout(poll, POLL_MS);
} catch (error) {
  fail(error);
}
