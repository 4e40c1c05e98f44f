// Finding the meshc binary: the `meshc.path` setting, else `meshc` on PATH.
// Kept free of the vscode API so that it is unit-tested with plain Node.

import * as fs from "node:fs";
import * as path from "node:path";

/** Where the binary was found, or why it was not. */
export type Located = { kind: "found"; path: string } | { kind: "missing"; message: string };

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Installation help shown when meshc cannot be found. */
export const INSTALL_HELP =
  "Install meshc (from a clone of the meshc repository: `cargo install --path compiler/cli`) " +
  "or set `meshc.path` to the binary.";

/**
 * Locates meshc: `configured` (the `meshc.path` setting, `~` expanded) when
 * set, else the first `meshc` on `searchPath` (PATH).
 */
export function locateMeshc(configured: string, searchPath: string, home: string): Located {
  const setting = configured.trim();
  if (setting !== "") {
    const expanded = setting.startsWith("~/") ? path.join(home, setting.slice(2)) : setting;
    if (isExecutable(expanded)) {
      return { kind: "found", path: expanded };
    }
    return {
      kind: "missing",
      message: `meshc.path is set to ${setting}, but no executable is there. ${INSTALL_HELP}`,
    };
  }
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") {
      continue;
    }
    const candidate = path.join(dir, "meshc");
    if (isExecutable(candidate)) {
      return { kind: "found", path: candidate };
    }
  }
  return { kind: "missing", message: `meshc was not found on PATH. ${INSTALL_HELP}` };
}
