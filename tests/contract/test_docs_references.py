"""The repository stands on its own (issue 14): every design document it cites is one of its own docs/ pages.

(a) No tracked file points at the folder of design notes kept beside the repository, or cites one of those notes by
    its old name instead of its docs/ page.
(b) Every `docs/<name>.md` cited exists, and every section (`docs/rules.md §3.5`, `docs/architecture.md §6.5`, also
    lists such as `§5.8, 5.11`) or promise id (`docs/reliability.md S1–S4`) cited resolves to a heading of that page
    that carries the same token.

The checks themselves are tested on small texts at the end.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()

# Built from pieces so that this file does not itself contain what it looks for.
OUTSIDE_NAMES = ("DOMAIN", "RELIABILITY", "ARCHITECTURE", "STYLE")
OUTSIDE_CITATION = re.compile(r"(?<![A-Za-z0-9_-])(?:" + "|".join(OUTSIDE_NAMES) + r")\.md\b")
OUTSIDE_FOLDER = re.compile(re.escape("..") + "/" + "shared" + r"\b")

DOC_CITATION = re.compile(r"(?<![\w/.-])docs/(?P<name>[A-Za-z0-9_/-]+)\.md")
SECTION = r"(?:§\d+(?:\.\d+)*|\d+\.\d+(?:\.\d+)*)"  # §4, §3.2, or a bare dotted number 6.5
PART = r"(?:\s[A-D](?:[–-][A-D])?(?![\w]))?"  # §3.2 A, §3.2 A–C
SECTION_LIST = re.compile(r"\s+(?P<list>" + SECTION + PART + r"(?:\s*(?:,|and)\s*" + SECTION + PART + r")*)")
PROMISE = r"[RSLA]\d+"
PROMISE_LIST = re.compile(r"\s+(?P<list>" + PROMISE + r"(?:\s*(?:,|and|–|-)\s*" + PROMISE + r")*)(?![\w])")
SKIP_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", "youwei.egg-info"}


@cache
def tracked_text_files() -> tuple[tuple[str, str], ...]:
    """(path, text) of every tracked UTF-8 text file; the working tree minus caches when git is unavailable."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        paths = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
        ]
    files = []
    for rel in paths:
        path = ROOT / rel
        if not path.is_file():
            continue  # deleted in the working tree
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        try:
            files.append((rel, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return tuple(files)


def outside_references(text: str) -> list[tuple[int, str]]:
    """Lines (number, text) that point outside the repository."""
    return [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE_FOLDER.search(line) or OUTSIDE_CITATION.search(line)
    ]


def citations(text: str) -> list[tuple[str, str]]:
    """Every (page, token) cited: (`rules`, ``) for a bare page, (`rules`, `§3.5`), (`reliability`, `S5`)."""
    found = []
    for m in DOC_CITATION.finditer(text):
        name, tail = m.group("name"), text[m.end() : m.end() + 200]
        found.append((name, ""))
        if name == "reliability":
            listed = PROMISE_LIST.match(tail)
            if listed:
                found += [(name, token) for token in expand_promises(listed.group("list"))]
        else:
            listed = SECTION_LIST.match(tail)
            if listed:
                found += [(name, "§" + number) for number in re.findall(r"§?(\d+(?:\.\d+)*)", listed.group("list"))]
    return found


def expand_promises(listed: str) -> list[str]:
    """`S10, S11, A15` → each; `S1–S4` → S1, S2, S3, S4."""
    tokens: list[str] = []
    for m in re.finditer(r"(" + PROMISE + r")(?:\s*[–-]\s*(" + PROMISE + r"))?", listed):
        first, last = m.group(1), m.group(2)
        if last and last[0] == first[0] and int(last[1:]) >= int(first[1:]):
            tokens += [f"{first[0]}{i}" for i in range(int(first[1:]), int(last[1:]) + 1)]
        else:
            tokens += [first] + ([last] if last else [])
    return tokens


def headings(markdown: str) -> list[str]:
    """The heading lines of a Markdown page (outside fenced code blocks)."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6}\s", line):
            out.append(line)
    return out


def resolves(token: str, page_headings: list[str]) -> bool:
    """Whether a heading carries the token — §6.5 or S5 — itself, not a longer number that starts with it."""
    if token.startswith("§"):
        pattern = re.compile(re.escape(token) + r"(?!\d|\.\d)")
    else:
        pattern = re.compile(r"(?<![\w])" + re.escape(token) + r"(?!\d)")
    return any(pattern.search(h) for h in page_headings)


@cache
def page_headings(name: str) -> list[str] | None:
    path = ROOT / "docs" / f"{name}.md"
    return headings(path.read_text(encoding="utf-8")) if path.is_file() else None


def test_nothing_points_outside_the_repository():
    found = [
        f"{rel}:{n}: {line[:160]}"
        for rel, text in tracked_text_files()
        if rel != SELF
        for n, line in outside_references(text)
    ]
    assert found == [], "cite the docs/ pages instead:\n" + "\n".join(found)


def test_every_cited_page_section_and_promise_exists():
    unresolved = []
    for rel, text in tracked_text_files():
        if rel == SELF:
            continue
        for name, token in sorted(set(citations(text))):
            titles = page_headings(name)
            if titles is None:
                unresolved.append(f"{rel}: docs/{name}.md does not exist")
            elif token and not resolves(token, titles):
                unresolved.append(f"{rel}: docs/{name}.md has no heading with {token}")
    assert unresolved == [], "\n".join(unresolved)


# The checks on small texts: each finds what it must, and only that.


def test_outside_references_are_found_and_look_alikes_are_not():
    folder = ".." + "/" + "shared"
    text = "\n".join(
        [
            f"see `{folder}/notes.md`",
            "the rules of " + OUTSIDE_NAMES[0] + ".md §3",
            "(" + OUTSIDE_NAMES[1] + ".md S5)",
            "WORK_" + OUTSIDE_NAMES[3] + ".md and " + OUTSIDE_NAMES[0] + "_ENUMS are names, not citations",
            "docs/rules.md §3.5 is fine",
        ]
    )
    assert [n for n, _ in outside_references(text)] == [1, 2, 3]


def test_citations_read_sections_lists_parts_and_promise_ranges():
    text = (
        "docs/rules.md §3.2 A–C, §1.3; docs/rules.md §5.8, 5.11 and §5.16 here; docs/rules.md §5 items 3, 12; "
        "docs/architecture.md 6.5, then; docs/reliability.md S10, S11, A15; docs/reliability.md S1–S3 and "
        'docs/reliability.md S13 and S7; docs/rank.md, "Model"; docs/permissions.md rule 5'
    )
    assert sorted(set(citations(text))) == sorted(
        {
            ("rules", ""),
            ("rules", "§3.2"),
            ("rules", "§1.3"),
            ("rules", "§5.8"),
            ("rules", "§5.11"),
            ("rules", "§5.16"),
            ("rules", "§5"),
            ("architecture", ""),
            ("architecture", "§6.5"),
            ("reliability", ""),
            ("reliability", "S10"),
            ("reliability", "S11"),
            ("reliability", "A15"),
            ("reliability", "S1"),
            ("reliability", "S2"),
            ("reliability", "S3"),
            ("reliability", "S13"),
            ("reliability", "S7"),
            ("rank", ""),
            ("permissions", ""),
        }
    )


def test_a_token_resolves_only_to_a_heading_with_exactly_that_number():
    titles = headings(
        "# Page\n## §3 Tolerance\n### §3.5 Machines\n```\n### §9.9 in a code block\n```\n"
        "### S13 Misconfiguration\n### §6.5 Inbox\n### Top 4 risks"
    )
    assert resolves("§3.5", titles) and resolves("§3", titles) and resolves("§6.5", titles)
    assert not resolves("§3.2", titles) and not resolves("§5", titles) and not resolves("§9.9", titles)
    assert not resolves("§4", titles)
    assert resolves("S13", titles) and not resolves("S1", titles) and not resolves("S3", titles)
