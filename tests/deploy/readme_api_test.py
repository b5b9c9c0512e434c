#!/usr/bin/env python3
"""The README's "API reference" documents exactly the routes the daemon serves:
every `METHOD /path` it names is registered in server/routes_*.cpp, and every
registered route is documented there.

Usage: readme_api_test.py SOURCE_DIR
"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import CheckFailed, main_args, run_checks  # noqa: E402

(source_dir,) = main_args(1, "SOURCE_DIR")


def code_routes():
    routes = set()
    for path in glob.glob(os.path.join(source_dir, "server", "routes_*.cpp")):
        text = open(path).read()
        for m in re.finditer(r"router\.add\(http::verb::(\w+),(.*?)\[", text, re.S):
            for literal in re.findall(r'"(/[^"]*)"', m.group(2)):
                routes.add((m.group(1).upper(), literal))
        for literal in re.findall(r'add_endpoint\(router, context, "(/[^"]+)"', text):
            routes.add(("POST", literal))
    if len(routes) < 5:
        raise CheckFailed(f"found only {len(routes)} routes in server/routes_*.cpp: {routes}")
    return routes


def readme_routes():
    text = open(os.path.join(source_dir, "README.md")).read()
    m = re.search(r"^## API reference\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        raise CheckFailed("README.md has no '## API reference' section")
    routes = set()
    for method, path in re.findall(r"`(GET|POST|PUT|DELETE|PATCH) (/[^`?\s]*)", m.group(1)):
        routes.add((method, path))
    return routes


def check_documented_routes_exist():
    unknown = sorted(readme_routes() - code_routes())
    assert not unknown, f"the README documents routes the daemon does not serve: {unknown}"


def check_routes_documented():
    missing = sorted(code_routes() - readme_routes())
    assert not missing, f"routes missing from the README's API reference: {missing}"


sys.exit(run_checks([
    ("every route in the README's API reference is served", check_documented_routes_exist),
    ("every served route is in the README's API reference", check_routes_documented),
]))
