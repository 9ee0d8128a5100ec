"""Print the technical names of the addons found in the given directories.

An addon is a directory holding a ``__manifest__.py``; those whose manifest says
``'installable': False`` are left out. Pure stdlib: runs before the venv exists.
"""

import ast
import sys
from pathlib import Path


def read_manifest(path):
    """Evaluate a manifest file as a Python literal (dict)."""
    data = ast.literal_eval(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the manifest is not a dict")
    return data


def find_addons(*dirs):
    names = []
    for base in dirs:
        base = Path(base)
        if not base.is_dir():
            continue
        for manifest in sorted(base.glob("*/__manifest__.py")):
            if read_manifest(manifest).get("installable", True):
                names.append(manifest.parent.name)
    return names


def main(argv):
    names = find_addons(*argv)
    if len(names) != len(set(names)):
        sys.stderr.write("duplicate addon names: %s\n" % sorted(names))
        return 1
    for name in names:
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
