import { InvalidOption } from "@rebound/core"

/** The field an `InvalidOptionError` names when `make` throws one; `"accepted"` when it does not throw. */
export const invalidField = (make: () => unknown): string => {
  try {
    make()
  } catch (error) {
    if (InvalidOption.isInvalidOptionError(error)) return error.field
    throw error
  }
  return "accepted"
}
