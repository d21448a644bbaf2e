import { FleetStore } from "@rebound/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import type * as RedisStore from "../RedisStore.js"

/**
 * One round trip reads a record and the server's clock. Records are `<version>|<json>`.
 */
const readScript = `
local value = redis.call('GET', KEYS[1])
local time = redis.call('TIME')
return {value or false, time[1], time[2]}
`

/**
 * Compare-and-set on the record's version: the script knows nothing of guards, only versions. Sets the record's
 * expiry, so records nobody writes any more leave the server.
 */
const casScript = `
local current = redis.call('GET', KEYS[1])
local version = '0'
if current then version = string.match(current, '^(%d+)|') or '0' end
if version ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`

const parse = (raw: unknown): { readonly version: number; readonly record: unknown } => {
  if (typeof raw !== "string") return { version: 0, record: undefined }
  const bar = raw.indexOf("|")
  return { version: Number(raw.slice(0, bar)), record: JSON.parse(raw.slice(bar + 1)) }
}

/** An error's kind, never its message (which may echo a command, a key or a password). */
const reasonOf = (client: Redis, error: unknown): string => {
  if (client.status !== "ready") return "unreachable"
  const name = error instanceof Error ? error.name : "unknown"
  return name === "Error" ? "rejected" : name
}

/** @internal */
export const engine = (
  options: RedisStore.Options = {}
): Effect.Effect<FleetStore.Engine & RedisStore.Counters, never, Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = options.prefix ?? "rebound:"
    const ttlMillis = Math.max(1, Math.round(Duration.toMillis(Duration.decode(options.ttl ?? "1 hour"))))
    const maxConflicts = options.maxConflicts ?? 16
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const { tls, ...connection } = options.redis ?? {}
        const given = Object.fromEntries(Object.entries(connection).filter(([, v]) => v !== undefined))
        const settings: Record<string, unknown> = {
          host: "127.0.0.1",
          port: 6379,
          connectTimeout: 1_000,
          ...given,
          ...(tls === true ? { tls: {} } : {}),
          // Fail at once while disconnected (the fleet store then runs on local state), keep reconnecting behind.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          retryStrategy: (times: number) => Math.min(times * 50, 1_000)
        }
        const redis = options.client ?? // ioredis's option types do not admit exactOptionalPropertyTypes; the settings are plain connection options.
          new Redis(settings as never)
        // ioredis reports connection errors as events; the engine reports them per request instead.
        redis.on("error", () => {})
        return redis
      }),
      (redis) => (options.client === undefined ? Effect.sync(() => redis.disconnect()) : Effect.void)
    )
    // Give the connection a moment (bounded) so the first syncs find it; a server that is down is no reason to wait.
    yield* Effect.async<void>((resume) => {
      if (client.status === "ready") return resume(Effect.void)
      const ready = () => resume(Effect.void)
      client.once("ready", ready)
      return Effect.sync(() => client.off("ready", ready))
    }).pipe(Effect.timeoutOption(Duration.millis(options.redis?.connectTimeout ?? 1_000)))
    const counters = { requests: 0, conflicts: 0 }
    const name = options.name ?? "redis"
    const call = <A>(run: () => Promise<A>) =>
      Effect.tryPromise({
        try: () => {
          counters.requests++
          return run()
        },
        catch: (error) => new FleetStore.EngineError({ engine: name, reason: reasonOf(client, error) })
      })
    const update: FleetStore.Engine["update"] = (key, f) => {
      const full = prefix + key
      const attempt = (
        n: number
      ): Effect.Effect<{ readonly value: never; readonly nowMillis: number }, FleetStore.EngineError> =>
        Effect.flatMap(call(() => client.eval(readScript, 1, full)), (reply) => {
          const [raw, seconds, micros] = reply as [unknown, string, string]
          const nowMillis = Number(seconds) * 1000 + Number(micros) / 1000
          const { record, version } = parse(raw)
          const [next, value] = f(record, nowMillis)
          const done = { value: value as never, nowMillis }
          if (next === undefined) return Effect.succeed(done)
          const written = `${version + 1}|${JSON.stringify(next)}`
          return Effect.flatMap(
            call(() => client.eval(casScript, 1, full, String(version), written, ttlMillis)),
            (ok) => {
              if (ok === 1) return Effect.succeed(done)
              counters.conflicts++
              if (n + 1 >= maxConflicts) {
                return Effect.fail(new FleetStore.EngineError({ engine: name, reason: "conflict" }))
              }
              // Writers that collided try again a random moment apart, so they do not collide again in step.
              return Effect.flatMap(
                Random.nextIntBetween(0, Math.min(n + 2, 10)),
                (ms) => Effect.zipRight(Effect.sleep(Duration.millis(ms)), attempt(n + 1))
              )
            }
          )
        })
      return attempt(0)
    }
    return { name, update, counters } as FleetStore.Engine & RedisStore.Counters
  })

/** @internal */
export const layer = (
  options?: RedisStore.Options,
  fleet?: FleetStore.Options
): Layer.Layer<never> => FleetStore.layer(engine(options), fleet)
