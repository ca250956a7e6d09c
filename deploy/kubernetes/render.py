#!/usr/bin/env python3
"""Writes Homeward's Kubernetes manifests (deploy/kubernetes/*.yaml).

The manifests are plain YAML, committed; this script is how they are made
and remade when the layout changes (replica counts, partition map, image,
namespace), so that the per-pod configs, the route map and the StatefulSets
always agree. docs/OPERATIONS.md describes what it writes.

    python3 deploy/kubernetes/render.py                # the committed layout
    python3 deploy/kubernetes/render.py --replicas assessment=3 \\
        --partitions-file map.json --out /tmp/homeward-k8s

--partitions-file names a JSON object {"assessment": [[first, last] per
ordinal, ...], ...} (the partition map after `homewardctl move`); without
it each service's partitions are split into equal contiguous ranges over
its replicas. Ordinals from a service's replica count up to MAX_REPLICAS
get a config that starts owning nothing (start_without_partitions), so that
scaling a StatefulSet up needs no ConfigMap change.
"""

import argparse
import json
import os
import sys

NAMESPACE = "homeward"
IMAGE = "localhost/homeward:dev"
CLUSTER_DOMAIN = "cluster.local"
PARTITION_COUNT = 64
MAX_REPLICAS = 8  # per service: configs exist for ordinals 0..MAX_REPLICAS-1
UID = 10001  # the image's homeward user and group (fsGroup)
METRICS_PORT = 9464

# name in routes, Kubernetes name, binary, gRPC port, config message extras,
# default replicas, memory request / limit (MiB), data volume size.
SERVICES = [
    {
        "route": "assessment", "name": "assessment", "port": 7101,
        "binary": "homeward-assessment", "replicas": 2,
        "upstream": ["planning", "referral", "follow_up"],
        "programme": ["taxonomy", "programmes", "instruments"],
        "memory": (192, 512), "cpu": "250m", "storage": "10Gi",
    },
    {
        "route": "planning", "name": "planning", "port": 7201,
        "binary": "homeward-planning", "replicas": 2,
        "upstream": ["assessment", "referral", "follow_up"],
        "programme": ["taxonomy", "feasibility", "programmes"],
        "memory": (96, 384), "cpu": "100m", "storage": "5Gi",
    },
    {
        "route": "referral", "name": "referral", "port": 7301,
        "binary": "homeward-referral", "replicas": 2,
        "upstream": ["assessment", "planning", "follow_up"],
        "programme": ["taxonomy", "programmes"],
        "memory": (96, 384), "cpu": "100m", "storage": "5Gi",
    },
    {
        "route": "follow_up", "name": "follow-up", "port": 7401,
        "binary": "homeward-follow-up", "replicas": 2,
        "upstream": ["assessment", "planning", "referral"],
        "programme": ["taxonomy", "programmes"],
        "memory": (96, 384), "cpu": "100m", "storage": "5Gi",
    },
]
GATEWAY = {"replicas": 2, "memory": (64, 256), "cpu": "250m"}

HEADER = (
    "# Written by deploy/kubernetes/render.py: change the script (or its\n"
    "# flags) and render again rather than editing by hand.\n"
    "# docs/OPERATIONS.md describes these manifests.\n"
)


def split(count, replicas):
    """Equal contiguous ranges of [0, count) over `replicas` ordinals."""
    ranges = []
    for i in range(replicas):
        first = count * i // replicas
        last = count * (i + 1) // replicas - 1
        ranges.append([[first, last]])
    return ranges


def host(svc, ordinal, namespace):
    return (f"{svc['name']}-{ordinal}.{svc['name']}.{namespace}.svc."
            f"{CLUSTER_DOMAIN}")


def ranges_text(ranges, indent):
    return "".join(
        f"{indent}partitions {{ first: {a} last: {b} }}\n" for a, b in ranges)


