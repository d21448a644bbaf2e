// `pnpm simulate`: runs the benchmark sweep and writes the Markdown report and SVG charts into docs/benchmarks.
import { Command, Options, ValidationError } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Clock, Console, Effect, Exit, Option } from "effect"
import * as os from "node:os"
import { stripVTControlCharacters } from "node:util"
import * as Charts from "../Charts.js"
import * as Report from "../Report.js"
import * as Sweep from "../Sweep.js"

const scenario = Options.choice("scenario", ["A", "B1", "B2", "C1", "C2"] as const).pipe(
  Options.repeated,
  Options.withDescription("Scenario to run (repeatable); default: all of A, B1, B2, C1, C2.")
)
const policy = Options.text("policy").pipe(
  Options.repeated,
  Options.withDescription("Only this policy (repeatable; `rebound` also selects `rebound-…` variants); default: all.")
)
const seeds = Options.integer("seeds").pipe(
  Options.withDefault(Sweep.defaults.seeds),
  Options.withDescription("Seeds per point of scenarios B and C (mean ± 95 % interval over them).")
)
const trials = Options.integer("trials").pipe(
  Options.withDefault(Sweep.defaults.trials),
  Options.withDescription("Trials per point of scenario A (Brooker used 100).")
)
const firstSeed = Options.integer("first-seed").pipe(
  Options.withDefault(Sweep.defaults.firstSeed),
  Options.withDescription("The first seed; seeds run from it upwards.")
)
const out = Options.directory("out").pipe(
  Options.withDefault("docs/benchmarks"),
  Options.withDescription("Where to write results.md and the SVG charts.")
)
const noCharts = Options.boolean("no-charts").pipe(Options.withDescription("Skip rendering the SVG charts."))

const progress = (done: number, total: number, label: string) =>
  Effect.sync(() => {
    const line = `[${String(done).padStart(String(total).length)}/${total}] ${label}`
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}${done === total ? "\n" : ""}`)
    else if (done === total || done % Math.max(1, Math.floor(total / 20)) === 0) process.stderr.write(`${line}\n`)
  })

const command = Command.make(
  "simulate",
  { scenario, policy, seeds, trials, firstSeed, out, noCharts },
  (args) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const options: Sweep.Options = {
        ...Sweep.defaults,
        scenarios: args.scenario.length > 0 ? args.scenario : Sweep.defaults.scenarios,
        policies: args.policy.length > 0 ? args.policy : undefined,
        seeds: args.seeds,
        trials: args.trials,
        firstSeed: args.firstSeed
      }
      const plan = Sweep.plan(options)
      yield* Console.error(`${plan.tasks.length} tasks: scenarios ${options.scenarios.join(", ")}`)
      const started = yield* Clock.currentTimeMillis
      let events = 0
      for (const [i, task] of plan.tasks.entries()) {
        yield* progress(i, plan.tasks.length, task.label)
        events += yield* Effect.sync(() => task.run())
      }
      yield* progress(plan.tasks.length, plan.tasks.length, "done")
      const wallSeconds = ((yield* Clock.currentTimeMillis) - started) / 1000
      const results = plan.results()
      const dir = path.resolve(args.out)
      yield* fs.makeDirectory(dir, { recursive: true })
      const cpus = os.cpus()
      const report = Report.markdown(results, {
        command: ["pnpm simulate", ...process.argv.slice(2)].join(" "),
        machine: `${cpus.length} × ${
          cpus[0]?.model.trim() ?? "unknown CPU"
        }, Node ${process.version}, ${os.platform()}`,
        events,
        wallSeconds
      })
      yield* fs.writeFileString(path.join(dir, "results.md"), report)
      if (!args.noCharts) {
        for (const chart of Charts.of(results)) {
          const svg = yield* Effect.promise(() => Charts.toSvg(chart))
          yield* fs.writeFileString(path.join(dir, `${chart.name}.svg`), svg)
        }
      }
      yield* Console.log(
        `${events.toLocaleString("en-US")} events in ${wallSeconds.toFixed(1)} s (${
          Math.round(events / wallSeconds).toLocaleString("en-US")
        } events/s); wrote ${path.join(dir, "results.md")}`
      )
    })
).pipe(Command.withDescription(
  "Runs rebound's retry policies against modelled services in virtual time (deterministic: the same seeds give the same numbers) and writes a Markdown report and SVG charts."
))

const cli = Command.run(command, { name: "simulate", version: "0.1.0" })

// Colour only on a terminal (and never with NO_COLOR): @effect/cli's help is ANSI-styled.
const colour = (stream: NodeJS.WriteStream) => stream.isTTY === true && (process.env.NO_COLOR ?? "") === ""
const plainWhere = (on: boolean, write: (...args: ReadonlyArray<unknown>) => Effect.Effect<void>) =>
  on ?
    write :
    (...args: ReadonlyArray<unknown>) =>
      write(...args.map((a) => (typeof a === "string" ? stripVTControlCharacters(a) : a)))

// A usage error is printed once, by @effect/cli itself (exit 2); any other failure once, by its message (exit 1).
const program = Effect.consoleWith((console) =>
  cli(process.argv).pipe(
    Effect.as(0),
    Effect.catchAllCause((cause) =>
      Option.match(Cause.failureOption(cause), {
        onNone: () => Effect.as(Console.error(Cause.pretty(cause)), 1),
        onSome: (error) =>
          ValidationError.isValidationError(error) ?
            Effect.succeed(2) :
            Effect.as(Console.error(`error: ${error instanceof Error ? error.message : String(error)}`), 1)
      })
    ),
    Effect.withConsole({
      ...console,
      log: plainWhere(colour(process.stdout), console.log),
      error: plainWhere(colour(process.stderr), console.error)
    })
  )
)

program.pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? exit.value as number : 1)
  })
)
