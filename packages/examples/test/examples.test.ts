import { expect, layer } from "@effect/vitest"
import { Lab } from "@rebound/aws/testing"
import { RetryPolicy } from "@rebound/core"
import { Effect } from "effect"
import * as Composing from "../src/composing-policies.js"
import * as Decorator from "../src/decorator.js"
import * as Logging from "../src/logging-and-monitoring.js"

const fast = RetryPolicy.make({ name: "fast", maxAttempts: 6, base: "2 millis", throttling: { base: "5 millis" } })

layer(Lab.layerWithServices({}, { policy: fast }), { excludeTestServices: true, timeout: "60 seconds" })(
  "examples against the lab",
  (it) => {
    it.effect("the decorator: two SlowDowns absorbed, then a typed failure that says why it stopped", () =>
      Effect.gen(function*() {
        const result = yield* Decorator.program
        expect(result).toMatchObject({
          attempts: 3,
          failure: { tag: "ThrottlingError", code: "SlowDown", stopReason: "maxAttempts" },
          ok: true
        })
        expect(result.buckets).toContain("decorated-reports")
      }))

    it.effect("logging and monitoring: a span per call and attempt, an EMF line per call, the retries counted", () =>
      Effect.gen(function*() {
        const { emfLines, retries, spans } = yield* Logging.program
        expect(spans.filter((s) => s.name === "rebound.call")).toHaveLength(3)
        expect(spans.filter((s) => s.name === "rebound.attempt")).toHaveLength(6) // 4 for the first call, 1 each after
        expect(emfLines.map((l) => JSON.parse(l).Attempts)).toEqual([4, 1, 1])
        expect(retries).toBeGreaterThanOrEqual(2)
      }))

    it.effect("composing: per-service, per-operation and per-call policies, and one quota shared by the app", () =>
      Effect.gen(function*() {
        const result = yield* Composing.program
        expect(result).toMatchObject({
          put: { attempts: 6, policy: "ddb-put" },
          head: { attempts: 3, policy: "s3" },
          healthCheck: { attempts: 1, stopReason: "maxAttempts" },
          ok: true
        })
        expect(result.outage.at(-1)).toMatch(/quota\/1$/)
      }))
  }
)
