"""deploy/: the Kubernetes manifests against the Kubernetes and KubeRay schemas (vendored,
strict: an unknown field is an error, as with `kubectl apply --validate=strict`), their
cross-references, and compose.yaml's structure."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from tests.harness import REPO_ROOT

KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"
COMPOSE = REPO_ROOT / "deploy" / "compose.yaml"
SCHEMAS = Path(__file__).parent / "schemas"
COMPOSE_VLLM = REPO_ROOT / "deploy" / "compose.vllm.yaml"
CORE_KINDS = {
    "Deployment",
    "StatefulSet",
    "Service",
    "Secret",
    "Namespace",
    "ConfigMap",
    "PersistentVolumeClaim",
}


def registry() -> Registry:
    """Both vendored schema files, by their $id."""
    resources = []
    for name in ("kubernetes-strict.json", "raycluster-v1.json"):
        contents = json.loads((SCHEMAS / name).read_text())
        resources.append((name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


REGISTRY = registry()


def schema_for(kind: str) -> dict[str, Any]:
    """The schema of a manifest of `kind`."""
    if kind == "RayCluster":
        return {"$ref": "raycluster-v1.json"}
    assert kind in CORE_KINDS, f"no vendored schema for {kind}"
    return {"$ref": f"kubernetes-strict.json#/$defs/kind:{kind}"}


def errors(document: dict[str, Any]) -> list[str]:
    """Why `document` does not validate; empty when it does."""
    validator = jsonschema.Draft202012Validator(schema_for(document["kind"]), registry=REGISTRY)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def manifests() -> list[dict[str, Any]]:
    """Every resource the kustomization lists, in order."""
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    documents = []
    for name in kustomization["resources"]:
        documents.extend(doc for doc in yaml.safe_load_all((KUBERNETES / name).read_text()) if doc)
    return documents


def of_kind(kind: str) -> list[dict[str, Any]]:
    """The manifests of one kind."""
    return [doc for doc in manifests() if doc["kind"] == kind]


def pod_specs() -> list[tuple[str, dict[str, Any]]]:
    """(owner, pod spec) of every workload and Ray group."""
    specs = [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for doc in manifests()
        if doc["kind"] in ("Deployment", "StatefulSet")
    ]
    for cluster in of_kind("RayCluster"):
        specs.append(("ray-head", cluster["spec"]["headGroupSpec"]["template"]["spec"]))
        for group in cluster["spec"]["workerGroupSpecs"]:
            specs.append((group["groupName"], group["template"]["spec"]))
    return specs


def named(kind: str, name: str) -> dict[str, Any]:
    """The one manifest of `kind` called `name`."""
    (document,) = [doc for doc in of_kind(kind) if doc["metadata"]["name"] == name]
    return document


def flag(args: list[str], name: str) -> str | None:
    """The value of `--name=value` among a command's arguments."""
    values = [arg.split("=", 1)[1] for arg in args if arg.startswith(f"--{name}=")]
    return values[0] if values else None


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    """A container's env by name: the value, or the valueFrom."""
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


@pytest.mark.parametrize(
    "document",
    manifests(),
    ids=lambda doc: f"{doc['kind']}-{doc['metadata']['name']}",
)
def test_each_manifest_validates_against_its_schema(document: dict[str, Any]) -> None:
    assert errors(document) == []


def test_a_wrong_field_fails_the_check() -> None:
    deployment = named("Deployment", "whetstone-api")
    misspelt = copy.deepcopy(deployment)
    container = misspelt["spec"]["template"]["spec"]["containers"][0]
    container["imagePullPolcy"] = container.pop("imagePullPolicy", "IfNotPresent")
    assert any("imagePullPolcy" in error for error in errors(misspelt))
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "two"
    assert errors(wrong_type)

    (cluster,) = of_kind("RayCluster")
    typo = copy.deepcopy(cluster)
    typo["spec"]["workerGroupSpecs"][0]["replica"] = typo["spec"]["workerGroupSpecs"][0].pop(
        "replicas"
    )
    assert any("replica" in error for error in errors(typo))
    bad_pod = copy.deepcopy(cluster)
    bad_pod["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"][0][
        "containerPort"
    ] = "six"
    assert errors(bad_pod)
    missing = copy.deepcopy(cluster)
    del missing["spec"]["headGroupSpec"]
    assert errors(missing)


