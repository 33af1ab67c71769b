/**
 * An error the user can fix: names what was wrong and what to write instead. main.ts prints it
 * as one `::error::` line without a stack trace; anything else is an internal error.
 */
export class ActionError extends Error {
  constructor(
    message: string,
    /** Where it happened, for the annotation title (an input name or a stage). */
    readonly where?: string,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

/** A bad value of one input. */
export class InputError extends ActionError {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`input '${input}': ${message}`, input);
    this.name = 'InputError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
