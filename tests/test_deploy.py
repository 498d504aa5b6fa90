"""The hosting recipe in deploy/, for real: Debian's nginx with deploy/nginx/relu-viz.conf in front of two
`streamlit run` replicas on loopback, and simulated visitors (benchmarks/visitors.py) through it. Also checks that
the compose file and the Kubernetes manifest say what the README says they do."""

import io
import pathlib

import numpy as np
import pytest
import yaml

from benchmarks.balancer import DEPLOY, NGINX, nginx_in_front
from benchmarks.visitors import Visitor
from tests.browser import ROOT, free_port, run_async, running_server

pytestmark = pytest.mark.load
VISITORS = 16  # with a random cookie each, all on one of two replicas by chance: 2 in 2**16


@pytest.fixture(scope="module")
def balanced(tmp_path_factory):
    """The shipped nginx files, only their addresses changed, before two replicas; yields (url, replica addresses)."""
    if not pathlib.Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install nginx; .ci/run installs it)")
    tmp = tmp_path_factory.mktemp("nginx")
    with running_server(tmp / "a.log") as a, running_server(tmp / "b.log") as b:
        replicas = [server.url.removeprefix("http://") for server in (a, b)]
        with nginx_in_front(tmp, free_port(), replicas) as url:
            yield url, replicas


def test_each_visitor_stays_on_one_replica_and_both_replicas_serve(balanced):
    """Sixteen visitors, all connected at once: each opens the explorer, moves the slope and downloads the curves
    (a file made on request and held only by the replica of that visitor's session)."""
    url, replicas = balanced
    slopes = [round(0.05 * (i + 1), 2) for i in range(VISITORS)]

    async def a_class():
        visitors = [Visitor(url, timeout=120) for _ in slopes]
        for visitor in visitors:
            await visitor.open("?act=leaky_relu")
        curves = []
        for visitor, slope in zip(visitors, slopes):  # one at a time: Streamlit drops a made file after two runs
            await visitor.release("leaky_relu.negative_slope", slope)
            csv = await visitor.download("Download the curves (CSV)")
            curves.append(np.loadtxt(io.StringIO(csv.decode()), delimiter=",", skiprows=1))
        for visitor in visitors:
            await visitor.close()
        return visitors, curves

    served = set()
    for visitor, curves, slope in zip(*run_async(a_class()), slopes):
        # the page, the websocket and the download: every response from the same replica
        assert len(visitor.replicas) == 3 and len(set(visitor.replicas)) == 1, visitor.replicas
        served |= set(visitor.replicas)
        x, f, df = curves[:, 0], curves[:, 1], curves[:, 2]
        assert np.allclose(f, np.where(x > 0, x, slope * x)) and np.allclose(df[x < 0], slope)  # its own slope
    assert served == set(replicas), "both replicas serve visitors"


def test_a_reconnecting_visitor_comes_back_to_its_replica(balanced):
    url, _ = balanced

    async def twice():
        visitor = Visitor(url, timeout=120)
        await visitor.open("?act=relu")
        await visitor.close()
        await visitor.open("?act=relu")  # the same browser (cookies) after a dropped connection
        await visitor.close()
        return visitor

    visitor = run_async(twice())
    assert len(visitor.replicas) == 4 and len(set(visitor.replicas)) == 1, visitor.replicas


def test_the_compose_file_runs_the_dockerfile_behind_the_same_nginx_recipe():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app, nginx = compose["services"]["app"], compose["services"]["nginx"]
    assert (DEPLOY / app["build"] / "Dockerfile").exists() and app["deploy"]["replicas"] >= 2
    mounts = {volume.split(":")[1]: DEPLOY / volume.split(":")[0] for volume in nginx["volumes"]}
    assert mounts["/etc/nginx/conf.d/default.conf"] == DEPLOY / "nginx" / "relu-viz.conf"
    assert mounts["/etc/nginx/relu-viz/replicas.conf"].read_text().count("server app:8501;") == 1
    assert nginx["depends_on"]["app"]["condition"] == "service_healthy"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "HEALTHCHECK" in dockerfile and "/_stcore/health" in dockerfile and "COPY .streamlit" in dockerfile


def test_the_kubernetes_manifest_keeps_sessions_on_a_pod_and_probes_health():
    docs = {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text())}
    pod = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        assert pod[probe]["httpGet"]["path"] == "/_stcore/health"
    assert pod["ports"][0]["containerPort"] == 8501 and docs["Deployment"]["spec"]["replicas"] >= 2
    assert docs["Service"]["spec"]["sessionAffinity"] == "ClientIP"
    assert docs["Ingress"]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert docs["Service"]["spec"]["selector"] == labels


def test_the_container_runs_as_a_user_with_a_read_only_root_and_limits():
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = next(line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER "))
    assert user.isdigit() and int(user) != 0, "the image's process is not root"
    assert dockerfile.index("USER ") > dockerfile.index("RUN pip install"), "installed as root, run as the user"
    docs = {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text())}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == int(user)
    container = pod["containers"][0]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounted["/tmp"]], "the sandbox's socket and Streamlit's files need a writable /tmp"
    limits = container["resources"]["limits"]
    assert limits["cpu"] and limits["memory"].endswith("Gi") and int(limits["memory"][:-2]) >= 2
