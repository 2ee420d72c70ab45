import { describe, expect, it } from "vitest";
import { encodeQuery, pythonIsoFormat, pythonJsonDumps, pythonNumber, quotePlus } from "../../../src/backends/encord/python-wire.js";

/* encord-protocol.md §2.2: the bytes Python `requests` / `json.dumps` put on the wire. Expected
 * values were produced with CPython 3 (`urllib.parse.urlencode(..., doseq=True)`, `json.dumps`). */

describe("encodeQuery (requests' params encoding)", () => {
  it("keeps insertion order, repeats keys for lists, writes booleans as True/False", () => {
    expect(encodeQuery({ pageToken: "tok/+=", statuses: ["NEW", "ASSIGNED"], signUrl: true, archived: false })).toBe(
      "pageToken=tok%2F%2B%3D&statuses=NEW&statuses=ASSIGNED&signUrl=True&archived=False",
    );
  });

  it("omits null and undefined, also inside lists; an empty dict or list gives nothing", () => {
    expect(encodeQuery({ a: null, b: undefined, c: "x", d: [] })).toBe("c=x");
    expect(encodeQuery({ list: ["a", null as unknown as string, "b"] })).toBe("list=a&list=b");
    expect(encodeQuery({})).toBe("");
  });

  it("follows quote_plus: space is +, A-Za-z0-9_.-~ kept, everything else %XX uppercase (UTF-8)", () => {
    expect(encodeQuery({ a: "~._-*'()!", é: "ü €😀", sp: "a b+c&d=e" })).toBe("a=~._-%2A%27%28%29%21&%C3%A9=%C3%BC+%E2%82%AC%F0%9F%98%80&sp=a+b%2Bc%26d%3De");
    expect(quotePlus("a/b c")).toBe("a%2Fb+c");
  });

  it("encodes timestamps as ISO-8601: an offset string, and a Date as +00:00", () => {
    expect(encodeQuery({ time: "2024-02-01T01:02:03+01:00" })).toBe("time=2024-02-01T01%3A02%3A03%2B01%3A00");
    expect(encodeQuery({ time: new Date("2024-02-01T01:02:03+01:00") })).toBe("time=2024-02-01T00%3A02%3A03%2B00%3A00");
    expect(encodeQuery({ time: new Date("2024-02-01T00:02:03.123Z") })).toBe("time=2024-02-01T00%3A02%3A03.123000%2B00%3A00");
  });

  it("writes numbers as Python's str()", () => {
    expect(encodeQuery({ f: 0.5, g: 1e-5, h: 1e16, i: 42, j: -7, l: [1, 2] })).toBe("f=0.5&g=1e-05&h=1e%2B16&i=42&j=-7&l=1&l=2");
  });

  it("refuses NaN, Infinity and invalid Dates, naming the parameter", () => {
    expect(() => encodeQuery({ limit: Number.NaN })).toThrow(/"limit".*finite/);
    expect(() => encodeQuery({ since: new Date("nope") })).toThrow(/invalid Date/);
    expect(() => encodeQuery({ s: "\uD800x" })).toThrow(/surrogate/);
  });
});

describe("pythonIsoFormat", () => {
  it("is datetime.isoformat() of the UTC instant", () => {
    expect(pythonIsoFormat(new Date(Date.UTC(2024, 1, 1, 0, 2, 3)))).toBe("2024-02-01T00:02:03+00:00");
    expect(pythonIsoFormat(new Date(Date.UTC(2024, 1, 1, 0, 2, 3, 123)))).toBe("2024-02-01T00:02:03.123000+00:00");
  });
});

describe("pythonJsonDumps (json.dumps defaults)", () => {
  it("reproduces the SDK test's body bytes", () => {
    expect(pythonJsonDumps({ text: "test", number: 0.01, time: "2024-02-01T01:02:03+01:00" })).toBe(
      '{"text": "test", "number": 0.01, "time": "2024-02-01T01:02:03+01:00"}',
    );
  });

  it("escapes like ensure_ascii=True: lowercase \\uXXXX, surrogate pairs, DEL and controls, / kept", () => {
    expect(pythonJsonDumps({ ké: ["é€😀", '\x00\x1f\x7f"\\/\n\r\t\b\f'] })).toBe(
      '{"k\\u00e9": ["\\u00e9\\u20ac\\ud83d\\ude00", "\\u0000\\u001f\\u007f\\"\\\\/\\n\\r\\t\\b\\f"]}',
    );
  });

  it("writes numbers, literals and empty containers as Python does", () => {
    expect(pythonJsonDumps([1e-5, 1.5e-7, 1e16, 123456789.125, 1e300, 0.1 + 0.2, true, null, {}, [], -3])).toBe(
      "[1e-05, 1.5e-07, 1e+16, 123456789.125, 1e+300, 0.30000000000000004, true, null, {}, [], -3]",
    );
    expect(pythonNumber(0.0001)).toBe("0.0001");
    expect(pythonNumber(0.00012)).toBe("0.00012");
    expect(pythonNumber(-2.5e-5)).toBe("-2.5e-05");
  });

  it("drops undefined members, writes undefined array items as null, Dates as isoformat", () => {
    expect(pythonJsonDumps({ a: undefined, b: [undefined], c: new Date(Date.UTC(2024, 1, 1, 0, 2, 3)) })).toBe(
      '{"b": [null], "c": "2024-02-01T00:02:03+00:00"}',
    );
  });

  it("keeps nested structure and key order", () => {
    expect(pythonJsonDumps({ z: { y: [1, { x: "a" }] }, a: 1 })).toBe('{"z": {"y": [1, {"x": "a"}]}, "a": 1}');
  });

  it("refuses NaN and Infinity, saying where", () => {
    expect(() => pythonJsonDumps({ score: Number.NaN })).toThrow(/value\.score is NaN/i);
    expect(() => pythonJsonDumps([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
  });

  it("writes plain data and everything else alike, at any depth: class instances, toJSON, -0, null prototypes, deep nesting", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { ü: -0 });
    const deep = JSON.parse(`${"[".repeat(100)}1${"]".repeat(100)}`) as unknown;
    expect(pythonJsonDumps({ p: new Point(1, 2.5), t: { toJSON: () => ["t"] }, bare, deep })).toBe(
      `{"p": {"x": 1, "y": 2.5}, "t": ["t"], "bare": {"\\u00fc": 0}, "deep": ${"[".repeat(100)}1${"]".repeat(100)}}`,
    );
  });

  it("refuses a NaN deep inside plain data, and a cycle deep inside, saying where", () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ hash: `h${i}`, labels: { objects: [{ box: { x: 0.5, y: i === 2 ? Number.NaN : 0.5 } }] } }));
    expect(() => pythonJsonDumps({ rows })).toThrow(/Value\.rows\[2\]\.labels\.objects\[0\]\.box\.y is NaN/);
    const loop: unknown[] = [];
    loop.push({ inner: loop });
    expect(() => pythonJsonDumps({ rows: [{ fine: 1 }, loop] })).toThrow(/circular/);
  });

  it("refuses circular structures", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => pythonJsonDumps(loop)).toThrow(/circular/);
  });
});
