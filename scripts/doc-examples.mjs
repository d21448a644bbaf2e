// Extracts every ```ts block from JSDoc `@example`s in packages/*/src and from README.md and docs/**/*.md, writes each
// to its own module under packages/examples/.doc-examples/, and type-checks them all with the project's settings.
// A block whose first line is `// not checked` is skipped (for fragments of configuration, not code).
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const out = path.join(root, "packages", "examples", ".doc-examples")
fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })

const walk = (dir, keep) =>
  fs.existsSync(dir) ?
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : walk(p, keep)
      return keep(p) ? [p] : []
    }) :
    []

const blocks = []
const fence = /```ts\n([\s\S]*?)```/g
for (const file of walk(path.join(root, "packages"), (p) => /\/src\/.*\.ts$/.test(p))) {
  const text = fs.readFileSync(file, "utf8")
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const doc = m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n")
    if (!doc.includes("@example")) continue
    for (const b of doc.slice(doc.indexOf("@example")).matchAll(fence)) blocks.push([file, b[1]])
  }
}
for (const file of [path.join(root, "README.md"), ...walk(path.join(root, "docs"), (p) => p.endsWith(".md"))]) {
  if (!fs.existsSync(file)) continue
  for (const b of fs.readFileSync(file, "utf8").matchAll(fence)) blocks.push([file, b[1]])
}

let n = 0
for (const [file, code] of blocks) {
  if (code.startsWith("// not checked")) continue
  const name = path.relative(root, file).replace(/[^\w]+/g, "_") + `_${n++}.ts`
  fs.writeFileSync(path.join(out, name), `// from ${path.relative(root, file)}\n${code}\nexport {}\n`)
}
fs.writeFileSync(
  path.join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../../tsconfig.base.json",
    compilerOptions: {
      composite: false,
      incremental: false,
      noEmit: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
      customConditions: ["@rebound/source"]
    },
    include: ["*.ts"]
  })
)
try {
  execFileSync(path.join(root, "node_modules", ".bin", "tsc"), ["-p", out], { stdio: "inherit" })
} catch {
  console.error(`doc examples: type errors in the ${n} examples above (sources under ${path.relative(root, out)})`)
  process.exit(1)
}
console.log(`doc examples: ${n} examples type-check`)
