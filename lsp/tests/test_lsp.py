"""Scripted editor sessions against `meshc lsp` (see conftest.py)."""

import asyncio
import pathlib

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import TIMEOUT

MODEL = "insights/models/customer_orders.sql"
CONTRACT = "orders/contracts/stg_orders.yaml"


def uri(client: LanguageClient, relative: str) -> str:
    return (client.workspace_root / relative).as_uri()


def text_of(client: LanguageClient, relative: str) -> str:
    return (client.workspace_root / relative).read_text()


def codes(client: LanguageClient, relative: str) -> list[str]:
    return sorted(str(d.code) for d in client.diagnostics.get(uri(client, relative), []))


async def wait_until(client: LanguageClient, condition, what: str):
    """Waits for diagnostics until `condition()` holds (bounded)."""

    async def loop():
        while not condition():
            await client.wait_for_notification("textDocument/publishDiagnostics")

    try:
        await asyncio.wait_for(loop(), TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}; diagnostics: {client.diagnostics}")


def open_file(client: LanguageClient, relative: str) -> str:
    text = text_of(client, relative)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(client, relative), language_id="sql", version=1, text=text
            )
        )
    )
    return text


def position(text: str, needle: str, extra: int = 0) -> types.Position:
    offset = text.index(needle) + extra
    line = text.count("\n", 0, offset)
    character = offset - (text.rfind("\n", 0, offset) + 1)
    return types.Position(line=line, character=character)


def replace(client: LanguageClient, relative: str, text: str, old: str, new: str, version: int) -> str:
    """Sends one incremental edit replacing the first `old` with `new`."""
    start = position(text, old)
    end = position(text, old, len(old))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=uri(client, relative), version=version
            ),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=start, end=end), text=new
                )
            ],
        )
    )
    return text.replace(old, new, 1)


async def test_the_example_is_clean_after_initialize(client: LanguageClient):
    open_file(client, MODEL)
    await asyncio.sleep(0.5)
    assert all(not d for d in client.diagnostics.values()), client.diagnostics


async def test_edit_into_a_contract_error_and_back(client: LanguageClient):
    text = open_file(client, MODEL)
    text = replace(client, MODEL, text, "min(order_date)", "min(order_day)", 2)
    await wait_until(client, lambda: "MESH2009" in codes(client, MODEL), "MESH2009")
    diagnostic = client.diagnostics[uri(client, MODEL)][0]
    assert "order_day" in diagnostic.message
    assert "orders.stg_orders" in diagnostic.message
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start == position(text, "order_day")
    replace(client, MODEL, text, "min(order_day)", "min(order_date)", 3)
    await wait_until(client, lambda: codes(client, MODEL) == [], "the error to clear")


async def test_a_contract_edit_republishes_its_consumers(client: LanguageClient):
    text = open_file(client, CONTRACT)
    text = replace(client, CONTRACT, text, "name: order_date", "name: ordered_on", 2)
    await wait_until(client, lambda: "MESH2009" in codes(client, MODEL), "consumer errors")
    # Every consumer of the column in the other domain, and the producer's model.
    assert "MESH2009" in codes(client, "insights/models/customer_payments.sql") or "MESH2009" in codes(
        client, "insights/models/fct_orders.sql"
    )
    replace(client, CONTRACT, text, "name: ordered_on", "name: order_date", 3)
    await wait_until(
        client,
        lambda: all(not d for d in client.diagnostics.values()),
        "every diagnostic to clear",
    )


async def test_hover_shows_the_producers_contract(client: LanguageClient):
    text = open_file(client, MODEL)
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri(client, MODEL)),
                position=position(text, "stg_orders", 3),
            )
        ),
        TIMEOUT,
    )
    assert hover is not None
    value = hover.contents.value
    assert "**orders.stg_orders**" in value
    assert "version 1.0.0" in value
    assert "orders-team@jaffle.example" in value
    assert "| order_date | DATE |" in value
    assert hover.range.start == position(text, "orders.stg_orders")


