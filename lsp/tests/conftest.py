"""A real LSP client (pytest-lsp) driving the real `meshc lsp` binary on a
fresh copy of projects/jaffle_mesh per test."""

import asyncio
import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
MESHC = os.environ.get("MESHC", str(pathlib.Path.home() / ".cache/meshc/target/debug/meshc"))
# Every wait is bounded: a server that never answers fails the test.
TIMEOUT = 15.0


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    target = tmp_path / "jaffle_mesh"
    shutil.copytree(
        ROOT / "projects" / "jaffle_mesh", target, ignore=shutil.ignore_patterns("target")
    )
    return target


# MESHC_LSP_TEST_PANIC enables the command that panics inside a handler.
@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[MESHC, "lsp"],
        server_env={**os.environ, "MESHC_LSP_TEST_PANIC": "1"},
    )
)
async def client(lsp_client: LanguageClient, workspace: pathlib.Path):
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(
            general=types.GeneralClientCapabilities(
                position_encodings=[types.PositionEncodingKind.Utf16]
            )
        ),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="jaffle_mesh")],
    )
    await asyncio.wait_for(lsp_client.initialize_session(params), TIMEOUT)
    lsp_client.workspace_root = workspace
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)
