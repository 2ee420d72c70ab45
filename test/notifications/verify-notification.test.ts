import { describe, expect, test } from "vitest";
import {
  isConfigurationError,
  isNotificationRefusedError,
  parseEncordNotification,
  signEncordNotification,
  verifyEncordNotification,
} from "../../src/index.js";
import { notificationBody, signedHeaders } from "./notification-fixture.js";

const secret = "s3cret-signing-key";
const projectHash = "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b";
const stageUuid = "11111111-2222-4333-8444-555555555555";

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isNotificationRefusedError(error)) {
      // Nothing secret ever leaks into what a refusal says.
      expect(error.message).not.toContain(secret);
      return error.reason;
    }
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("verifyEncordNotification", () => {
  const body = notificationBody({ projectHash, stageUuid });
  const now = 1_790_000_000_000;

  test("accepts a request signed with the secret over the raw body, whatever the header case", () => {
    const headers = signedHeaders(body, secret, now / 1000);
    expect(() => verifyEncordNotification(body, headers, { secret, now: () => now })).not.toThrow();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(() => verifyEncordNotification(Buffer.from(body), lower, { secret, now: () => now })).not.toThrow();
    expect(() => verifyEncordNotification(body, new Headers(headers), { secret, now: () => now })).not.toThrow();
  });

  test("refuses a wrong secret, a tampered body and a re-serialised body", () => {
    const headers = signedHeaders(body, secret, now / 1000);
    expect(refusal(() => verifyEncordNotification(body, headers, { secret: "another", now: () => now }))).toBe("bad-signature");
    expect(refusal(() => verifyEncordNotification(body.replace('"pending_count":3', '"pending_count":4'), headers, { secret, now: () => now }))).toBe(
      "bad-signature",
    );
    expect(refusal(() => verifyEncordNotification(JSON.stringify(JSON.parse(body), null, 1), headers, { secret, now: () => now }))).toBe("bad-signature");
    expect(refusal(() => verifyEncordNotification(body, { ...headers, "X-Encord-Signature": "zz" }, { secret, now: () => now }))).toBe("bad-signature");
  });

  test("refuses stale and future timestamps beyond the tolerance, accepts them within", () => {
    const at = (seconds: number) => signedHeaders(body, secret, now / 1000 + seconds);
    expect(refusal(() => verifyEncordNotification(body, at(-301), { secret, now: () => now }))).toBe("stale-timestamp");
    expect(refusal(() => verifyEncordNotification(body, at(301), { secret, now: () => now }))).toBe("future-timestamp");
    expect(() => verifyEncordNotification(body, at(-299), { secret, now: () => now })).not.toThrow();
    expect(() => verifyEncordNotification(body, at(299), { secret, now: () => now })).not.toThrow();
    expect(refusal(() => verifyEncordNotification(body, at(-100), { secret, now: () => now, toleranceSeconds: 60 }))).toBe("stale-timestamp");
    expect(refusal(() => verifyEncordNotification(body, { ...at(0), "X-Encord-Timestamp": "12.5" }, { secret, now: () => now }))).toBe("bad-timestamp");
  });

  test("refuses missing headers, and says a newer signature header needs an upgrade", () => {
    const headers = signedHeaders(body, secret, now / 1000);
    expect(refusal(() => verifyEncordNotification(body, { "X-Encord-Timestamp": headers["X-Encord-Timestamp"]! }, { secret, now: () => now }))).toBe(
      "missing-headers",
    );
    expect(refusal(() => verifyEncordNotification(body, { "X-Encord-Signature": headers["X-Encord-Signature"]! }, { secret, now: () => now }))).toBe(
      "missing-headers",
    );
    const newer = { "X-Encord-Timestamp": headers["X-Encord-Timestamp"]!, "X-Encord-Signature-V2": "abc" };
    expect(refusal(() => verifyEncordNotification(body, newer, { secret, now: () => now }))).toBe("newer-signature");
    // Both: the one this version can check decides.
    expect(() => verifyEncordNotification(body, { ...headers, "X-Encord-Signature-V2": "abc" }, { secret, now: () => now })).not.toThrow();
  });

  test("without a secret in code or ENCORD_WEBHOOK_SECRET nothing is verified", () => {
    const saved = process.env.ENCORD_WEBHOOK_SECRET;
    delete process.env.ENCORD_WEBHOOK_SECRET;
    try {
      let caught: unknown;
      try {
        verifyEncordNotification(body, signedHeaders(body, secret, now / 1000), { now: () => now });
      } catch (error) {
        caught = error;
      }
      expect(isConfigurationError(caught)).toBe(true);
      expect((caught as Error).message).toContain("ENCORD_WEBHOOK_SECRET");
      process.env.ENCORD_WEBHOOK_SECRET = secret;
      expect(() => verifyEncordNotification(body, signedHeaders(body, secret, now / 1000), { now: () => now })).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.ENCORD_WEBHOOK_SECRET;
      else process.env.ENCORD_WEBHOOK_SECRET = saved;
    }
  });

  test("the signature is lowercase hex HMAC-SHA256 of '<timestamp>.<body>'", async () => {
    const { createHmac } = await import("node:crypto");
    expect(signEncordNotification(body, secret, 1700000000)).toBe(createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex"));
  });
});

describe("parseEncordNotification", () => {
  test("reads the v1 envelope and keeps unknown fields and reasons", () => {
    const body = notificationBody({ projectHash: projectHash.toUpperCase(), stageUuid, reason: "a_reason_from_the_future", extra: { colour: "blue" } });
    const n = parseEncordNotification(body);
    expect(n).toMatchObject({
      version: 1,
      projectHash,
      stageUuid,
      pendingCount: 3,
      reason: "a_reason_from_the_future",
      eventType: "agent_stage_work_available_event",
    });
    expect(n.body.colour).toBe("blue");
  });

  test("another event type is told apart (before the version), then an unsupported version, then a bad payload", () => {
    expect(refusal(() => parseEncordNotification(notificationBody({ projectHash, stageUuid, eventType: "task_submitted_event", version: 7 })))).toBe(
      "other-event",
    );
    expect(refusal(() => parseEncordNotification(notificationBody({ projectHash, stageUuid, version: 2 })))).toBe("unsupported-version");
    expect(refusal(() => parseEncordNotification(notificationBody({ projectHash: "not-a-uuid", stageUuid })))).toBe("malformed-body");
    expect(refusal(() => parseEncordNotification("{"))).toBe("malformed-body");
    expect(refusal(() => parseEncordNotification(new Uint8Array([0xff, 0xfe])))).toBe("malformed-body");
    expect(refusal(() => parseEncordNotification("[1]"))).toBe("malformed-body");
  });
});
