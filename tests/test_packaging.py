"""``schemas/`` and ``templates/`` live at the repository root and still ship inside the package.

The slow tests (marked ``packaging``, about 10 s each) install the project the two ways a user or a
developer does — a built wheel, and an editable install (setuptools' default finder and its strict
link tree) — into a fresh virtual environment made with ``--system-site-packages`` (so the
dependencies come from this interpreter and nothing is downloaded), then run ``compose2ecs convert
--report`` and a CloudFormation bundle from there, outside the checkout and without PYTHONPATH, and
compare the output with the checkout's own. Deselect them with ``-m 'not packaging'``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from compose2ecs import package_data

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "webapp" / "compose.yaml"
SOURCES = ("pyproject.toml", "setup.py", "README.md", "compose2ecs", "schemas", "templates")


def _setuptools_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


# --- fast checks of the layout -----------------------------------------------------------------

def test_the_data_folders_are_at_the_repository_root_not_in_the_package():
    for name in package_data.FOLDERS:
        assert (REPO / name).is_dir(), f"{name}/ belongs at the repository root (design.md §2)"
        assert not (REPO / "compose2ecs" / name).exists(), \
            f"compose2ecs/{name} would shadow the root {name}/ in a checkout: keep one copy, at the root"


def test_a_checkout_reads_the_root_folders():
    assert Path(package_data.folder("schemas")) == REPO / "schemas"
    assert package_data.read_text("templates", "report.md.j2") == \
        (REPO / "templates" / "report.md.j2").read_text(encoding="utf-8")


def test_only_the_two_folders_are_package_data():
    with pytest.raises(ValueError, match="not a package-data folder"):
        package_data.folder("tests")


def _subpackages() -> set:
    return {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "compose2ecs").rglob("__init__.py")}


def test_the_mapped_folders_are_the_package_data_folders():
    config = _setuptools_config()
    assert config["package-dir"] == {f"compose2ecs.{name}": name for name in package_data.FOLDERS}
    assert "packages" not in config, "setup.py finds the packages (a list here would miss new ones)"


# --- installs in fresh virtual environments ----------------------------------------------------

def _build_tools_missing() -> str:
    try:
        import setuptools
        import wheel  # noqa: F401  (setuptools < 70 builds wheels with it)
    except ImportError as exc:
        return f"building offline needs setuptools and wheel ({exc}); pip install '.[test]'"
    if int(setuptools.__version__.split(".")[0]) < 64:
        return "editable installs need setuptools >= 64"
    return ""


needs_build_tools = pytest.mark.skipif(bool(_build_tools_missing()), reason=_build_tools_missing() or "-")


def _regular_install_in_base() -> str:
    """Why an editable install cannot be tested here, or "": the venvs see the base environment
    (--system-site-packages, so nothing is downloaded), and a regular (non-editable) install of
    compose2ecs there — what `.ci/run`'s `pip install '.[test]'` makes — is found by Python's path
    search before an editable install's finder."""
    import json
    from importlib import metadata

    try:
        dist = metadata.distribution("compose2ecs")
    except metadata.PackageNotFoundError:
        return ""
    direct = dist.read_text("direct_url.json")
    editable = bool(direct) and json.loads(direct).get("dir_info", {}).get("editable", False)
    return "" if editable else ("a regular install of compose2ecs in the base environment shadows an "
                                "editable one in a --system-site-packages venv")



@pytest.fixture
def source_copy(tmp_path) -> Path:
    """The files a build reads, copied so the build leaves nothing (build/, *.egg-info) in the checkout."""
    dest = tmp_path / "src"
    dest.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


def _venv(tmp_path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True)
    return venv


def _pip_install(venv: Path, *args: str) -> None:
    # --ignore-installed: never touch the interpreter's own compose2ecs (a developer's editable install)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--quiet", "--no-deps", "--no-index", "--no-cache-dir", "--no-build-isolation",
                    "--ignore-installed", *args], check=True, capture_output=True, text=True)


