/**
 * A real `redis-server` for tests: started on a free loopback port with no persistence, stopped (and restartable, to
 * test an outage) in the scope. Finds the binary on `PATH`, or at `REDIS_SERVER`. Debian: `apt-get install
 * redis-server`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "../internal/redisServer.js"

/**
 * A running server.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisServer {
  readonly host: string
  readonly port: number
  /** Stops the server (SIGKILL: an outage, not a shutdown). */
  readonly kill: Effect.Effect<void>
  /** Starts it again on the same port, empty. */
  readonly restart: Effect.Effect<void, Error>
}

/**
 * The `redis-server` binary this machine has, if any.
 *
 * @example
 * ```ts
 * import { RedisServer } from "@rebound/redis/testing"
 *
 * console.log(RedisServer.binary() ?? "no redis-server: apt-get install redis-server")
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const binary: () => string | undefined = internal.binary

/**
 * Starts a server on a free port of 127.0.0.1; it stops when the scope closes.
 *
 * @example
 * ```ts
 * import { RedisServer } from "@rebound/redis/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.map(RedisServer.start(), (server) => server.port))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: () => Effect.Effect<RedisServer, Error, Scope.Scope> = internal.start
