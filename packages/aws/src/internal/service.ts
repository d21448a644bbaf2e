import { type InvalidOption, RetryPolicy, StateStore } from "@rebound/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as AwsCall from "../AwsCall.js"
import * as ClientConfig from "../ClientConfig.js"
import { awsRetrySettings, retryModePolicy, withMaxAttempts } from "./awsConfig.js"
import { explainingClient } from "./localConfig.js"
import { validateService } from "./options.js"
import { operationOf, resourceOf } from "./send.js"

/** Services built here, already validated: `AwsCall.send` does not check them again. @internal */
export const validated = new WeakSet<AwsCall.Service>()

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
 * A service built by {@link make}: the call shell's view of it, the SDK client itself, and `within`, which runs a
 * call under the policy in context adjusted by the AWS settings that apply to it (attempts without a mode).
 * @internal
 */
export interface Built<C> extends AwsCall.Service {
  readonly sdkClient: C
  /** The SDK client hedges go through, when the service has one of its own (S3). */
  readonly sdkHedgeClient?: C | undefined
  /** The scope that owns this client's guard state. */
  readonly scope: string
  readonly within: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

const identity = <A, E, R>(effect: Effect.Effect<A, E, R>) => effect

/**
 * Validates the options, resolves the AWS retry settings, builds an SDK client in a scope (destroyed when the scope
 * closes) and the `AwsCall.Service` around it. The client's guard state is owned by the client: its own scope, released
 * from the state store when the layer closes — unless the caller named a `guardScope` to share on purpose, which
 * outlives any one layer.
 * @internal
 */
export const make = <C extends { destroy(): void }, Sdk extends object>(
  name: string,
  create: (config: Record<string, unknown>) => C,
  options: ClientConfig.ServiceOptions<Sdk>,
  defaultAttemptTimeout: Duration.DurationInput,
  /** Also build a client for hedges, with a connection pool of its own (S3). */
  hedgeClient = false
): Effect.Effect<Built<C>, InvalidOption.InvalidOptionError, Scope.Scope> =>
  Effect.gen(function*() {
    const constructorName = `${name}.layer`
    const normalized = yield* validateService(constructorName, options)
    const named = normalized.guardScope
    const scope = named ?? instanceScope(name, normalized)
    if (named === undefined) yield* Effect.addFinalizer(() => StateStore.releaseScope(scope))
    const sdk: Record<string, unknown> = { ...normalized.sdk }

    // The policy: explicit, else from the AWS retry mode; attempts from the option, environment or config file.
    const aws = normalized.policy !== undefined ?
      {} :
      yield* awsRetrySettings(constructorName, {
        retryMode: normalized.retryMode === undefined,
        maxAttempts: normalized.maxAttempts === undefined
      }, typeof sdk.profile === "string" ? sdk.profile : undefined)
    const retryMode = normalized.retryMode ?? aws.retryMode
    const maxAttempts = normalized.maxAttempts ?? aws.maxAttempts
    const base = normalized.policy ?? (retryMode !== undefined ? retryModePolicy(retryMode, name) : undefined)
    const adjust = maxAttempts === undefined ? undefined : withMaxAttempts(maxAttempts)
    const policy = base !== undefined && adjust !== undefined ? adjust(base) : base
    // Attempts without a mode adjust whichever policy is in context when the call runs.
    // `CurrentRetryPolicy` is a reference with a default, so updating it needs nothing from the context.
    const within = base === undefined && adjust !== undefined ?
      <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.updateService(effect, RetryPolicy.CurrentRetryPolicy, adjust) as Effect.Effect<A, E, R> :
      identity

    const build = Effect.acquireRelease(
      Effect.sync(() => {
        const owned = ClientConfig.owned(normalized)
        const handler = sdk.requestHandler as { readonly handle?: unknown } | undefined
        return create({
          ...sdk,
          ...owned,
          // rebound owns retries: the SDK's retry middleware hands every request straight on.
          retryStrategy: ClientConfig.passThrough,
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
    const built: Built<C> = {
      name,
      client: explainingClient(name, client as C & AwsCall.SdkClient, operationOf, resourceOf),
      ...(hedges !== undefined ?
        {
          hedgeClient: explainingClient(name, hedges as C & AwsCall.SdkClient, operationOf, resourceOf),
          sdkHedgeClient: hedges
        } :
        {}),
      sdkClient: client,
      policy,
      // Decoded once here, not parsed again on every call.
      attemptTimeout: normalized.attemptTimeout ?? Duration.decode(defaultAttemptTimeout),
      operations: normalized.operations,
      rules: normalized.rules,
      within,
      scope
    }
    validated.add(built)
    return built
  })
