#!/usr/bin/env python3
"""What an admin would script instead of minpriv: ADM001, PRF001 and NET001
with the standard library's xml.etree, over every profile, using every core
through a process pool. The baseline the benchmark compares minpriv with.

    python3 benches/baseline.py DIR
"""
import os
import sys
import tomllib
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import unquote

NS = "{http://soap.sforce.com/2006/04/metadata}"
ADMIN = {"ModifyAllData", "ViewAllData", "ManageUsers", "CustomizeApplication",
         "AuthorApex", "ModifyMetadata", "ManageProfilesPermissionsets"}


def profiles(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            for suffix in (".profile-meta.xml", ".profile"):
                if name.endswith(suffix):
                    yield os.path.join(dirpath, name), unquote(name[: -len(suffix)])


def check(args):
    path, name, named = args
    tree = ET.parse(path)
    root = tree.getroot()
    licence = root.findtext(NS + "userLicense")
    perms = {p.findtext(NS + "name") for p in root.findall(NS + "userPermissions")
             if p.findtext(NS + "enabled") == "true"}
    if not (name in named or licence == "Salesforce Integration" or "ApiUserOnly" in perms):
        return []
    found = []
    if name == "Admin" or perms & ADMIN:
        found.append(("ADM001", path))
    for o in root.findall(NS + "objectPermissions"):
        if any(o.findtext(NS + f) == "true" for f in
               ("allowCreate", "allowRead", "allowEdit", "allowDelete", "viewAllRecords", "modifyAllRecords")):
            found.append(("PRF001", path))
    if root.find(NS + "loginIpRanges") is None:
        found.append(("NET001", path))
    return found


def main():
    root = sys.argv[1]
    named = set()
    config = os.path.join(root, "minpriv.toml")
    if os.path.exists(config):
        with open(config, "rb") as f:
            named = {i.get("profile") for i in tomllib.load(f).get("integration", [])}
    jobs = [(path, name, named) for path, name in profiles(root)]
    with ProcessPoolExecutor() as pool:
        findings = [f for result in pool.map(check, jobs, chunksize=4) for f in result]
    print(f"{len(jobs)} profiles, {len(findings)} findings")


if __name__ == "__main__":
    main()
