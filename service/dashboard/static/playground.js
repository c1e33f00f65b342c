// A prompt sent to a fine-tuned model and to its base at once, answers side by side.
import { api, el, fail, ready } from "./common.js";

const params = new URLSearchParams(location.search);
const tuned = document.getElementById("tuned-model");
const base = document.getElementById("base-model");

// ft:{base}:{org}:{suffix}:{id}[:ckpt-step-N] names its base model second.
function baseOf(name) {
  const parts = name.split(":");
  return parts[0] === "ft" && parts.length >= 3 ? parts[1] : "";
}

tuned.value = params.get("model") || "";
base.value = params.get("base") || baseOf(tuned.value);
tuned.addEventListener("change", () => {
  base.value = baseOf(tuned.value) || base.value;
});

async function ask(model, messages, settings, output, title) {
  output.textContent = "…";
  title.textContent = model;
  const started = performance.now();
  try {
    const answer = await api("/chat/completions", { method: "POST", body: { model, messages, ...settings } });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const usage = answer.usage ? `${answer.usage.completion_tokens} tokens, ` : "";
    output.replaceChildren(
      el("span", { text: answer.choices[0].message.content ?? "" }),
      el("small", { class: "meta", text: `\n\n${usage}${seconds} s, ${answer.choices[0].finish_reason}` }),
    );
  } catch (error) {
    output.replaceChildren(el("span", { class: "error", text: error.message }));
  }
}

document.getElementById("playground-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const messages = [];
  const system = document.getElementById("system").value.trim();
  if (system) messages.push({ role: "system", content: system });
  messages.push({ role: "user", content: document.getElementById("prompt").value });
  const settings = {
    max_tokens: Number(document.getElementById("max-tokens").value) || 64,
    temperature: Number(document.getElementById("temperature").value),
  };
  ask(tuned.value.trim(), messages, settings, document.getElementById("tuned-output"), document.getElementById("tuned-title"));
  ask(base.value.trim(), messages, settings, document.getElementById("base-output"), document.getElementById("base-title"));
});

await ready();
try {
  const models = await api("/models");
  const names = models.data.map((model) => model.id).filter((id) => id.startsWith("ft:"));
  document.getElementById("tuned-models").replaceChildren(...names.map((id) => el("option", { value: id })));
} catch (error) {
  fail(error);
}