def test_the_deployment_hangs_together() -> None:
    services = {doc["metadata"]["name"]: doc for doc in of_kind("Service")}
    (secret,) = of_kind("Secret")
    secret_keys = set(secret["stringData"])
    (cluster,) = of_kind("RayCluster")

    # Every Service selects the pods of a workload.
    labels = [spec_owner for spec_owner in manifests() if spec_owner["kind"] != "Service"]
    for service in services.values():
        selector = service["spec"]["selector"]
        assert any(
            selector.items() <= doc["spec"]["template"]["metadata"]["labels"].items()
            for doc in labels
            if doc["kind"] in ("Deployment", "StatefulSet")
        ), service["metadata"]["name"]

    # Every secret reference names a key of the Secret.
    for owner, spec in pod_specs():
        for container in spec["containers"]:
            for value in env_of(container).values() if "env" in container else ():
                if isinstance(value, dict) and "secretKeyRef" in value:
                    ref = value["secretKeyRef"]
                    assert ref["name"] == secret["metadata"]["name"], owner
                    assert ref["key"] in secret_keys, (owner, ref)

    # The API: two replicas, the Ray executor on the cluster's head Service, the trial's
    # PostgreSQL and MinIO.
    api = named("Deployment", "whetstone-api")
    assert api["spec"]["replicas"] == 2
    (container,) = api["spec"]["template"]["spec"]["containers"]
    env = env_of(container)
    assert env["WHETSTONE_EXECUTOR"] == "ray"
    head_service = f"{cluster['metadata']['name']}-head-svc"  # the Service KubeRay makes
    assert env["WHETSTONE_RAY_ADDRESS"] == f"{head_service}:6379"
    assert f"--address={head_service}:6379" in " ".join(container["args"])
    assert urlsplit(env["WHETSTONE_S3_ENDPOINT_URL"]).hostname in services
    assert env["WHETSTONE_STORAGE_URL"].startswith("s3://")
    database_url = secret["stringData"]["WHETSTONE_DATABASE_URL"]
    assert database_url.startswith("postgresql+psycopg://")
    assert urlsplit(database_url).hostname in services
    assert secret["stringData"]["POSTGRES_PASSWORD"] in database_url

    # A GPU worker group, whose pods have the S3 keys and the jobs' scratch directory.
    (gpu,) = cluster["spec"]["workerGroupSpecs"]
    (worker,) = gpu["template"]["spec"]["containers"]
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(env_of(worker))
    mounts = {mount["mountPath"] for mount in worker["volumeMounts"]}
    assert env["WHETSTONE_RAY_WORKER_DATA_DIR"] in mounts
    assert env["WHETSTONE_RAY_DEVICE"] == "cuda"


def test_compose_hangs_together() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"api", "ray-head", "ray-worker", "postgres", "minio"} <= set(services)
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert set(depends) <= set(services), name
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose["volumes"], (name, volume)
    api = services["api"]["environment"]
    assert api["WHETSTONE_EXECUTOR"] == "ray"
    host, port = api["WHETSTONE_RAY_ADDRESS"].split(":")
    assert host == "ray-head" and f"--port={port}" in services["ray-head"]["command"]
    assert f"--address={host}:{port}" in services["ray-worker"]["command"]
    assert f"--address={host}:{port}" in " ".join(services["api"]["command"])
    assert urlsplit(api["WHETSTONE_S3_ENDPOINT_URL"]).hostname in services
    assert urlsplit(api["WHETSTONE_DATABASE_URL"]).hostname in services
    # The Ray workers write to the same store: the same S3 keys as the API.
    worker = services["ray-worker"]["environment"]
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert worker[key] == api[key]
    # One image everywhere: the same Ray and Whetstone on the driver and the nodes.
    images = {services[name]["image"] for name in ("api", "ray-head", "ray-worker")}
    assert len(images) == 1