def route_map(layout, namespace, generation):
    out = [
        "# homeward.internal.v1.RouteMap: which replica owns which partitions\n",
        "# of each service. The gateway (routes_file) and every service\n",
        "# (upstream_routes_file) read it and re-read it when it changes;\n",
        "# raise `generation` with every change.\n",
        f"generation: {generation}\n",
    ]
    for svc in SERVICES:
        out.append(f"routes {{\n  service: \"{svc['route']}\"\n")
        for ordinal, ranges in enumerate(layout[svc["route"]]):
            if not ranges:
                continue
            out.append(
                f"  replicas {{\n    address: \"{host(svc, ordinal, namespace)}"
                f":{svc['port']}\"\n{ranges_text(ranges, '    ')}  }}\n")
        out.append("}\n")
    return "".join(out)


def service_config(svc, ordinal, ranges):
    owned = "".join(
        f"  owned_partitions {{ first: {a} last: {b} }}\n" for a, b in ranges)
    if not ranges:
        owned = ("  # A replica added to grow the service: it owns nothing until\n"
                 "  # partitions are moved to it (homewardctl move).\n"
                 "  start_without_partitions: true\n")
    programme = "".join(
        f"{d}_dir: \"/usr/share/homeward/{d}\"\n" for d in svc["programme"])
    return (
        f"# homeward.internal.v1.{svc['binary'][9:].title().replace('-', '')}"
        f"Config of pod {svc['name']}-{ordinal}.\n"
        "service {\n"
        f"  listen_address: \"0.0.0.0:{svc['port']}\"\n"
        "  data_dir: \"/var/lib/homeward/data\"\n"
        f"  partition_count: {PARTITION_COUNT}\n"
        f"{owned}"
        "  principal_secret_file: \"/etc/homeward/secrets/principal.secret\"\n"
        "  encryption_key_file: \"/etc/homeward/secrets/data.key\"\n"
        "  internal_transport {\n    tls {\n"
        "      certificate_file: \"/etc/homeward/tls/tls.crt\"\n"
        "      private_key_file: \"/etc/homeward/tls/tls.key\"\n"
        "      ca_file: \"/etc/homeward/tls/ca.crt\"\n    }\n  }\n"
        "  record_cache_mb: 32\n"
        f"  metrics_listen_address: \"0.0.0.0:{METRICS_PORT}\"\n"
        "  backup {\n    backup_dir: \"/var/lib/homeward/backups\"\n"
        "    interval_seconds: 3600\n    keep: 24\n  }\n"
        "  upstream_routes_file: \"/etc/homeward/routes/routes.textproto\"\n"
        "}\n"
        f"{programme}")


GATEWAY_CONFIG = f"""# homeward.internal.v1.GatewayConfig of every gateway pod.
grpc_listen_address: "0.0.0.0:7000"
http_listen_address: "0.0.0.0:7080"
metrics_listen_address: "0.0.0.0:{METRICS_PORT}"
api_keys_file: "/etc/homeward/api-keys/api_keys.textproto"
principal_secret_file: "/etc/homeward/secrets/principal.secret"
partition_count: {PARTITION_COUNT}
public_transport {{
  tls {{
    certificate_file: "/etc/homeward/tls/tls.crt"
    private_key_file: "/etc/homeward/tls/tls.key"
  }}
}}
internal_transport {{
  tls {{
    certificate_file: "/etc/homeward/tls/tls.crt"
    private_key_file: "/etc/homeward/tls/tls.key"
    ca_file: "/etc/homeward/tls/ca.crt"
  }}
}}
forward_deadline_ms: 5000
routes_file: "/etc/homeward/routes/routes.textproto"
"""


def block(text, indent):
    """`text` as a YAML literal block scalar at `indent` spaces."""
    pad = " " * indent
    return "".join(pad + line if line.strip() else "\n"
                   for line in text.splitlines(keepends=True))


def configmap(name, namespace, entries, comment):
    out = [HEADER, comment, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n",
           f"  name: {name}\n  namespace: {namespace}\n",
           "  labels:\n    app.kubernetes.io/part-of: homeward\ndata:\n"]
    for key, text in entries:
        out.append(f"  {key}: |\n{block(text, 4)}")
    return "".join(out)


