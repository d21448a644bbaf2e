/**
 * A fleet store on Redis (ElastiCache, Valkey, or any server speaking Redis 6+): rebound's retry quotas, budgets,
 * adaptive limiters and circuit breakers shared by every process of a fleet, through `ioredis`.
 *
 * Each shared key is one Redis string, `<version>|<json>`, under `prefix`. The engine reads a record and the server's
 * clock (`TIME`) in one script, lets core merge the process's report into it, and writes it back with a
 * compare-and-set script on the version (retried on conflict) — the scripts know versions, never guards: every guard
 * rule stays in TypeScript, in core. Time is the Redis server's, so processes with skewed clocks agree. A record
 * nobody writes for `ttl` (default 1 hour) expires.
 *
 * Calls never wait for Redis: see `FleetStore` for the leases, the staleness, and what happens while Redis is down
 * (the client fails fast while disconnected, and reconnects in the background).
 *
 * @since 0.1.0
 */
import type { FleetStore } from "@rebound/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import * as internal from "./internal/redisStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Where the client the store makes connects (default 127.0.0.1:6379). */
  readonly redis?: Connection | undefined
  /**
   * A client of your own instead; the store leaves it open at the end. Give it `enableOfflineQueue: false` and
   * `maxRetriesPerRequest: 0`, or a Redis outage makes syncs wait (never calls: syncs are bounded by `syncTimeout`).
   */
  readonly client?: Redis | undefined
  /** Prefix of every key the store writes. Default `rebound:`. */
  readonly prefix?: string | undefined
  /** How long a record nobody writes is kept. Default 1 hour. */
  readonly ttl?: Duration.DurationInput | undefined
  /** Compare-and-set conflicts in a row before a sync gives up (and retries at the next interval). Default 16. */
  readonly maxConflicts?: number | undefined
  /** The engine's name in events. Default `redis`. */
  readonly name?: string | undefined
}

/**
 * Where to connect. Credentials go to the server only: the store never logs or reports them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly username?: string | undefined
  readonly password?: string | undefined
  readonly db?: number | undefined
  /** TLS (ElastiCache in-transit encryption). */
  readonly tls?: boolean | undefined
  /** Milliseconds to wait for a connection. Default 1,000. */
  readonly connectTimeout?: number | undefined
}

/**
 * What an engine has sent, for measuring its cost.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly counters: {
    /** Redis commands sent (each a script: one round trip). */
    readonly requests: number
    /** Compare-and-set attempts that lost to another writer. */
    readonly conflicts: number
  }
}

/**
 * The Redis engine, its client closed with the scope.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 * import { RedisStore } from "@rebound/redis"
 * import { Effect } from "effect"
 *
 * const store = Effect.flatMap(RedisStore.engine({ redis: { host: "cache.internal", port: 6379 } }), (engine) =>
 *   FleetStore.make(engine, { syncInterval: "250 millis" }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const engine: (options?: Options) => Effect.Effect<FleetStore.Engine & Counters, never, Scope.Scope> =
  internal.engine

/**
 * A layer providing the fleet store on Redis as the `StateStore`: every call under it shares its guards with the
 * fleet (for keys named by a shared `guardScope`).
 *
 * @example
 * ```ts
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import { RedisStore } from "@rebound/redis"
 * import { Layer } from "effect"
 *
 * const orders = DynamoDB.layer({ region: "eu-west-1", guardScope: "orders-fleet" }).pipe(
 *   Layer.provide(RedisStore.layer({ redis: { host: "cache.internal" } }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options, fleet?: FleetStore.Options) => Layer.Layer<never> = internal.layer
