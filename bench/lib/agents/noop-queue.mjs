// The QueueRunner of the queue benchmark: a no-op handler returning a pathway.
import { QueueRunner } from "../../../dist/index.js";
import { pino } from "pino";

const queueRunner = new QueueRunner({ projectHash: process.env.PROJECT_HASH, logger: pino({ level: "silent" }) });
queueRunner.stage("Pre-label", () => "annotate");
export default queueRunner;
