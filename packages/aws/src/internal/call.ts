import type { CallError } from "@rebound/core"
import type { InvalidOptionError } from "@rebound/core/InvalidOption"
import type { CommandIO, MetadataBearer } from "@smithy/types"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as AwsCall from "../AwsCall.js"
import { explainingClient } from "./localConfig.js"
import { validateCallService, validateSend } from "./options.js"
import * as internal from "./send.js"
import { validated } from "./service.js"

/** Hand-built services, checked once and remembered. */
const prepared = new WeakMap<AwsCall.Service, Either.Either<AwsCall.Service, InvalidOptionError>>()

const prepare = (service: AwsCall.Service): Either.Either<AwsCall.Service, InvalidOptionError> => {
  if (validated.has(service)) return Either.right(service)
  const known = prepared.get(service)
  if (known !== undefined) return known
  const checked = Either.map(validateCallService(service), (s) => ({
    ...s,
    client: explainingClient(s.name, s.client, internal.operationOf, internal.resourceOf)
  }))
  prepared.set(service, checked)
  return checked
}

/**
 * `send`, with the service and the call's options checked first: a bad one is a programming error, so the call dies
 * with the `InvalidOptionError` that names it.
 * @internal
 */
export const send = <I extends object, O extends MetadataBearer>(
  service: AwsCall.Service,
  command: CommandIO<I, O>,
  options?: AwsCall.SendOptions
): Effect.Effect<O, CallError.CallError> => {
  const checked = prepare(service)
  if (Either.isLeft(checked)) return Effect.die(checked.left)
  if (options === undefined) return internal.send(checked.right, command)
  const sendOptions = validateSend("AwsCall.send", options)
  return Either.isLeft(sendOptions) ?
    Effect.die(sendOptions.left) :
    internal.send(checked.right, command, sendOptions.right)
}
