import { CallError, Hedging, RetryPolicy } from "@rebound/core"
import type { CommandIO, MetadataBearer } from "@smithy/types"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as AwsCall from "../AwsCall.js"
import { bodyFailure, guardBody, streamBodyOf } from "./body.js"
import { classify } from "./classify.js"
import { withDeadline } from "./deadline.js"
import { closeBody, hedgedAttempt } from "./hedging.js"
import { isIdempotent, needsToken, pinTokens } from "./idempotency.js"
import { canonical } from "./serviceName.js"

/** The operation a command runs: `GetItemCommand` → `GetItem`. @internal */
export const operationOf = (command: object): string => command.constructor.name.replace(/Command$/, "")

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

/** The resource a call concerns, to key quotas, limiters and breakers per resource. @internal */
export const resourceOf = (service: string, input: unknown): string | undefined => {
  if (typeof input !== "object" || input === null) return undefined
  const i = input as Record<string, unknown>
  switch (canonical(service)) {
    case "DynamoDB": {
      const table = str(i.TableName)
      if (table !== undefined) return table
      const items = i.RequestItems
      if (typeof items === "object" && items !== null) return Object.keys(items)[0]
      return undefined
    }
    case "S3": {
      const bucket = str(i.Bucket)
      if (bucket === undefined) return undefined
      const key = str(i.Key) ?? str(i.Prefix)
      const prefix = key === undefined ? undefined : key.includes("/") ? key.slice(0, key.indexOf("/") + 1) : undefined
      return prefix === undefined ? bucket : `${bucket}/${prefix}`
    }
    case "Lambda": {
      const name = str(i.FunctionName)
      return name?.split(":").reduce((acc, part, index, all) =>
        // arn:aws:lambda:region:account:function:name[:qualifier]
        all[index - 1] === "function" ? part : acc, name)
    }
    default:
      return undefined
  }
}

/** A body that can be read only once (a Node `Readable`, a web `ReadableStream`, an async iterable). @internal */
export const isOneShotBody = (input: unknown): boolean => {
  if (typeof input !== "object" || input === null) return false
  const i = input as Record<string, unknown>
  const body = i.Body ?? i.Payload
  if (typeof body !== "object" || body === null) return false
  if (body instanceof Uint8Array || ArrayBuffer.isView(body)) return false
  const b = body as Record<string | symbol, unknown>
  return typeof b.pipe === "function" || typeof b.getReader === "function" ||
    typeof b[Symbol.asyncIterator] === "function"
}

