"""What kind of file a path is: language, test, UI, API, infrastructure (pure)."""

from __future__ import annotations

import re

LANGS = {
    ".py": "py",
    ".pyi": "py",
    ".js": "js",
    ".jsx": "js",
    ".ts": "js",
    ".tsx": "js",
    ".mjs": "js",
    ".cjs": "js",
    ".vue": "js",
    ".svelte": "js",
    ".go": "go",
    ".rs": "rs",
    ".java": "java",
    ".kt": "java",
    ".kts": "java",
    ".scala": "java",
    ".cs": "java",
    ".swift": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "c",
    ".cpp": "c",
    ".hpp": "c",
    ".rb": "rb",
    ".php": "php",
    ".sh": "sh",
    ".bash": "sh",
    ".zsh": "sh",
}
BRACES = frozenset({"js", "go", "rs", "java", "c", "php"})
UI_EXT = frozenset(
    {".tsx", ".jsx", ".vue", ".svelte", ".css", ".scss", ".sass", ".less", ".html", ".htm"}
)
CONFIG_EXT = frozenset(
    {
        ".yaml",
        ".yml",
        ".json",
        ".toml",
        ".ini",
        ".cfg",
        ".conf",
        ".tf",
        ".hcl",
        ".sql",
        ".properties",
        ".env",
    }
)
INFRA_NAMES = frozenset(
    {
        "Dockerfile",
        "Containerfile",
        "Makefile",
        "Procfile",
        "Jenkinsfile",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yaml",
    }
)

_TEST = re.compile(
    r"(^|/)(tests?|__tests__|spec|specs|testing)/|(^|/)test_[^/]*\.py$|_test\.(py|go)$"
    r"|\.(test|spec)\.[cm]?[jt]sx?$|Tests?\.(java|kt|cs)$|_spec\.rb$|(^|/)conftest\.py$"
)
_API = re.compile(
    r"(^|/)(routes?|handlers?|controllers?|endpoints?|api|apis|views|resolvers|schemas?)(/|\.|_)"
    r"|(route|handler|controller|endpoint|resolver|schema|serializer)s?\.[a-z]+$"
    r"|\.proto$|\.graphql$|\.gql$|(^|/)(openapi|swagger)[^/]*\.(ya?ml|json)$",
    re.I,
)
_SCRIPT_DIRS = re.compile(
    r"(^|/)(scripts?|bin|bench|benchmarks?|examples?|tools|cli)/|__main__\.py$"
)


def ext(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else ""


def lang(path: str) -> str | None:
    return LANGS.get(ext(path))


def is_test(path: str) -> bool:
    return bool(_TEST.search(path))


def is_script(path: str) -> bool:
    """Command-line entry points, where printing is the job."""
    return bool(_SCRIPT_DIRS.search(path))


def is_ui(path: str) -> bool:
    return ext(path) in UI_EXT


def is_api(path: str) -> bool:
    return bool(_API.search(path))


def is_manifest(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (name.startswith("requirements") and name.endswith((".txt", ".in"))) or name in (
        "pyproject.toml",
        "package.json",
        "Cargo.toml",
        "Gemfile",
        "go.mod",
        "setup.py",
        "setup.cfg",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "composer.json",
    )


def is_infra(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (
        name in INFRA_NAMES
        or ext(path) in CONFIG_EXT
        or "migration" in path.lower()
        or is_manifest(path)
    )


def is_source(path: str) -> bool:
    return lang(path) is not None


LENSES = ("code", "security", "sre", "api", "ui")


def lenses_for(path: str) -> tuple[str, ...]:
    """The lenses that apply to one changed file."""
    found = []
    source = is_source(path) or is_ui(path)
    if source:
        found.append("code")
    if source or is_infra(path):
        found.append("security")
    if (source and not is_test(path)) or is_infra(path):
        found.append("sre")
    if is_api(path):
        found.append("api")
    if is_ui(path):
        found.append("ui")
    return tuple(found)
