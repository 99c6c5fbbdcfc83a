// The app's handler and configuration, apart from the server so that the
// tests need no network.
export function config(env) {
  return {
    port: Number(env.PORT || 3000),
    redis: { host: env.REDIS_HOST || "localhost", port: Number(env.REDIS_PORT || 6379), password: env.REDIS_PASSWORD || "" },
  };
}

// redisURL is the cache's URL for a client such as node-redis
// (npm install redis); redacted hides the password, for logs.
export function redisURL(c, redacted) {
  const auth = c.redis.password ? `:${redacted ? "***" : encodeURIComponent(c.redis.password)}@` : "";
  return `redis://${auth}${c.redis.host}:${c.redis.port}`;
}

export function handler(c) {
  return (req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok" }));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  };
}
