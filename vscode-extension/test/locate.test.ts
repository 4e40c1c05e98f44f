// Unit tests of locating the meshc binary (node:test, plain Node).

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { type Located, locateMeshc } from "../src/locate";

function message(located: Located): string {
  if (located.kind !== "missing") {
    assert.fail(`found ${located.path}`);
  }
  return located.message;
}

function fakeBinary(dir: string): string {
  const file = path.join(dir, "meshc");
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, 0o755);
  return file;
}

void test("the setting wins over PATH", () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), "meshc-a-"));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), "meshc-b-"));
  const configured = fakeBinary(a);
  fakeBinary(b);
  assert.deepEqual(locateMeshc(configured, b, os.homedir()), { kind: "found", path: configured });
});

void test("PATH is searched in order", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "meshc-e-"));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), "meshc-b-"));
  const found = fakeBinary(b);
  const searchPath = [empty, b].join(path.delimiter);
  assert.deepEqual(locateMeshc("", searchPath, os.homedir()), { kind: "found", path: found });
});

void test("a missing binary says how to install it", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "meshc-e-"));
  assert.match(message(locateMeshc("", empty, os.homedir())), /cargo install/);
  assert.match(message(locateMeshc(path.join(empty, "nope"), "", os.homedir())), /meshc\.path is set/);
});

void test("a non-executable file is not taken", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshc-n-"));
  const file = path.join(dir, "meshc");
  fs.writeFileSync(file, "");
  fs.chmodSync(file, 0o644);
  assert.equal(locateMeshc("", dir, os.homedir()).kind, "missing");
});