def security_context():
    return f"""      securityContext:
        runAsNonRoot: true
        runAsUser: {UID}
        runAsGroup: {UID}
        fsGroup: {UID}
        fsGroupChangePolicy: OnRootMismatch
        seccompProfile:
          type: RuntimeDefault
"""


def pod_template_head(name):
    """The pod template up to its containers, the same for every component:
    labels, the scrape annotations, the pod's security context and the
    spreading of replicas over nodes."""
    return f"""  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
        app.kubernetes.io/part-of: homeward
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "{METRICS_PORT}"
    spec:
{security_context()}      terminationGracePeriodSeconds: 30
      enableServiceLinks: false
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: {name}
"""


CONTAINER_SECURITY = """          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
"""

# The key-file check accepts the kubelet's 0440 root:fsGroup secret files
# only for the group named here (docs/OPERATIONS.md, "Secret
# files").
KEY_GROUP_ENV = f"""            - name: HOMEWARD_KEY_FILE_GROUP
              value: "{UID}"
"""


def statefulset(svc, namespace, replicas):
    name = svc["name"]
    req, lim = svc["memory"]
    return f"""{HEADER}# The {svc['route']} service: a headless Service (one DNS name per pod,
# {name}-N.{name}.{namespace}.svc, the addresses of the route map), the
# StatefulSet (a volume per pod, a config per ordinal) and its
# PodDisruptionBudget.
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: homeward
spec:
  clusterIP: None
  # Each replica owns different partitions: callers address one pod by
  # name, ready or not (a replica is reached for its feed while it starts).
  publishNotReadyAddresses: true
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: grpc
      port: {svc['port']}
      targetPort: grpc
    - name: metrics
      port: {METRICS_PORT}
      targetPort: metrics
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: homeward
spec:
  serviceName: {name}
  replicas: {replicas}
  # Replicas own disjoint partitions: none waits for another to start.
  podManagementPolicy: Parallel
  updateStrategy:
    type: RollingUpdate
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
{pod_template_head(name)}      containers:
        - name: {name}
          image: {IMAGE}
          imagePullPolicy: IfNotPresent
          command: ["/usr/bin/{svc['binary']}"]
          # Each pod reads the config of its own ordinal ({name}-0.textproto,
          # ...): the partitions it owns.
          args: ["--config=/etc/homeward/config/$(POD_NAME).textproto"]
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
{KEY_GROUP_ENV}          ports:
            - name: grpc
              containerPort: {svc['port']}
            - name: metrics
              containerPort: {METRICS_PORT}
          # Kubernetes' gRPC probes cannot speak TLS: the plaintext metrics
          # listener answers /healthz with the process's gRPC health.
          startupProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 5
            failureThreshold: 60
          readinessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 5
            failureThreshold: 2
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 6
          resources:
            requests:
              cpu: {svc['cpu']}
              memory: {req}Mi
            limits:
              memory: {lim}Mi
{CONTAINER_SECURITY}          volumeMounts:
            - name: data
              mountPath: /var/lib/homeward/data
            - name: backups
              mountPath: /var/lib/homeward/backups
            - name: config
              mountPath: /etc/homeward/config
              readOnly: true
            # The whole ConfigMap, not a subPath: the kubelet then swaps in a
            # changed route map and the replica re-reads it.
            - name: routes
              mountPath: /etc/homeward/routes
              readOnly: true
            - name: secrets
              mountPath: /etc/homeward/secrets
              readOnly: true
            - name: tls
              mountPath: /etc/homeward/tls
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: homeward-config
        - name: routes
          configMap:
            name: homeward-routes
        - name: secrets
          secret:
            secretName: homeward-keys
            # 0400, which the kubelet makes 0440 root:fsGroup.
            defaultMode: 0400
            items:
              - key: principal.secret
                path: principal.secret
              - key: data.key
                path: data.key
        - name: tls
          secret:
            secretName: homeward-tls
            defaultMode: 0400
            items:
              - key: ca.crt
                path: ca.crt
              - key: {name}.crt
                path: tls.crt
              - key: {name}.key
                path: tls.key
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          app.kubernetes.io/name: {name}
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: {svc['storage']}
    - metadata:
        name: backups
        labels:
          app.kubernetes.io/name: {name}
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: {svc['storage']}
---
# A voluntary disruption (a node drain) takes at most one replica at a time:
# its partitions are unavailable until it is back.
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app.kubernetes.io/part-of: homeward
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
"""


