import { Hedging } from "@rebound/core"
import * as Effect from "effect/Effect"
import type * as AwsCall from "../AwsCall.js"

/** A hedge (copy > 0) goes through the service's hedge client, on its own connections. @internal */
export const hedgedAttempt = <A, E>(
  service: AwsCall.Service,
  attemptOn: (client: AwsCall.SdkClient) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  service.hedgeClient === undefined ?
    attemptOn(service.client) :
    Effect.flatMap(Hedging.currentCopy, (copy) => attemptOn(copy === 0 ? service.client : service.hedgeClient!))

/** A response that lost a hedged race may hold a connection with its body (an S3 object stream): release it. @internal */
export const closeBody = (output: unknown): Effect.Effect<void> =>
  Effect.sync(() => {
    const body = typeof output === "object" && output !== null ? (output as { Body?: unknown }).Body : undefined
    if (typeof body === "object" && body !== null && typeof (body as { destroy?: unknown }).destroy === "function") {
      ;(body as { destroy: () => void }).destroy()
    }
  })
