/**
 * task-agents/bullmq: run a QueueRunner's handlers on many processes and machines, with BullMQ
 * on Redis. Importing "task-agents" alone never loads BullMQ or ioredis.
 */
export { enqueueTasks } from "./producer.js";
export type { EnqueueOptions, EnqueueResult } from "./producer.js";
export { createWorker } from "./worker.js";
export type { QueueWorkerOptions } from "./worker.js";
export { defaultJobOptions, jobIdFor, queueNameFor } from "./queue-name.js";
export type { TaskJobData } from "./queue-name.js";
export { assertRedisReachable } from "./redis-check.js";
export { defaultRedisUrl, resolveRedisUrl } from "./redis-connection.js";
