/**
 * LocalBackend's claims, through its public methods: what a claim takes, what it refuses, and when
 * a claim ends (release, lease, a commit that moves the task).
 */
import { describe, expect, test } from "vitest";
import { localBackend } from "../../../src/index.js";
import { rejectionOf, runnerStore } from "../../support/runner-fixture.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LocalBackend claims", () => {
  test("a claim takes free tasks in listing order after its position; another owner gets the next ones", async () => {
    await using store = await runnerStore({ items: 5 });
    const stage = store.stage("Pre-label").uuid;
    const all = (await store.tasksIn("Pre-label")).map((t) => t.uuid);
    const a = await store.backend.claimStageTasks(store.projectHash, stage, { limit: 2, leaseMs: 60_000, owner: "a" });
    expect(a.tasks.map((t) => t.uuid)).toEqual(all.slice(0, 2));
    expect(a.nextPageToken).not.toBeNull();
    const b = await store.backend.claimStageTasks(store.projectHash, stage, { limit: 10, leaseMs: 60_000, owner: "b" });
    expect(b.tasks.map((t) => t.uuid)).toEqual(all.slice(2));
    expect(b.nextPageToken).toBeNull();
    // Everything is claimed: a is given nothing more.
    expect((await store.backend.claimStageTasks(store.projectHash, stage, { limit: 10, leaseMs: 60_000, owner: "a", after: a.nextPageToken! })).tasks).toEqual(
      [],
    );

    expect(await store.backend.releaseClaims("a", [all[0]!])).toBe(1);
    const c = await store.backend.claimStageTasks(store.projectHash, stage, { limit: 10, leaseMs: 60_000, owner: "c" });
    expect(c.tasks.map((t) => t.uuid)).toEqual([all[0]]);
    // Listing is not affected by claims.
    expect(await store.tasksIn("Pre-label")).toHaveLength(5);
  });

  test("a claim not renewed ends with its lease; a renewed one does not", async () => {
    await using store = await runnerStore({ items: 2 });
    const stage = store.stage("Pre-label").uuid;
    await store.backend.claimStageTasks(store.projectHash, stage, { limit: 1, leaseMs: 400, owner: "short" });
    await store.backend.claimStageTasks(store.projectHash, stage, { limit: 1, leaseMs: 400, owner: "renewed" });
    expect(await store.backend.renewClaims("renewed", 60_000)).toBe(1);
    await sleep(500);
    const other = localBackend({ storePath: store.backend.storePath });
    try {
      const taken = await other.claimStageTasks(store.projectHash, stage, { limit: 10, leaseMs: 60_000, owner: "other" });
      expect(taken.tasks).toHaveLength(1);
      // The expired claim is gone; the renewed one still holds its task.
      expect(await store.backend.renewClaims("short", 60_000)).toBe(0);
    } finally {
      await other.close();
    }
  });

  test("a commit that moves a task ends its claim, and one with releaseClaims ends the named ones only", async () => {
    await using store = await runnerStore({ items: 3 });
    const stage = store.stage("Pre-label").uuid;
    const claimed = (await store.backend.claimStageTasks(store.projectHash, stage, { limit: 3, leaseMs: 60_000, owner: "a" })).tasks;
    await store.backend.commit(store.projectHash, {
      moves: [{ taskUuid: claimed[0]!.uuid, fromStageUuid: stage, pathwayUuid: store.pathway("Pre-label", "annotate").uuid }],
      releaseClaims: { owner: "a", taskUuids: [claimed[1]!.uuid] },
    });
    const next = await store.backend.claimStageTasks(store.projectHash, stage, { limit: 10, leaseMs: 60_000, owner: "b" });
    expect(next.tasks.map((t) => t.uuid)).toEqual([claimed[1]!.uuid]);
    expect(await store.backend.releaseClaims("a")).toBe(1);
  });

  test("bad claim arguments are refused with what is accepted, and nothing is claimed", async () => {
    await using store = await runnerStore({ items: 1 });
    const stage = store.stage("Pre-label").uuid;
    const claim = (options: Partial<Parameters<typeof store.backend.claimStageTasks>[2]>) =>
      rejectionOf(store.backend.claimStageTasks(store.projectHash, stage, { limit: 1, leaseMs: 1000, owner: "a", ...options }));
    expect((await claim({ limit: 0 })).message).toMatch(/Claim limit 0 is not accepted; use an integer from 1 to 10000/);
    expect((await claim({ leaseMs: -1 })).message).toMatch(/Claim lease -1 ms is not accepted; a lease is a number of milliseconds above 0/);
    expect((await claim({ owner: " " })).message).toMatch(/Claim owner " " is not accepted; give a non-empty id/);
    expect((await claim({ after: "x" })).message).toMatch(/Claim position "x" was not issued by this store; pass the nextPageToken of the previous claim/);
    const unknown = await rejectionOf(
      store.backend.claimStageTasks(store.projectHash, "00000000-0000-4000-8000-000000000000", { limit: 1, leaseMs: 1000, owner: "a" }),
    );
    expect(unknown.code).toBe("TA_UNKNOWN_STAGE");
    expect((await store.backend.claimStageTasks(store.projectHash, stage, { limit: 1, leaseMs: 1000, owner: "b" })).tasks).toHaveLength(1);
  });
});
