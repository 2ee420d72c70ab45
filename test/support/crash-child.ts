/**
 * A process that commits batches to a store and is killed in the middle of its work, for the
 * crash tests. argv: storePath projectHash stageUuid pathwayUuid mode
 * - "between": commits batch 1 (first two tasks), prints "committed", then waits to be killed.
 * - "during": commits batch 1, then dies (SIGKILL, no clean-up) while serialising the second
 *   label save of batch 2, i.e. inside batch 2's transaction after its first write.
 */
import { localBackend } from "../../src/index.js";

const [storePath, projectHash, stageUuid, pathwayUuid, mode] = process.argv.slice(2) as [string, string, string, string, string];
const backend = localBackend({ storePath });
const tasks = (await backend.listStageTasks(projectHash, stageUuid)).tasks;
const rows = await backend.getLabelRows(
  projectHash,
  tasks.map((t) => t.dataHash),
);
const move = (i: number) => ({ taskUuid: tasks[i]!.uuid, fromStageUuid: stageUuid, pathwayUuid });
const labelled = (i: number) => ({ dataHash: tasks[i]!.dataHash, labelRow: { ...rows[i]!, label_status: "LABELLED" } });

await backend.commit(projectHash, { labelSaves: [labelled(0), labelled(1)], moves: [move(0), move(1)], actor: "crash-test" });
process.stdout.write("committed\n");

if (mode === "during") {
  const dying = {
    dataHash: tasks[3]!.dataHash,
    labelRow: {
      ...rows[3]!,
      toJSON() {
        process.kill(process.pid, "SIGKILL");
        return {};
      },
    },
  };
  await backend.commit(projectHash, { labelSaves: [labelled(2), dying], moves: [move(2), move(3)], actor: "crash-test" });
}
setInterval(() => undefined, 1000);
