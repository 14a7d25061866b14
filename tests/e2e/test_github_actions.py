"""The GitHub Actions recipe (examples/github-actions/): the workflow's structure, and its script run here.

The script is what the workflow runs, step for step; here it runs against the sandbox in a copy
of a catalog repository: the pull-request half writes the comment, the reviewed plans and the
HTML pages; the merge half applies exactly those plans, and refuses one the live menu moved away
from. The workflow file is read as YAML and checked for the structure GitHub needs and for what
the recipe promises (triggers, one comment, the artifact, secrets only from repository secrets).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.render.review_case import read_page

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
RECIPE = REPO / "examples" / "github-actions"
MARKER = "<!-- reconcile-plan -->"


def workflow() -> dict:
    data = yaml.safe_load((RECIPE / "reconcile.yml").read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true; GitHub does not
    return data


def test_the_workflow_has_the_structure_github_needs():
    wf = workflow()
    assert wf["on"]["pull_request"]["paths"] == ["catalogs/**"]
    assert wf["on"]["push"] == {"branches": ["main"], "paths": ["catalogs/**"]}
    assert set(wf["jobs"]) == {"plan", "apply"}
    for name, job in wf["jobs"].items():
        assert job["runs-on"] and job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step  # a step does one thing
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]  # pinned
    plan, apply = wf["jobs"]["plan"], wf["jobs"]["apply"]
    assert plan["if"] == "github.event_name == 'pull_request'" and apply["if"] == "github.event_name == 'push'"
    runs = [s["run"] for s in plan["steps"] if "run" in s] + [s["run"] for s in apply["steps"] if "run" in s]
    assert any('"$SCRIPT" pr out $CATALOGS' in r for r in runs) and any('"$SCRIPT" apply out' in r for r in runs)
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in plan["steps"])
    comment = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/github-script@"))
    assert MARKER in comment["with"]["script"] and "updateComment" in comment["with"]["script"]
    assert "pull-requests" in plan["permissions"] and wf["permissions"] == {"contents": "read"}


def test_secrets_come_from_repository_secrets_only():
    text = (RECIPE / "reconcile.yml").read_text(encoding="utf-8")
    env = workflow()["env"]
    for name in ("WIX_API_KEY", "WIX_SITE_ID", "WIX_ACCESS_TOKEN", "RECONCILE_DATABASE_URL"):
        assert env[name] == "${{ secrets." + name + " }}"
    assert "secrets." not in "".join(str(s.get("run", "")) for j in workflow()["jobs"].values() for s in j["steps"])
    assert not re.search(r"(api[_-]?key|token)\s*[:=]\s*['\"]?[A-Za-z0-9]{20,}", text, re.I)


def script(work: Path, *args: str, check: int = 0) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        RECONCILE_STATE_DIR=str(work / "state"),
        RECONCILE_OPERATOR="github-actions (tester)",
        NO_COLOR="1",
    )
    done = subprocess.run(
        ["bash", str(RECIPE / "review.sh"), *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == check, f"review.sh {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def test_the_script_reviews_a_pull_request_then_applies_exactly_the_reviewed_plan(tmp_path):
    (tmp_path / "catalogs").mkdir()
    shutil.copy(REPO / "catalogs" / "pizzeria.yaml", tmp_path / "catalogs" / "pizzeria.yaml")
    script(tmp_path, "pr", "out", "catalogs/pizzeria.yaml")
    comment = (tmp_path / "out" / "comment.md").read_text(encoding="utf-8")
    assert comment.startswith(MARKER) and "to create" in comment and "`catalogs/pizzeria.yaml`" in comment
    page = (tmp_path / "out" / "pizzeria.html").read_text(encoding="utf-8")
    assert {d.status for d in read_page(page).dishes} == {"added"}
    applied = script(tmp_path, "apply", "out")
    assert "Verified" in applied.stdout
    again = script(tmp_path, "pr", "again", "catalogs/pizzeria.yaml")
    assert again.returncode == 0 and "No changes" in (tmp_path / "again" / "comment.md").read_text(encoding="utf-8")
    # a reviewed plan is refused once the live menu moved away from it (here: it was applied already)
    edited = (tmp_path / "catalogs" / "pizzeria.yaml").read_text(encoding="utf-8").replace('"11.00"', '"11.50"', 1)
    (tmp_path / "catalogs" / "pizzeria.yaml").write_text(edited, encoding="utf-8")
    script(tmp_path, "pr", "review", "catalogs/pizzeria.yaml")
    script(tmp_path, "apply", "out", check=4)


def test_the_script_stops_on_an_invalid_or_unformatted_catalog(tmp_path):
    (tmp_path / "catalogs").mkdir()
    broken = tmp_path / "catalogs" / "broken.yaml"
    broken.write_text("version: 1\ncurrency: usd\n", encoding="utf-8")
    failed = script(tmp_path, "pr", "out", "catalogs/broken.yaml", check=1)
    assert "currency" in failed.stderr + failed.stdout and not (tmp_path / "out" / "broken.json").exists()
    messy = tmp_path / "catalogs" / "messy.yaml"
    messy.write_text(
        (REPO / "catalogs" / "pizzeria.yaml").read_text(encoding="utf-8").replace("  - id: main", "  -   id: main"),
        encoding="utf-8",
    )
    script(tmp_path, "pr", "out2", "catalogs/messy.yaml", check=1)
    assert not (tmp_path / "out2" / "messy.json").exists()
    script(tmp_path, "apply", "nothing-here", check=1)
