//! The Ward extension: starts `ward lsp` over stdio with vscode-languageclient for `.ward`
//! files, reports a missing binary in words the user can act on, and restarts the server
//! on request or when its settings change.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { foldingRanges } from "./folding";
import { findExecutable, missingServerMessage, serverCommand, startFailureMessage } from "./server";

/** The scheme of stdlib locations when the server has no copy on disk (ward-lsp's STDLIB_SCHEME). */
const STDLIB_SCHEME = "ward-stdlib";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Ward");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("ward.restartServer", () => restart()),
    vscode.commands.registerCommand("ward.showOutput", () => output.show(true)),
    // Go to definition often lands in the stdlib (templates, sensors). `ward lsp` gives
    // `file:` URIs into its copy on disk; only when it could not write that copy does it
    // give `ward-stdlib:` URIs, whose text this asks of the server (docs/lsp.md).
    vscode.workspace.registerTextDocumentContentProvider(STDLIB_SCHEME, {
      provideTextDocumentContent: (uri) => stdlibText(uri),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("ward.server")) {
        output.appendLine("ward.server settings changed: restarting the language server.");
        void restart();
      }
    }),
    vscode.languages.registerFoldingRangeProvider(
      { language: "ward" },
      {
        provideFoldingRanges(document) {
          return foldingRanges(document.getText()).map(
            (f) =>
              new vscode.FoldingRange(
                f.start,
                f.end,
                f.kind === "comment"
                  ? vscode.FoldingRangeKind.Comment
                  : f.kind === "region"
                    ? vscode.FoldingRangeKind.Region
                    : undefined,
              ),
          );
        },
      },
    ),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (e) {
      output.appendLine(`Stopping the language server failed: ${String(e)}`);
    }
  }
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("ward.server");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const { command, args } = serverCommand(
    { path: config.get<string>("path", "ward"), extraArgs: config.get<string[]>("extraArgs", []) },
    folder,
  );

  const resolved = findExecutable(command);
  if (resolved === undefined) {
    const message = missingServerMessage(command);
    output.appendLine(message);
    void offerFixes(message);
    return;
  }
  output.appendLine(`Starting the language server: ${resolved} ${args.join(" ")}`);

  const serverOptions: ServerOptions = {
    command: resolved,
    args,
    transport: TransportKind.stdio,
    options: folder === undefined ? undefined : { cwd: folder },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "ward" },
      { scheme: "untitled", language: "ward" },
      { scheme: STDLIB_SCHEME, language: "ward" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.ward,Ward.toml}"),
    },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };

  const next = new LanguageClient("ward", "Ward Language Server", serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (e) {
    const message = startFailureMessage(command, e);
    output.appendLine(message);
    void offerFixes(message);
    if (client === next) client = undefined;
  }
}

/** The text of a stdlib file, asked of the server (`ward/stdlib`). */
async function stdlibText(uri: vscode.Uri): Promise<string> {
  if (client === undefined) {
    return "// The Ward language server is not running; start it to read the bundled stdlib.\n";
  }
  return client.sendRequest<string>("ward/stdlib", { uri: uri.toString() });
}

/** Shows `message` with buttons that lead to the fix: the setting, the log, a retry. */
async function offerFixes(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Output", "Retry");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "ward.server");
  } else if (choice === "Show Output") {
    output.show(true);
  } else if (choice === "Retry") {
    await restart();
  }
}
