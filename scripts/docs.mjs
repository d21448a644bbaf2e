// `pnpm docs`: the API reference of every public package, generated from its JSDoc by Effect's own generator
// (@effect/docgen, configured by each package's docgen.json). docgen type-checks every @example and runs it, and fails
// on an export without a description or `@since`. It writes into the package's docs/ folder (its examples import the
// sources by a path relative to that folder); the pages are then moved to docs/api/<package>, and docs/api/README.md
// lists every module with the first paragraph of its overview.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const bin = path.join(root, "node_modules", ".bin")
// docgen starts `tsc` and `tsx` by name.
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` }

// A package's signatures name types from the packages it depends on, which resolve to their built declarations: build
// first, so the reference is the same on a fresh clone as on a working copy (and never from a stale build).
execFileSync(path.join(bin, "tsc"), ["-b", "tsconfig.build.json"], { cwd: root, env, stdio: "inherit" })

const packages = ["core", "aws"]
for (const name of packages) {
  const dir = path.join(root, "packages", name)
  const generated = path.join(dir, "docs")
  const target = path.join(root, "docs", "api", name)
  fs.rmSync(generated, { recursive: true, force: true })
  execFileSync(path.join(bin, "docgen"), [], { cwd: dir, env, stdio: "inherit" })
  fs.rmSync(target, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.renameSync(generated, target)
  console.log(`docs: @rebound/${name} → ${path.relative(root, target)}`)
}

const pages = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pages(path.join(dir, e.name)) : e.name.endsWith(".ts.md") ? [path.join(dir, e.name)] : []
  ).sort()
const lines = [
  "# API reference",
  "",
  "Generated from the sources' JSDoc by [`@effect/docgen`](https://github.com/Effect-TS/docgen) with `pnpm run docs`",
  "(do not edit: change the JSDoc and regenerate). Every `@example` is type-checked and run by the generator.",
  ""
]
for (const name of packages) {
  const modules = path.join(root, "docs", "api", name, "modules")
  lines.push(`## @rebound/${name}`, "", "| module | import | overview |", "| --- | --- | --- |")
  for (const page of pages(modules)) {
    const relative = path.relative(modules, page).replace(/\.ts\.md$/, "")
    // Modules of the testing kit are namespaces of its entry; every other module is an exports subpath of its own.
    const testing = /^testing\/(\w+)$/.exec(relative)
    const where = relative === "index" ?
      `\`@rebound/${name}\`` :
      relative === "testing/index" ?
      `\`@rebound/${name}/testing\`` :
      testing !== null && testing[1] !== "index" ?
      `\`${testing[1]}\` of \`@rebound/${name}/testing\`` :
      `\`@rebound/${name}/${relative}\``
    const text = fs.readFileSync(page, "utf8")
    const overview = /## \S+ overview\n\n([\s\S]*?)(?:\n\n|$)/.exec(text)?.[1].replace(/\s+/g, " ") ?? ""
    const link = path.relative(path.join(root, "docs", "api"), page)
    lines.push(`| [${relative}](${link}) | ${where} | ${overview.replace(/\|/g, "\\|")} |`)
  }
  lines.push("")
}
fs.writeFileSync(path.join(root, "docs", "api", "README.md"), lines.join("\n"))
console.log("docs: index → docs/api/README.md")