def vllm_models(models_file: str) -> dict[str, dict[str, Any]]:
    """The entries of a models file that vLLM serves."""
    entries: dict[str, dict[str, Any]] = yaml.safe_load(models_file)
    return {name: entry for name, entry in entries.items() if entry.get("engine") == "vllm"}


def check_vllm_server(
    entry: dict[str, Any], args: list[str], env: dict[str, Any], gpus: int
) -> None:
    """A vLLM server as Whetstone needs it for one models-file entry: the model, its tensor
    parallelism over all its GPUs, LoRA with runtime resolution, Whetstone's address."""
    assert args[0] == entry["hub_id"]
    tensor_parallel = entry.get("tensor_parallel_size", 1)
    assert flag(args, "tensor-parallel-size") == str(tensor_parallel)
    assert gpus == tensor_parallel
    assert "--enable-lora" in args
    for key in ("max_loras", "max_lora_rank"):
        if key in entry:
            assert flag(args, key.replace("_", "-")) == str(entry[key])
    assert flag(args, "port") == str(urlsplit(entry["vllm_url"]).port)
    assert env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert "WHETSTONE_VLLM_ADAPTER_CACHE" in env


def test_each_vllm_model_has_a_server_that_fetches_adapters_from_the_api() -> None:
    api = named("Deployment", "whetstone-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    api_env = env_of(container)
    # The API reads the models file from the ConfigMap.
    models_path = Path(api_env["WHETSTONE_MODELS_FILE"])
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == str(models_path.parent)]
    (volume,) = [
        v for v in api["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]
    ]
    config_map = named("ConfigMap", volume["configMap"]["name"])
    models = vllm_models(config_map["data"][models_path.name])
    assert models, "the models file names no vLLM model"
    api_service = named("Service", "whetstone")
    for name, entry in models.items():
        service = named("Service", urlsplit(entry["vllm_url"]).hostname or "")
        assert {p["port"] for p in service["spec"]["ports"]} == {urlsplit(entry["vllm_url"]).port}
        (server,) = [
            doc
            for doc in of_kind("Deployment")
            if service["spec"]["selector"].items()
            <= doc["spec"]["template"]["metadata"]["labels"].items()
        ]
        (vllm,) = server["spec"]["template"]["spec"]["containers"]
        env = env_of(vllm)
        gpus = vllm["resources"]["limits"]["nvidia.com/gpu"]
        assert vllm["resources"]["requests"]["nvidia.com/gpu"] == gpus, name
        check_vllm_server(entry, vllm["args"], env, gpus)
        # Adapters come from the API's Service, with the token the API holds.
        whetstone = urlsplit(env["WHETSTONE_URL"])
        assert whetstone.hostname == api_service["metadata"]["name"]
        assert (whetstone.port or 80) in {p["port"] for p in api_service["spec"]["ports"]}
        assert env["WHETSTONE_INTERNAL_TOKEN"] == api_env["WHETSTONE_INTERNAL_TOKEN"]


def test_compose_vllm_serves_its_models_file_with_the_api_token() -> None:
    base = yaml.safe_load(COMPOSE.read_text())
    overlay = yaml.safe_load(COMPOSE_VLLM.read_text())
    api = overlay["services"]["api"]
    source, target, _ = api["volumes"][0].split(":")
    assert target == api["environment"]["WHETSTONE_MODELS_FILE"]
    models = vllm_models((COMPOSE_VLLM.parent / source).read_text())
    assert models
    for name, entry in models.items():
        service = overlay["services"][urlsplit(entry["vllm_url"]).hostname or ""]
        (device,) = service["deploy"]["resources"]["reservations"]["devices"]
        check_vllm_server(entry, service["command"], service["environment"], device["count"])
        environment = service["environment"]
        whetstone = urlsplit(environment["WHETSTONE_URL"])
        assert whetstone.hostname == "api" and whetstone.port == 8000, name
        assert "8000:8000" in base["services"]["api"]["ports"]
        assert (
            environment["WHETSTONE_INTERNAL_TOKEN"]
            == api["environment"]["WHETSTONE_INTERNAL_TOKEN"]
        )
        for volume in service["volumes"]:
            name_or_path = volume.split(":")[0]
            assert name_or_path.startswith("$") or name_or_path in overlay["volumes"]
