import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as AwsCall from "../AwsCall.js"
import * as ClientConfig from "../ClientConfig.js"

/** SDK settings rebound must own, whatever the caller passes in `sdk`. */
const retrySettings = new Set(["maxAttempts", "retryStrategy", "retryMode"])

/**
 * Builds an SDK client in a scope (destroyed when the scope closes) and the `AwsCall.Service` around it.
 * @internal
 */
export const make = <C extends { destroy(): void }, Sdk extends object>(
  name: string,
  create: (config: Record<string, unknown>) => C,
  options: ClientConfig.ServiceOptions<Sdk>,
  defaultAttemptTimeout: Duration.DurationInput
): Effect.Effect<AwsCall.Service & { readonly client: C }, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
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
    ),
    (client) => ({
      name,
      client: client as C & AwsCall.SdkClient,
      policy: options.policy,
      attemptTimeout: options.attemptTimeout ?? defaultAttemptTimeout,
      operations: options.operations,
      rules: options.rules
    })
  )
