// The whole workflow with the official OpenAI Node SDK against Whetstone: upload, create a job,
// wait for it, page its events, chat with the fine-tuned model with and without streaming.
// Run by tests/e2e/test_node_sdk.py, which reads the JSON summary this prints on its last line.
// Usage: OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=sk-local node workflow.mjs train.jsonl
import fs from "node:fs";
import OpenAI, { toFile } from "openai";
import { VERSION } from "openai/version";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const client = new OpenAI({ maxRetries: 0 }); // OPENAI_BASE_URL and OPENAI_API_KEY from the env

const [trainingPath, prompt] = process.argv.slice(2);

const file = await client.files.create({
  file: await toFile(fs.createReadStream(trainingPath), "train.jsonl"),
  purpose: "fine-tune",
});

let job = await client.fineTuning.jobs.create({
  model: "gpt-4o-mini-2024-07-18",
  training_file: file.id,
  suffix: "node",
  // Ten optimizer steps: this checks the SDK against the API, not what the model learns.
  method: { type: "supervised", supervised: { hyperparameters: { n_epochs: 2, batch_size: 4 } } },
});
while (!TERMINAL.has(job.status)) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  job = await client.fineTuning.jobs.retrieve(job.id);
}
if (job.status !== "succeeded") {
  throw new Error(`job ${job.id} ended ${job.status}: ${JSON.stringify(job.error)}`);
}

// Pages of 3: the SDK follows `after` until `has_more` is false.
let page = await client.fineTuning.jobs.listEvents(job.id, { limit: 3 });
const events = [...page.data];
let pages = 1;
while (page.hasNextPage()) {
  page = await page.getNextPage();
  events.push(...page.data);
  pages += 1;
}

const messages = [{ role: "user", content: prompt }];
const whole = await client.chat.completions.create({
  model: job.fine_tuned_model,
  messages,
  temperature: 0,
  max_tokens: 16,
});
const stream = await client.chat.completions.create({
  model: job.fine_tuned_model,
  messages,
  temperature: 0,
  max_tokens: 16,
  stream: true,
  stream_options: { include_usage: true },
});
let streamed = "";
let chunks = 0;
let usage = null;
for await (const chunk of stream) {
  chunks += 1;
  streamed += chunk.choices[0]?.delta?.content ?? "";
  usage = chunk.usage ?? usage;
}

let notFound = null;
try {
  await client.files.retrieve("file-does-not-exist");
} catch (error) {
  notFound = { isNotFoundError: error instanceof OpenAI.NotFoundError, status: error.status };
}

console.log(
  JSON.stringify({
    sdkVersion: VERSION,
    fileId: file.id,
    jobId: job.id,
    status: job.status,
    fineTunedModel: job.fine_tuned_model,
    eventPages: pages,
    eventMessages: events.map((event) => event.message),
    reply: whole.choices[0].message.content,
    streamed,
    chunks,
    usage,
    notFound,
  }),
);
