import re
import shutil
import subprocess
import tomllib

import yaml

from tests.conftest import ROOT


def requirement_names(specs):
    return {re.split(r"[<>=!~ \[]", s, maxsplit=1)[0].lower(): s.replace(" ", "") for s in specs}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = requirement_names(pyproject["project"]["dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed += dep["pip"]
        elif not dep.startswith(("python", "pip")):
            listed.append(dep)
    assert requirement_names(listed) == wanted
    assert "conda-forge" in env["channels"]


def test_github_workflow_is_valid():
    exe = shutil.which("check-jsonschema") or str(ROOT / ".venv" / "bin" / "check-jsonschema")
    result = subprocess.run(
        [
            exe,
            "--builtin-schema",
            "vendor.github-workflows",
            str(ROOT / ".github" / "workflows" / "report.yml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "report.yml").read_text())
    steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["report"]["steps"])
    assert "make test" in steps and "make report PROFILE=quick" in steps


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:\w+)?\n(.*?)```", readme, flags=re.S)
    assert blocks[0].split() == ["make", "report", "make", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_no_unsafe_loading_in_the_package():
    offenders = []
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text()
        for pattern in ("pickle.load(", "pickle.loads(", "allow_pickle=True", "safe_mode=False"):
            if pattern in text:
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []
