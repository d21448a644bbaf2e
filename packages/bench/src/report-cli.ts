// `pnpm bench:report`: the ranges over the runs `pnpm bench` saved (the latest N with `--last N`).
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { readRuns, summarize } from "./Report.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const at = process.argv.indexOf("--last")
const runs = readRuns(root)
const last = at >= 0 ? Number(process.argv[at + 1]) : runs.length
console.log(summarize(runs.slice(-last)))
