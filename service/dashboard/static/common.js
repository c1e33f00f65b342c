// Shared by every page: the key, calls to the public /v1 API, and DOM helpers.
// Text from the API is only ever set with textContent, never parsed as HTML.

const KEY_STORAGE = "whetstone.apiKey";
// With no keys file the server takes any key, so a fixed one stands in.
const LOCAL_KEY = "sk-local-dashboard";

let config = null;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code;
  }
}

async function loadConfig() {
  if (config === null) {
    const response = await fetch("/dashboard/config.json");
    config = await response.json();
  }
  return config;
}

function storedKey() {
  return localStorage.getItem(KEY_STORAGE);
}

// Resolves once the page has a key to send: at once in local mode or with a stored key,
// otherwise when the user submits the key form.
export async function ready() {
  const { keys_required: keysRequired } = await loadConfig();
  const form = document.getElementById("key-form");
  const forget = document.getElementById("key-forget");
  if (!keysRequired) return;
  forget.addEventListener("click", () => {
    localStorage.removeItem(KEY_STORAGE);
    location.reload();
  });
  if (storedKey()) {
    forget.hidden = false;
    return;
  }
  form.hidden = false;
  notice("This server needs an API key. It is kept in this browser's storage only.");
  await new Promise((resolve) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      localStorage.setItem(KEY_STORAGE, document.getElementById("key-input").value.trim());
      form.hidden = true;
      forget.hidden = false;
      notice(null);
      resolve();
    });
  });
}

// One call to /v1; JSON in and out; an ApiError with OpenAI's message on failure.
export function api(path, options = {}) {
  return call(`/v1${path}`, options);
}

// One call to any path of this server with the key (the /_whetstone extensions too).
export async function call(path, { method = "GET", body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null) url.searchParams.set(name, value);
  }
  const headers = { Authorization: `Bearer ${config.keys_required ? storedKey() : LOCAL_KEY}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && config.keys_required) localStorage.removeItem(KEY_STORAGE);
    throw new ApiError(response.status, payload);
  }
  return payload;
}

// Every page of a cursor-paged list (newest first), up to `max` items.
export async function listAll(path, { limit = 100, max = 100000, query = {} } = {}) {
  const items = [];
  let after;
  for (;;) {
    const page = await api(path, { query: { ...query, limit, after } });
    items.push(...page.data);
    if (!page.has_more || items.length >= max || page.data.length === 0) return items;
    after = page.data[page.data.length - 1].id;
  }
}

export function notice(message, kind = "info") {
  const box = document.getElementById("notice");
  box.hidden = !message;
  box.textContent = message || "";
  box.className = kind;
}

// document.createElement with attributes and children (strings become text nodes).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function when(seconds) {
  if (seconds === null || seconds === undefined) return "";
  return new Date(seconds * 1000).toLocaleString();
}

export function number(value) {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return String(value);
  return Number.isInteger(value) ? value.toLocaleString() : value.toFixed(4);
}

export function definitions(dl, pairs) {
  dl.replaceChildren();
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(el("dt", { text: term }), el("dd", {}, value));
  }
}

export function statusBadge(status) {
  return el("span", { class: `status status-${status}`, "data-testid": "status", text: status });
}

export const FINAL = new Set(["succeeded", "failed", "cancelled"]);

export function fail(error) {
  notice(error instanceof Error ? error.message : String(error), "error");
}
