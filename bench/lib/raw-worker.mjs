// The queue benchmark's baseline: a plain BullMQ worker with a no-op processor, stopping when
// the queue is empty. argv: queueName concurrency
import { Queue, Worker } from "bullmq";

const [queueName, concurrency] = process.argv.slice(2);
const connection = { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", maxRetriesPerRequest: null };
const worker = new Worker(queueName, async () => ({ success: true }), { connection, concurrency: Number(concurrency) });
const queue = new Queue(queueName, { connection });
let empty = 0;
await new Promise((resolve) => {
  const timer = setInterval(async () => {
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    empty = Object.values(counts).reduce((a, b) => a + b, 0) === 0 ? empty + 1 : 0;
    if (empty >= 2) {
      clearInterval(timer);
      resolve();
    }
  }, 250);
});
await worker.close();
await queue.close();
