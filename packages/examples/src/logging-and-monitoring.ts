/**
 * Logging and monitoring, the boto3 guide's "Validating Retry Logic" done in rebound: every retry in the log (the
 * guide turns on DEBUG for the whole SDK instead), metrics you can alarm on, EMF lines that CloudWatch turns into
 * metrics, and OpenTelemetry spans for each call and each attempt.
 *
 * Run it: `pnpm example:logging`
 *
 * @since 0.1.0
 */
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor
} from "@opentelemetry/sdk-trace-base"
import { Emf, Presets, RetryPolicy, RetryTelemetry } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Console, Effect, Layer, Logger, LogLevel, Metric, Random } from "effect"
import { pathToFileURL } from "node:url"

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
 * Runs three calls of a flaky DynamoDB-like operation under the AWS 2026 policy with every kind of telemetry on.
 *
 * @since 0.1.0
 */
export const program = Effect.gen(function*() {
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

  // A call that is throttled twice, then fails transiently, then succeeds — scripted, so the run is deterministic.
  const script = yield* Testing.scripted(["throttle", "throttle", "transient", "success"])
  const call = RetryPolicy.retry(script.call, RetryPolicy.modify(Presets.awsJs2026DynamoDB, { maxAttempts: 5 }), {
    service: "DynamoDB",
    operation: "GetItem",
    resource: "orders"
  })
  yield* Effect.repeatN(call, 2).pipe(
    // 3. Logs and metrics through Effect's Logger and Metric.
    Effect.provide(RetryTelemetry.layer),
    Effect.provide(emf),
    Effect.provide(tracing),
    Logger.withMinimumLogLevel(LogLevel.Debug),
    Effect.withRandom(Random.make("logging-example"))
  )
  const retries = yield* Metric.value(
    Metric.tagged(
      Metric.tagged(Metric.tagged(RetryTelemetry.retries, "service", "DynamoDB"), "operation", "GetItem"),
      "failure_class",
      "throttling"
    )
  )
  yield* Console.log(`rebound_retries_total{failure_class="throttling"} = ${retries.count}`)
  const spans = exporter.getFinishedSpans()
  for (const span of spans) {
    yield* Console.log(`span ${span.name} ${JSON.stringify(span.attributes)}`)
  }
  return { spans, emfLines, retries: retries.count } satisfies Observed
})

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  Effect.runPromise(program).then(() => undefined, (e) => {
    console.error(e)
    process.exitCode = 1
  })
}