async def test_definition_jumps_into_the_contract_and_to_models(client: LanguageClient):
    text = open_file(client, "insights/models/dim_customers.sql")
    for needle, target in [
        ("customers.stg_customers", "customers/contracts/stg_customers.yaml"),
        ("customer_orders", "insights/models/customer_orders.sql"),
    ]:
        location = await asyncio.wait_for(
            client.text_document_definition_async(
                types.DefinitionParams(
                    text_document=types.TextDocumentIdentifier(
                        uri=uri(client, "insights/models/dim_customers.sql")
                    ),
                    position=position(text, needle, len(needle) - 1),
                )
            ),
            TIMEOUT,
        )
        assert location is not None, needle
        assert location.uri == uri(client, target)


async def test_files_changed_on_disk_update_the_database(client: LanguageClient):
    model = client.workspace_root / MODEL
    model.write_text(model.read_text().replace("min(order_date)", "min(order_day)"))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(client, MODEL), type=types.FileChangeType.Changed)]
        )
    )
    await wait_until(client, lambda: "MESH2009" in codes(client, MODEL), "the error from disk")


async def test_a_thousand_rapid_edits_end_in_the_right_state(client: LanguageClient):
    text = open_file(client, MODEL)
    for version in range(2, 1002):
        if version % 2 == 0:
            text = replace(client, MODEL, text, "min(order_date)", "min(order_day)", version)
        else:
            text = replace(client, MODEL, text, "min(order_day)", "min(order_date)", version)
    # Version 1001 fixed the model again; 1002 makes one other error.
    text = replace(client, MODEL, text, "count(order_id)", "count(order_key)", 1002)
    await wait_until(
        client,
        lambda: any("order_key" in d.message for d in client.diagnostics.get(uri(client, MODEL), [])),
        "the last edit's error",
    )
    await asyncio.sleep(0.5)
    # Nothing older came after it: the answer describes version 1002 only.
    diagnostics = client.diagnostics[uri(client, MODEL)]
    assert [d.code for d in diagnostics] == ["MESH2009"], diagnostics
    assert "order_key" in diagnostics[0].message


def doc(client: LanguageClient, relative: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri(client, relative))


async def test_hover_and_definition_of_a_contract_column(client: LanguageClient):
    text = open_file(client, MODEL)
    at = position(text, "order_date", 2)
    hover = await asyncio.wait_for(
        client.text_document_hover_async(types.HoverParams(text_document=doc(client, MODEL), position=at)),
        TIMEOUT,
    )
    assert hover is not None
    assert "**order_date** `DATE`" in hover.contents.value
    assert "orders.stg_orders" in hover.contents.value
    assert "orders/contracts/stg_orders.yaml" in hover.contents.value
    location = await asyncio.wait_for(
        client.text_document_definition_async(
            types.DefinitionParams(text_document=doc(client, MODEL), position=at)
        ),
        TIMEOUT,
    )
    contract = text_of(client, CONTRACT)
    assert location.uri == uri(client, CONTRACT)
    line = contract.splitlines()[location.range.start.line]
    assert "name: order_date" in line, line


async def test_references_of_a_contract_column_reach_every_consumer(client: LanguageClient):
    contract = open_file(client, CONTRACT)
    locations = await asyncio.wait_for(
        client.text_document_references_async(
            types.ReferenceParams(
                text_document=doc(client, CONTRACT),
                position=position(contract, "name: order_date", 8),
                context=types.ReferenceContext(include_declaration=False),
            )
        ),
        TIMEOUT,
    )
    files = sorted({pathlib.Path(l.uri).name for l in locations})
    assert "customer_orders.sql" in files, files
    model = text_of(client, MODEL)
    in_model = [l for l in locations if l.uri == uri(client, MODEL)]
    assert len(in_model) == model.count("order_date")


