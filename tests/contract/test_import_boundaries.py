"""The dependency rules of docs/architecture.md §6.1, checked by walking every import with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("rank", "appraisal", "petitions", "tolerance")
DOMAIN_ALLOWED = ("kernel.errors", "kernel.calendar", "kernel.contracts.vocabulary")
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


# SQL belongs in a service's adapters (repositories, projections) and its views (docs/architecture.md §6.1). These
# modules still run SQL themselves; they are being moved (issue 14). The list may only shrink: a new module with
# SQL outside adapters and views fails, and so does a listed module that no longer needs its entry.
SQL_OUTSIDE_ADAPTERS_TODAY = {
    "rank": {"service_layer/batches.py", "service_layer/past_contracts.py", "service_layer/standing.py"},
    "appraisal": {"insights.py", "messaging/handlers.py", "service_layer/assessments.py", "service_layer/awards.py",
                  "service_layer/inaction.py", "service_layer/incentives.py", "service_layer/index.py",
                  "service_layer/past_facts.py", "service_layer/past_grades.py", "service_layer/scope.py",
                  "service_layer/talks.py"},
    "petitions": {"rotate.py", "service_layer/appeal_history.py", "service_layer/appeals.py",
                  "service_layer/clarifications.py", "service_layer/deadlines.py",
                  "service_layer/false_accusations.py", "service_layer/public.py", "service_layer/reports.py",
                  "service_layer/support.py"},
    "tolerance": {"service_layer/history.py", "service_layer/past_cases.py", "service_layer/restrictions.py",
                  "service_layer/sanctions.py"},
}


def _sql_allowed(relative: Path) -> bool:
    return relative.parts[0] == "adapters" or "views" in relative.parts[0]  # views.py, process_views.py, views/


@pytest.mark.parametrize("service", SERVICES)
def test_sqlalchemy_is_imported_only_by_adapters_and_views(service):
    base = ROOT / "services" / service
    found = {str(p.relative_to(base).as_posix()) for p in _files(f"services/{service}")
             if not _sql_allowed(p.relative_to(base))
             and any(n.split(".")[0] == "sqlalchemy" for n in _imports(p))}
    assert found - SQL_OUTSIDE_ADAPTERS_TODAY[service] == set(), "SQL outside adapters and views"
    assert SQL_OUTSIDE_ADAPTERS_TODAY[service] - found == set(), "moved to adapters: remove it from the list"
