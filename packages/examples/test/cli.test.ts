import type { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { LabError } from "@rebound/aws/testing"
import { Cause, Console, Effect, FiberId } from "effect"
import { command as demo } from "../src/demo.js"
import { describeFailure, exitCodes, main } from "../src/internal/cli.js"
import { command as lab } from "../src/lab.js"

/** Runs a command as its `bin/` script does, capturing what it prints. */
const run = <Name extends string, E, A>(
  command: Command.Command<Name, NodeContext.NodeContext, E, A>,
  args: ReadonlyArray<string>,
  colour = false
) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const original = yield* Console.consoleWith(Effect.succeed)
    const code = yield* main(command, { name: "rebound", version: "0.1.0" }, ["node", "bin", ...args], {
      stdoutColour: colour,
      stderrColour: colour
    }).pipe(
      Effect.withConsole({
        ...original,
        log: (...xs: ReadonlyArray<unknown>) => Effect.sync(() => out.push(xs.join(" "))),
        error: (...xs: ReadonlyArray<unknown>) => Effect.sync(() => err.push(xs.join(" ")))
      }),
      Effect.provide(NodeContext.layer)
    )
    return { code, out: out.join("\n"), err: err.join("\n") }
  })

const ansi = new RegExp(`${String.fromCharCode(27)}\\[`)

describe("the CLIs' errors and output", () => {
  it.live("an option error is printed once, as one readable line, with exit code 2", () =>
    Effect.gen(function*() {
      const both = yield* run(demo, ["--fast", "--real"])
      expect(both.code).toBe(exitCodes.usage)
      expect(both.err).toBe(
        "error: pnpm demo: option \"--fast / --real\" must be one of them (fast is the default); got both"
      )
      const port = yield* run(lab, ["--port", "70000"])
      expect(port).toMatchObject({ code: exitCodes.usage })
      expect(port.err).toBe(
        "error: pnpm lab: option \"--port\" must be a port from 1 to 65533 (three ports are used); got 70000"
      )
      const chaos = yield* run(lab, ["--chaos", "2", "--for", "1 millis"])
      expect(chaos.code).toBe(exitCodes.usage)
      expect(chaos.err.split("\n")).toHaveLength(1)
    }))

  it.live("a value the CLI library refuses is printed by it once, and not again as JSON", () =>
    Effect.gen(function*() {
      const ran = yield* run(demo, ["--seed", "abc"])
      expect(ran.code).toBe(exitCodes.usage)
      expect(ran.err.split("is not a integer")).toHaveLength(2)
      expect(ran.err).not.toContain("_tag")
    }))

  it.live("help has colour codes on a terminal only", () =>
    Effect.gen(function*() {
      const piped = yield* run(demo, ["--help"])
      expect(piped.code).toBe(exitCodes.ok)
      expect(piped.out).toContain("--seed")
      expect(piped.out).not.toMatch(ansi)
      expect((yield* run(demo, ["--help"], true)).out).toMatch(ansi)
    }))

  it("failures: a program's own by its message, a bug in full, Ctrl-C as a normal end", () => {
    const labError = new LabError.LabError({ component: "proxy", action: "listen on 127.0.0.1:4566", cause: "busy" })
    expect(describeFailure(Cause.fail(labError))).toEqual({ text: `error: ${labError.message}`, code: 1 })
    const bug = describeFailure(Cause.die(new Error("boom")))
    expect(bug.code).toBe(1)
    expect(bug.text).toContain("Error: boom")
    expect(describeFailure(Cause.interrupt(FiberId.none))).toEqual({ code: 0 })
  })
})
