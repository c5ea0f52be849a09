// What a command-line entry point prints when it stops on an error: the message and the stable
// error code. An error that is not a CodedError also gets its name and message on a second line
// for the operator, and the code `internal`.

import { asCodedError, CodedError } from "../ports/errors.ts";

/** Text for stderr, one line per part, each ending in a newline. `fallback` stands in for an unknown error's message. */
export function cliErrorText(program: string, error: unknown, fallback: string): string {
  const coded = asCodedError(error);
  if (error instanceof CodedError) return `${program}: ${coded.message}\n${program}: error code ${coded.code}\n`;
  const hasCode = error instanceof Error && typeof (error as { code?: unknown }).code === "string";
  const first = hasCode ? (error as Error).message : fallback;
  const detail = error instanceof Error ? `${error.name}: ${error.message}\n` : "";
  return `${program}: ${first}\n${detail}${program}: error code ${coded.code}\n`;
}
