// The Lambda Invoke endpoint (LOCAL-AWS-LAB.md §4.2) on @effect/platform's HttpServer, with per-function reserved
// concurrency and invocation rate so throttling arises from load, and execution counts so tests can prove that
// nothing ran twice.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { InvalidOptionError } from "@rebound/core/InvalidOption"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import { hasProperty, isPromiseLike } from "effect/Predicate"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import * as http from "node:http"
import * as Capacity from "../Capacity.js"
import { LabError } from "../LabError.js"
import type * as LambdaServer from "../LambdaServer.js"
import { serviceError, type Wire } from "./encode.js"
import { parseFunctionName } from "./request.js"

interface Registration {
  readonly handler: LambdaServer.Handler
  readonly retryAfter: Duration.Duration | undefined
  readonly concurrency: Option.Option<Effect.Semaphore>
  readonly rate: Ref.Ref<Option.Option<Capacity.TokenBucket>>
  readonly counts: Ref.Ref<LambdaServer.ExecutionCounts>
}

const zero: LambdaServer.ExecutionCounts = {
  started: 0,
  completed: 0,
  failed: 0,
  throttled: 0,
  inFlight: 0,
  peakConcurrency: 0
}

const region = "us-east-1"
const account = "000000000000"
/** Real Lambda returns the last 4 KB of the log. */
const tailBytes = 4096

const wireResponse = (wire: Wire) =>
  HttpServerResponse.text(wire.body, {
    status: wire.status,
    headers: wire.headers,
    contentType: wire.headers["content-type"] ?? "application/json"
  })

const lambdaError = (
  requestId: string,
  status: number,
  code: string,
  message: string,
  extra?: Readonly<Record<string, string>>,
  headers?: Readonly<Record<string, string>>
) => {
  const wire = serviceError("lambda", { status, code, message }, {
    method: "POST",
    requestId,
    ...(extra ? { extra } : {})
  })
  return wireResponse({ ...wire, headers: { ...wire.headers, ...headers } })
}

const validate = (name: string, options: LambdaServer.FunctionOptions): InvalidOptionError | undefined => {
  const invalid = (field: string, value: unknown, expected: string) =>
    new InvalidOptionError({ constructorName: `LambdaServer.register(${name})`, field, value: String(value), expected })
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) return invalid("name", name, "1 to 64 letters, digits, '-' or '_'")
  const { ratePerSecond, reservedConcurrency } = options
  if (reservedConcurrency !== undefined && !(Number.isInteger(reservedConcurrency) && reservedConcurrency >= 0)) {
    return invalid("reservedConcurrency", reservedConcurrency, "an integer ≥ 0")
  }
  if (ratePerSecond !== undefined && !(Number.isFinite(ratePerSecond) && ratePerSecond >= 1)) {
    return invalid("ratePerSecond", ratePerSecond, "a finite number ≥ 1")
  }
  if (options.retryAfter !== undefined) {
    const decoded = Duration.decodeUnknown(options.retryAfter)
    if (Option.isNone(decoded) || !Duration.isFinite(decoded.value)) {
      return invalid("retryAfter", options.retryAfter, "a finite duration")
    }
  }
  return undefined
}

/** What Lambda's Node runtime reports for a thrown value. */
const errorPayload = (error: unknown) => {
  if (error instanceof Error) {
    const tag = hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : undefined
    return {
      errorType: tag ?? error.name,
      errorMessage: error.message,
      trace: (error.stack ?? "").split("\n").slice(1).map((line) => line.trim())
    }
  }
  if (hasProperty(error, "_tag") && typeof error._tag === "string") {
    return { errorType: error._tag, errorMessage: JSON.stringify(error), trace: [] }
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] }
}

/** Runs a handler returning a value, a promise or an Effect; a throw or a rejection is a failure. */
const runHandler = (
  handler: LambdaServer.Handler,
  event: unknown,
  context: LambdaServer.InvocationContext
): Effect.Effect<unknown, unknown> =>
  Effect.suspend(() => {
    const result = handler(event, context)
    if (Effect.isEffect(result)) return result as Effect.Effect<unknown, unknown>
    if (isPromiseLike(result)) return Effect.tryPromise({ try: () => Promise.resolve(result), catch: (e) => e })
    return Effect.succeed(result)
  }).pipe(Effect.catchAllDefect(Effect.fail))

