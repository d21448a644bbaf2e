// `pnpm bench:fleet`: the fleet-store race of `pnpm bench` on its own (FleetRace.ts), printed and not saved. Wall and
// CPU time, reported and never asserted.
import { Effect } from "effect"
import * as os from "node:os"
import { fleetRace } from "./FleetRace.js"

const program = Effect.gen(function*() {
  const { redisRequestsPerSecond, result } = yield* fleetRace(21)
  const f = (x: number) => x.toFixed(3)
  const cpus = os.cpus()
  console.log(
    `# bench:fleet — ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}; ` +
      `load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`
  )
  console.log(
    `\nsuccess path of RetryPolicy.retry(Effect.void), quota + limiter + breaker; ${result.rounds} rotated rounds × ` +
      `${result.calls} calls per contender; ratios paired per round (median and IQR)\n`
  )
  console.log("| store | wall ÷ in-memory (IQR) | CPU ÷ in-memory (IQR) | wall µs/call | CPU µs/call |")
  console.log("| --- | --- | --- | --- | --- |")
  for (const s of result.standings) {
    console.log(
      `| ${s.name} | ${f(s.wallRatio.median)} (${f(s.wallRatio.q1)}–${f(s.wallRatio.q3)}) | ${f(s.cpuRatio.median)} (${
        f(s.cpuRatio.q1)
      }–${f(s.cpuRatio.q3)}) | ${s.wallMicros.median.toFixed(2)} | ${s.cpuMicros.median.toFixed(2)} |`
    )
  }
  console.log(`\nRedis engine requests during the race: ${redisRequestsPerSecond.toFixed(1)}/s for 3 shared keys`)
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (e) => {
    console.error(String(e))
    process.exit(1)
  }
)