def _clean_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["COMPOSE2ECS_CACHE_DIR"] = str(tmp_path / "cache")  # compile the templates afresh
    env["AWS_REGION"] = "us-east-1"
    return env


def _convert(command: list, workdir: Path, env: dict) -> dict:
    """Run the example through ``command`` in ``workdir``; the report and the bundle's files."""
    workdir.mkdir()
    for args in (["--report", "report.md", "-o", "taskdefs/"], ["--format", "cloudformation", "-o", "bundle/"]):
        result = subprocess.run([*command, "convert", "-f", str(EXAMPLE), *args], cwd=workdir, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    return {str(p.relative_to(workdir)): p.read_text(encoding="utf-8")
            for p in sorted(workdir.rglob("*")) if p.is_file()}


def _installed_from(venv: Path, env: dict, cwd: Path) -> str:
    return subprocess.run([str(venv / "bin" / "python"), "-c", "import compose2ecs; print(compose2ecs.__file__)"],
                          cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


def _checkout_output(tmp_path, env: dict) -> dict:
    return _convert([sys.executable, "-m", "compose2ecs"], tmp_path / "checkout-run",
                    {**env, "PYTHONPATH": str(REPO)})


@pytest.mark.packaging
@needs_build_tools
def test_a_wheel_installed_in_a_fresh_venv_converts_like_the_checkout(tmp_path, source_copy):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index", "--no-cache-dir",
                    "--no-build-isolation", "-w", str(dist), str(source_copy)],
                   check=True, capture_output=True, text=True)
    (wheel_file,) = dist.glob("compose2ecs-*.whl")
    names = set(zipfile.ZipFile(wheel_file).namelist())
    for name in ("compose2ecs/schemas/compose-spec.json", "compose2ecs/schemas/x-ecs.json",
                 "compose2ecs/schemas/compose-spec.LICENSE", "compose2ecs/templates/report.md.j2",
                 "compose2ecs/templates/bundle_readme.md.j2", "compose2ecs/cost/prices.json"):
        assert name in names, f"{name} is missing from the wheel"
    for package in _subpackages():
        init = package.replace(".", "/") + "/__init__.py"
        assert init in names, f"subpackage {package} is missing from the wheel"
    shutil.rmtree(source_copy)  # the installed wheel must not need the sources
    venv = _venv(tmp_path)
    _pip_install(venv, str(wheel_file))
    env = _clean_env(tmp_path)
    assert _installed_from(venv, env, tmp_path).startswith(str(venv)), "the venv did not import its own copy"
    installed = _convert([str(venv / "bin" / "compose2ecs")], tmp_path / "wheel-run", env)
    assert "report.md" in installed and "bundle/README.md" in installed
    assert installed == _checkout_output(tmp_path, env)


@pytest.mark.packaging
@needs_build_tools
@pytest.mark.parametrize("mode", ["lenient", "strict"])
def test_an_editable_install_converts_like_the_checkout(tmp_path, source_copy, mode):
    if mode == "lenient" and _regular_install_in_base():  # (strict mode's link tree is on the path)
        pytest.skip(_regular_install_in_base())
    venv = _venv(tmp_path)
    _pip_install(venv, "--config-settings", f"editable_mode={mode}", "-e", str(source_copy))
    env = _clean_env(tmp_path)
    assert _installed_from(venv, env, tmp_path).startswith(str(source_copy)), \
        "the editable install does not import the source tree"
    installed = _convert([str(venv / "bin" / "compose2ecs")], tmp_path / "editable-run", env)
    assert installed == _checkout_output(tmp_path, env)
    # editing a template in the source tree shows at once: that is what an editable install is for
    report = source_copy / "templates" / "report.md.j2"
    report.write_text("edited {{ 1 + 1 }}\n" + report.read_text(encoding="utf-8"), encoding="utf-8")
    edited = _convert([str(venv / "bin" / "compose2ecs")], tmp_path / "edited-run", env)
    assert edited["report.md"].startswith("edited 2\n")
