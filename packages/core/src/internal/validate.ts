import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { InvalidOptionError } from "../InvalidOption.js"

/** @internal */
export const render = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  if (value === undefined) return "undefined"
  if (value === null) return "null"
  if (Duration.isDuration(value)) return Duration.format(value) || "0 millis"
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** @internal */
export const fail = (constructorName: string, field: string, value: unknown, expected: string): never => {
  throw new InvalidOptionError({ constructorName, field, value: render(value), expected })
}

/**
 * Decodes a duration option to milliseconds; `Infinity` is allowed only when `infinite` is set.
 * @internal
 */
export const millis = (
  where: string,
  field: string,
  input: Duration.DurationInput,
  options: { readonly infinite?: boolean; readonly min?: number } = {}
): number => {
  let ms: number
  try {
    ms = typeof input === "number" ? input : Duration.toMillis(Duration.decode(input))
  } catch {
    return fail(where, field, input, "a duration such as \"100 millis\" or a number of milliseconds")
  }
  if (Number.isNaN(ms)) return fail(where, field, input, "a duration, not NaN")
  if (ms < 0) return fail(where, field, input, "a non-negative duration")
  if (ms === Infinity && !options.infinite) return fail(where, field, input, "a finite duration")
  if (options.min !== undefined && ms < options.min) {
    return fail(where, field, input, `a duration of at least ${options.min} millis`)
  }
  return ms
}

/** @internal */
export const integer = (where: string, field: string, value: number, min: number): number =>
  Number.isInteger(value) && value >= min ? value : fail(where, field, value, `an integer ≥ ${min}`)

/** @internal */
export const between = (where: string, field: string, value: number, min: number, max: number): number =>
  typeof value === "number" && value >= min && value <= max
    ? value
    : fail(where, field, value, `a number in [${min}, ${max}]`)

/** @internal */
export const atLeast = (where: string, field: string, value: number, min: number, exclusive = false): number =>
  typeof value === "number" && !Number.isNaN(value) && (exclusive ? value > min : value >= min) ?
    value :
    fail(where, field, value, `a number ${exclusive ? ">" : "≥"} ${min}`)

/**
 * Runs a throwing constructor and returns its failure as an `Either`.
 * @internal
 */
export const either = <A>(make: () => A): Either.Either<A, InvalidOptionError> => {
  try {
    return Either.right(make())
  } catch (error) {
    if (error instanceof InvalidOptionError) return Either.left(error)
    throw error
  }
}