async def test_completion_of_products_and_columns(client: LanguageClient):
    text = open_file(client, MODEL)
    # After `orders.`: the products domain orders publishes.
    text = replace(client, MODEL, text, "from orders.stg_orders", "from orders.", 2)
    items = await asyncio.wait_for(
        client.text_document_completion_async(
            types.CompletionParams(
                text_document=doc(client, MODEL),
                position=position(text, "from orders.", len("from orders.")),
            )
        ),
        TIMEOUT,
    )
    labels = {i.label: i for i in (items.items if hasattr(items, "items") else items)}
    assert "stg_orders" in labels
    assert labels["stg_orders"].kind == types.CompletionItemKind.Interface
    # Columns of the product in FROM, with their types, through the contract.
    text = replace(client, MODEL, text, "from orders.", "from orders.stg_orders o", 3)
    text = replace(client, MODEL, text, "    customer_id,", "    o.", 4)
    items = await asyncio.wait_for(
        client.text_document_completion_async(
            types.CompletionParams(
                text_document=doc(client, MODEL), position=position(text, "    o.", len("    o."))
            )
        ),
        TIMEOUT,
    )
    labels = {i.label: i for i in (items.items if hasattr(items, "items") else items)}
    assert labels["order_date"].detail.startswith("DATE"), labels["order_date"]
    assert labels["order_date"].kind == types.CompletionItemKind.Field
    assert "count" not in labels


def offset_of(text: str, pos: types.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: pos.line]) + pos.character


def apply_edits(text: str, edits) -> str:
    for edit in sorted(edits, key=lambda e: offset_of(text, e.range.start), reverse=True):
        start, end = offset_of(text, edit.range.start), offset_of(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def whole(text: str) -> types.Range:
    lines = text.split("\n")
    return types.Range(start=types.Position(line=0, character=0), end=types.Position(line=len(lines), character=0))


async def actions(client: LanguageClient, relative: str, text: str):
    found = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc(client, relative),
                range=whole(text),
                context=types.CodeActionContext(diagnostics=[]),
            )
        ),
        TIMEOUT,
    )
    return {a.title: a for a in found}


def save_on_disk(client: LanguageClient, relative: str, text: str, created: bool = False):
    (client.workspace_root / relative).parent.mkdir(parents=True, exist_ok=True)
    (client.workspace_root / relative).write_text(text)
    kind = types.FileChangeType.Created if created else types.FileChangeType.Changed
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(client, relative), type=kind)])
    )


async def test_code_action_applies_the_did_you_mean(client: LanguageClient):
    text = open_file(client, MODEL)
    text = replace(client, MODEL, text, "min(order_date)", "min(order_dat)", 2)
    await wait_until(client, lambda: "MESH2009" in codes(client, MODEL), "MESH2009")
    found = await actions(client, MODEL, text)
    fix = found["Change `order_dat` to `order_date`"]
    assert fix.kind == types.CodeActionKind.QuickFix
    fixed = apply_edits(text, fix.edit.changes[uri(client, MODEL)])
    assert "min(order_date)" in fixed
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(client, MODEL), version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await wait_until(client, lambda: codes(client, MODEL) == [], "the fix to clear the error")


async def test_code_action_adds_the_missing_dependency(client: LanguageClient):
    model = "payments/models/stg_payments.sql"
    text = open_file(client, model)
    text = replace(client, model, text, "from raw_payments", "from raw_payments\nwhere order_id in (select order_id from orders.stg_orders)", 2)
    await wait_until(client, lambda: "MESH2002" in codes(client, model), "MESH2002")
    found = await actions(client, model, text)
    [title] = [t for t in found if t.startswith("Add the dependency")]
    domain_yaml = text_of(client, "payments/domain.yaml")
    edited = apply_edits(domain_yaml, found[title].edit.changes[uri(client, "payments/domain.yaml")])
    assert 'orders: "^1.0"' in edited
    save_on_disk(client, "payments/domain.yaml", edited)
    await wait_until(client, lambda: "MESH2002" not in codes(client, model), "MESH2002 to clear")


async def test_code_action_declares_a_column_in_the_own_contract(client: LanguageClient):
    model = "orders/models/stg_orders.sql"
    text = open_file(client, model)
    text = replace(client, model, text, "select", "select\n    1 as extra_flag,", 2)
    await wait_until(client, lambda: "MESH1002" in codes(client, model), "MESH1002")
    found = await actions(client, model, text)
    [title] = [t for t in found if t.startswith("Declare `extra_flag`")]
    contract = text_of(client, CONTRACT)
    edited = apply_edits(contract, found[title].edit.changes[uri(client, CONTRACT)])
    save_on_disk(client, CONTRACT, edited)
    await wait_until(client, lambda: "MESH1002" not in codes(client, model), "MESH1002 to clear")
    assert codes(client, CONTRACT) == []


