import re
import shutil
import subprocess
import sys
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import mnist_fooling
from mnist_fooling.report.environment import lock_entries
from tests.conftest import ROOT
from tools.lock.environment import render as render_environment

LOCKS = ROOT / "requirements"


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lock(name: str) -> list[tuple[str, str, str | None]]:
    return lock_entries((LOCKS / f"{name}.lock").read_text())


def assert_pinned_within_bounds(specs: list[str], entries: list) -> None:
    """Every requirement in ``specs`` has at least one pin in ``entries`` and every pin of it
    satisfies the requirement's bound (a lock may pin a package per Python version)."""
    for spec in specs:
        req = Requirement(spec)
        versions = [v for n, v, _ in entries if n == canonicalize_name(req.name)]
        assert versions, f"{req.name} is not in the lock: run `make lock`"
        for version in versions:
            assert req.specifier.contains(version, prereleases=True), f"{version} breaks {spec}"


def test_report_lock_pins_every_runtime_dependency_within_its_bound():
    assert_pinned_within_bounds(pyproject()["dependencies"], lock("report"))


def test_dev_lock_adds_the_test_lint_and_lock_tools_at_the_report_locks_pins():
    extras = pyproject()["optional-dependencies"]
    dev = lock("dev")
    assert_pinned_within_bounds(
        pyproject()["dependencies"] + extras["test"] + extras["lint"] + extras["lock"], dev
    )
    assert set(lock("report")) <= set(dev)  # the same version of every package the report uses
    report_names = {n for n, _, _ in lock("report")}
    assert not {"pytest", "ruff", "jax", "wasmtime"} & report_names  # the report install is lean


def test_every_locked_pin_has_hashes_and_installs_with_require_hashes():
    for name in ("pip", "report", "dev"):
        text = (LOCKS / f"{name}.lock").read_text()
        blocks = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2])
        assert blocks and all("--hash=sha256:" in b for b in blocks if "==" in b), name
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r $(PIP_LOCK)" in makefile
    assert "--require-hashes -r $(REPORT_LOCK)" in makefile
    assert "--require-hashes -r $(DEV_LOCK)" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile


def test_environment_yml_is_what_make_lock_writes():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    assert (ROOT / "environment.yml").read_text() == render_environment(ROOT)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    names = {canonicalize_name(re.split(r"[<>=!~ \[;]", s, maxsplit=1)[0]) for s in pip}
    wanted = {canonicalize_name(Requirement(s).name) for s in pyproject()["dependencies"]}
    assert names == wanted | {"jax"} and all("==" in s for s in pip)


def test_version_is_pyprojects_everywhere():
    version = pyproject()["version"]
    assert mnist_fooling.__version__ == version
    done = subprocess.run(
        [sys.executable, "-m", "mnist_fooling", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == f"mnist-fooling {version}"
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(citation["version"]) == version
    assert citation["license"] == pyproject()["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text()


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


def test_ci_runs_the_readmes_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_no_unsafe_loading_in_the_package():
    offenders = []
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text()
        for pattern in ("pickle.load(", "pickle.loads(", "allow_pickle=True", "safe_mode=False"):
            if pattern in text:
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []


def test_package_data_lists_every_page_asset():
    """Each package's templates, scripts, styles and kernels are in pyproject's package-data
    (a wheel without them renders no page), and each listed file exists."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    src = ROOT / "src"
    for package, names in listed.items():
        folder = src / package.replace(".", "/")
        assert all(any(folder.glob(n)) for n in names), package
    for path in (src / "mnist_fooling").rglob("*"):
        if path.suffix in {".html", ".js", ".css", ".wat", ".wasm", ".yaml"}:
            parts = path.relative_to(src).parts
            # listed by its own package, or by a parent's pattern (methods: */params.yaml)
            assert any(
                path.relative_to(src.joinpath(*parts[:k])).match(n)
                for k in range(1, len(parts))
                for n in listed.get(".".join(parts[:k]), [])
            ), f"{path} is not in package-data"
