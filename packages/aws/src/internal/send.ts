import { CallError, Hedging, RetryPolicy } from "@rebound/core"
import type { CommandIO, MetadataBearer } from "@smithy/types"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import type * as AwsCall from "../AwsCall.js"
import { bodyFailure, guardBody, streamBodyOf } from "./body.js"
import { classify } from "./classify.js"
import { withDeadlineOn } from "./deadline.js"
import { closeBody, hedgedAttempt } from "./hedging.js"
import { isIdempotent, needsToken, pinTokens } from "./idempotency.js"
import { canonical } from "./serviceName.js"
import * as wire from "./wire.js"

const operations = new WeakMap<object, string>()

/** The operation a command runs: `GetItemCommand` → `GetItem` (worked out once per command class). @internal */
export const operationOf = (command: object): string => {
  const known = operations.get(command.constructor)
  if (known !== undefined) return known
  const operation = command.constructor.name.replace(/Command$/, "")
  operations.set(command.constructor, operation)
  return operation
}

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

/** One attempt, and no hedge: a hedge would send the body a second time. */
const oneShot = (policy: RetryPolicy.RetryPolicy): RetryPolicy.RetryPolicy =>
  RetryPolicy.modify(policy, { name: `${policy.name}/one-shot-body`, maxAttempts: 1, hedging: undefined })

/** A timeout in milliseconds; the services hand theirs in decoded, so a call parses nothing. */
const millisOf = (input: Duration.DurationInput): number =>
  typeof input === "number" ? input : Duration.toMillis(Duration.decode(input))

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
  Effect.withFiberRuntime((fiber) => {
    const name = canonical(service.name)
    const operation = operationOf(command)
    // A token is drawn only when the operation takes one the caller left empty.
    if (!needsToken(name, operation, command.input)) {
      return sendOn(fiber, service, name, operation, command, options, read)
    }
    return Effect.flatMap(uuid, (token) =>
      sendOn(
        fiber,
        service,
        name,
        operation,
        new (command.constructor as new(input: I) => CommandIO<I, O>)(
          pinTokens(name, operation, command.input, token)
        ),
        options,
        read
      ))
  })

/** One call: its settings read from the service and the fiber, then its attempts under the policy. */
const sendOn = <I extends object, O extends MetadataBearer, A>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  service: AwsCall.Service,
  name: string,
  operation: string,
  toSend: CommandIO<I, O>,
  options: AwsCall.SendOptions,
  read: ((output: O, signal: AbortSignal) => Promise<A>) | undefined
): Effect.Effect<A, CallError.CallError> => {
  const input = toSend.input
  const perOperation = service.operations?.[operation]
  const resource = options.resource ?? resourceOf(name, input)
  const configured = options.policy ?? perOperation?.policy ?? service.policy ??
    Context.get(fiber.currentContext, RetryPolicy.CurrentRetryPolicy)
  // A body that can be read once cannot be sent twice: one attempt, unless the caller rebuilt it per attempt.
  const policy = isOneShotBody(input) ? oneShot(configured) : configured
  const idempotent = options.idempotent ?? perOperation?.idempotent ?? isIdempotent(name, operation, input)
  const timeoutMillis = millisOf(
    options.attemptTimeout ?? perOperation?.attemptTimeout ?? service.attemptTimeout ?? "30 seconds"
  )
  const onTimeout = () =>
    new CallError.TransientError({
      service: name,
      operation,
      resource,
      code: "AttemptTimeout",
      detail: `no complete response within ${Duration.format(Duration.millis(timeoutMillis))}; the request was aborted`,
      reason: "timeout",
      ambiguous: true
    })
  const client = service.client
  wire.install(client)
  const hedging = policy.hedging
  const sending: Sending<O, A> = {
    invocationId: undefined,
    // Every request the call sends is an attempt on the wire, a hedge too: its own number, the call's invocation id.
    maxAttempts: hedging === undefined ? policy.maxAttempts : policy.maxAttempts * (1 + hedging.maxHedged),
    sent: 0,
    command: toSend,
    read,
    // A stream body's error fails the attempt at once (the SDK would leave it uncaught and wait).
    body: streamBodyOf(input),
    clock: Context.get(fiber.currentDefaultServices, Clock.Clock),
    service: name,
    operation,
    resource,
    rules: service.rules,
    timeoutMillis,
    onTimeout
  }
  const callOptions = { idempotent, service: name, operation, resource, scope: service.scope, cleanup: options.cleanup }
  if (hedging === undefined) {
    return Effect.map(
      RetryPolicy.retryWithSummary(Effect.suspend(() => attemptThrough(sending, client)), policy, callOptions),
      ([output, summary]) => withRetryMetadata(output, summary)
    )
  }
  // Hedges go through the hedge client (a fresh connection) when the service has one; a losing body is destroyed.
  if (service.hedgeClient !== undefined) wire.install(service.hedgeClient)
  return Effect.map(
    Hedging.withDiscard(
      RetryPolicy.retryWithSummary(
        hedgedAttempt(service, (via) => Effect.suspend(() => attemptThrough(sending, via))),
        policy,
        callOptions
      ),
      closeBody
    ),
    ([output, summary]) => withRetryMetadata(output, summary)
  )
}

/** One call's attempts: what each sends, and the call's place on the wire (its invocation id, its attempts so far). */
interface Sending<O, A> extends wire.CallWire {
  sent: number
  /** The command each attempt sends (the SDK client only reads it). */
  readonly command: object
  readonly read: ((output: O, signal: AbortSignal) => Promise<A>) | undefined
  readonly body: ReturnType<typeof streamBodyOf>
  readonly clock: Clock.Clock
  readonly service: string
  readonly operation: string
  readonly resource: string | undefined
  readonly rules: AwsCall.Service["rules"]
  readonly timeoutMillis: number
  readonly onTimeout: () => CallError.CallError
}

/**
 * One attempt of the call, through `via` (the service's client, or its hedge client): numbered on the wire, under its
 * deadline. Interrupting the fiber (a cancelled caller, a hedge that lost) or passing the deadline aborts the HTTP
 * request through its signal.
 */
const attemptThrough = <O, A>(
  sending: Sending<O, A>,
  via: AwsCall.SdkClient
): Effect.Effect<A, CallError.CallError> => {
  const attempt = ++sending.sent
  const nowMillis = sending.clock.unsafeCurrentTimeMillis()
  const once = (abortSignal: AbortSignal) => request(sending, via, abortSignal, attempt)
  const { body, operation, resource, service } = sending
  return withDeadlineOn(
    sending.clock,
    body === undefined ? once : guardBody(body, once, (error) => bodyFailure({ service, operation, resource }, error)),
    (error) => classify(error, { service, operation, resource, nowMillis }, sending.rules),
    sending.timeoutMillis,
    sending.onTimeout
  )
}

/** Sends the attempt (its headers registered on its signal), and reads its output when the call reads one. */
const request = <O, A>(
  sending: Sending<O, A>,
  via: AwsCall.SdkClient,
  abortSignal: AbortSignal,
  attempt: number
): Promise<A> => {
  wire.register(abortSignal, sending, attempt)
  const sent = via.send(sending.command as never, { abortSignal }) as Promise<O>
  const read = sending.read
  return read === undefined ? sent as unknown as Promise<A> : sent.then((output) => read(output, abortSignal))
}

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
