// What every CLI command gets and returns: argv after its name, an output sink, an exit code.
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for `lunawall help`. */
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** A user error: printed as one line on stderr, exit code `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
