package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.HttpControllerClient;
import dev.skein.agent.metadata.HaproxyMetadataProxies;
import dev.skein.agent.metadata.MetadataProxies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole metadata path with a real controller: a VM namespace asks 169.254.169.254, haproxy in a DHCP namespace
 * stamps the request, the agent's unix-socket server forwards it over HTTP with the agent's credentials, and the
 * controller answers from the API's data. The VM forges every header that could name another instance.
 */
class MetadataProxyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @Test
    void aVmGetsItsOwnDocumentsThroughTheProxyWhateverItClaims() throws Exception {
        assumeTrue(Namespaces.missingTools() == null, () -> "needs " + Namespaces.missingTools());
        try (TestCloud cloud = new TestCloud(); Namespaces ns = new Namespaces()) {
            String admin = cloud.adminToken();
            String net = (String) cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("name", "md-e2e"))).json("network").get("id");
            String subnet = (String) cloud.post("/v2.0/subnets", admin, Map.of("subnet", Map.of("network_id", net, "ip_version", 4,
                    "cidr", "10.40.0.0/24", "dns_nameservers", List.of("192.0.2.53")))).json("subnet").get("id");
            Map<String, Object> mine = port(cloud, admin, net, subnet, "10.40.0.10", "vm-mine");
            port(cloud, admin, net, subnet, "10.40.0.11", "vm-other");
            assertEquals(201, cloud.put("/v2.0/instance-metadata/vm-mine", admin,
                    Map.of("instance_metadata", Map.of("hostname", "mine"))).status());

            String dhcp = ns.add("qdhcp");
            String vm = ns.add("vm");
            ns.underlay(dhcp, "10.40.0.2/24", vm, "10.40.0.10/24", "md0");
            Namespaces.must("ip", "-n", dhcp, "addr", "add", "169.254.169.254/32", "dev", "md0");
            Namespaces.must("ip", "-n", vm, "route", "add", "169.254.169.254/32", "via", "10.40.0.2");

            AgentSettings settings = new AgentSettings("md-e2e-host", null, Map.of(), null, AgentSettings.DEFAULT_HEARTBEAT,
                    AgentSettings.DEFAULT_RESYNC, AgentSettings.DEFAULT_DEBOUNCE, null, state);
            HttpControllerClient controller = new HttpControllerClient(URI.create(cloud.baseUrl()),
                    HttpControllerClient.Credentials.password("admin", TestCloud.ADMIN_PASSWORD, "admin"));
            try (HaproxyMetadataProxies proxies = new HaproxyMetadataProxies(settings, controller).start()) {
                proxies.ensure(dhcp, "169.254.169.254", 80, MetadataProxies.Origin.network(net));
                try {
                    Map<String, Object> expected = cloud.request("GET", "/v2.0/skein/metadata/openstack/latest/network_data.json", admin, null,
                            Map.of("X-Skein-Network-ID", net, "X-Forwarded-For", "10.40.0.10")).json();
                    Map<String, Object> got = json(fetch(vm, "/openstack/latest/network_data.json", net));
                    assertEquals(expected, got);
                    assertEquals(mine.get("id"), ((List<Map<String, Object>>) (List<?>) got.get("links")).getFirst().get("vif_id"));
                    assertEquals("vm-mine", json(fetch(vm, "/openstack/latest/meta_data.json", net)).get("uuid"));
                    assertEquals("mine", fetch(vm, "/latest/meta-data/hostname", net));

                    Namespaces.must("ip", "-n", vm, "addr", "del", "10.40.0.10/24", "dev", "md0");
                    Namespaces.must("ip", "-n", vm, "addr", "add", "10.40.0.99/24", "dev", "md0");
                    Namespaces.must("ip", "-n", vm, "route", "add", "169.254.169.254/32", "via", "10.40.0.2");
                    assertEquals("HTTP 404", fetch(vm, "/openstack/latest/meta_data.json", net), "an address no port holds");
                } finally {
                    proxies.remove(dhcp);
                }
            }
        }
    }

    private static Map<String, Object> port(TestCloud cloud, String admin, String net, String subnet, String ip, String device) {
        TestCloud.Response r = cloud.post("/v2.0/ports", admin, Map.of("port", Map.of("network_id", net, "device_id", device,
                "device_owner", "compute:nova", "fixed_ips", List.of(Map.of("subnet_id", subnet, "ip_address", ip)))));
        assertEquals(201, r.status(), r.body());
        return r.json("port");
    }

    /** GETs the path from inside the VM, claiming to be 10.40.0.11 behind some other network; the body, or "HTTP nnn". */
    private static String fetch(String vm, String path, String network) {
        String script = String.join("\n",
                "import sys, urllib.request, urllib.error",
                "req = urllib.request.Request('http://169.254.169.254' + sys.argv[1], headers={",
                "    'X-Forwarded-For': '10.40.0.11', 'X-Skein-Network-ID': sys.argv[2] + '-forged',",
                "    'X-Skein-Router-ID': 'forged', 'Forwarded': 'for=10.40.0.11'})",
                "try:",
                "    sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())",
                "except urllib.error.HTTPError as e:",
                "    sys.stdout.write('HTTP %d' % e.code)");
        return Namespaces.must("ip", "netns", "exec", vm, "python3", "-c", script, path, network);
    }

    private static Map<String, Object> json(String text) throws Exception {
        return JSON.readValue(text, new TypeReference<>() {});
    }
}
