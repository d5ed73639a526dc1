"""The dependency rules of docs/architecture.md §6.1, checked by walking every import with ast."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("rank", "appraisal", "petitions", "tolerance")
DOMAIN_ALLOWED = ("kernel.errors", "kernel.calendar", "kernel.contracts.vocabulary", "kernel.ids")
DOMAIN_FORBIDDEN_LIBS = ("fastapi", "sqlalchemy", "nats", "httpx", "aiohttp", "starlette", "pydantic_settings")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_never_imports_another_service(service):
    others = [f"services.{s}" for s in SERVICES if s != service]
    for path in _files(f"services/{service}"):
        for name in _imports(path):
            assert not any(name == o or name.startswith(o + ".") for o in others), f"{path}: {name}"


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_does_no_io_and_imports_no_outer_layer(service):
    for path in _files(f"services/{service}/domain"):
        for name in _imports(path):
            root = name.split(".")[0]
            assert root not in DOMAIN_FORBIDDEN_LIBS, f"{path}: {name}"
            if root == "kernel":
                assert name.startswith(DOMAIN_ALLOWED), f"{path}: {name}"
            if name.startswith(f"services.{service}."):
                assert name.startswith(f"services.{service}.domain"), f"{path}: {name}"


def test_every_id_a_service_creates_comes_from_the_one_id_helper():
    """kernel.ids.new_id (a uuid4 as text) is the only id maker: no service builds ids of its own shape."""
    for service in SERVICES:
        for path in _files(f"services/{service}"):
            assert "uuid" not in _imports(path), f"{path}: use kernel.ids.new_id"


def test_the_audit_log_is_written_only_through_the_unit_of_work_and_the_runtime():
    """Writes audit with `uow.audit`/`uow.audit_many`, reads with `runtime.audit_reads`: no service appends to
    audit_log by hand (kernel.audit.record, record_many, append_rows) or names the table outside its ORM module."""
    for service in SERVICES:
        for path in _files(f"services/{service}"):
            text = path.read_text(encoding="utf-8")
            for forbidden in ("audit.record(", "audit.record_many(", "append_rows(", "import record_many"):
                assert forbidden not in text, f"{path}: {forbidden} (use uow.audit or runtime.audit_reads)"
            if path.name != "orm.py":
                assert "audit_log" not in text, f"{path}: audit_log is written by the kernel only"


def test_the_gateway_reaches_services_over_http_only():
    for path in _files("gateway"):
        assert not any(n.startswith("services") for n in _imports(path)), path


def test_the_kernel_imports_no_service_and_no_gateway():
    for path in _files("kernel"):
        assert not any(n.startswith(("services", "gateway", "suite")) for n in _imports(path)), path


def test_the_kernel_names_no_project_module_to_import_by_string():
    """Composition (which services exist) lives in suite/, so the kernel cannot load a service behind an import."""
    for path in _files("kernel"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.startswith(("services.", "gateway.", "suite.")), f"{path}: {node.value!r}"


# SQL belongs in a service's adapters (repositories, projections) and its views (docs/DEVELOPING.md).
def _sql_allowed(relative: Path) -> bool:
    return relative.parts[0] == "adapters" or "views" in relative.parts[0]  # views.py, process_views.py, views/


@pytest.mark.parametrize("service", SERVICES)
def test_sqlalchemy_is_imported_only_by_adapters_and_views(service):
    base = ROOT / "services" / service
    found = {
        str(p.relative_to(base).as_posix())
        for p in _files(f"services/{service}")
        if not _sql_allowed(p.relative_to(base)) and any(n.split(".")[0] == "sqlalchemy" for n in _imports(p))
    }
    assert found == set(), "SQL outside adapters and views"


# The edges (HTTP routes, message handlers) import only their service's use cases and views (docs/DEVELOPING.md):
# the domain and the adapters are reached through the service layer.
def _reached_past_the_service_layer(service: str, layer: str, path: Path) -> set[str]:
    own = f"services.{service}."
    reached = set()
    for name in _imports(path):
        if name.split(".")[0] == "sqlalchemy":
            reached.add("sqlalchemy")
        elif name.startswith(own):
            part = name[len(own) :].split(".")[0]
            if part not in ("service_layer", "views", "process_views", layer) and not part.endswith("_views"):
                reached.add(part)
    return reached


@pytest.mark.parametrize("service", SERVICES)
def test_routes_and_message_handlers_import_only_use_cases_and_views(service):
    base = ROOT / "services" / service
    found = {}
    for layer in ("api", "messaging"):
        for path in _files(f"services/{service}/{layer}"):
            reached = _reached_past_the_service_layer(service, layer, path)
            if reached:
                found[path.relative_to(base).as_posix()] = reached
    assert found == {}, "an edge module reaches past the service layer"


LAYOUT = ("adapters", "api", "domain", "messaging", "service_layer", "main.py", "settings.py", "jobs.py")


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_layout(service):
    """docs/DEVELOPING.md: the same packages and entry modules in every service, views as a module or package."""
    base = ROOT / "services" / service
    missing = [name for name in LAYOUT if not (base / name).exists()]
    assert missing == [], f"services/{service} lacks {missing}"
    assert (base / "views.py").exists() or (base / "views" / "__init__.py").exists()
    for package in LAYOUT[:5]:
        assert (base / package / "__init__.py").exists(), f"services/{service}/{package} is not a package"


@pytest.mark.parametrize("service", SERVICES)
def test_configuration_reaches_use_cases_through_one_typed_context(service):
    """Each service's `service_layer/context.py` extends kernel.service_context.ServiceContext; its unit of work
    declares it as `context`, and create_app hands it to the ServiceRuntime (no app.state, no classes built with
    type())."""
    import importlib

    from kernel.service_context import ServiceContext

    module = importlib.import_module(f"services.{service}.service_layer.context")
    name = f"{service.capitalize()}Context"
    context_cls = getattr(module, name)
    assert issubclass(context_cls, ServiceContext), name
    uow_module = importlib.import_module(f"services.{service}.service_layer.unit_of_work")
    uow_cls = getattr(uow_module, f"{service.capitalize()}UnitOfWork")
    assert uow_cls.__annotations__.get("context") in (name, context_cls), f"{uow_cls.__name__}.context: {name}"
    main = (ROOT / "services" / service / "main.py").read_text(encoding="utf-8")
    assert f"{name}.build(settings)" in main and "context=" in main, f"services/{service}/main.py"
    for path in _files(f"services/{service}"):
        text = path.read_text(encoding="utf-8")
        assert 'type("' not in text and "app.state.policy" not in text and "_tools" not in text, path


@pytest.mark.parametrize("service", SERVICES)
def test_routes_are_assembled_one_way(service):
    """`api/router.py` lists the service's routers in matching order as ROUTERS; create_app passes it to build_app."""
    from fastapi import APIRouter

    routers = importlib.import_module(f"services.{service}.api.router").ROUTERS
    assert routers and all(isinstance(r, APIRouter) for r in routers)
    main = ast.parse((ROOT / "services" / service / "main.py").read_text(encoding="utf-8"))
    imported = {(n.module, a.name) for n in ast.walk(main) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert (f"services.{service}.api.router", "ROUTERS") in imported
    calls = [n for n in ast.walk(main) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "build_app"]
    assert [ast.unparse(c.args[1]) for c in calls] == ["ROUTERS"], "create_app passes ROUTERS to build_app"


@pytest.mark.parametrize("service", SERVICES)
def test_projections_are_named_for_their_producer(service):
    """docs/DEVELOPING.md: a copy of another producer's contract is `<producer>_<noun>` in every consumer."""
    orm = importlib.import_module(f"services.{service}.adapters.orm")
    others = [s for s in SERVICES if s != service]
    listed = {table.name for table in orm.PROJECTIONS}
    prefixed = {t.name for t in orm.metadata.sorted_tables if any(t.name.startswith(f"{o}_") for o in others)}
    assert listed == prefixed, "a projection is named <producer>_<noun> and listed in PROJECTIONS"
    assert all(getattr(orm, table.name) is table for table in orm.PROJECTIONS), "its Python name is its table name"
    retired = [t.name for t in orm.metadata.sorted_tables if t.name.split("_")[0] in ("tol", "pet", "apr", "rk")]
    assert retired == [], "an abbreviated producer prefix"


@pytest.mark.parametrize("service", SERVICES)
def test_use_cases_have_one_signature(service):
    """docs/DEVELOPING.md: a use case acting for a caller is `verb_noun(cmd, uow, *, principal, today)`.

    Jobs and consumers (no caller) and reporter-facing use cases (a receipt code, no principal) are outside the rule.
    """
    odd = []
    for path in _files(f"services/{service}/service_layer"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.AsyncFunctionDef) or node.name.startswith("_"):
                continue
            positional = [a.arg for a in node.args.args]
            keywords = [a.arg for a in node.args.kwonlyargs]
            if "principal" not in positional + keywords or "async with uow" not in ast.unparse(node):
                continue
            if not (len(positional) == 2 and positional[1] == "uow" and set(keywords) <= {"principal", "today"}):
                odd.append(f"{path.stem}.{node.name}({', '.join(positional)}, *, {', '.join(keywords)})")
    assert odd == [], "use cases off the one signature"
