#!/usr/bin/env bash
# The MSRV check: every crate of the workspace declares the workspace's `rust-version`, and no
# dependency of a publishable crate (normal and build dependencies, all features) declares a
# newer one. This machine has one Rust toolchain and cannot fetch another, so the code itself is
# held to the MSRV by clippy's `incompatible_msrv` lint (on by default, an error under CI's
# `-D warnings`: it flags std APIs stabilized after `rust-version`), and language features by
# the edition (2024 needs 1.85) and let chains (1.88, the MSRV).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo metadata --format-version 1 --all-features --locked | python3 -c '
import json, sys

def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
members = set(meta["workspace_members"])
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
msrvs = {packages[m]["rust_version"] for m in members}
if len(msrvs) != 1 or None in msrvs:
    sys.exit(f"every workspace crate must declare the one rust-version; found {msrvs}")
msrv = msrvs.pop()
publishable = [m for m in members if packages[m]["publish"] != []]
seen, stack = set(), list(publishable)
while stack:
    node = stack.pop()
    if node in seen:
        continue
    seen.add(node)
    for dep in nodes[node]["deps"]:
        if any(kind["kind"] in (None, "build") for kind in dep["dep_kinds"]):
            stack.append(dep["pkg"])
newer = sorted(
    (packages[d]["name"], packages[d]["version"], packages[d]["rust_version"])
    for d in seen - members
    if packages[d]["rust_version"] and version(packages[d]["rust_version"]) > version(msrv)
)
if newer:
    sys.exit(f"dependencies that need a newer Rust than {msrv}: {newer}")
print(f"rust-version {msrv}: {len(seen - members)} dependencies of {len(publishable)} publishable crates need at most it")
'
