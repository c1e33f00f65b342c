"""Rebuild the vendored schemas (by hand, offline): schemas/kubernetes-strict.json from the
kubernetes-validate wheel, schemas/raycluster-v1.json from KubeRay's RayCluster CRD.

The wheel (PyPI `kubernetes-validate`, Apache-2.0) ships the Kubernetes OpenAPI definitions as
JSON schemas; its `-local-strict` variant refuses unknown fields, as `kubectl apply
--validate=strict` does. This keeps only the kinds deploy/kubernetes/ uses and the definitions
they reach, without descriptions, in one file:

KubeRay's CRD (ray-operator/config/crd/bases/ray.io_rayclusters.yaml, v1.7, Apache-2.0) keeps
its `ray.io/v1` openAPIV3Schema without descriptions; the pod templates point at the
Kubernetes PodTemplateSpec above, the large optional blocks Whetstone's manifests leave out
become plain objects, and every other object refuses unknown fields (strict, as above):

    pip download kubernetes-validate==1.37.0 --no-deps -d /tmp/kv
    .venv/bin/python tests/deploy/vendor_kubernetes_schemas.py /tmp/kv/kubernetes_validate-*.whl \
        ray.io_rayclusters.yaml
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

VERSION = "v1.37.0-local-strict"
# kind -> the wheel's file of its top-level schema.
KINDS = {
    "Deployment": "deployment-apps-v1.json",
    "StatefulSet": "statefulset-apps-v1.json",
    "Service": "service-v1.json",
    "Secret": "secret-v1.json",
    "PersistentVolumeClaim": "persistentvolumeclaim-v1.json",
    "PodTemplateSpec": "podtemplatespec-v1.json",
    "Namespace": "namespace-v1.json",
    "ConfigMap": "configmap-v1.json",
}
TARGET = Path(__file__).parent / "schemas" / "kubernetes-strict.json"
RAYCLUSTER = Path(__file__).parent / "schemas" / "raycluster-v1.json"
# RayCluster spec blocks Whetstone's manifests do not use: kept as objects, unchecked inside.
UNCHECKED = {
    "headService",
    "autoscalerOptions",
    "tlsOptions",
    "networkPolicy",
    "authOptions",
    "historyServerOptions",
    "upgradeStrategy",
    "gcsFaultToleranceOptions",
    "ingressOptions",
    "scaleStrategy",
    "status",
}


def _strip(node: Any) -> Any:
    """Without descriptions; refs pointed into this file's $defs."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            # Nested $id/$schema would rebase the "#/$defs/..." references below.
            if (key == "description" and isinstance(value, str)) or key in ("$id", "$schema"):
                continue
            if key == "$ref":
                out[key] = "#/$defs/" + value.rsplit("/", 1)[-1]
            else:
                out[key] = _strip(value)
        return out
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def main(wheel: str) -> None:
    """Write the bundle."""
    base = f"kubernetes_validate/kubernetes-json-schema/{VERSION}/"
    with zipfile.ZipFile(wheel) as archive:
        definitions = json.loads(archive.read(base + "_definitions.json"))["$defs"]
        kinds = {kind: json.loads(archive.read(base + name)) for kind, name in KINDS.items()}
    bundle: dict[str, Any] = {f"kind:{kind}": _strip(schema) for kind, schema in kinds.items()}
    todo = [ref for schema in kinds.values() for ref in _refs(schema)]
    while todo:
        name = todo.pop()
        if name in bundle:
            continue
        bundle[name] = _strip(definitions[name])
        todo.extend(_refs(definitions[name]))
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "kubernetes-strict.json",
        "$comment": f"Kubernetes {VERSION} (kubernetes-validate 1.37.0), trimmed: "
        "tests/deploy/vendor_kubernetes_schemas.py",
        "$defs": dict(sorted(bundle.items())),
    }
    TARGET.write_text(json.dumps(document, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"{TARGET}: {len(bundle)} definitions, {TARGET.stat().st_size // 1024} KiB")


def _strict(node: Any, name: str = "") -> Any:
    """A CRD schema node without descriptions, pod templates as Kubernetes' own, strict."""
    if name == "template":
        return {"$ref": "kubernetes-strict.json#/$defs/kind:PodTemplateSpec"}
    if name in UNCHECKED:
        return {"type": "object"}
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "description":
            continue
        if key == "properties":
            out[key] = {prop: _strict(schema, prop) for prop, schema in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _strict(value)
        else:
            out[key] = _strict(value)
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def raycluster(crd_path: str) -> None:
    """Write the RayCluster ray.io/v1 schema."""
    import yaml

    crd = yaml.safe_load(Path(crd_path).read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema = _strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"const": "ray.io/v1"}
    schema["properties"]["kind"] = {"const": "RayCluster"}
    schema["properties"]["metadata"] = {
        "$ref": "kubernetes-strict.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    }
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "raycluster-v1.json",
        "$comment": "KubeRay v1.7 RayCluster (ray.io/v1), trimmed: "
        "tests/deploy/vendor_kubernetes_schemas.py",
        **schema,
    }
    RAYCLUSTER.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(f"{RAYCLUSTER}: {RAYCLUSTER.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1])
    if len(sys.argv) > 2:
        raycluster(sys.argv[2])
