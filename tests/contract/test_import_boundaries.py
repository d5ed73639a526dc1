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
