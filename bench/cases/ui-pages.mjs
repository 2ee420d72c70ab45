// The dashboard's project and stage pages on a local store of 100,000 tasks (all in one stage,
// the worst case for the stage page): server time per page, from the request reaching the app to
// the whole HTML, in-process (app.request, no network), median of the repeats. The value is the
// slowest page; the target is the issue's: at most 100 ms each. Baseline: the project list page.
import { repoPath, int, median, timeMs } from "../lib/common.mjs";
import { copyOf, demoStore } from "../lib/stores.mjs";

export const name = "ui-pages";
export const unit = "ms";
export const target = { kind: "max", value: 100, of: "value", text: "project and stage pages ≤ 100 ms server time on 100,000 tasks" };

const load = (rel) => import(repoPath(`dist/${rel}`));

export async function run({ smoke }) {
  const items = smoke ? 200 : 100_000;
  const repeats = smoke ? 1 : 7;
  const { template, hash, stage } = await demoStore(items);
  const storePath = copyOf(template);
  const { StoreConnection } = await load("backends/local/database.js");
  const { LocalBackend } = await load("backends/local/local-backend.js");
  const { createUiApp } = await load("ui/app.js");
  const { createRunLogger } = await load("runner/output/run-logger.js");
  const connection = StoreConnection.open(storePath, "read");
  const backend = new LocalBackend({ storePath });
  const context = { storePath, db: connection.db, backend, readOnly: true, agentFile: undefined, logger: createRunLogger("silent", { write() {} }) };
  const app = createUiApp({ context, host: "127.0.0.1" });
  const base = `/projects/${hash}/stages/${stage.uuid}`;
  // A cursor near the end of the stage: keyset pages cost the same wherever they are.
  const lastId = connection.db.prepare("SELECT MAX(id) FROM tasks").pluck().get();
  const pages = {
    projects: "/projects",
    project: `/projects/${hash}`,
    stage: base,
    "stage by priority": `${base}?sort=priority`,
    "stage, title filter": `${base}?title=item-9999`,
    "stage, status filter": `${base}?status=NEW&sort=priority`,
    "stage, last page": `${base}?after=${lastId - 50}`,
  };
  const get = async (path) => {
    const response = await app.request(path, { headers: { host: "127.0.0.1" } });
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
    await response.text();
  };
  const times = {};
  try {
    for (const path of Object.values(pages)) await get(path); // statements prepared, pages cached as a reused server has them
    for (const [label, path] of Object.entries(pages)) {
      const samples = [];
      for (let i = 0; i < repeats; i++) samples.push(await timeMs(() => get(path)));
      times[label] = median(samples);
    }
  } finally {
    await backend.close();
    connection.close();
  }
  const measured = Object.entries(times).filter(([label]) => label !== "projects");
  const slowest = Math.max(...measured.map(([, ms]) => ms));
  return {
    value: slowest,
    baseline: "project list page",
    baselineValue: times.projects,
    ratio: slowest / times.projects,
    details: { tasks: int(items), ...Object.fromEntries(Object.entries(times).map(([label, ms]) => [`${label} ms`, ms.toFixed(1)])) },
  };
}
