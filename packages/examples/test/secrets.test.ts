// No secret in any rendering of a failure. Real SDK clients sign requests with fake credentials and send them to a
// server on loopback that echoes them back the ways a service can — in its message (DynamoDB quotes the canonical
// request, security token included, on a bad signature), in modeled members (S3's AWSAccessKeyId, StringToSign,
// SignatureProvided), in response headers — while every exporter and logger rebound documents is installed. Then
// everything they wrote, and every way the failures can be rendered, is searched for the credentials.
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { InvokeCommand } from "@aws-sdk/client-lambda"
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3"
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import { describe, expect, it, vi } from "@effect/vitest"
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { AwsError, ClientConfig } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as Lambda from "@rebound/aws/Lambda"
import * as S3 from "@rebound/aws/S3"
import { CallError, Emf, RetryAsync, RetryEvent, RetryPolicy, RetryTelemetry } from "@rebound/core"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Metric } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import * as util from "node:util"

const credentials = {
  accessKeyId: "AKIAFAKEACCESSKEY123",
  secretAccessKey: "fakeSecretAccessKey/abc+XYZ",
  sessionToken: "FQoGZXIvYXdzEFAKESESSIONTOKEN0123456789"
}

/** What the server saw of the credentials: every Authorization header it received. */
const authorizations: Array<string> = []

const canonicalEcho = (req: http.IncomingMessage) =>
  `POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:${req.headers.host}\nx-amz-date:${
    req.headers["x-amz-date"]
  }\nx-amz-security-token:${req.headers["x-amz-security-token"]}\n\ncontent-type;host;x-amz-date;x-amz-security-token`

/** Answers DynamoDB, S3 and Lambda requests with errors that echo the request's credentials. */
const echoingServer = Effect.acquireRelease(
  Effect.async<{ readonly endpoint: string; readonly close: () => void }>((resume) => {
    let n = 0
    const server = http.createServer((req, res) => {
      req.resume()
      req.on("end", () => {
        const authorization = String(req.headers.authorization)
        authorizations.push(authorization)
        const requestId = `REQ-${++n}`
        const echo = {
          "x-amzn-requestid": requestId,
          "x-amz-request-id": requestId,
          "x-echo-authorization": authorization,
          "x-echo-token": String(req.headers["x-amz-security-token"])
        }
        const target = String(req.headers["x-amz-target"] ?? "")
        if (target.endsWith(".GetItem") || target.endsWith(".PutItem")) {
          const code = target.endsWith(".GetItem") ? "ThrottlingException" : "InvalidSignatureException"
          res.writeHead(400, { ...echo, "content-type": "application/x-amz-json-1.0" })
          res.end(JSON.stringify({
            __type: `com.amazon.coral.service#${code}`,
            message: "The request signature we calculated does not match the signature you provided. " +
              `The Canonical String for this request should have been\n'${canonicalEcho(req)}'\n\n` +
              `The String-to-Sign should have been\n'${authorization.split(",")[0]}'\n\nAuthorization: ${authorization}`
          }))
          return
        }
        if (req.url?.startsWith("/2015-03-31/functions/")) {
          res.writeHead(500, { ...echo, "content-type": "application/json", "x-amzn-errortype": "ServiceException" })
          res.end(JSON.stringify({ Type: "Service", message: `internal error for ${authorization}` }))
          return
        }
        // S3: a bad signature, answered the way S3 answers it.
        const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? ""
        res.writeHead(403, { ...echo, "content-type": "application/xml" })
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>` +
            `<Message>The request signature we calculated does not match the signature you provided.</Message>` +
            `<AWSAccessKeyId>${credentials.accessKeyId}</AWSAccessKeyId>` +
            `<StringToSign>AWS4-HMAC-SHA256\n20261129T060000Z\n20261129/us-east-1/s3/aws4_request\n${signature}</StringToSign>` +
            `<SignatureProvided>${signature}</SignatureProvided>` +
            `<CanonicalRequest>GET\n/\n\nx-amz-security-token:${credentials.sessionToken}</CanonicalRequest>` +
            `<RequestId>${requestId}</RequestId></Error>`
        )
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      resume(Effect.succeed({
        endpoint: `http://127.0.0.1:${port}`,
        close: () => {
          server.closeAllConnections()
          server.close()
        }
      }))
    })
  }),
  (server) => Effect.sync(() => server.close())
)

