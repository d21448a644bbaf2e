import { type CliApp, Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { InvalidOption } from "@rebound/core"
import { Cause, Console, Effect, Option } from "effect"
import { pathToFileURL } from "node:url"
import { stripVTControlCharacters } from "node:util"

/** Whether a module is the program being run (`tsx file.ts`), not imported. */
export const isMain = (meta: ImportMeta) =>
  process.argv[1] !== undefined && meta.url === pathToFileURL(process.argv[1]).href

/** Where the CLI writes, and whether each stream is a terminal that shows colour. */
export interface Terminal {
  readonly stdoutColour: boolean
  readonly stderrColour: boolean
}

/** Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org). */
export const terminal = (): Terminal => {
  const allowed = (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb"
  return {
    stdoutColour: allowed && process.stdout.isTTY === true,
    stderrColour: allowed && process.stderr.isTTY === true
  }
}

const plain = (args: ReadonlyArray<unknown>) =>
  args.map((a) => (typeof a === "string" ? stripVTControlCharacters(a) : a))

/** The console with colour codes removed from streams that are not a terminal. */
export const withTerminal = (console: Console.Console, { stderrColour, stdoutColour }: Terminal): Console.Console => ({
  ...console,
  log: stdoutColour ? console.log : (...args) => console.log(...plain(args)),
  info: stdoutColour ? console.info : (...args) => console.info(...plain(args)),
  error: stderrColour ? console.error : (...args) => console.error(...plain(args)),
  warn: stderrColour ? console.warn : (...args) => console.warn(...plain(args))
})

/** 2 for a usage error (bad flag, bad value), 1 for anything else that went wrong, 0 for success or Ctrl-C. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const

/**
 * What to print for a failed run, and the exit code: a usage error once and without a stack trace (the CLI library has
 * already printed its own validation errors), a failure of the program by its message, a defect — a bug — in full.
 */
export const describeFailure = (cause: Cause.Cause<unknown>): { readonly text?: string; readonly code: number } => {
  if (Cause.isInterruptedOnly(cause)) return { code: exitCodes.ok }
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) return { text: Cause.pretty(cause), code: exitCodes.failed }
  const error = failure.value
  if (ValidationError.isValidationError(error)) return { code: exitCodes.usage }
  if (InvalidOption.isInvalidOptionError(error)) return { text: `error: ${error.message}`, code: exitCodes.usage }
  const message = error instanceof Error ? error.message : String(error)
  return { text: `error: ${message}`, code: exitCodes.failed }
}

/** Runs a program to its exit code: a failure is printed once (see {@link describeFailure}), colour only on a terminal. */
export const toExitCode = <R>(
  program: Effect.Effect<number, unknown, R>,
  term: Terminal
): Effect.Effect<number, never, R> =>
  Effect.consoleWith((console) =>
    program.pipe(
      Effect.catchAllCause((cause) => {
        const { code, text } = describeFailure(cause)
        return text === undefined ? Effect.succeed(code) : Effect.as(Console.error(text), code)
      }),
      Effect.withConsole(withTerminal(console, term))
    )
  )

/** Runs a command on `argv` to its exit code. */
export const main = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
  config: { readonly name: string; readonly version: string },
  argv: ReadonlyArray<string>,
  term: Terminal
): Effect.Effect<number, never, R | CliApp.CliApp.Environment> =>
  toExitCode(Effect.as(Command.run(command, config)(argv), exitCodes.ok), term)

/** Runs a program as the process: its exit code is the process's. */
export const runProcess = (program: Effect.Effect<number, never, NodeContext.NodeContext>) => {
  // Output piped into a reader that stops early (`| head`) is not an error of the program: stop as Ctrl-C does, so
  // everything the program holds (a lab's servers, its temporary directory) is released.
  let closed = false
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error
    if (!closed) process.kill(process.pid, "SIGINT")
    closed = true
  })
  return program.pipe(
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      // Stopped by Ctrl-C (or a closed pipe) is a normal end; anything else that escaped is a failure.
      teardown: (exit, onExit) =>
        onExit(
          exit._tag === "Success" ?
            exit.value as number :
            Cause.isInterruptedOnly(exit.cause) ?
            exitCodes.ok :
            exitCodes.failed
        )
    })
  )
}

/** The entry point of a `bin/` script: runs the command on the process's arguments and exits with its code. */
export const runCli = <Name extends string, E, A>(
  command: Command.Command<Name, CliApp.CliApp.Environment, E, A>,
  config: { readonly name: string; readonly version: string }
) => runProcess(main(command, config, process.argv, terminal()))
