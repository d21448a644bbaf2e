import { expect, layer } from "@effect/vitest"
import { Lab } from "@rebound/aws/testing"
import { LatencyTail } from "@rebound/core/testing"
import { Effect } from "effect"
import * as HedgedReads from "../src/hedged-reads.js"

// `pnpm example:hedging`, small: behaviour only (what was sent, what won, what was aborted), never how long anything
// took — the latency numbers are `pnpm bench:hedging`'s to report.

layer(Lab.layerWithServices(), { excludeTestServices: true, timeout: "120 seconds" })(
  "the hedged reads example",
  (it) => {
    it.effect("hedges fire and win, losers are aborted at the proxy, extra requests stay within the budget", () =>
      Effect.gen(function*() {
        const calls = 150
        const result = yield* HedgedReads.program({
          calls,
          rate: 50,
          tail: LatencyTail.make(0.1, LatencyTail.uniform("1 second", "1500 millis"))
        })
        expect(result.runs.map((r) => [r.target, r.hedged])).toEqual([
          ["s3", false],
          ["s3", true],
          ["dynamodb", false],
          ["dynamodb", true]
        ])
        for (const run of result.runs) {
          expect(run.failed).toBe(0)
          expect(run.delayed).toBeGreaterThan(0)
          if (!run.hedged) {
            expect(run.hedges.started).toBe(0)
            expect(run.abandoned).toBe(0)
            expect(run.requests).toBe(calls)
            continue
          }
          expect(run.hedges.started).toBeGreaterThan(0)
          expect(run.hedges.won).toBeGreaterThan(0)
          // Every hedged call cancels its loser; some of them were still held at the proxy, which found them gone.
          expect(run.hedges.cancelled).toBe(run.hedges.started)
          expect(run.abandoned).toBeGreaterThan(0)
          // The budget: 10 tokens to start with, plus 10 % of the calls.
          expect(run.hedges.started).toBeLessThanOrEqual(10 + Math.floor(0.1 * calls))
          expect(run.requests).toBe(calls + run.hedges.started)
        }
        expect(result.ok).toBe(true)
      }))
  }
)