def gateway(namespace, replicas):
    req, lim = GATEWAY["memory"]
    return f"""{HEADER}# The gateway: stateless, so a Deployment behind a ClusterIP Service (put
# a LoadBalancer or an Ingress with TLS passthrough in front of it), and
# its PodDisruptionBudget.
apiVersion: v1
kind: Service
metadata:
  name: gateway
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: gateway
    app.kubernetes.io/part-of: homeward
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: gateway
  ports:
    - name: grpc
      port: 7000
      targetPort: grpc
    - name: https
      port: 7080
      targetPort: https
    - name: metrics
      port: {METRICS_PORT}
      targetPort: metrics
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: gateway
    app.kubernetes.io/part-of: homeward
spec:
  replicas: {replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: gateway
{pod_template_head("gateway")}      containers:
        - name: gateway
          image: {IMAGE}
          imagePullPolicy: IfNotPresent
          command: ["/usr/bin/homeward-gateway"]
          args: ["--config=/etc/homeward/config/gateway.textproto"]
          env:
{KEY_GROUP_ENV}          ports:
            - name: grpc
              containerPort: 7000
            - name: https
              containerPort: 7080
            - name: metrics
              containerPort: {METRICS_PORT}
          # The JSON face's /healthz: 200 while the gateway is ready
          # (HTTPS; the kubelet does not check the certificate).
          readinessProbe:
            httpGet:
              path: /healthz
              port: https
              scheme: HTTPS
            periodSeconds: 5
            failureThreshold: 2
          # Alive is listening: /healthz answers 503 while no replica of a
          # backend answers, and restarting the gateway would not bring them
          # back.
          livenessProbe:
            tcpSocket:
              port: grpc
            initialDelaySeconds: 10
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 6
          resources:
            requests:
              cpu: {GATEWAY['cpu']}
              memory: {req}Mi
            limits:
              memory: {lim}Mi
{CONTAINER_SECURITY}          volumeMounts:
            - name: config
              mountPath: /etc/homeward/config
              readOnly: true
            - name: routes
              mountPath: /etc/homeward/routes
              readOnly: true
            - name: secrets
              mountPath: /etc/homeward/secrets
              readOnly: true
            - name: api-keys
              mountPath: /etc/homeward/api-keys
              readOnly: true
            - name: tls
              mountPath: /etc/homeward/tls
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: homeward-config
            items:
              - key: gateway.textproto
                path: gateway.textproto
        - name: routes
          configMap:
            name: homeward-routes
        - name: secrets
          secret:
            secretName: homeward-keys
            defaultMode: 0400
            items:
              - key: principal.secret
                path: principal.secret
        - name: api-keys
          secret:
            secretName: homeward-api-keys
            defaultMode: 0400
        - name: tls
          secret:
            secretName: homeward-tls
            defaultMode: 0400
            items:
              - key: ca.crt
                path: ca.crt
              - key: gateway.crt
                path: tls.crt
              - key: gateway.key
                path: tls.key
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: gateway
  namespace: {namespace}
  labels:
    app.kubernetes.io/part-of: homeward
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: gateway
"""


