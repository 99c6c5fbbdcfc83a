import { test } from "node:test";
import assert from "node:assert/strict";
import { config, handler, redisURL } from "../app.js";

test("config reads the cache from the environment", () => {
  const c = config({ REDIS_HOST: "cache", REDIS_PASSWORD: "s3cret" });
  assert.equal(redisURL(c, false), "redis://:s3cret@cache:6379");
  assert.ok(!redisURL(c, true).includes("s3cret"));
  assert.equal(c.port, 3000);
});

test("GET /healthz answers ok", () => {
  let status, body;
  handler(config({}))({ method: "GET", url: "/healthz" }, { writeHead: (s) => (status = s), end: (b) => (body = b) });
  assert.equal(status, 200);
  assert.deepEqual(JSON.parse(body), { status: "ok" });
});
