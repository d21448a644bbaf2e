import { describe, expect, it } from "@effect/vitest"
import { Sweep } from "@rebound/simulator"

// A small configuration with fixed seeds, pinned to the numbers the simulator produced when this test was written.
// Any change in a policy's behaviour (core's decisions, guards, presets) or in the simulator's world moves them.
// To accept an intended change, re-run with `pnpm vitest run -u packages/simulator/test/Golden.test.ts` and review
// the diff of the numbers like any other code change.

const round = (x: number | undefined) => x === undefined ? "never" : Math.round(x * 1e6) / 1e6

describe("golden: a small sweep with fixed seeds", () => {
  const plan = Sweep.plan({
    ...Sweep.defaults,
    scale: "small",
    trials: 3,
    seeds: 2,
    policies: ["full", "aws-js-2026-adaptive", "rebound", "grpc", "oracle", "one-retry"]
  })
  let events = 0
  for (const task of plan.tasks) events += task.run()
  const results = plan.results()

  it("runs the same number of events", () => {
    expect(events).toMatchInlineSnapshot(`414594`)
  })

  it("A: write calls and completion times", () => {
    expect(results.contention.map((r) => [r.clients, r.policy, round(r.writes.mean), round(r.completionMillis.mean)]))
      .toMatchInlineSnapshot(`
        [
          [
            10,
            "full",
            40.333333,
            489.286333,
          ],
          [
            10,
            "rebound-until-success",
            30.666667,
            417.890333,
          ],
          [
            10,
            "rebound-v1-until-success",
            30.333333,
            577.146,
          ],
          [
            10,
            "rebound",
            25.666667,
            215.824333,
          ],
          [
            10,
            "rebound-v1",
            25.666667,
            235.529333,
          ],
          [
            20,
            "full",
            100.333333,
            929.863333,
          ],
          [
            20,
            "rebound-until-success",
            82.666667,
            883.684,
          ],
          [
            20,
            "rebound-v1-until-success",
            75,
            1065.969667,
          ],
          [
            20,
            "rebound",
            55,
            231.271,
          ],
          [
            20,
            "rebound-v1",
            55,
            252.439667,
          ],
        ]
      `)
  })

  it("B1: completion, attempts per item, throttles, give-ups and fairness", () => {
    expect([...results.drain, ...results.drainVariants].map((r) => [
      r.label,
      round(r.completionSeconds.mean),
      round(r.amplification.mean),
      round(r.throttled.mean),
      round(r.giveUps.mean),
      round(r.jain.mean)
    ])).toMatchInlineSnapshot(`
      [
        [
          "Full jitter",
          10.219203,
          3.63,
          526,
          0,
          0.838198,
        ],
        [
          "AWS JS adaptive, 2026",
          12.473206,
          1.205,
          41,
          0,
          0.97094,
        ],
        [
          "gRPC throttling (10, 0.1) ±20 %",
          9.511698,
          37.2325,
          7246.5,
          7208.5,
          0.973896,
        ],
        [
          "rebound default (Presets.rebound)",
          11.548442,
          1.33,
          66,
          0,
          0.927845,
        ],
        [
          "rebound's first default (rebound-v1)",
          10.246514,
          1.715,
          143,
          10,
          0.9665,
        ],
        [
          "Oracle pacer at R/N",
          9.957852,
          1,
          0,
          0,
          0.999783,
        ],
        [
          "Full jitter — B = 300·R",
          0.208867,
          1,
          0,
          0,
          0.999237,
        ],
        [
          "AWS JS adaptive, 2026 — B = 300·R",
          0.208867,
          1,
          0,
          0,
          0.999237,
        ],
        [
          "rebound default (Presets.rebound) — B = 300·R",
          0.208867,
          1,
          0,
          0,
          0.999237,
        ],
        [
          "rebound's first default (rebound-v1) — B = 300·R",
          0.208867,
          1,
          0,
          0,
          0.999237,
        ],
        [
          "Oracle pacer at R/N — B = 300·R",
          9.957852,
          1,
          0,
          0,
          0.999783,
        ],
        [
          "Full jitter — 4 in flight per client",
          10.664665,
          6.5275,
          1105.5,
          0,
          0.991283,
        ],
        [
          "AWS JS adaptive, 2026 — 4 in flight per client",
          12.045973,
          1.3625,
          72.5,
          2.5,
          0.962111,
        ],
        [
          "rebound default (Presets.rebound) — 4 in flight per client",
          10.734029,
          2.5425,
          308.5,
          39.5,
          0.987168,
        ],
        [
          "rebound's first default (rebound-v1) — 4 in flight per client",
          10.212442,
          3.835,
          567,
          112,
          0.988731,
        ],
        [
          "Oracle pacer at R/N — 4 in flight per client",
          9.957852,
          1,
          0,
          0,
          0.999783,
        ],
      ]
    `)
  })

  it("B2: goodput, attempts per success, errors and recovery lag", () => {
    expect(results.open.map((r) => [
      r.policy,
      round(r.goodputPerSecond.mean),
      round(r.amplification.mean),
      round(r.errors.mean),
      round(r.recoveryLagSeconds.estimate?.mean)
    ])).toMatchInlineSnapshot(`
      [
        [
          "full",
          20.8,
          2.2477,
          95.5,
          0,
        ],
        [
          "aws-js-2026-adaptive",
          20.8,
          1.189243,
          1.5,
          "never",
        ],
        [
          "grpc",
          20.7,
          1.475372,
          96.5,
          0,
        ],
        [
          "rebound",
          20.85,
          2.055771,
          61.5,
          4,
        ],
        [
          "rebound-v1",
          20.85,
          2.239216,
          80.5,
          2,
        ],
      ]
    `)
  })

  it("C1: outage load and errors", () => {
    expect(results.outage.map((r) => [r.policy, round(r.outageLoad.mean), round(r.errors.mean)]))
      .toMatchInlineSnapshot(`
        [
          [
            "full",
            2.997596,
            203,
          ],
          [
            "aws-js-2026-adaptive",
            1.688297,
            203.5,
          ],
          [
            "grpc",
            1.078663,
            203.5,
          ],
          [
            "rebound",
            0.117994,
            211.5,
          ],
          [
            "rebound-v1",
            1.688297,
            203.5,
          ],
        ]
      `)
  })

  it("C2: time to recover, final load and the map", () => {
    expect(results.brownout.map((r) => [
      r.policy,
      round(r.timeToRecoverSeconds.estimate?.mean),
      r.timeToRecoverSeconds.never,
      round(r.finalLoad.mean)
    ])).toMatchInlineSnapshot(`
      [
        [
          "full",
          "never",
          2,
          3.041403,
        ],
        [
          "aws-js-2026-adaptive",
          "never",
          2,
          1,
        ],
        [
          "grpc",
          12.5,
          0,
          1,
        ],
        [
          "rebound",
          11.5,
          0,
          1,
        ],
        [
          "rebound-v1",
          "never",
          2,
          1,
        ],
      ]
    `)
    expect(results.hotOs.map((r) => [r.policy, round(r.timeToRecoverSeconds.estimate?.mean), round(r.finalLoad.mean)]))
      .toMatchInlineSnapshot(`
        [
          [
            "one-retry",
            "never",
            2.005391,
          ],
          [
            "rebound",
            6,
            1,
          ],
          [
            "rebound-v1",
            "never",
            1,
          ],
        ]
      `)
    expect(results.map.map((c) => [c.policy, c.load, c.metastable, round(c.timeToRecoverSeconds.estimate?.mean)]))
      .toMatchInlineSnapshot(`
        [
          [
            "full",
            0.5,
            1,
            "never",
          ],
          [
            "full",
            0.9,
            1,
            "never",
          ],
          [
            "grpc",
            0.5,
            0,
            2,
          ],
          [
            "grpc",
            0.9,
            1,
            "never",
          ],
          [
            "rebound",
            0.5,
            0,
            5,
          ],
          [
            "rebound",
            0.9,
            1,
            "never",
          ],
          [
            "rebound-v1",
            0.5,
            0,
            10,
          ],
          [
            "rebound-v1",
            0.9,
            1,
            "never",
          ],
        ]
      `)
  })
})
