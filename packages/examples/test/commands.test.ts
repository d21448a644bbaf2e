// Every command the README offers, run the way a user runs it: `pnpm <script>` from the repository root, its output
// going to a pipe (not a terminal), as in CI.
import { examples } from "@rebound/examples"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { faultSchedule } from "../src/demo.js"

const root = path.join(__dirname, "..", "..", "..")
const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  readonly scripts: Record<string, string>
}).scripts
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")

interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** At most three commands at once: each loads the AWS SDK and starts its own lab, on a machine of two cores. */
let running = 0
const waiting: Array<() => void> = []
const slot = async () => {
  while (running >= 3) await new Promise<void>((resolve) => waiting.push(resolve))
  running++
  return () => {
    running--
    waiting.shift()?.()
  }
}

const pnpm = async (...args: ReadonlyArray<string>) => {
  const release = await slot()
  try {
    return await spawn(args)
  } finally {
    release()
  }
}

const spawn = (args: ReadonlyArray<string>) =>
  new Promise<Ran>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined }
    execFile("pnpm", ["-s", ...args], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  })

const ansi = new RegExp(`${String.fromCharCode(27)}\\[`)
const stackFrame = /^\s+at /m

/** A usage error: said once, on stderr, readable, without a stack trace, and exit code 2. */
const expectUsageError = (ran: Ran, says: string) => {
  expect(ran.code).toBe(2)
  expect(ran.stderr.split(says).length - 1, ran.stderr).toBe(1)
  expect(ran.stderr).not.toMatch(stackFrame)
  expect(ran.stderr).not.toContain("{\"_tag\"")
  expect(ran.stderr).not.toMatch(ansi)
}

/** Three consecutive free ports on 127.0.0.1. */
const freePorts = async (): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 40_000)
    const free = await Promise.all([0, 1, 2].map((i) =>
      new Promise<boolean>((resolve) => {
        const server = net.createServer().once("error", () => resolve(false))
        server.listen(first + i, "127.0.0.1", () => server.close(() => resolve(true)))
      })
    ))
    if (free.every(Boolean)) return first
  }
  throw new Error("no three free ports")
}

describe("pnpm example:*", () => {
  const exampleScripts = Object.keys(scripts).filter((name) => name.startsWith("example:")).sort()

  it("each example in the catalogue and the README has its package.json script, and no script is unlisted", () => {
    expect(examples.map((e) => e.command.replace(/^pnpm /, "")).sort()).toEqual(exampleScripts)
    for (const name of exampleScripts) expect(readme, name).toContain(`\`pnpm ${name}\``)
  })

  for (const name of exampleScripts) {
    it.concurrent(`pnpm ${name} runs to completion and reports success`, async () => {
      const ran = await pnpm(name)
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).not.toMatch(ansi)
      if (name === "example:timing") {
        expect(ran.stdout).toContain("as expected")
        return
      }
      // The JSON result every other example prints last.
      const result = JSON.parse(ran.stdout.slice(ran.stdout.lastIndexOf("\n{") + 1)) as Record<string, unknown>
      if ("ok" in result) expect(result.ok).toBe(true)
      if (name === "example:logging") expect(result).toMatchObject({ emfLines: 3 })
    }, 120_000)
  }
})

describe("pnpm demo", () => {
  it(
    "runs the three scenarios, prints every retry, injects exactly the faults its seed fixes, and exits 0",
    async () => {
      const ran = await pnpm("demo", "--seed", "7")
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toContain("Every piece of data arrived intact.")
      expect(ran.stdout).not.toMatch(ansi)
      const rows = ran.stdout.split("\n").filter((line) => /^[123] · /.test(line)).map((line) => line.split(/\s{2,}/))
      expect(rows).toHaveLength(3)
      // Columns: scenario, calls, retries, injected, capacity, …
      const schedule = faultSchedule(7)
      expect(rows.map((r) => Number(r[3]))).toEqual([
        schedule.s3.length,
        schedule.dynamodb.length,
        schedule.lambda.length
      ])
      const retries = rows.reduce((n, r) => n + Number(r[2]), 0)
      expect(ran.stdout.split("\n").filter((line) => line.includes("→ retry in"))).toHaveLength(retries)
      // Each scheduled fault is announced before its scenario.
      for (const fault of Object.values(schedule).flat()) expect(ran.stdout).toContain(fault.label)
    },
    180_000
  )

  it.concurrent("a bad flag is said once, without a stack trace, and exits 2", async () => {
    expectUsageError(await pnpm("demo", "--seed", "abc"), "is not a integer")
  }, 60_000)
})

describe("pnpm lab", () => {
  it("--port puts DynamoDB, S3 and Lambda on that port and the next two", async () => {
    const port = await freePorts()
    const ran = await pnpm("lab", "--port", String(port), "--for", "200 millis")
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toContain(`DynamoDB  http://127.0.0.1:${port} `)
    expect(ran.stdout).toContain(`S3        http://127.0.0.1:${port + 1} `)
    expect(ran.stdout).toContain(`Lambda    http://127.0.0.1:${port + 2} `)
  }, 60_000)

  it("a port in use is said once, readably, and exits 1", async () => {
    const port = await freePorts()
    const busy = net.createServer()
    await new Promise<void>((resolve) => busy.listen(port, "127.0.0.1", resolve))
    try {
      const ran = await pnpm("lab", "--port", String(port), "--for", "100 millis")
      expect(ran.code).toBe(1)
      expect(ran.stderr.trim().split("\n")).toHaveLength(1)
      expect(ran.stderr).toContain(`127.0.0.1:${port}`)
      expect(ran.stderr).toContain("EADDRINUSE")
      expect(ran.stderr).not.toMatch(stackFrame)
    } finally {
      await new Promise((resolve) => busy.close(resolve))
    }
  }, 60_000)
})

describe("pnpm simulate", () => {
  it.concurrent("--help has no colour codes in a pipe, and a bad flag is said once with exit 2", async () => {
    const help = await pnpm("simulate", "--help")
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--scenario")
    expect(help.stdout).not.toMatch(ansi)
    expectUsageError(await pnpm("simulate", "--seeds", "abc"), "is not a integer")
  }, 60_000)
})
