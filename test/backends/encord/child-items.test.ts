/**
 * EncordBackend.getChildItems against the fake Encord server: an image group's images, in frame
 * order, with signed URLs that download each frame's bytes.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { encordBackend, type EncordBackend } from "../../../src/backends/encord/encord-backend.js";
import { ed25519KeyFromSeed, type Ed25519Key } from "../../../src/backends/encord/ssh-key.js";
import { loadProjectSpec } from "../../../src/backends/local/project-spec.js";
import type { StorageItem } from "../../../src/domain/storage-item.js";
import { downloadToTemp } from "../../../src/media/download.js";
import { startFakeEncord, type FakeEncord, type FakeItemSpec, type RecordedRequest } from "../../support/fake-encord/index.js";
import { paths } from "../../support/paths.js";
import { failure } from "../../support/failure.js";

let fake: FakeEncord;
let key: Ed25519Key;
const open: EncordBackend[] = [];

beforeAll(async () => {
  const { privateKey } = generateKeyPairSync("ed25519");
  key = ed25519KeyFromSeed(Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url"));
  fake = await startFakeEncord({ publicKeys: [key.publicKeyHex], seed: 23 });
});

afterAll(async () => {
  await fake.close();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()));
});

function backend(): EncordBackend {
  const made = encordBackend({
    settings: { credentials: { kind: "ssh", key }, domain: fake.url, warnings: [] },
    requestsPerSecond: Infinity,
    sleep: () => Promise.resolve(),
  });
  open.push(made);
  return made;
}

const frames = (prefix: string, count: number): Buffer[] => Array.from({ length: count }, (_, i) => Buffer.from(`png bytes of ${prefix} frame ${i}`));

function group(title: string, images: readonly Buffer[]): FakeItemSpec {
  return { title, dataType: "img_group", mimeType: "image/png", width: 32, height: 24, frames: images };
}

/** A project holding one image group and one image; returns their storage items (from Encord, unsigned). */
async function groupProject(
  prefix: string,
  images: readonly Buffer[],
  pageSize = 100,
): Promise<{ folderUuid: string; group: StorageItem; image: StorageItem }> {
  const added = fake.addProject(
    loadProjectSpec(paths.demoSpec),
    [group(`${prefix}-group`, images), { title: `${prefix}.png`, dataType: "image", mimeType: "image/png", fileBytes: Buffer.from("single") }],
    { pageSize },
  );
  const [groupItem, imageItem] = await backend().getStorageItems(added.tasks.map((t) => t.itemUuid));
  return { folderUuid: added.folderUuid, group: groupItem!, image: imageItem! };
}

/** The requests the fake received from now on. */
function recorder(): () => RecordedRequest[] {
  const start = fake.requests.length;
  return () => fake.requests.slice(start);
}

describe("getChildItems", () => {
  test("an image group's images in frame order, with signed URLs that download each frame", async () => {
    const images = frames("signed", 3);
    const { folderUuid, group: item } = await groupProject("signed", images);
    expect(item).toMatchObject({ itemType: "imageGroup", parentFolderUuid: folderUuid, signedUrl: null });
    const requests = recorder();
    const children = await backend().getChildItems(item, { signUrls: true });
    expect(children.map((c) => c.name)).toEqual(["signed-group (1)", "signed-group (2)", "signed-group (3)"]);
    expect(children.every((c) => c.itemType === "image" && c.mimeType === "image/png" && c.parentFolderUuid === folderUuid)).toBe(true);
    expect(requests().map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      `GET /v2/public/storage/folders/${folderUuid}/items/${item.uuid}/child-items?signUrls=True`,
    ]);
    for (const [index, child] of children.entries()) {
      expect(child.signedUrl).toMatch(new RegExp(`^${fake.url}/files/${child.uuid}\\?sig=`));
      const response = await fetch(child.signedUrl!);
      expect(Buffer.from(await response.arrayBuffer()).equals(images[index]!)).toBe(true);
    }
    await using file = await downloadToTemp(children[1]!.signedUrl!, children[1]!);
    expect((await readFile(file.path)).equals(images[1]!)).toBe(true);
    expect(file.path.endsWith(".png")).toBe(true);
  });

  test("the children's uuids are the group's data units, in data_sequence order", async () => {
    const { group: item } = await groupProject("units", frames("units", 4));
    const state = fake.state.storageItems.get(item.uuid)!;
    const children = await backend().getChildItems(item);
    expect(children.map((c) => c.uuid)).toEqual(state.unitHashes);
  });

  test("unsigned unless asked: signUrls=False and no signed URLs", async () => {
    const { group: item } = await groupProject("unsigned", frames("unsigned", 2));
    const requests = recorder();
    const children = await backend().getChildItems(item);
    expect(children.map((c) => c.signedUrl)).toEqual([null, null]);
    expect(requests().map((r) => r.query)).toEqual(["signUrls=False"]);
  });

  test("follows nextPageToken: 5 images at 2 per page in 3 requests", async () => {
    const images = frames("paged", 5);
    const { group: item } = await groupProject("paged", images, 2);
    const requests = recorder();
    const children = await backend().getChildItems(item, { signUrls: true });
    expect(children.map((c) => c.name)).toEqual([1, 2, 3, 4, 5].map((n) => `paged-group (${n})`));
    expect(requests()).toHaveLength(3);
    const last = await fetch(children[4]!.signedUrl!);
    expect(Buffer.from(await last.arrayBuffer()).equals(images[4]!)).toBe(true);
  });

  test("an item without its folder is fetched first", async () => {
    const { folderUuid, group: item } = await groupProject("no-folder", frames("no-folder", 2));
    const { parentFolderUuid: _dropped, ...withoutFolder } = item;
    const requests = recorder();
    const children = await backend().getChildItems(withoutFolder, { signUrls: true });
    expect(children).toHaveLength(2);
    expect(requests().map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      `GET /v2/public/storage/items/${item.uuid}?signUrl=False`,
      `GET /v2/public/storage/folders/${folderUuid}/items/${item.uuid}/child-items?signUrls=True`,
    ]);
  });

  test("an item that has no children (an image, a video) gives [] without asking Encord", async () => {
    const { image } = await groupProject("leaf", frames("leaf", 1));
    const requests = recorder();
    expect(await backend().getChildItems(image, { signUrls: true })).toEqual([]);
    expect(requests()).toEqual([]);
  });

  test("an unknown group fails naming it", async () => {
    const { folderUuid, group: item } = await groupProject("unknown", frames("unknown", 1));
    const unknown = { ...item, uuid: randomUUID(), parentFolderUuid: folderUuid };
    const error = await failure(backend().getChildItems(unknown));
    expect(error.code).toBe("TA_MISSING_STORAGE_ITEMS");
    expect(error.message).toContain(unknown.uuid);
    const noFolder = await failure(backend().getChildItems({ ...unknown, parentFolderUuid: null }));
    expect(noFolder.code).toBe("TA_MISSING_STORAGE_ITEMS");
  });
});