/** A v4 UUID from Effect's `Random`, so seeded runs pin the same tokens. @internal */
export const uuid: Effect.Effect<string> = Effect.map(
  Effect.all(Array.from({ length: 16 }, () => Random.nextIntBetween(0, 256))),
  (bytes) => {
    bytes[6] = (bytes[6]! & 0x0f) | 0x40
    bytes[8] = (bytes[8]! & 0x3f) | 0x80
    const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("")
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
)

const oneShot = (policy: RetryPolicy.RetryPolicy): RetryPolicy.RetryPolicy =>
  RetryPolicy.modify(policy, { name: `${policy.name}/one-shot-body`, maxAttempts: 1 })

/** @internal */
export const send = <I extends object, O extends MetadataBearer>(
  service: AwsCall.Service,
  command: CommandIO<I, O>,
  options: AwsCall.SendOptions = {}
): Effect.Effect<O, CallError.CallError> => sendReading<I, O, O>(service, command, options, undefined)

/**
 * `send`, with `read` run inside each attempt on its output (reading a streamed body whole): the attempt's deadline and
 * abort signal cover the read, and a failed read fails the attempt, so the policy retries the call as a whole.
 * @internal
 */
export const sendReading = <I extends object, O extends MetadataBearer, A>(
  service: AwsCall.Service,
  command: CommandIO<I, O>,
  options: AwsCall.SendOptions,
  read: ((output: O, signal: AbortSignal) => Promise<A>) | undefined
): Effect.Effect<A, CallError.CallError> =>
  Effect.gen(function*() {
    const name = canonical(service.name)
    const operation = operationOf(command)
    const perOperation = service.operations?.[operation]
    // A token is drawn only when the operation takes one the caller left empty.
    const pinned = needsToken(name, operation, command.input) ?
      pinTokens(name, operation, command.input, yield* uuid) :
      command.input
    const toSend = pinned === command.input ?
      command :
      new (command.constructor as new(input: I) => CommandIO<I, O>)(pinned)
    const resource = options.resource ?? resourceOf(name, pinned)
    const configured = options.policy ?? perOperation?.policy ?? service.policy ??
      (yield* RetryPolicy.CurrentRetryPolicy)
    // A body that can be read once cannot be sent twice: one attempt, unless the caller rebuilt it per attempt.
    const policy = isOneShotBody(pinned) ? oneShot(configured) : configured
    const idempotent = options.idempotent ?? perOperation?.idempotent ?? isIdempotent(name, operation, pinned)
    const timeout = Duration.decode(
      options.attemptTimeout ?? perOperation?.attemptTimeout ?? service.attemptTimeout ?? "30 seconds"
    )
    const onTimeout = () =>
      new CallError.TransientError({
        service: name,
        operation,
        resource,
        code: "AttemptTimeout",
        detail: `no complete response within ${Duration.format(timeout)}; the request was aborted`,
        reason: "timeout",
        ambiguous: true
      })
    const attemptOn = (client: AwsCall.SdkClient) => {
      const sent = (abortSignal: AbortSignal) => client.send(toSend as never, { abortSignal }) as Promise<O>
      const request = read === undefined ?
        sent as unknown as (abortSignal: AbortSignal) => Promise<A> :
        (abortSignal: AbortSignal) => sent(abortSignal).then((output) => read(output, abortSignal))
      // A stream body's error fails the attempt at once (the SDK would leave it uncaught and wait).
      const body = streamBodyOf(pinned)
      const guarded = body === undefined ?
        request :
        guardBody(body, request, (error) => bodyFailure({ service: name, operation, resource }, error))
      // Interrupting the fiber (a cancelled caller, a hedge that lost) or passing the deadline aborts the HTTP request
      // through its signal.
      return Effect.flatMap(Clock.currentTimeMillis, (nowMillis) =>
        withDeadline(
          guarded,
          (error) => classify(error, { service: name, operation, resource, nowMillis }, service.rules),
          timeout,
          onTimeout
        ))
    }
    const attempt = policy.hedging === undefined ? attemptOn(service.client) : hedgedAttempt(service, attemptOn)
    const retried = RetryPolicy.retryWithSummary(attempt, policy, {
      idempotent,
      service: name,
      operation,
      resource,
      scope: service.scope,
      cleanup: options.cleanup
    })
    return yield* (policy.hedging === undefined ? retried : Hedging.withDiscard(retried, closeBody)).pipe(
      Effect.map(([output, summary]) => withRetryMetadata(output, summary))
    )
  })

/**
 * The output with `$metadata.attempts` and `$metadata.totalRetryDelay` saying what rebound did — the fields the SDK's
 * retry middleware fills, which the SDK cannot fill itself when rebound owns retries (it sees one attempt at a time).
 */
const withRetryMetadata = <A>(output: A, summary: CallError.CallSummary): A => {
  if (typeof output !== "object" || output === null) return output
  // The SDK deserialised this output for this call alone: filling its metadata in place is safe, and copies nothing.
  const bearer = output as Partial<MetadataBearer>
  const metadata = (bearer.$metadata ?? ((bearer as { $metadata: object }).$metadata = {})) as {
    attempts?: number
    totalRetryDelay?: number
  }
  metadata.attempts = summary.attempts
  metadata.totalRetryDelay = Duration.toMillis(summary.totalDelay)
  return output
}
