import { StateStore } from "@rebound/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as AwsCall from "../AwsCall.js"
import * as ClientConfig from "../ClientConfig.js"

/** SDK settings rebound must own, whatever the caller passes in `sdk`. */
const retrySettings = new Set(["maxAttempts", "retryStrategy", "retryMode"])

let instances = 0

const staticString = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

/**
 * The guard scope of one client instance: its service, region and endpoint for people reading keys and metrics, and a
 * sequence number that makes it its own — two layers built separately never share state, even for the same region.
 */
const instanceScope = (name: string, options: ClientConfig.ServiceOptions<unknown>): string => {
  const where = [staticString(options.region), staticString(options.endpoint)].filter((x) => x !== undefined)
  return `${name}(${where.join(" ")})#${++instances}`
}

/**
 * Builds an SDK client in a scope (destroyed when the scope closes) and the `AwsCall.Service` around it. The client's
 * guard state is owned by the client: its own scope, released from the state store when the layer closes — unless the
 * caller named a `guardScope` to share on purpose, which outlives any one layer.
 * @internal
 */
export const make = <C extends { destroy(): void }, Sdk extends object>(
  name: string,
  create: (config: Record<string, unknown>) => C,
  options: ClientConfig.ServiceOptions<Sdk>,
  defaultAttemptTimeout: Duration.DurationInput,
  /** Also build a client for hedges, with a connection pool of its own (S3). */
  hedgeClient = false
): Effect.Effect<AwsCall.Service & { readonly client: C; readonly scope: string }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const named = options.guardScope
    const scope = named ?? instanceScope(name, options)
    if (named === undefined) yield* Effect.addFinalizer(() => StateStore.releaseScope(scope))
    const build = Effect.acquireRelease(
      Effect.sync(() => {
        const extra = Object.fromEntries(
          Object.entries(options.sdk ?? {}).filter(([key]) => !retrySettings.has(key))
        )
        const owned = ClientConfig.owned(options)
        const handler = extra.requestHandler as { readonly handle?: unknown } | undefined
        return create({
          ...extra,
          ...owned,
          // A request handler of the caller's own (an object with `handle`) is used as it is; handler options are
          // merged with rebound's connection timeout.
          requestHandler: typeof handler?.handle === "function" ? handler : { ...owned.requestHandler, ...handler }
        })
      }),
      (client) => Effect.sync(() => client.destroy())
    )
    const client = yield* build
    // Handler options (not a handler object) make each client build its own HTTP handler and agent: fresh connections.
    const hedges = hedgeClient ? yield* build : undefined
    return {
      name,
      client: client as C & AwsCall.SdkClient,
      ...(hedges !== undefined ? { hedgeClient: hedges as C & AwsCall.SdkClient } : {}),
      policy: options.policy,
      attemptTimeout: options.attemptTimeout ?? defaultAttemptTimeout,
      operations: options.operations,
      rules: options.rules,
      scope
    }
  })