const parseEvent = (bytes: Uint8Array): Option.Option<unknown> => {
  if (bytes.length === 0) return Option.some(null)
  try {
    return Option.some(JSON.parse(Buffer.from(bytes).toString("utf8")))
  } catch {
    return Option.none()
  }
}

export const make = (
  options?: LambdaServer.Options
): Effect.Effect<LambdaServer.LambdaServer, LabError, Scope.Scope> =>
  Effect.gen(function*() {
    const functions = yield* Ref.make(new Map<string, Registration>())

    const register = (name: string, handler: LambdaServer.Handler, fnOptions: LambdaServer.FunctionOptions = {}) =>
      Effect.gen(function*() {
        const error = validate(name, fnOptions)
        if (error) return yield* Effect.fail(error)
        const registration: Registration = {
          handler,
          retryAfter: fnOptions.retryAfter === undefined ? undefined : Duration.decode(fnOptions.retryAfter),
          concurrency: fnOptions.reservedConcurrency === undefined ?
            Option.none() :
            Option.some(yield* Effect.makeSemaphore(fnOptions.reservedConcurrency)),
          rate: yield* Ref.make(Option.none<Capacity.TokenBucket>()),
          counts: yield* Ref.make(zero)
        }
        if (fnOptions.ratePerSecond !== undefined) {
          const now = yield* Clock.currentTimeMillis
          yield* Ref.set(registration.rate, Option.some(Capacity.tokenBucket(fnOptions.ratePerSecond, "1 second", now)))
        }
        yield* Ref.update(functions, (current) => new Map(current).set(name, registration))
      })

    const executions = (name: string) =>
      Effect.flatMap(Ref.get(functions), (current) => {
        const registration = current.get(name)
        return registration ? Ref.get(registration.counts) : Effect.succeed(zero)
      })

    /** One execution, counted from start to end; an interrupted execution stays started but not completed. */
    const execute = (registration: Registration, event: unknown, context: LambdaServer.InvocationContext) =>
      Effect.acquireUseRelease(
        Ref.update(registration.counts, (c) => ({
          ...c,
          started: c.started + 1,
          inFlight: c.inFlight + 1,
          peakConcurrency: Math.max(c.peakConcurrency, c.inFlight + 1)
        })),
        () => Effect.exit(runHandler(registration.handler, event, context)),
        (_, exit) =>
          Ref.update(registration.counts, (c) => {
            const interrupted = Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
            const failed = Exit.isSuccess(exit) && Exit.isFailure(exit.value)
            return {
              ...c,
              inFlight: c.inFlight - 1,
              completed: c.completed + (interrupted ? 0 : 1),
              failed: c.failed + (failed ? 1 : 0)
            }
          })
      )

    const background = yield* FiberSet.make<unknown, unknown>()

    const throttled = (registration: Registration, requestId: string, reason: string) =>
      Effect.as(
        Ref.update(registration.counts, (c) => ({ ...c, throttled: c.throttled + 1 })),
        lambdaError(
          requestId,
          429,
          "TooManyRequestsException",
          "Rate Exceeded.",
          { Reason: reason },
          registration.retryAfter === undefined ?
            undefined :
            { "retry-after": String(Math.ceil(Duration.toSeconds(registration.retryAfter))) }
        )
      )

    const invoke = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const params = yield* HttpRouter.params
      const requestId = crypto.randomUUID()
      const fn = parseFunctionName(params.functionName ?? "")
      const qualifier = new URL(request.url, "http://lab.invalid").searchParams.get("Qualifier") ?? fn.qualifier ??
        "$LATEST"
      const registration = (yield* Ref.get(functions)).get(fn.name)
      if (registration === undefined) {
        return lambdaError(
          requestId,
          404,
          "ResourceNotFoundException",
          `Function not found: arn:aws:lambda:${region}:${account}:function:${fn.name}${
            qualifier === "$LATEST" ? "" : `:${qualifier}`
          }`
        )
      }
      const invocationType = request.headers["x-amz-invocation-type"] ?? "RequestResponse"
      const idHeaders = { "x-amzn-requestid": requestId }
      if (invocationType === "DryRun") return HttpServerResponse.empty({ status: 204, headers: idHeaders })
      if (invocationType !== "RequestResponse" && invocationType !== "Event") {
        return lambdaError(
          requestId,
          400,
          "InvalidParameterValueException",
          `Unsupported invocation type: ${invocationType}`
        )
      }
      const bytes = new Uint8Array(yield* request.arrayBuffer)
      const event = parseEvent(bytes)
      if (Option.isNone(event)) {
        return lambdaError(
          requestId,
          400,
          "InvalidRequestContentException",
          "Could not parse request body into json: Unrecognized token"
        )
      }
      const logs: Array<string> = [`START RequestId: ${requestId} Version: ${qualifier}`]
      const context: LambdaServer.InvocationContext = {
        functionName: fn.name,
        qualifier,
        requestId,
        invocationType,
        log: (line) => {
          logs.push(line)
        }
      }

      if (invocationType === "Event") {
        // Lambda queues asynchronous events and runs them when a concurrency slot is free; the caller gets 202 at once.
        const run = execute(registration, event.value, context)
        yield* FiberSet.run(
          background,
          Option.match(registration.concurrency, { onNone: () => run, onSome: (s) => s.withPermits(1)(run) })
        )
        return HttpServerResponse.empty({ status: 202, headers: idHeaders })
      }

      const rate = yield* Ref.get(registration.rate)
      if (Option.isSome(rate)) {
        const now = yield* Clock.currentTimeMillis
        const [granted, after] = Capacity.take(rate.value, 1, now)
        yield* Ref.set(registration.rate, Option.some(after))
        if (granted === 0) {
          return yield* throttled(registration, requestId, "ReservedFunctionInvocationRateLimitExceeded")
        }
      }
      const started = yield* Clock.currentTimeMillis
      const outcome = yield* Option.match(registration.concurrency, {
        onNone: () => Effect.map(execute(registration, event.value, context), Option.some),
        onSome: (s) => s.withPermitsIfAvailable(1)(execute(registration, event.value, context))
      })
      if (Option.isNone(outcome)) {
        return yield* throttled(registration, requestId, "ReservedFunctionConcurrentInvocationLimitExceeded")
      }
      const finished = yield* Clock.currentTimeMillis

      let payload: string
      let functionError = false
      const exit = outcome.value
      if (Exit.isSuccess(exit)) {
        try {
          payload = JSON.stringify(exit.value === undefined ? null : exit.value) ?? "null"
        } catch (error) {
          functionError = true
          payload = JSON.stringify({ ...errorPayload(error), errorType: "Runtime.MarshalError" })
        }
      } else {
        functionError = true
        const error = errorPayload(Cause.squash(exit.cause))
        logs.push(
          `ERROR Invoke Error ${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage })}`
        )
        payload = JSON.stringify(error)
      }
      logs.push(`END RequestId: ${requestId}`, `REPORT RequestId: ${requestId}\tDuration: ${finished - started} ms`)
      const tail = request.headers["x-amz-log-type"] === "Tail" ?
        { "x-amz-log-result": Buffer.from(`${logs.join("\n")}\n`).subarray(-tailBytes).toString("base64") } :
        {}
      return HttpServerResponse.text(payload, {
        status: 200,
        contentType: "application/json",
        headers: {
          ...idHeaders,
          "x-amz-executed-version": qualifier,
          ...(functionError ? { "x-amz-function-error": "Unhandled" } : {}),
          ...tail
        }
      })
    }).pipe(
      Effect.catchTag(
        "RequestError",
        (error) => lambdaError(crypto.randomUUID(), 400, "InvalidRequestContentException", error.message)
      )
    )

    const unknownOperation = Effect.sync(() =>
      lambdaError(crypto.randomUUID(), 404, "UnknownOperationException", "Unknown operation")
    )

    const app = HttpRouter.empty.pipe(
      HttpRouter.post("/2015-03-31/functions/:functionName/invocations", invoke),
      HttpRouter.all("*", unknownOperation)
    )

    const nodeServer = http.createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { host: "127.0.0.1", port: 0 }).pipe(
      Effect.mapError((cause) => new LabError({ component: "lambda", action: "listen on 127.0.0.1", cause }))
    )
    // Runs before the platform's close(): open keep-alive and in-flight connections would otherwise hold it open.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* server.serve(app)
    const address = server.address
    if (address._tag !== "TcpAddress") {
      return yield* new LabError({ component: "lambda", action: "listen on 127.0.0.1", cause: "not a TCP address" })
    }

    for (const [name, definition] of Object.entries(options?.functions ?? {})) {
      const { handler, ...fnOptions } = typeof definition === "function" ? { handler: definition } : definition
      yield* register(name, handler, fnOptions).pipe(
        Effect.mapError((cause) => new LabError({ component: "lambda", action: `register function ${name}`, cause }))
      )
    }

    return {
      url: `http://${address.hostname}:${address.port}`,
      register,
      executions
    }
  })
