// Whether these tests can run: they need a real redis-server. Locally they are skipped, saying so, when it is missing;
// in CI (`CI` set) they never are: a missing server fails the run.
import { RedisServer } from "@rebound/redis/testing"

export const redisBinary = RedisServer.binary()

export const skipRedis = (file: string, tests: ReadonlyArray<string>): boolean => {
  if (redisBinary !== undefined) return false
  if (process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false") {
    throw new Error("CI must run the Redis tests: redis-server is missing (Debian: apt-get install redis-server)")
  }
  console.warn(
    `SKIPPED ${tests.length} Redis tests in ${file} — no redis-server on PATH (or REDIS_SERVER). ` +
      `Install it to run them (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis):\n` +
      tests.map((t) => `  - ${t}`).join("\n")
  )
  return true
}
