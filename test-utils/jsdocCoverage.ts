// JSDoc coverage of the published API: every export of every public module of @rebound/core and @rebound/aws (the
// modules their `exports` map reaches: src/*.ts and src/testing/*.ts, not src/internal), including the members of
// exported namespaces, which the API reference documents too. An export counts as documented when its JSDoc has a
// summary, `@since` and `@category`; `@example` is counted on its own.
//
//   pnpm docs:coverage    prints the table; exits 1 if any export is not documented
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"

export interface ExportDoc {
  readonly pkg: string
  readonly module: string
  readonly name: string
  readonly summary: boolean
  readonly since: boolean
  readonly category: boolean
  readonly example: boolean
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
export const publicPackages = ["core", "aws"] as const

const publicModules = (pkg: string) => {
  const src = path.join(root, "packages", pkg, "src")
  const inDir = (dir: string) =>
    fs.readdirSync(path.join(src, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).map((f) =>
      path.join(dir, f)
    )
  return [...inDir("."), ...(fs.existsSync(path.join(src, "testing")) ? inDir("testing") : [])]
    .map((file) => ({ module: file.replace(/\.ts$/, ""), file: path.join(src, file) }))
}

const hasExport = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const describe = (node: ts.Node, source: ts.SourceFile) => {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc)
  const doc = docs.at(-1)
  const tags = doc?.tags ?? []
  const text = typeof doc?.comment === "string" ? doc.comment : ts.getTextOfJSDocComment(doc?.comment) ?? ""
  const tag = (name: string) => tags.some((t) => t.tagName.getText(source) === name)
  return { summary: text.trim().length > 0, since: tag("since"), category: tag("category"), example: tag("example") }
}

const nameOf = (node: ts.Node, source: ts.SourceFile): ReadonlyArray<[string, ts.Node]> => {
  if (ts.isVariableStatement(node)) {
    // The JSDoc sits on the statement; every declared name shares it.
    return node.declarationList.declarations.map((d) => [d.name.getText(source), node])
  }
  if (ts.isExportDeclaration(node) && node.exportClause !== undefined) {
    return ts.isNamespaceExport(node.exportClause) ?
      [[node.exportClause.name.text, node]] :
      node.exportClause.elements.map((e) => [e.name.text, node])
  }
  const named = node as ts.DeclarationStatement
  return named.name !== undefined ? [[named.name.getText(source), node]] : []
}

// A value and a type may share a name (`TypeId`, a tag and its interface); each is documented on its own.
const space = (node: ts.Node) => ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) ? "type" : "value"

const isPublicMember = (member: ts.ClassElement) =>
  (ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member) || ts.isPropertyDeclaration(member)) &&
  member.name !== undefined && !ts.isPrivateIdentifier(member.name) &&
  !(ts.getModifiers(member) ?? []).some((m) =>
    m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword
  )

const collect = (
  pkg: string,
  module: string,
  statements: ts.NodeArray<ts.Statement>,
  source: ts.SourceFile,
  prefix: string,
  out: Map<string, ExportDoc>
) => {
  for (const statement of statements) {
    if (!hasExport(statement) && !ts.isExportDeclaration(statement)) continue
    for (const [name, node] of nameOf(statement, source)) {
      const key = `${pkg}/${module}.${prefix}${name}:${space(node)}`
      // Overloads: the first declaration carries the documentation.
      if (!out.has(key)) out.set(key, { pkg, module, name: `${prefix}${name}`, ...describe(node, source) })
    }
    if (ts.isModuleDeclaration(statement) && statement.body !== undefined && ts.isModuleBlock(statement.body)) {
      collect(pkg, module, statement.body.statements, source, `${prefix}${statement.name.getText(source)}.`, out)
    }
    // Documented members of exported classes appear in the reference too; they need a summary and `@since`.
    if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
      for (const member of statement.members.filter(isPublicMember)) {
        if (ts.getJSDocCommentsAndTags(member).length === 0) continue
        const name = `${prefix}${statement.name.text}.${member.name!.getText(source)}`
        const doc = describe(member, source)
        out.set(`${pkg}/${module}.${name}:member`, { pkg, module, name, ...doc, category: true })
      }
    }
  }
}

/** Every export of every public module, with what its JSDoc has. */
export const jsdocCoverage = (): ReadonlyArray<ExportDoc> => {
  const out = new Map<string, ExportDoc>()
  for (const pkg of publicPackages) {
    for (const { file, module } of publicModules(pkg)) {
      const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
      collect(pkg, module, source.statements, source, "", out)
    }
  }
  return [...out.values()]
}

export const isDocumented = (e: ExportDoc) => e.summary && e.since && e.category

const percent = (n: number, of: number) => `${n}/${of} (${of === 0 ? 100 : Math.round((1000 * n) / of) / 10} %)`

const main = () => {
  const all = jsdocCoverage()
  const rows = [
    ...publicPackages.map((pkg) => [`@rebound/${pkg}`, all.filter((e) => e.pkg === pkg)] as const),
    [
      "total",
      all
    ] as const
  ]
  console.log("| package | exports | any JSDoc | summary | @since | @category | documented | @example |")
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |")
  for (const [label, list] of rows) {
    const count = (f: (e: ExportDoc) => boolean) => percent(list.filter(f).length, list.length)
    console.log(
      `| ${label} | ${list.length} | ${count((e) => e.summary || e.since || e.category || e.example)} | ${
        count((e) => e.summary)
      } | ${count((e) => e.since)} | ${count((e) => e.category)} | ${count(isDocumented)} | ${
        count((e) => e.example)
      } |`
    )
  }
  const missing = all.filter((e) => !isDocumented(e))
  for (const e of missing) {
    const lacks = [!e.summary && "summary", !e.since && "@since", !e.category && "@category"].filter(Boolean)
    console.log(`@rebound/${e.pkg}/${e.module} ${e.name}: no ${lacks.join(", ")}`)
  }
  process.exitCode = missing.length === 0 ? 0 : 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main()