const policy = RetryPolicy.make({ name: "secrets", maxAttempts: 3, base: "1 millis", throttling: { base: "1 millis" } })

describe("no secret in any rendering of a failure", () => {
  it.live("logs at debug, Cause.pretty, util.inspect, console.log, OpenTelemetry, EMF, events, metrics, JSON and rejections", () =>
    Effect.gen(function*() {
      const server = yield* echoingServer
      const reach = { region: "us-east-1", endpoint: server.endpoint, credentials, policy }

      // Every sink rebound documents, at once.
      const written: Array<string> = []
      const keep = (...args: ReadonlyArray<unknown>) => {
        written.push(args.map((a) => (typeof a === "string" ? a : util.inspect(a, { depth: Infinity }))).join(" "))
      }
      for (const method of ["log", "info", "warn", "error", "debug", "trace", "dir"] as const) {
        const spy = vi.spyOn(console, method).mockImplementation(keep)
        yield* Effect.addFinalizer(() => Effect.sync(() => spy.mockRestore()))
      }
      const exporter = new InMemorySpanExporter()
      const tracing = OtelTracer.layer.pipe(
        Layer.provide(Layer.succeed(
          OtelTracer.OtelTracerProvider,
          new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
        )),
        Layer.provide(OtelResource.layer({ serviceName: "secrets" }))
      )
      const sinks = Layer.mergeAll(
        RetryTelemetry.layer,
        Emf.layer({ namespace: "secrets", write: (line) => Effect.sync(() => written.push(line)) }),
        RetryEvent.addObserver((event) => Effect.sync(() => written.push(JSON.stringify(event)))),
        tracing,
        Logger.replace(Logger.defaultLogger, Logger.defaultLogger),
        Logger.add(Logger.withConsoleLog(Logger.jsonLogger)),
        Logger.add(Logger.withConsoleLog(Logger.logfmtLogger)),
        Logger.add(Logger.structuredLogger.pipe(Logger.map((entry) => written.push(JSON.stringify(entry))))),
        Logger.add(Logger.prettyLogger({ colors: false }))
      )
      const services = Layer.mergeAll(
        DynamoDB.layer(reach),
        S3.layer({ ...reach, sdk: { forcePathStyle: true } }),
        Lambda.layer(reach)
      )

      // Each call fails; the application logs the failure and its cause, inside a span of its own.
      const calls: ReadonlyArray<
        Effect.Effect<unknown, CallError.CallError, DynamoDB.DynamoDB | S3.S3 | Lambda.Lambda>
      > = [
        Effect.flatMap(
          DynamoDB.DynamoDB,
          (ddb) => ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }))
        ),
        Effect.flatMap(
          DynamoDB.DynamoDB,
          (ddb) => ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "o-1" } } }))
        ),
        Effect.flatMap(S3.S3, (s3) => s3.getObject({ Bucket: "reports", Key: "r.csv" })),
        Effect.flatMap(Lambda.Lambda, (lambda) => lambda.send(new InvokeCommand({ FunctionName: "f" })))
      ]
      const failures: Array<CallError.CallError> = []
      const renderings: Array<string> = []
      for (const call of calls) {
        const exit = yield* call.pipe(
          Effect.tapErrorCause((cause) => Effect.logError("call failed", cause)),
          Effect.tapError((failure) => Effect.logDebug(failure)),
          Effect.withSpan("app.call"),
          Effect.provide(services),
          Effect.provide(sinks),
          Logger.withMinimumLogLevel(LogLevel.All),
          Effect.exit
        )
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isSuccess(exit)) continue
        renderings.push(Cause.pretty(exit.cause), Cause.pretty(exit.cause, { renderErrorCause: true }))
        const failure = Cause.failureOption(exit.cause)
        if (failure._tag === "Some" && CallError.isCallError(failure.value)) failures.push(failure.value)
        // The rejection of runPromise, as a caller outside Effect meets it.
        const rejection = yield* Effect.promise(() => Effect.runPromise(Effect.failCause(exit.cause)).catch((e) => e))
        renderings.push(
          String(rejection),
          (rejection as Error).stack ?? "",
          util.inspect(rejection, { depth: Infinity })
        )
      }

      // The Promise face with a plain client, as the decorator example uses it.
      const s3 = new S3Client({ ...ClientConfig.owned({ ...reach }), forcePathStyle: true })
      yield* Effect.addFinalizer(() => Effect.sync(() => s3.destroy()))
      const rejected = yield* Effect.promise(() =>
        RetryAsync.retryAsync(({ signal }) => s3.send(new ListBucketsCommand({}), { abortSignal: signal }), policy, {
          classify: AwsError.classifier({ service: "S3", operation: "ListBuckets" })
        }).then(() => undefined, (e: unknown) => e as CallError.CallError)
      )
      if (rejected !== undefined) failures.push(rejected)
      console.log(rejected) // what an application does with it

      expect(failures.map((f) => `${f.service}.${f.operation} ${f.code}`)).toEqual([
        "DynamoDB.GetItem ThrottlingException",
        "DynamoDB.PutItem InvalidSignatureException",
        "S3.GetObject SignatureDoesNotMatch",
        "Lambda.Invoke ServiceException",
        "S3.ListBuckets SignatureDoesNotMatch"
      ])
      for (const failure of failures) {
        renderings.push(
          failure.message,
          String(failure),
          failure.stack ?? "",
          JSON.stringify(failure),
          util.inspect(failure, { depth: Infinity }),
          util.inspect(failure, { depth: Infinity, showHidden: true }),
          util.format("%o %O %s %j", failure, failure, failure, failure),
          util.inspect(failure.cause, { depth: Infinity }),
          String(failure.detail)
        )
      }
      const spans = exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status
      }))
      const exceptions = spans.flatMap((s) => s.events).filter((e) =>
        e.name !== undefined && e.attributes !== undefined
      )
      expect(exceptions.some((e) => typeof e.attributes?.["exception.stacktrace"] === "string")).toBe(true)
      const metrics = Metric.unsafeSnapshot().map((m) => [m.metricKey.name, m.metricKey.tags, String(m.metricState)])
      const everything = [...written, ...renderings, JSON.stringify(spans), JSON.stringify(metrics)].join("\n")

      // The search is real: what debugging needs is there, the failures reached every sink, and the server did echo.
      expect(authorizations.length).toBeGreaterThanOrEqual(7)
      for (const needed of ["ThrottlingException", "SignatureDoesNotMatch", "HTTP 403", "REQ-1", "RetriesExhausted"]) {
        expect(everything.includes(needed), needed).toBe(true)
      }
      expect(everything.includes("rebound.call")).toBe(true) // a span
      expect(everything.includes("gave up after 3 attempts")).toBe(true) // a log line
      const signatures = authorizations.map((a) => /Signature=([0-9a-f]+)/.exec(a)?.[1] ?? "")
      const secrets: ReadonlyArray<readonly [string, string]> = [
        ["access key id", credentials.accessKeyId],
        ["secret access key", credentials.secretAccessKey],
        ["session token", credentials.sessionToken],
        ...signatures.map((s, i) => [`signature ${i}`, s] as const),
        ...authorizations.map((a, i) => [`Authorization header ${i}`, a] as const)
      ]
      for (const [kind, secret] of secrets) {
        expect(secret.length).toBeGreaterThan(15)
        expect(everything.includes(secret), `${kind} leaked`).toBe(false)
      }
      // The service's message is still there for the caller who reads it, with the credentials scrubbed.
      const putFailure = failures[1]!
      expect(putFailure.detail).toContain("The Canonical String for this request should have been")
      expect(putFailure.detail).toContain("[redacted]")
    }).pipe(Effect.scoped))
})
