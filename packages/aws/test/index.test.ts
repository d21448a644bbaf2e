import { describe, expect, it } from "@effect/vitest"
import * as Aws from "@rebound/aws"
import * as path from "node:path"
import { packageContract, publishContract, runtimeImports } from "../../../test-utils/packageContract.js"

const packageDir = path.join(__dirname, "..")
const src = (module: string) => path.join(packageDir, "src", `${module}.ts`)
const clients = (module: string) => runtimeImports(src(module)).filter((name) => name.startsWith("@aws-sdk/client-"))

// The services (and the fleet store on DynamoDB), each at its own subpath and nowhere else: each loads its own AWS
// client, an optional peer.
const services = {
  DynamoDB: "@aws-sdk/client-dynamodb",
  DynamoDBStore: "@aws-sdk/client-dynamodb",
  Lambda: "@aws-sdk/client-lambda",
  S3: "@aws-sdk/client-s3"
}

describe("@rebound/aws entry", () => {
  const contract = packageContract(packageDir)

  it("maps every public module to an exports subpath and re-exports the client-free ones from the entry", () => {
    expect(contract.problems).toEqual([])
    expect(contract.modules).toEqual(contract.sourceModules)
    expect(contract.reexported).toEqual(contract.sourceModules.filter((m) => !(m in services)))
  })

  it("exposes each client-free module namespace at runtime", () => {
    expect(Object.keys(Aws).sort()).toEqual(contract.reexported)
  })

  it("loads no AWS client from the entry, and only its own client from each service", () => {
    expect(clients("index")).toEqual([])
    for (const [module, client] of Object.entries(services)) expect(clients(module)).toEqual([client])
    for (const module of contract.reexported) expect(clients(module)).toEqual([])
  })

  it("publishes a manifest fit for npm", () => {
    expect(publishContract(packageDir).problems).toEqual([])
  })
})
