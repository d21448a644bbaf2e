import { type InvalidOption, RetryPolicy } from "@rebound/core"
import type * as Duration from "effect/Duration"
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

/**
 * A service built by {@link make}: the call shell's view of it, the SDK client itself, and `within`, which runs a
 * call under the policy in context adjusted by the AWS settings that apply to it (attempts without a mode).
 * @internal
 */
export interface Built<C> extends AwsCall.Service {
  readonly sdkClient: C
  readonly within: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

const identity = <A, E, R>(effect: Effect.Effect<A, E, R>) => effect

/**
 * Validates the options, resolves the AWS retry settings, builds an SDK client in a scope (destroyed when the scope
 * closes) and the `AwsCall.Service` around it.
 * @internal
 */
export const make = <C extends { destroy(): void }, Sdk extends object>(
  name: string,
  create: (config: Record<string, unknown>) => C,
  options: ClientConfig.ServiceOptions<Sdk>,
  defaultAttemptTimeout: Duration.DurationInput
): Effect.Effect<Built<C>, InvalidOption.InvalidOptionError, Scope.Scope> =>
  Effect.gen(function*() {
    const constructorName = `${name}.layer`
    const normalized = yield* validateService(constructorName, options)
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

    const client = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const owned = ClientConfig.owned(normalized)
        const handler = sdk.requestHandler as { readonly handle?: unknown } | undefined
        return create({
          ...sdk,
          ...owned,
          // A request handler of the caller's own (an object with `handle`) is used as it is; handler options are
          // merged with rebound's connection timeout.
          requestHandler: typeof handler?.handle === "function" ? handler : { ...owned.requestHandler, ...handler }
        })
      }),
      (client) => Effect.sync(() => client.destroy())
    )
    const built: Built<C> = {
      name,
      client: explainingClient(name, client as C & AwsCall.SdkClient, operationOf, resourceOf),
      sdkClient: client,
      policy,
      attemptTimeout: normalized.attemptTimeout ?? defaultAttemptTimeout,
      operations: normalized.operations,
      rules: normalized.rules,
      within
    }
    validated.add(built)
    return built
  })
