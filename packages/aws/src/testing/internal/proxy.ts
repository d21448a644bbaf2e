// The fault proxy: one `node:http` listener per service on 127.0.0.1, all sharing one controller.
//
// It uses `node:http` directly, not @effect/platform's HttpServer, because several faults need the raw socket: a TCP
// reset before forwarding (`socket.resetAndDestroy()`), a reset after the upstream answered, and a stall that keeps
// the connection open without answering. The request body is always read completely before a fault applies.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"
import type * as Fault from "../Fault.js"
import type * as FaultProxy from "../FaultProxy.js"
import { LabError } from "../LabError.js"
import * as batch from "./batch.js"
import * as controller from "./controller.js"
import { encode, type Wire } from "./encode.js"
import { classify, type RequestInfo } from "./request.js"

interface Answer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders | Readonly<Record<string, string>>
  readonly body: Buffer
  /** The upstream's status, when the request reached it. */
  readonly upstreamStatus: number | undefined
  readonly capacity: FaultProxy.LogEntry["capacity"]
  readonly unprocessed: number
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"])

const readBody = (req: http.IncomingMessage) =>
  Effect.async<Buffer, Error>((resume) => {
    const chunks: Array<Buffer> = []
    let done = false
    const finish = (effect: Effect.Effect<Buffer, Error>) => {
      if (done) return
      done = true
      resume(effect)
    }
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => finish(Effect.succeed(Buffer.concat(chunks))))
    req.once("error", (error) => finish(Effect.fail(error)))
    req.once("close", () => {
      if (!req.complete) finish(Effect.fail(new Error("the client went away before sending the whole body")))
    })
  })

const fromWire = (wire: Wire, capacity: FaultProxy.LogEntry["capacity"]): Answer => ({
  status: wire.status,
  headers: wire.headers,
  body: Buffer.from(wire.body),
  upstreamStatus: undefined,
  capacity,
  unprocessed: 0
})

/** Writes an answer unless the client has gone; returns the status sent, or undefined. */
const send = (req: http.IncomingMessage, res: http.ServerResponse, answer: Answer): number | undefined => {
  if (res.destroyed || res.writableEnded || req.socket.destroyed) return undefined
  const headers: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !hopByHop.has(name.toLowerCase())) headers[name] = value
  }
  if (req.method === "HEAD") {
    // A HEAD answer has no body, but its content-length describes the object; keep the upstream's.
    const length = answer.headers["content-length"]
    if (length !== undefined) headers["content-length"] = length
    res.writeHead(answer.status, headers)
    res.end()
  } else {
    headers["content-length"] = answer.body.length
    res.writeHead(answer.status, headers)
    res.end(answer.body)
  }
  return answer.status
}

/** A TCP reset: the client sees ECONNRESET, with no HTTP answer. */
const reset = (req: http.IncomingMessage) => Effect.sync(() => req.socket.resetAndDestroy())

