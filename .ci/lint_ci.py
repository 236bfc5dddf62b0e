#!/usr/bin/env python3
"""Lints the CI files minpriv ships (run by .ci/run).

- actionlint on every workflow in .github/workflows;
- the action (action.yml): GitHub's action-metadata schema, then actionlint
  on its steps, turned into a reusable workflow whose inputs are the
  action's (actionlint reads workflows, not action metadata);
- the workflows against GitHub's workflow schema;
- the GitLab CI template against GitLab's CI schema (check-jsonschema's
  vendored copy), and parsed as YAML and checked for the keys it must have.

Tools come from PATH (.ci/run installs them with pip). A missing tool is
reported as SKIPPED; a tool that finds a problem fails the run (exit 1).
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOWS = sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
ACTION = os.path.join(ROOT, "action.yml")
GITLAB = os.path.join(ROOT, "ci", "minpriv.gitlab-ci.yml")

failed = []


def run(label, cmd):
    print(f"-- {label}: {' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode != 0:
        failed.append(label)


def tool(name):
    found = shutil.which(name)
    if not found:
        print(f"SKIPPED: {name} is not on PATH")
    return found


def yaml_module():
    """PyYAML (pre-commit's), else ruamel.yaml (check-jsonschema's), with
    PyYAML's safe_load / safe_dump; None without either."""
    try:
        import yaml

        return yaml
    except ImportError:
        pass
    try:
        from ruamel.yaml import YAML
    except ImportError:
        return None

    class Ruamel:
        @staticmethod
        def safe_load(f):
            return YAML(typ="safe").load(f)

        @staticmethod
        def safe_dump(data, f, sort_keys=False):
            out = YAML(typ="safe")
            out.default_flow_style = False
            out.dump(data, f)

    return Ruamel


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml_module().safe_load(f)


def action_as_workflow(action):
    """The composite action's steps as a reusable workflow's one job."""
    inputs = {
        name: {
            "description": spec.get("description", name),
            "type": "string",
            "required": False,
            "default": str(spec.get("default", "")),
        }
        for name, spec in (action.get("inputs") or {}).items()
    }
    return {
        "name": "action.yml",
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {"contents": "read", "security-events": "write"},
        "jobs": {
            "action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}
        },
    }


def main():
    if not WORKFLOWS:
        failed.append("no workflow found")
    actionlint = tool("actionlint")
    if actionlint:
        run("actionlint workflows", [actionlint, "-oneline", *WORKFLOWS])

    schema = tool("check-jsonschema")
    if schema:
        run("action.yml schema", [schema, "--builtin-schema", "vendor.github-actions", ACTION])
        run("workflow schema", [schema, "--builtin-schema", "vendor.github-workflows", *WORKFLOWS])
        run("GitLab CI schema", [schema, "--builtin-schema", "vendor.gitlab-ci", GITLAB])

    yaml = yaml_module()
    if yaml is None:
        failed.append("neither PyYAML nor ruamel.yaml is importable: the action's steps and the GitLab keys are not checked")
    if yaml:
        action = load_yaml(ACTION)
        if action["runs"]["using"] != "composite":
            failed.append("action.yml is not a composite action")
        for name in ("version", "args", "baseline"):
            if name not in action.get("inputs", {}):
                failed.append(f"action.yml has no input {name}")
        steps = action["runs"]["steps"]
        if not any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for s in steps):
            failed.append("action.yml does not upload the SARIF")
        if actionlint:
            with tempfile.TemporaryDirectory() as tmp:
                wf = os.path.join(tmp, "action-steps.yml")
                with open(wf, "w", encoding="utf-8") as f:
                    yaml.safe_dump(action_as_workflow(action), f, sort_keys=False)
                run("actionlint action.yml steps", [actionlint, "-oneline", wf])

        gitlab = load_yaml(GITLAB)
        job = gitlab.get(".minpriv") or {}
        reports = (job.get("artifacts") or {}).get("reports") or {}
        for key, ok in [
            ("variables.MINPRIV_VERSION", "MINPRIV_VERSION" in (gitlab.get("variables") or {})),
            (".minpriv.script", bool(job.get("script"))),
            (".minpriv.artifacts.reports.codequality", "codequality" in reports),
            (".minpriv.artifacts.reports.junit", "junit" in reports),
            ("minpriv.extends", (gitlab.get("minpriv") or {}).get("extends") == ".minpriv"),
        ]:
            if not ok:
                failed.append(f"GitLab template: no {key}")
        print("-- GitLab template keys: checked")

    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print("CI files: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
