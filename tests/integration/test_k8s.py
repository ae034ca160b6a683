"""packaging/k8s/ checked without a cluster (none runs here): the manifests
parse (python3-yaml), hold the kinds docs/deploy.md promises, agree with each
other (selectors, ports, the ConfigMap's mount and the image's -c path), the
probes ask the paths the ConfigMap's hornet.yaml serves, the grace period
covers shutdown_delay + graceful_timeout, and that hornet.yaml is one the
real hornet accepts (--check-config: an unknown or misspelt setting fails).

Broken by hand (readinessProbe on /ready, terminationGracePeriodSeconds 30,
`keepalive` spelt `keep_alive_s`), one check each fails.
"""

import os
import re

import yaml

from harness import HornetTestCase, main, run_once

K8S = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packaging", "k8s")


def seconds(text):
    """hornet's duration text ("10s", "500ms", "2m", "30") in seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", str(text).strip())
    if not m:
        raise AssertionError(f"not a duration: {text!r}")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    return float(m.group(1)) * scale


def load_manifests():
    docs = {}
    for name in sorted(os.listdir(K8S)):
        if not name.endswith(".yaml") or name == "kustomization.yaml":
            continue
        with open(os.path.join(K8S, name)) as f:
            for doc in yaml.safe_load_all(f):
                docs[doc["kind"]] = doc
    return docs


class ManifestTest(HornetTestCase):
    def setUp(self):
        super().setUp()
        self.docs = load_manifests()
        cm = self.docs["ConfigMap"]
        self.hornet_yaml = cm["data"]["hornet.yaml"]
        self.config = yaml.safe_load(self.hornet_yaml)
        self.pod = self.docs["Deployment"]["spec"]["template"]
        self.container = self.pod["spec"]["containers"][0]

    def test_every_kind_is_there(self):
        self.assertEqual(set(self.docs), {"ConfigMap", "Deployment", "Service",
                                          "PodDisruptionBudget", "HorizontalPodAutoscaler"})
        with open(os.path.join(K8S, "kustomization.yaml")) as f:
            listed = set(yaml.safe_load(f)["resources"])
        self.assertEqual(listed, {n for n in os.listdir(K8S)
                                  if n.endswith(".yaml") and n != "kustomization.yaml"})

    def test_probes_ask_what_hornet_serves(self):
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        bound = [int(b.rsplit(":", 1)[1]) for b in self.config["bind"]]
        self.assertEqual(list(ports.values()), bound)
        ready = self.container["readinessProbe"]["httpGet"]
        live = self.container["livenessProbe"]["httpGet"]
        self.assertEqual(ready["path"], self.config["ready_path"])
        self.assertEqual(live["path"], self.config["health_path"])
        self.assertIn(ready["port"], ports)
        self.assertIn(live["port"], ports)
        self.assertNotIn("lifecycle", self.container, "shutdown_delay replaces preStop")

    def test_grace_period_covers_the_drain(self):
        drain = seconds(self.config["shutdown_delay"]) + seconds(self.config["graceful_timeout"])
        self.assertGreater(seconds(self.config["shutdown_delay"]), 0)
        self.assertGreater(self.pod["spec"]["terminationGracePeriodSeconds"], drain)
        # A draining pod answers 503 on the liveness path: it must not be
        # restarted before shutdown_delay is over.
        live = self.container["livenessProbe"]
        self.assertGreater(live["periodSeconds"] * live["failureThreshold"],
                           seconds(self.config["shutdown_delay"]))

    def test_resources_give_a_cpu_quota(self):
        res = self.container["resources"]
        self.assertEqual(res["requests"], res["limits"], "a Guaranteed pod")
        self.assertIn("cpu", res["limits"], "the quota workers: auto counts")
        self.assertEqual(self.config["workers"], "auto")

    def test_selectors_agree(self):
        labels = self.pod["metadata"]["labels"]
        dep = self.docs["Deployment"]
        for selector in (dep["spec"]["selector"]["matchLabels"],
                         self.docs["Service"]["spec"]["selector"],
                         self.docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]):
            self.assertTrue(selector.items() <= labels.items(), selector)
        target = self.docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
        self.assertEqual((target["kind"], target["name"]), ("Deployment", dep["metadata"]["name"]))
        hpa = self.docs["HorizontalPodAutoscaler"]["spec"]
        self.assertEqual(hpa["metrics"][0]["resource"]["name"], "cpu")
        self.assertGreaterEqual(hpa["minReplicas"], 2)
        svc_port = self.docs["Service"]["spec"]["ports"][0]["targetPort"]
        self.assertIn(svc_port, [p["name"] for p in self.container["ports"]])

    def test_the_config_is_mounted_where_hornet_reads_it(self):
        args = self.container["args"]
        path = args[args.index("-c") + 1]
        mounts = {m["name"]: m["mountPath"] for m in self.container["volumeMounts"]}
        volumes = {v["name"]: v for v in self.pod["spec"]["volumes"]}
        config_volume = [n for n, v in volumes.items()
                         if v.get("configMap", {}).get("name") == self.docs["ConfigMap"]["metadata"]["name"]]
        self.assertEqual(len(config_volume), 1)
        self.assertEqual(os.path.join(mounts[config_volume[0]], "hornet.yaml"), path)

    def test_hornet_accepts_the_config(self):
        path = os.path.join(self.tmp, "hornet.yaml")
        with open(path, "w") as f:
            f.write(self.hornet_yaml)
        rc, _, log = run_once(["-c", path, "--check-config"], self.tmp)
        self.assertEqual(rc, 0, log)


if __name__ == "__main__":
    main()
