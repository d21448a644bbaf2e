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
    policies: ["full", "aws-js-2026-dynamodb", "aws-js-2026-adaptive", "rebound", "grpc", "oracle", "one-retry"]
  })
  let events = 0
  for (const task of plan.tasks) events += task.run()
  const results = plan.results()

  it("runs the same number of events", () => {
    expect(events).toMatchInlineSnapshot(`511336`)
  })

  it("A: write calls and completion times", () => {
    expect(results.contention.map((r) => [r.clients, r.policy, round(r.writes.mean), round(r.completionMillis.mean)]))
      .toMatchInlineSnapshot(`
        [
          [
            10,
            "full",
            38.666667,
            448.630667,
          ],
          [
            10,
            "rebound-until-success",
            32.333333,
            524.099667,
          ],
          [
            10,
            "rebound-v1-until-success",
            30.666667,
            604.410333,
          ],
          [
            10,
            "rebound-v2-until-success",
            32.333333,
            524.099667,
          ],
          [
            10,
            "rebound",
            30,
            321.661667,
          ],
          [
            10,
            "rebound-v1",
            25.666667,
            228.265667,
          ],
          [
            10,
            "rebound-v2",
            25.666667,
            208.493667,
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
            "rebound-v2-until-success",
            82.666667,
            883.684,
          ],
          [
            20,
            "rebound",
            67,
            334.988,
          ],
          [
            20,
            "rebound-v1",
            55,
            252.439667,
          ],
          [
            20,
            "rebound-v2",
            55,
            231.271,
          ],
        ]
      `)
  })

  it("B1: completion, attempts per item, throttles, give-ups and fairness", () => {
    expect(results.drain.map((r) => [
      `${r.split}: ${r.cell}`,
      r.label,
      round(r.completionSeconds.mean),
      round(r.amplification.mean),
      round(r.throttled.mean),
      round(r.giveUps.mean),
      round(r.jain.mean)
    ])).toMatchInlineSnapshot(`
      [
        [
          "training: design point",
          "Full jitter",
          10.219203,
          3.63,
          526,
          0,
          0.838198,
        ],
        [
          "training: design point",
          "AWS JS DynamoDB client, 2026",
          9.712481,
          1.6175,
          123.5,
          1,
          0.966243,
        ],
        [
          "training: design point",
          "AWS JS adaptive, 2026",
          12.473206,
          1.205,
          41,
          0,
          0.97094,
        ],
        [
          "training: design point",
          "gRPC throttling (10, 0.1) + 10/s, ±20 %",
          9.602297,
          3.29,
          458,
          50,
          0.978205,
        ],
        [
          "training: design point",
          "rebound default (Presets.rebound)",
          9.580497,
          1.225,
          45,
          1,
          0.996421,
        ],
        [
          "training: design point",
          "rebound's first default (rebound-v1)",
          10.246514,
          1.715,
          143,
          10,
          0.9665,
        ],
        [
          "training: design point",
          "rebound's second default, with a breaker (rebound-v2)",
          11.548442,
          1.33,
          66,
          0,
          0.927845,
        ],
        [
          "training: design point",
          "Oracle pacer at R/N",
          9.957852,
          1,
          0,
          0,
          0.999783,
        ],
        [
          "held-out: R = 40/s",
          "Full jitter",
          5.274919,
          2.7375,
          347.5,
          0,
          0.894187,
        ],
        [
          "held-out: R = 40/s",
          "AWS JS DynamoDB client, 2026",
          5.350166,
          1.3075,
          61.5,
          0.5,
          0.921249,
        ],
        [
          "held-out: R = 40/s",
          "AWS JS adaptive, 2026",
          8.517049,
          1.115,
          23,
          0,
          0.967281,
        ],
        [
          "held-out: R = 40/s",
          "gRPC throttling (10, 0.1) + 10/s, ±20 %",
          4.825601,
          2.1675,
          233.5,
          8.5,
          0.974601,
        ],
        [
          "held-out: R = 40/s",
          "rebound default (Presets.rebound)",
          4.827624,
          1.205,
          41,
          0.5,
          0.988219,
        ],
        [
          "held-out: R = 40/s",
          "rebound's first default (rebound-v1)",
          5.848174,
          1.3625,
          72.5,
          1.5,
          0.928037,
        ],
        [
          "held-out: R = 40/s",
          "rebound's second default, with a breaker (rebound-v2)",
          7.329393,
          1.195,
          39,
          1,
          0.921248,
        ],
        [
          "held-out: R = 40/s",
          "Oracle pacer at R/N",
          4.983897,
          1,
          0,
          0,
          0.999787,
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
          "aws-js-2026-dynamodb",
          20.9,
          2.465867,
          54,
          4.5,
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
          20.9,
          2.900538,
          89.5,
          1,
        ],
        [
          "rebound",
          20.8,
          1.032461,
          0,
          "never",
        ],
        [
          "rebound-v1",
          20.85,
          2.239216,
          80.5,
          2,
        ],
        [
          "rebound-v2",
          20.85,
          2.055771,
          61.5,
          4,
        ],
      ]
    `)
  })

  it("C1: outage load, errors and the first success after the outage", () => {
    expect(results.outage.map((r) => [
      r.cell,
      r.policy,
      round(r.outageLoad.mean),
      round(r.errors.mean),
      round(r.firstSuccessAfterMillis.estimate?.mean)
    ]))
      .toMatchInlineSnapshot(`
        [
          [
            "T = 10 s",
            "full",
            2.997596,
            203,
            55.1965,
          ],
          [
            "T = 10 s",
            "aws-js-2026-dynamodb",
            1.688297,
            203.5,
            63.879,
          ],
          [
            "T = 10 s",
            "aws-js-2026-adaptive",
            1.688297,
            203.5,
            63.879,
          ],
          [
            "T = 10 s",
            "grpc",
            3.918934,
            191,
            24.3035,
          ],
          [
            "T = 10 s",
            "rebound",
            1.137659,
            203.5,
            64.289,
          ],
          [
            "T = 10 s",
            "rebound-v1",
            1.688297,
            203.5,
            63.879,
          ],
          [
            "T = 10 s",
            "rebound-v2",
            0.117994,
            211.5,
            403.4635,
          ],
          [
            "T = 20 s",
            "full",
            3.002577,
            403,
            24.76,
          ],
          [
            "T = 20 s",
            "aws-js-2026-dynamodb",
            1.348278,
            403,
            23.365,
          ],
          [
            "T = 20 s",
            "aws-js-2026-adaptive",
            1.348278,
            403,
            23.365,
          ],
          [
            "T = 20 s",
            "grpc",
            3.892244,
            390.5,
            17.236,
          ],
          [
            "T = 20 s",
            "rebound",
            1.069656,
            403,
            25.309,
          ],
          [
            "T = 20 s",
            "rebound-v1",
            1.348278,
            403,
            23.365,
          ],
          [
            "T = 20 s",
            "rebound-v2",
            0.078318,
            420,
            703.416,
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
          "aws-js-2026-dynamodb",
          "never",
          2,
          1,
        ],
        [
          "aws-js-2026-adaptive",
          "never",
          2,
          1,
        ],
        [
          "grpc",
          "never",
          2,
          2.286752,
        ],
        [
          "rebound",
          7.3,
          0,
          1,
        ],
        [
          "rebound-v1",
          "never",
          2,
          1,
        ],
        [
          "rebound-v2",
          4.55,
          0,
          1,
        ],
      ]
    `)
    expect(results.brownout.map((r) => [r.cell, r.policy, round(r.timeToRecoverSeconds.estimate?.mean)]))
      .toMatchInlineSnapshot(`
        [
          [
            "design point",
            "full",
            "never",
          ],
          [
            "design point",
            "aws-js-2026-dynamodb",
            "never",
          ],
          [
            "design point",
            "aws-js-2026-adaptive",
            "never",
          ],
          [
            "design point",
            "grpc",
            "never",
          ],
          [
            "design point",
            "rebound",
            7.3,
          ],
          [
            "design point",
            "rebound-v1",
            "never",
          ],
          [
            "design point",
            "rebound-v2",
            4.55,
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
            "aws-js-2026-dynamodb",
            0.5,
            0,
            9.1,
          ],
          [
            "aws-js-2026-dynamodb",
            0.9,
            1,
            "never",
          ],
          [
            "aws-js-2026-adaptive",
            0.5,
            0,
            9.1,
          ],
          [
            "aws-js-2026-adaptive",
            0.9,
            1,
            "never",
          ],
          [
            "grpc",
            0.5,
            1,
            "never",
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
            2.3,
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
            9.1,
          ],
          [
            "rebound-v1",
            0.9,
            1,
            "never",
          ],
          [
            "rebound-v2",
            0.5,
            0,
            4.6,
          ],
          [
            "rebound-v2",
            0.9,
            0,
            4.1,
          ],
        ]
      `)
  })
})
