"""Static checks of the deployment files (no Docker engine, hadolint or nginx here).

The compose file is read with a small indentation parser instead of PyYAML, which is not a
dependency of the project: it only needs the keys under `services:` and `volumes:`.
"""

import configparser
import fnmatch
import re
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PINNED_TAG = re.compile(r"^[\w./-]+:\d+(\.\d+)+[\w.-]*$")  # name:1.2.3[-variant], never :latest


def dockerfile_stages() -> list[list[str]]:
    """Return the Dockerfile's instructions (continuations joined), split into stages."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    stages: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def dockerfile_args() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text()
    return dict(re.findall(r"^ARG (\w+)=(\S+)", text, flags=re.MULTILINE))


def base_image(from_line: str) -> str:
    image = from_line.split()[1]
    for name, value in dockerfile_args().items():
        image = image.replace(f"${{{name}}}", value)
    return image


def yaml_keys(path: Path) -> dict[str, list[str]]:
    """Return each top-level key of a YAML mapping with the keys nested directly under it."""
    keys: dict[str, list[str]] = {}
    current = None
    child_indent = None
    for raw in path.read_text().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        match = re.match(r"\s*([\w.-]+):", raw)
        if indent == 0:
            current = match.group(1) if match else None
            child_indent = None
            if current:
                keys[current] = []
            continue
        if current is None or not match:
            continue
        if child_indent is None:
            child_indent = indent
        if indent == child_indent:
            keys[current].append(match.group(1))
    return keys


def service_block(name: str) -> str:
    """Return the text of one service in docker-compose.yml."""
    text = (ROOT / "docker-compose.yml").read_text()
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \w[\w-]*:\n|^\S)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, f"no service {name}"
    return match.group(1)


def test_dockerfile_is_multi_stage_with_pinned_bases():
    stages = dockerfile_stages()
    assert len(stages) >= 3
    for stage in stages:
        image = base_image(stage[0])
        assert ":latest" not in image
        assert PINNED_TAG.match(image), f"{image} is not pinned to an exact version"
    assert base_image(stages[-1][0]).startswith("python:3.11.")
    assert any(base_image(stage[0]).startswith("node:") for stage in stages[:-1])


def test_dockerfile_node_stage_installs_moment_from_the_lock_file():
    node = next(stage for stage in dockerfile_stages() if base_image(stage[0]).startswith("node:"))
    text = "\n".join(node)
    assert "npm ci" in text
    assert "moment-with-locales.min.js" in text


def test_dockerfile_build_stage_makes_wheels_and_compiles_catalogues():
    build = "\n".join(dockerfile_stages()[-2])
    assert "pip wheel" in build
    assert "pybabel compile" in build


def test_dockerfile_final_stage_runs_unprivileged_without_build_tools():
    final = dockerfile_stages()[-1]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users, "the final stage sets a USER"
    assert users[-1] not in {"root", "0", "0:0"}
    text = "\n".join(final)
    for tool in ("apt-get install", "build-essential", "gcc", "npm", "pip install", "curl"):
        assert tool not in text, f"{tool} in the final stage"
    assert re.search(r"^COPY --from=build /opt/venv", text, flags=re.MULTILINE)
    assert re.search(r"^COPY --from=assets .*moment-with-locales\.min\.js", text, flags=re.MULTILINE)


def test_dockerfile_healthcheck_uses_python_and_healthz():
    final = "\n".join(dockerfile_stages()[-1])
    [healthcheck] = [line for line in final.splitlines() if line.upper().startswith("HEALTHCHECK ")]
    assert "/healthz" in healthcheck
    assert "urllib" in healthcheck
    assert "--timeout=" in healthcheck
    assert re.search(r'^CMD \["\./boot\.sh"\]$', final, flags=re.MULTILINE)


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith(("#", "!"))]


def ignored(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern.removeprefix("**/")) for pattern in dockerignore_patterns())


def test_dockerfile_copies_only_files_that_exist_and_are_not_ignored():
    for stage in dockerfile_stages():
        for line in stage:
            if not line.upper().startswith("COPY ") or "--from=" in line:
                continue
            sources = [part for part in line.split()[1:-1] if not part.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: missing"
                assert not ignored(source), f"COPY {source}: excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_local_state_out():
    for path in (".env", ".venv", "node_modules", ".git", "app.db", "tests"):
        assert ignored(path), f"{path} would be sent to the build"


def test_compose_has_the_services_and_data_volumes():
    keys = yaml_keys(ROOT / "docker-compose.yml")
    services = set(keys["services"])
    assert {"web", "worker", "postgres", "redis", "elasticsearch"} <= services
    assert any("mail" in name for name in services)
    assert {"postgres-data", "redis-data", "elasticsearch-data"} <= set(keys["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in service_block("postgres")
    assert "elasticsearch-data:" in service_block("elasticsearch")


def test_compose_images_are_pinned():
    text = (ROOT / "docker-compose.yml").read_text()
    images = re.findall(r"^\s+image:\s*(\S+)", text, flags=re.MULTILINE)
    external = [image for image in images if not image.startswith("microblog:")]
    assert len(external) >= 4
    for image in external:
        tag = image.rsplit(":", 1)[-1]
        assert tag != "latest" and re.search(r"\d+\.\d+", tag), f"{image} is not pinned"
    assert re.search(r"elasticsearch:8\.\d+\.\d+", text)


def test_compose_worker_runs_the_rq_queue_and_web_scales():
    worker = service_block("worker")
    assert "rq worker microblog-tasks -u" in worker
    assert "REDIS_URL" in worker
    web = service_block("web")
    assert "replicas:" in web
    # A host port range (or none) so that several replicas never fight over one port.
    ports = re.findall(r'-\s*"([^"]+)"', web)
    assert ports and all(re.search(r"\d+-\d+:8000$", port) or port == "8000" for port in ports)


def test_compose_elasticsearch_is_single_node_with_documented_security():
    block = service_block("elasticsearch")
    assert "discovery.type: single-node" in block
    assert 'xpack.security.enabled: "false"' in block
    assert "only acceptable" in block and "To turn it on" in block


def test_compose_reads_settings_from_env_file_and_has_no_default_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "env_file:" in text and ".env" in text
    assert "${SECRET_KEY:?" in text
    assert "${POSTGRES_PASSWORD:?" in text


def test_procfile_declares_web_and_worker():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and line[0] != "#")
    assert lines["web"].strip() == "./boot.sh"
    assert lines["worker"].strip().startswith("rq worker microblog-tasks -u")


def test_nginx_config_proxies_with_forwarded_headers_and_serves_static():
    text = (ROOT / "deployment/nginx/microblog.conf").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert code.count("{") == code.count("}")
    assert "ssl_certificate " in code and "listen 443 ssl" in code
    assert "proxy_pass http://microblog;" in code
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host", "X-Request-ID"):
        assert f"proxy_set_header {header} " in code
    static = re.search(r"location /static/ \{(.*?)\}", code, flags=re.DOTALL).group(1)
    assert "alias /srv/microblog/app/static/;" in static
    assert "expires 365d;" in static and "max-age=31536000" in static


def test_supervisor_config_runs_web_and_several_workers():
    parser = configparser.RawConfigParser()
    parser.read(ROOT / "deployment/supervisor/microblog.conf")
    web = parser["program:microblog-web"]
    assert web["command"].endswith("boot.sh")
    assert web["stopsignal"] == "TERM"
    worker = parser["program:microblog-worker"]
    assert "rq worker microblog-tasks" in worker["command"]
    assert int(worker["numprocs"]) > 1
    assert "%(process_num)" in worker["process_name"]


@pytest.mark.parametrize("name", ["boot.sh", "gunicorn.conf.py", "Dockerfile", "docker-compose.yml", "Procfile"])
def test_deployment_files_exist_at_the_top_level(name):
    assert (ROOT / name).is_file()
