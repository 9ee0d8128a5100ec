"""Check-only text hygiene for the repository (never rewrites a file).

The equivalents of pre-commit-hooks' trailing-whitespace, end-of-file-fixer
and check-xml, run on the files git knows about (tracked, plus untracked files
that are not ignored), or on the paths given as arguments.
"""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TEXT_SUFFIXES = {
    ".py",
    ".xml",
    ".csv",
    ".po",
    ".pot",
    ".md",
    ".rst",
    ".txt",
    ".toml",
    ".cfg",
    ".conf",
    ".ini",
    ".yaml",
    ".yml",
    ".json",
    ".js",
    ".scss",
    ".css",
    ".sh",
    ".html",
}
TEXT_NAMES = {"Makefile", "LICENSE", ".gitignore", ".editorconfig", "run"}
SKIP_PARTS = {".venv", "var", "node_modules", ".git"}


def repo_files(root):
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file()]
    return [
        Path(root, n)
        for n in sorted(set(names))
        if not SKIP_PARTS.intersection(Path(n).parts) and Path(root, n).is_file()
    ]


def is_golden(path):
    """Test input files kept byte for byte as banks and collectors write them (CP1251, CRLF, no final newline)."""
    parts = path.parts
    return any(parts[i : i + 2] == ("tests", "data") for i in range(len(parts) - 1))


def is_text(path):
    if is_golden(path):
        return False
    return path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES or path.name.startswith(".")


def check_file(path, root=None):
    problems = []
    data = path.read_bytes()
    if root is not None and path.is_absolute() and path.is_relative_to(root):
        path = path.relative_to(root)
    if b"\0" in data:
        return problems
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [f"{path}: not valid UTF-8"]
    if text and not text.endswith("\n"):
        problems.append(f"{path}: no newline at end of file")
    if text.endswith("\n\n"):
        problems.append(f"{path}: blank line(s) at end of file")
    if "\r\n" in text:
        problems.append(f"{path}: CRLF line endings")
    for lineno, line in enumerate(text.split("\n"), 1):
        if line != line.rstrip(" \t\r"):
            problems.append(f"{path}:{lineno}: trailing whitespace")
    if path.suffix == ".xml":
        try:
            ET.fromstring(data)
        except ET.ParseError as exc:
            problems.append(f"{path}: XML not well-formed: {exc}")
    return problems


def main(argv):
    root = Path(__file__).resolve().parent.parent
    files = [Path(a) for a in argv] if argv else repo_files(root)
    problems = []
    for path in files:
        if is_text(path):
            problems.extend(check_file(path, root))
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_files: {len(problems)} problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