async def test_code_action_publishes_a_private_model(client: LanguageClient):
    text = open_file(client, MODEL)
    found = await actions(client, MODEL, text)
    [title] = [t for t in found if t.startswith("Publish `insights.customer_orders`")]
    operations = found[title].edit.document_changes
    created = operations[0]
    assert created.kind == "create"
    contract = "insights/contracts/customer_orders.yaml"
    assert created.uri == uri(client, contract)
    new_text = operations[1].edits[0].new_text
    assert "physicalType: DATE" in new_text
    save_on_disk(client, contract, new_text, created=True)
    await asyncio.sleep(1.0)
    assert codes(client, contract) == [], client.diagnostics.get(uri(client, contract))
    assert codes(client, MODEL) == []


async def test_document_and_workspace_symbols(client: LanguageClient):
    open_file(client, MODEL)
    symbols = await asyncio.wait_for(
        client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(client, MODEL))),
        TIMEOUT,
    )
    names = [(s.name, s.kind) for s in symbols]
    assert ("first_order", types.SymbolKind.Field) in names
    assert [n for n, _ in names] == ["customer_id", "first_order", "most_recent_order", "number_of_orders"]
    found = await asyncio.wait_for(
        client.workspace_symbol_async(types.WorkspaceSymbolParams(query="stg_ord")), TIMEOUT
    )
    assert [(s.name, s.kind) for s in found] == [("orders.stg_orders", types.SymbolKind.Interface)]


async def test_document_symbols_list_ctes(client: LanguageClient):
    model = "insights/models/with_cte.sql"
    text = "with recent as (\n    select order_id from orders.stg_orders\n)\nselect order_id from recent\n"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri(client, model), language_id="sql", version=1, text=text)
        )
    )
    symbols = await asyncio.wait_for(
        client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(client, model))),
        TIMEOUT,
    )
    assert [(s.name, s.kind) for s in symbols] == [
        ("recent", types.SymbolKind.Namespace),
        ("order_id", types.SymbolKind.Field),
    ]
    assert symbols[0].location.range.start == position(text, "recent")


async def test_rename_of_a_private_model_updates_its_domain(client: LanguageClient):
    model = "insights/models/dim_customers.sql"
    text = open_file(client, model)
    at = position(text, "customer_orders", 3)
    prepared = await asyncio.wait_for(
        client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=doc(client, model), position=at)
        ),
        TIMEOUT,
    )
    assert prepared.start == position(text, "customer_orders")
    edit = await asyncio.wait_for(
        client.text_document_rename_async(
            types.RenameParams(text_document=doc(client, model), position=at, new_name="orders_per_customer")
        ),
        TIMEOUT,
    )
    changes = edit.document_changes
    renames = [c for c in changes if getattr(c, "kind", None) == "rename"]
    assert [(pathlib.Path(r.old_uri).name, pathlib.Path(r.new_uri).name) for r in renames] == [
        ("customer_orders.sql", "orders_per_customer.sql")
    ]
    # Apply it on disk as an editor would, and tell the server.
    events = []
    for change in changes:
        if getattr(change, "kind", None) == "rename":
            continue
        relative = str(pathlib.Path(change.text_document.uri.removeprefix("file://")).relative_to(client.workspace_root))
        save_on_disk(client, relative, apply_edits(text_of(client, relative), change.edits))
    for rename in renames:
        old = pathlib.Path(rename.old_uri.removeprefix("file://"))
        new = pathlib.Path(rename.new_uri.removeprefix("file://"))
        old.rename(new)
        events += [
            types.FileEvent(uri=rename.old_uri, type=types.FileChangeType.Deleted),
            types.FileEvent(uri=rename.new_uri, type=types.FileChangeType.Created),
        ]
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=events))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(client, model), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text_of(client, model))],
        )
    )
    await asyncio.sleep(1.0)
    assert "orders_per_customer" in text_of(client, model)
    assert "orders_per_customer:" in text_of(client, "insights/domain.yaml")
    assert all(not d for d in client.diagnostics.values()), client.diagnostics


