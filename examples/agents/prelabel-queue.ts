/**
 * The demo's agent as a QueueRunner, for BullMQ workers on any number of processes or machines:
 *
 *   PROJECT_HASH=<uuid> task-agents queue enqueue examples/agents/prelabel-queue.ts
 *   PROJECT_HASH=<uuid> task-agents queue work examples/agents/prelabel-queue.ts --concurrency 8
 *
 * (REDIS_URL picks the Redis, TASK_AGENTS_STORE or --store the local store.)
 */
import { QueueRunner } from "task-agents";
import { prelabel, prelabelDeps } from "./prelabel-handler.js";

const projectHash = process.env.PROJECT_HASH;
if (!projectHash) throw new Error("Set PROJECT_HASH to the project's hash (task-agents project list shows it).");

const queueRunner = new QueueRunner({ projectHash });

export const prelabelTask = queueRunner.stage("Pre-label", { deps: prelabelDeps }, prelabel);

export default queueRunner;
