// The meshc extension: starts `meshc lsp` for a folder with a mesh.yaml and
// shows its state in the status bar. Every feature (diagnostics, hover,
// definition) comes from the language server.

import * as os from "node:os";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";

import { locateMeshc } from "./locate";

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;
let output: vscode.LogOutputChannel | undefined;

function setStatus(text: string, tooltip: string): void {
  if (status) {
    status.text = text;
    status.tooltip = tooltip;
    status.show();
  }
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration("meshc").get<string>("path", "");
  const located = locateMeshc(configured, process.env.PATH ?? "", os.homedir());
  if (located.kind === "missing") {
    setStatus("$(error) meshc", located.message);
    const choice = await vscode.window.showErrorMessage(located.message, "Open Settings");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "meshc.path");
    }
    return;
  }
  const serverOptions: ServerOptions = {
    command: located.path,
    args: ["lsp"],
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "sql" },
      { scheme: "file", pattern: "**/{mesh,domain,sources}.yaml" },
      { scheme: "file", pattern: "**/contracts/*.{yaml,yml}" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{*.sql,*.yaml,*.yml,mesh.lock}",
      ),
    },
    outputChannel: output,
  };
  client = new LanguageClient("meshc", "meshc", serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    if (event.newState === State.Running) {
      setStatus("$(check) meshc", `meshc language server running (${located.path})`);
    } else if (event.newState === State.Starting) {
      setStatus("$(sync~spin) meshc", "meshc language server starting");
    } else {
      setStatus("$(circle-slash) meshc", "meshc language server stopped; click to restart");
    }
  });
  setStatus("$(sync~spin) meshc", "meshc language server starting");
  await client.start();
}

async function restart(): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop();
  }
  await start();
}

/** Runs a server command on the active model file. */
async function onActiveModel(command: string, extra: unknown[]): Promise<unknown> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor) {
    void vscode.window.showWarningMessage("meshc: open a model file first");
    return undefined;
  }
  try {
    return await client.sendRequest(ExecuteCommandRequest.type, {
      command,
      arguments: [editor.document.uri.toString(), ...extra],
    });
  } catch (error) {
    void vscode.window.showErrorMessage(`meshc: ${String(error)}`);
    return undefined;
  }
}

async function showCompiledSql(): Promise<void> {
  const sql = await onActiveModel("meshc.compiledSql", []);
  if (typeof sql === "string") {
    const document = await vscode.workspace.openTextDocument({ language: "sql", content: sql });
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

interface Preview {
  model: string;
  columns: string[];
  rows: string[][];
}

async function previewRows(): Promise<void> {
  const preview = (await onActiveModel("meshc.preview", [20])) as Preview | undefined;
  if (!preview) {
    return;
  }
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  const table = [
    `# ${preview.model} (first ${String(preview.rows.length)} rows of the last run)`,
    "",
    line(preview.columns),
    line(preview.columns.map(() => "---")),
    ...preview.rows.map(line),
  ].join("\n");
  const document = await vscode.workspace.openTextDocument({ language: "markdown", content: table });
  await vscode.window.showTextDocument(document, { preview: true });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("meshc", { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.command = "meshc.restartServer";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("meshc.restartServer", restart),
    vscode.commands.registerCommand("meshc.showCompiledSqlForEditor", showCompiledSql),
    vscode.commands.registerCommand("meshc.previewRowsForEditor", previewRows),
    vscode.commands.registerCommand("meshc.showOutput", () => {
      output?.show();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("meshc.path")) {
        await restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
