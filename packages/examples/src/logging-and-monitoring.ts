/**
 * Logging and monitoring, the boto3 guide's "Validating Retry Logic" done in rebound: every retry in the log (the
 * guide turns on DEBUG for the whole SDK instead), metrics you can alarm on, EMF lines that CloudWatch turns into
 * metrics, and OpenTelemetry spans for each call and each attempt — for reads from a lab table that the proxy throttles.
 *
 * Run it: `pnpm example:logging`
 *
 * @since 0.1.0
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor
} from "@opentelemetry/sdk-trace-base"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { Fault, Lab, type LabError } from "@rebound/aws/testing"
import { type CallError, Emf, Presets, RetryPolicy, RetryTelemetry } from "@rebound/core"
import { Console, Effect, Layer, Logger, LogLevel, Metric } from "effect"
import { runMain } from "./internal/run.js"

/**
 * What the example observed, so a test can check it.
 *
 * @since 0.1.0
 */
export interface Observed {
  readonly spans: ReadonlyArray<ReadableSpan>
  readonly emfLines: ReadonlyArray<string>
  readonly retries: number
}

/**
 * Reads from a lab table the proxy throttles twice and fails once with a 503, with every kind of telemetry on.
 *
 * @since 0.1.0
 */
export const program: Effect.Effect<Observed, CallError.CallError | LabError.LabError, Lab.Lab | DynamoDB.DynamoDB> =
  Effect
    .gen(function*() {
      const lab = yield* Lab.Lab
      const ddb = yield* DynamoDB.DynamoDB
      yield* lab.createTable("telemetry")
      // 1. OpenTelemetry: rebound's spans go to any OpenTelemetry exporter through @effect/opentelemetry.
      const exporter = new InMemorySpanExporter()
      const tracing = OtelTracer.layer.pipe(
        Layer.provide(Layer.succeed(
          OtelTracer.OtelTracerProvider,
          new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
        )),
        Layer.provide(OtelResource.layer({ serviceName: "orders" }))
      )
      // 2. EMF: one JSON line per call; in Lambda, write them to stdout and CloudWatch extracts the metrics.
      const emfLines: Array<string> = []
      const emf = Emf.layer({
        namespace: "orders",
        write: (line) => Effect.sync(() => emfLines.push(line)).pipe(Effect.zipRight(Console.log(line)))
      })
      yield* Effect.orDie(lab.push(
        { service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 2 },
        { service: "dynamodb", operation: "GetItem", fault: Fault.serverError(503), times: 1 }
      ))
      const policy = RetryPolicy.modify(Presets.awsJs2026DynamoDB, {
        maxAttempts: 5,
        base: "5 millis",
        throttling: { base: "20 millis" }
      })
      const get = ddb.send(new GetItemCommand({ TableName: "telemetry", Key: { pk: { S: "o-1" } } }), { policy })
      yield* Effect.repeatN(get, 2).pipe(
        // 3. Logs and metrics through Effect's Logger and Metric.
        Effect.provide(RetryTelemetry.layer),
        Effect.provide(emf),
        Effect.provide(tracing),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      const retries = yield* Metric.value(
        Metric.tagged(
          Metric.tagged(Metric.tagged(RetryTelemetry.retries, "service", "DynamoDB"), "operation", "GetItem"),
          "failure_class",
          "throttling"
        )
      )
      yield* Console.log(`rebound_retries_total{service="DynamoDB",failure_class="throttling"} = ${retries.count}`)
      const spans = exporter.getFinishedSpans()
      for (const span of spans) yield* Console.log(`span ${span.name} ${JSON.stringify(span.attributes)}`)
      return { spans, emfLines, retries: retries.count } satisfies Observed
    })

// Spans are live SDK objects (circular); print what they say.
runMain(import.meta, program, {
  show: ({ emfLines, retries, spans }) => ({
    spans: spans.map((span) => ({ name: span.name, attributes: span.attributes })),
    emfLines: emfLines.length,
    retries
  })
})