NAMESPACE_YAML = """{header}apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
  labels:
    app.kubernetes.io/part-of: homeward
    # The pods run as non-root with a read-only root file system.
    pod-security.kubernetes.io/enforce: restricted
"""


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.dirname(
        os.path.abspath(__file__)))
    parser.add_argument("--namespace", default=NAMESPACE)
    parser.add_argument("--replicas", action="append", default=[],
                        metavar="SERVICE=N")
    parser.add_argument("--partitions-file")
    parser.add_argument("--generation", type=int, default=1)
    parser.add_argument("--print-partitions", action="store_true",
                        help="print the partition map as JSON and write "
                        "nothing (the input of scale_plan.py)")
    args = parser.parse_args(argv)

    replicas = {s["route"]: s["replicas"] for s in SERVICES}
    for item in args.replicas:
        service, _, n = item.partition("=")
        if service not in replicas or not n.isdigit() or not (
                1 <= int(n) <= MAX_REPLICAS):
            parser.error(f"--replicas {item}: SERVICE=N with SERVICE one of "
                         f"{', '.join(replicas)} and N from 1 to "
                         f"{MAX_REPLICAS}")
        replicas[service] = int(n)
    layout = {s: split(PARTITION_COUNT, n) for s, n in replicas.items()}
    if args.partitions_file:
        with open(args.partitions_file) as f:
            given = json.load(f)
        for service, ranges in given.items():
            if service not in layout or len(ranges) > replicas[service]:
                parser.error(f"{args.partitions_file}: {service}: a known "
                             "service with at most its replica count of "
                             "ordinals")
            # Each ordinal: a list of [first, last] ranges (or one range).
            layout[service] = [
                [] if not r else r if isinstance(r[0], list) else [r]
                for r in ranges]
            layout[service] += [[]] * (replicas[service] - len(ranges))
    for service, per_ordinal in layout.items():
        owned = sorted(p for ranges in per_ordinal for a, b in ranges
                       for p in range(a, b + 1))
        if owned != list(range(PARTITION_COUNT)):
            parser.error(f"{service}: every partition 0..{PARTITION_COUNT - 1}"
                         " must be owned by exactly one ordinal")

    if args.print_partitions:
        json.dump(layout, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    ns = args.namespace
    os.makedirs(args.out, exist_ok=True)
    files = {}
    files["00-namespace.yaml"] = NAMESPACE_YAML.format(header=HEADER,
                                                       namespace=ns)
    entries = [("gateway.textproto", GATEWAY_CONFIG)]
    for svc in SERVICES:
        per_ordinal = layout[svc["route"]]
        for ordinal in range(MAX_REPLICAS):
            ranges = per_ordinal[ordinal] if ordinal < len(per_ordinal) else []
            entries.append((f"{svc['name']}-{ordinal}.textproto",
                            service_config(svc, ordinal, ranges)))
    files["10-config.yaml"] = configmap(
        "homeward-config", ns, entries,
        "# The config of every pod: the gateway's, and one per ordinal of each\n"
        "# service (the partitions it owns; ordinals beyond the replica count\n"
        "# start owning nothing, for scaling up).\n")
    files["11-routes.yaml"] = configmap(
        "homeward-routes", ns,
        [("routes.textproto", route_map(layout, ns, args.generation))],
        "# The route map every process reads (GatewayConfig.routes_file,\n"
        "# ServiceConfig.upstream_routes_file).\n")
    for i, svc in enumerate(SERVICES):
        files[f"2{i}-{svc['name']}.yaml"] = statefulset(
            svc, ns, replicas[svc["route"]])
    files["30-gateway.yaml"] = gateway(ns, GATEWAY["replicas"])
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w") as f:
            f.write(text)
    resources = "".join(f"  - {n}\n" for n in sorted(files))
    with open(os.path.join(args.out, "kustomization.yaml"), "w") as f:
        f.write(f"{HEADER}# `kubectl apply -k deploy/kubernetes` applies them "
                "all; the Secrets come\n# from make-secrets.sh (not committed)."
                "\napiVersion: kustomize.config.k8s.io/v1beta1\n"
                f"kind: Kustomization\nresources:\n{resources}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