const listenOne = (
  service: Fault.Service,
  upstream: string,
  brain: controller.Controller,
  port: number
): Effect.Effect<string, LabError, Scope.Scope> =>
  Effect.gen(function*() {
    const target = new URL(upstream)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new http.Agent({ keepAlive: true })),
      (agent) => Effect.sync(() => agent.destroy())
    )

    const forward = (req: http.IncomingMessage, body: Buffer) =>
      Effect.async<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }, Error>((resume) => {
        // Every request header goes through unchanged, Host included: SigV4 signs it and s3rver checks signatures.
        // `expect` is dropped (the body is already here, and SigV4 never signs it); a rewritten or chunked body gets
        // its real length.
        const headers: http.OutgoingHttpHeaders = { ...req.headers }
        delete headers.expect
        const chunked = headers["transfer-encoding"] !== undefined
        delete headers["transfer-encoding"]
        if (chunked || headers["content-length"] !== undefined) headers["content-length"] = body.length
        const outgoing = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
          (incoming) => {
            const chunks: Array<Buffer> = []
            incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
            incoming.once("end", () =>
              resume(Effect.succeed({
                status: incoming.statusCode ?? 502,
                headers: incoming.headers,
                body: Buffer.concat(chunks)
              })))
            incoming.once("error", (error) => resume(Effect.fail(error)))
          }
        )
        outgoing.once("error", (error) => resume(Effect.fail(error)))
        outgoing.end(body)
        return Effect.sync(() => outgoing.destroy())
      })

    /** What the service answers: capacity may refuse or split the request, then the upstream does the work. */
    const serve = (
      req: http.IncomingMessage,
      info: RequestInfo,
      body: Buffer,
      requestId: string,
      presplit?: batch.Split
    ) =>
      Effect.gen(function*() {
        // A scripted `Unprocessed` fault decides the split itself; capacity is not consulted then.
        const admission = presplit !== undefined ?
          { _tag: "Forward", body: Buffer.from(JSON.stringify(presplit.forward)), split: presplit } as const :
          yield* brain.admit(info)
        if (admission._tag === "Refuse") {
          return fromWire(encode(service, admission.fault, { method: info.method, requestId }), "throttled")
        }
        const result = yield* Effect.either(forward(req, admission.body ?? body))
        if (result._tag === "Left") {
          // The local server is unreachable: answer as a gateway would, in the service's own error format.
          return fromWire(
            encode(service, { _tag: "ServerError", status: 502 }, { method: info.method, requestId }),
            undefined
          )
        }
        const upstreamAnswer = result.right
        const split = admission.split
        if (split === undefined || upstreamAnswer.status !== 200) {
          return {
            ...upstreamAnswer,
            upstreamStatus: upstreamAnswer.status,
            capacity: split ? "split" : undefined,
            unprocessed: 0
          } satisfies Answer
        }
        const merged = Buffer.from(JSON.stringify(
          batch.mergeUnprocessed(info.operation, JSON.parse(upstreamAnswer.body.toString("utf8")), split.unprocessed)
        ))
        const headers = { ...upstreamAnswer.headers }
        if (headers["x-amz-crc32"] !== undefined) headers["x-amz-crc32"] = String(zlib.crc32(merged))
        return {
          status: 200,
          headers,
          body: merged,
          upstreamStatus: 200,
          capacity: "split",
          unprocessed: split.unprocessedCount
        } satisfies Answer
      })

    const handle = (req: http.IncomingMessage, res: http.ServerResponse) =>
      Effect.gen(function*() {
        req.on("error", () => {}) // a client reset must not crash the lab
        res.on("error", () => {})
        const body = yield* readBody(req)
        const time = yield* Clock.currentTimeMillis
        const info = classify(service, req, body)
        const decision = yield* brain.decide(info)
        const requestId = crypto.randomUUID()
        const fault = decision.fault
        const record = (fields: { readonly status?: number | undefined; readonly answer?: Answer | undefined }) =>
          brain.record(decision.generation, {
            time,
            service,
            operation: info.operation,
            resource: info.resource,
            attempt: decision.attempt,
            action: fault?._tag ?? (fields.answer?.capacity === "throttled" ? "Throttle" : "forward"),
            source: decision.source ?? (fields.answer?.capacity !== undefined ? "capacity" : undefined),
            capacity: fields.answer?.capacity,
            status: fields.status,
            upstreamStatus: fields.answer?.upstreamStatus,
            unprocessed: fields.answer?.unprocessed ?? 0
          })

        switch (fault?._tag) {
          case "ResetBeforeForward":
            yield* reset(req)
            return yield* record({})
          case "Stall":
            // Neither answer nor forward; the client's timeout (or the lab's shutdown) ends the connection.
            return yield* record({})
          case "Throttle":
          case "ServerError":
          case "HtmlPage":
          case "Synthetic": {
            const answer = fromWire(encode(service, fault, { method: info.method, requestId }), undefined)
            return yield* record({ status: send(req, res, answer) })
          }
          case "ResetAfterForward": {
            const answer = yield* serve(req, info, body, requestId)
            yield* reset(req)
            return yield* record({ answer })
          }
          case "Unprocessed": {
            const demand = batch.demandOf(info.operation, info.json)
            const presplit = demand?.batch === true ?
              batch.splitBatch(
                info.operation,
                info.json,
                new Map(demand.tables.map(([table, n]) => [table, n - Math.floor(n * fault.fraction)]))
              ) :
              undefined
            if (presplit !== undefined && Object.keys(presplit.forward.RequestItems as object).length === 0) {
              // Nothing left to forward: answer as DynamoDB does when it processed none of the batch.
              const field = info.operation === "BatchWriteItem" ? "UnprocessedItems" : "UnprocessedKeys"
              const none = {
                ...(info.operation === "BatchGetItem" ? { Responses: {} } : {}),
                [field]: presplit.unprocessed
              }
              const answer = fromWire(
                encode(service, { _tag: "Synthetic", status: 200, body: JSON.stringify(none), headers: {} }, {
                  method: info.method,
                  requestId
                }),
                undefined
              )
              return yield* record({ answer, status: send(req, res, answer) })
            }
            const answer = yield* serve(req, info, body, requestId, presplit)
            return yield* record({ answer, status: send(req, res, answer) })
          }
          case "Delay": {
            if (fault.phase === "beforeForward") yield* Effect.sleep(fault.duration)
            // A tail delay outlived by its client (a hedge won, a timeout): the request is not sent on.
            if (decision.source === "tail" && (req.socket.destroyed || res.destroyed)) return yield* record({})
            const answer = yield* serve(req, info, body, requestId)
            if (fault.phase === "afterForward") yield* Effect.sleep(fault.duration)
            return yield* record({ answer, status: send(req, res, answer) })
          }
          case undefined: {
            const answer = yield* serve(req, info, body, requestId)
            return yield* record({ answer, status: send(req, res, answer) })
          }
        }
      }).pipe(
        // The client went away while its body was still arriving: nothing to answer, nothing to log.
        Effect.catchAll(() => Effect.sync(() => req.socket.destroy())),
        // A bug in the lab must not leave the client waiting: it sees a dropped connection instead.
        Effect.catchAllDefect((defect) =>
          Effect.zipRight(
            Effect.sync(() => req.socket.destroy()),
            Effect.logError("rebound lab proxy: a request failed unexpectedly", defect)
          )
        )
      )

    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server, LabError>((resume) => {
        const server = http.createServer()
        server.once("error", (cause) =>
          resume(
            Effect.fail(
              new LabError({
                component: "proxy",
                action: `listen for ${service} on 127.0.0.1${port === 0 ? "" : `:${port}`}`,
                cause
              })
            )
          ))
        try {
          server.listen(port, "127.0.0.1", () => resume(Effect.succeed(server)))
        } catch (cause) {
          // A port out of range is refused synchronously.
          resume(
            Effect.fail(new LabError({ component: "proxy", action: `listen for ${service} on port ${port}`, cause }))
          )
        }
      }),
      (server) =>
        Effect.async<void>((resume) => {
          // Stalled and keep-alive connections would hold close() open; the lab is going away, so cut them.
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      run(handle(req, res))
    })
    const address = server.address() as AddressInfo
    return `http://${address.address}:${address.port}`
  })

/** The proxy: a controller and one listener per upstream. */
export const make = <S extends Fault.Service>(
  upstreams: Readonly<Record<S, string>>,
  ports: Partial<Readonly<Record<S, number>>> = {}
): Effect.Effect<FaultProxy.FaultProxy<S>, LabError, Scope.Scope> =>
  Effect.gen(function*() {
    const brain = yield* controller.make
    const entries = Object.entries(upstreams) as Array<[S, string]>
    const urls = yield* Effect.forEach(
      entries,
      ([service, upstream]) => listenOne(service, upstream, brain, ports[service] ?? 0),
      { concurrency: "unbounded" }
    )
    const endpoints = Object.fromEntries(entries.map(([service], i) => [service, urls[i]!])) as Record<S, string>
    return {
      endpoints,
      push: brain.push,
      chaos: brain.chaos,
      latencyTail: brain.latencyTail,
      setTable: brain.setTable,
      setPrefix: brain.setPrefix,
      clear: brain.clear,
      pending: brain.pending,
      log: brain.log
    }
  })
