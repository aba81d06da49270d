"""docker/: Docker cannot run here, so these check what can be checked without it: the compose file
and the Kubernetes manifests name every process with the right ports and order, the Dockerfile has
its stages and a non-root user, and the entry point really runs (``migrate`` on a temp var dir and
``--dry-run`` of every role)."""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shared.db.migrate import ALL_DATABASES
from shared.settings import DEFAULT_PORTS, SERVICES, url_segment
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
ENTRYPOINT = DOCKER / "entrypoint.sh"
ROLES = {url_segment(name): name for name in SERVICES}
SECRETS = (
    "POSTGRES_PASSWORD",
    "KJT_INTERNAL_SECRET",
    "KJT_JWT_SECRET",
    "KJT_SUBJECT_KEY_SECRET",
    "KJT_FOREIGN_EXPERTS_PII_SECRET",
    "KJT_TALENT_PII_SECRET",
    "KJT_ADMIN_PASSWORD",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifests() -> list[dict]:
    docs = []
    for path in sorted((DOCKER / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def entrypoint(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KJT_")}
    base["PYTHON"] = sys.executable
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    return subprocess.run(
        ["bash", str(ENTRYPOINT), *args], env={**base, **(env or {})}, capture_output=True, text=True, timeout=120
    )


# --- compose -------------------------------------------------------------------------------------


def test_compose_names_every_process(compose: dict) -> None:
    assert set(compose["services"]) == {"postgres", "redis", "migrate", "gateway", *ROLES}


def test_compose_postgres_16_with_healthcheck_and_redis(compose: dict) -> None:
    pg = compose["services"]["postgres"]
    assert pg["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "healthcheck" in compose["services"]["redis"]
    assert "pgdata" in compose["volumes"]


def test_compose_migrates_once_after_postgres_is_healthy(compose: dict) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["environment"]["KJT_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in migrate["environment"]["KJT_DATABASE_URL"]


@pytest.mark.parametrize("role", ROLES)
def test_compose_service(compose: dict, role: str) -> None:
    name = ROLES[role]
    svc = compose["services"][role]
    port = DEFAULT_PORTS[name]
    assert svc["command"] == [role]
    assert svc["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert svc["expose"] == [str(port)]
    assert "ports" not in svc, "services are reached only through the gateway"
    env = svc["environment"]
    assert env[f"KJT_{name.upper()}_PORT"] == str(port)
    assert "@postgres:5432/" in env["KJT_DATABASE_URL"]
    assert f"127.0.0.1:{port}/readyz" in " ".join(svc["healthcheck"]["test"])


def test_compose_gateway(compose: dict) -> None:
    gw = compose["services"]["gateway"]
    assert gw["command"] == ["gateway"]
    assert any(str(p).endswith(":8000") for p in gw["ports"])
    depends = gw["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert depends["redis"] == {"condition": "service_healthy"}
    for role in ROLES:
        assert depends[role] == {"condition": "service_healthy"}
    env = gw["environment"]
    assert env["KJT_REDIS_URL"].startswith("redis://redis:")
    urls = json.loads(env["KJT_SERVICE_URLS"])
    assert set(urls) == set(SERVICES)
    for name, url in urls.items():
        host, port = re.fullmatch(r"http://([\w-]+):(\d+)", url).groups()  # type: ignore[union-attr]
        assert host in compose["services"] and int(port) == DEFAULT_PORTS[name]


def test_compose_secrets_are_required_not_defaulted(compose: dict) -> None:
    text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    for var in SECRETS:
        assert re.search(r"\$\{" + var + r":\?", text), f"{var} must be ${{{var}:?...}}"
        assert not re.search(r"\$\{" + var + r":-", text), f"{var} must not have a default"
    gw = compose["services"]["gateway"]["environment"]
    assert gw["KJT_JWT_SECRET"].startswith("${KJT_JWT_SECRET:?")
    assert gw["KJT_INTERNAL_SECRET"].startswith("${KJT_INTERNAL_SECRET:?")
    for role in ("migrate", *ROLES):
        assert compose["services"][role]["environment"]["KJT_INTERNAL_SECRET"].startswith("${KJT_INTERNAL_SECRET:?")
    for role in ROLES:
        if role != "gateway":
            env = compose["services"][role]["environment"]
            assert env["KJT_SUBJECT_KEY_SECRET"].startswith("${KJT_SUBJECT_KEY_SECRET:?")


def test_every_secret_a_service_declares_is_required_by_compose_and_the_k8s_template(
    compose: dict, manifests: list[dict]
) -> None:
    """A production pod refuses to start on a placeholder secret: each one its settings declare must be set
    (a new service's PII key once went missing here)."""
    secret = by_kind(manifests, "Secret")["kjt-secrets"]["stringData"]
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}.settings")
        cls = next(v for k, v in vars(module).items() if k.endswith("Settings") and k != "ServiceSettings")
        env = compose["services"][url_segment(name)]["environment"]
        for var in cls(internal_secret=TEST_SECRET).secrets():
            assert str(env.get(var, "")).startswith("${" + var + ":?"), f"compose: {url_segment(name)} lacks {var}"
            assert var in secret, f"docker/k8s/secret.example.yaml lacks {var}"


# --- Dockerfile ----------------------------------------------------------------------------------


def test_dockerfile_stages_user_and_entrypoint() -> None:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.M)
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", text, re.M)
    assert [s[1] for s in stages] == ["builder", "runtime"]
    assert all(image == "${PYTHON_IMAGE}" for image, _ in stages)
    assert "-c requirements.lock" in text
    assert "COPY --from=builder /opt/venv /opt/venv" in text
    for folder in ("shared", "gateway", "kjt", "services", "migrations"):
        assert re.search(rf"^COPY {folder} \./{folder}$", text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    # the final USER comes after the last instruction that needs root
    runtime = text[text.index("AS runtime") :]
    assert runtime.rindex("USER ") > runtime.rindex("RUN ")
    assert re.search(r'^ENTRYPOINT \["/app/docker/entrypoint\.sh"\]$', text, re.M)


def test_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    lines = (DOCKER / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert {
        "pyproject.toml",
        "requirements.lock",
        "shared",
        "gateway",
        "kjt",
        "services",
        "migrations",
        "docker/entrypoint.sh",
    } <= allowed


# --- the entry point -----------------------------------------------------------------------------


def test_entrypoint_is_executable_bash() -> None:
    assert os.access(ENTRYPOINT, os.X_OK)
    assert subprocess.run(["bash", "-n", str(ENTRYPOINT)], capture_output=True).returncode == 0


def test_entrypoint_migrate_builds_every_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    done = entrypoint("migrate", env={"KJT_VAR_DIR": str(var), "KJT_ENV": "test"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in var.glob("*.db")) == sorted(f"{n}.db" for n in ALL_DATABASES)
    for name in ALL_DATABASES:
        with sqlite3.connect(var / f"{name}.db") as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


@pytest.mark.parametrize("role", ["gateway", *ROLES])
def test_entrypoint_dry_run_starts_the_right_factory_on_the_right_port(role: str) -> None:
    done = entrypoint("--dry-run", role)
    assert done.returncode == 0, done.stderr
    cmd = shlex.split(done.stdout)
    module = "gateway.main" if role == "gateway" else f"services.{ROLES[role]}.main"
    assert cmd[:5] == [sys.executable, "-m", "uvicorn", f"{module}:create_app", "--factory"]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    assert cmd[cmd.index("--port") + 1] == str(DEFAULT_PORTS[ROLES.get(role, "gateway")])


def test_entrypoint_reads_port_variables_and_passes_extra_options() -> None:
    done = entrypoint(
        "--dry-run",
        "foreign-experts",
        "--workers",
        "2",
        env={"KJT_FOREIGN_EXPERTS_PORT": "9105", "KJT_HOST": "127.0.0.1"},
    )
    cmd = shlex.split(done.stdout)
    assert cmd[cmd.index("--port") + 1] == "9105" and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[-2:] == ["--workers", "2"]
    migrate = shlex.split(entrypoint("--dry-run", "migrate", "gateway").stdout)
    assert migrate == [sys.executable, "-m", "kjt", "migrate", "gateway"]


def test_entrypoint_refuses_an_unknown_role() -> None:
    done = entrypoint("experts")
    assert done.returncode == 64
    assert "unknown role 'experts'" in done.stderr and "foreign-experts" in done.stderr
    assert entrypoint().returncode == 64


# --- Kubernetes ----------------------------------------------------------------------------------


def by_kind(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in manifests if d["kind"] == kind}


@pytest.mark.parametrize("role", ["gateway", *ROLES])
def test_k8s_deployment_and_service_per_process(manifests: list[dict], role: str) -> None:
    port = DEFAULT_PORTS[ROLES.get(role, "gateway")]
    deployment = by_kind(manifests, "Deployment")[f"kjt-{role}"]
    service = by_kind(manifests, "Service")[f"kjt-{role}"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == [role]
    assert container["ports"][0]["containerPort"] == port
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["enableServiceLinks"] is False
    assert {"configMapRef": {"name": "kjt-config"}} in container["envFrom"]
    assert {"secretRef": {"name": "kjt-secrets"}} in container["envFrom"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["port"] == port


def test_k8s_migration_job_secret_template_and_config(manifests: list[dict]) -> None:
    job = by_kind(manifests, "Job")["kjt-migrate"]
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"] == ["migrate"] and pod["restartPolicy"] == "Never"
    secret = by_kind(manifests, "Secret")["kjt-secrets"]
    assert {
        "KJT_DATABASE_URL",
        "KJT_INTERNAL_SECRET",
        "KJT_JWT_SECRET",
        "KJT_SUBJECT_KEY_SECRET",
        "KJT_FOREIGN_EXPERTS_PII_SECRET",
        "KJT_TALENT_PII_SECRET",
        "KJT_ADMIN_PASSWORD",
    } <= set(secret["stringData"])
    config = by_kind(manifests, "ConfigMap")["kjt-config"]["data"]
    services = by_kind(manifests, "Service")
    for name, url in json.loads(config["KJT_SERVICE_URLS"]).items():
        host, port = re.fullmatch(r"http://([\w-]+):(\d+)", url).groups()  # type: ignore[union-attr]
        assert services[host]["spec"]["ports"][0]["port"] == int(port) == DEFAULT_PORTS[name]


def test_kustomization_lists_existing_files() -> None:
    kustomization = yaml.safe_load((DOCKER / "k8s" / "kustomization.yaml").read_text(encoding="utf-8"))
    for resource in kustomization["resources"]:
        assert (DOCKER / "k8s" / resource).is_file()
    # applied on their own, in order: the filled-in secret, then the migration Job
    assert "secret.example.yaml" not in kustomization["resources"]
    assert "migrate-job.yaml" not in kustomization["resources"]