async def test_renaming_a_published_column_is_refused_with_its_consumers(client: LanguageClient):
    contract = open_file(client, CONTRACT)
    try:
        await asyncio.wait_for(
            client.text_document_prepare_rename_async(
                types.PrepareRenameParams(
                    text_document=doc(client, CONTRACT), position=position(contract, "name: order_date", 8)
                )
            ),
            TIMEOUT,
        )
    except Exception as error:  # pygls raises the server's JsonRpc error
        message = str(error)
    else:
        raise AssertionError("the rename was not refused")
    assert "breaking contract change" in message
    assert "insights.customer_orders" in message


async def execute(client: LanguageClient, command: str, *arguments):
    return await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=list(arguments))
        ),
        TIMEOUT,
    )


async def test_compiled_sql_and_preview_commands(client: LanguageClient):
    import subprocess

    from conftest import MESHC

    sql = await execute(client, "meshc.compiledSql", uri(client, MODEL))
    assert '"orders"."stg_orders"' in sql and sql.startswith("SELECT"), sql
    run = subprocess.run([MESHC, "run", "-q", "-w", str(client.workspace_root)], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    preview = await execute(client, "meshc.preview", uri(client, MODEL), 3)
    assert preview["model"] == "insights.customer_orders"
    assert preview["columns"] == ["customer_id", "first_order", "most_recent_order", "number_of_orders"]
    assert len(preview["rows"]) == 3


async def test_a_panicking_handler_does_not_kill_the_server(client: LanguageClient):
    try:
        await execute(client, "meshc.test.panic", uri(client, MODEL))
    except Exception:
        pass
    else:
        raise AssertionError("the panic was not reported as an error")
    assert any("internal error" in m.message for m in client.log_messages), client.log_messages
    # Still serving, with a working database.
    text = open_file(client, MODEL)
    text = replace(client, MODEL, text, "min(order_date)", "min(order_day)", 2)
    await wait_until(client, lambda: "MESH2009" in codes(client, MODEL), "diagnostics after the panic")


async def test_whole_mesh_diagnostics_follow_a_model_edit(client: LanguageClient):
    """The edit path re-checks the edited model and its readers at once;
    workspace-level facts (here a dependency cycle) follow when edits pause."""
    text = open_file(client, MODEL)
    replace(
        client,
        MODEL,
        text,
        "from orders.stg_orders",
        "from orders.stg_orders where customer_id in (select customer_id from dim_customers)",
        2,
    )
    await wait_until(
        client,
        lambda: any("MESH2006" in codes(client, f) for f in [MODEL, "insights/models/dim_customers.sql"]),
        "the cycle diagnostic",
    )


async def test_completion_in_yaml(client: LanguageClient):
    # A contract: the model's columns it does not declare yet, with their types.
    contract = open_file(client, CONTRACT)
    model = "orders/models/stg_orders.sql"
    text = open_file(client, model)
    replace(client, model, text, "select", "select\n    1 as extra_flag,", 2)
    items = await asyncio.wait_for(
        client.text_document_completion_async(
            types.CompletionParams(text_document=doc(client, CONTRACT), position=position(contract, "properties:"))
        ),
        TIMEOUT,
    )
    items = items.items if hasattr(items, "items") else items
    assert [(i.label, i.detail) for i in items] == [("extra_flag", "physicalType: INTEGER, required: true")]
    # domain.yaml: the domains it does not depend on yet.
    domain_yaml = open_file(client, "payments/domain.yaml")
    items = await asyncio.wait_for(
        client.text_document_completion_async(
            types.CompletionParams(
                text_document=doc(client, "payments/domain.yaml"), position=position(domain_yaml, "models:")
            )
        ),
        TIMEOUT,
    )
    items = items.items if hasattr(items, "items") else items
    labels = {i.label: i.detail for i in items}
    assert set(labels) == {"customers", "orders", "insights"}
    assert labels["orders"].startswith('"^1.0"')
    assert "stg_orders" in labels["orders"]
