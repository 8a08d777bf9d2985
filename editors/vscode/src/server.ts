//! How the extension finds and describes the `ward` binary that runs the language server.
//! Pure functions (no `vscode` import) so the unit tests run them under plain Node.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The settings under `ward.server`. */
export interface ServerSettings {
  path: string;
  extraArgs: readonly string[];
}

/** The process the client starts: `ward lsp` followed by the extra arguments. */
export interface ServerCommand {
  command: string;
  args: string[];
}

/** Turns the settings into a command line, expanding `~` and `${workspaceFolder}`. */
export function serverCommand(settings: ServerSettings, workspaceFolder: string | undefined): ServerCommand {
  let command = settings.path.trim() || "ward";
  if (command === "~" || command.startsWith("~/") || command.startsWith("~\\")) {
    command = path.join(os.homedir(), command.slice(1));
  }
  if (workspaceFolder !== undefined) {
    command = command.split("${workspaceFolder}").join(workspaceFolder);
    // A relative path such as `target/debug/ward` is relative to the workspace, not to
    // wherever VS Code was started from.
    if (hasDirectory(command) && !path.isAbsolute(command)) {
      command = path.resolve(workspaceFolder, command);
    }
  }
  return { command, args: ["lsp", ...settings.extraArgs] };
}

function hasDirectory(command: string): boolean {
  return command.includes("/") || command.includes("\\");
}

export interface Environment {
  PATH?: string;
  Path?: string;
  PATHEXT?: string;
}

/**
 * Where `command` would be found: itself if it names a file, else the first match on
 * `PATH` (with `PATHEXT` on Windows). `undefined` if there is none, which is the case the
 * extension reports with `missingServerMessage` instead of a bare ENOENT.
 */
export function findExecutable(
  command: string,
  env: Environment = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const extensions =
    platform === "win32" ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter((e) => e)] : [""];
  const candidates = hasDirectory(command)
    ? extensions.map((ext) => command + ext)
    : (env.PATH ?? env.Path ?? "")
        .split(platform === "win32" ? ";" : ":")
        .filter((dir) => dir)
        .flatMap((dir) => extensions.map((ext) => path.join(dir, command + ext)));
  return candidates.find((candidate) => isExecutableFile(candidate, platform));
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The message shown when the binary is not there: what is wrong and the two ways to fix it. */
export function missingServerMessage(command: string): string {
  return (
    `Ward: could not start the language server: \`${command}\` was not found. ` +
    "Install it with `cargo install --path compiler/cli` (from a checkout of the Ward repository) " +
    "or set ward.server.path to the `ward` binary."
  );
}

/** The message shown when the binary exists but the server failed to start or crashed. */
export function startFailureMessage(command: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return (
    `Ward: could not start the language server (\`${command} lsp\`): ${reason}. ` +
    "Check that ward.server.path points at a `ward` binary recent enough to have the `lsp` " +
    "subcommand; the Ward output channel has the details."
  );
}
