package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.agent.host.ControllerClient;
import dev.skein.agent.metadata.MetadataAnswer;
import dev.skein.agent.metadata.MetadataProxies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.skein.server.L3Fixture.expect;
import static dev.skein.server.L3Fixture.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instance metadata over HTTP: the admin API that attaches it, the route the agents' metadata proxies call (the
 * instance found from network or router and source address only) and config drives, whose files are compared with
 * what the API says about the instance's ports, subnets and floating IP.
 */
class InstanceMetadataApiTest {
    @RegisterExtension
    static final L3Fixture f = new L3Fixture();
    private static final TestCloud cloud = f.cloud;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_DATA = "#cloud-config\nruncmd:\n  - [touch, /tmp/booted]\n";
    private static final Map<String, String> KEYS = Map.of(
            "laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly00000000000000000000 alice@laptop",
            "ci", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAnotherFakeKeyForTests1111111111111111111 ci@build");

    static String net1, subnet4, subnet6, net2, subnet2, router, otherRouter;
    static Map<String, Object> portA1, portA2, portB, dhcpPort;
    static String floatingIp;

    @BeforeAll
    static void topology() {
        String[] ext = f.externalNetwork("md-ext", "203.0.113.0/24", null, null);
        net1 = f.network(f.alice, "md-net1");
        subnet4 = f.subnet(f.alice, Map.of("network_id", net1, "ip_version", 4, "cidr", "10.20.0.0/24",
                "dns_nameservers", List.of("192.0.2.53", "192.0.2.54"),
                "host_routes", List.of(Map.of("destination", "172.16.0.0/12", "nexthop", "10.20.0.254"))));
        subnet6 = f.subnet(f.alice, Map.of("network_id", net1, "ip_version", 6, "cidr", "2001:db8:20::/64",
                "ipv6_ra_mode", "slaac", "ipv6_address_mode", "slaac", "dns_nameservers", List.of("2001:db8::53")));
        net2 = f.network(f.alice, "md-net2");
        Map<String, Object> static2 = new HashMap<>(Map.of("network_id", net2, "ip_version", 4, "cidr", "10.30.0.0/24", "enable_dhcp", false));
        static2.put("gateway_ip", null);
        subnet2 = f.subnet(f.alice, static2);
        router = f.router(f.alice, "md-router");
        f.setGateway(f.alice, router, ext[0]);
        assertEquals(200, f.addInterface(f.alice, router, "subnet_id", subnet4).status());
        otherRouter = f.router(f.alice, "md-other-router");

        portA1 = vmPort(net1, "vm-a");
        portA2 = vmPort(net2, "vm-a");
        portB = vmPort(net1, "vm-b");
        dhcpPort = f.create(f.admin, "ports", "port", Map.of("network_id", net1, "device_id", "dhcp-md-net1",
                "device_owner", "network:dhcp"));
        floatingIp = (String) f.create(f.alice, "floatingips", "floatingip", Map.of("floating_network_id", ext[0],
                "port_id", portA1.get("id"), "fixed_ip_address", ipv4(portA1))).get("floating_ip_address");

        assertEquals(201, putMetadata("vm-a", fullMetadata()).status());
    }

    static Map<String, Object> vmPort(String network, String device) {
        return f.create(f.alice, "ports", "port", Map.of("network_id", network, "device_id", device, "device_owner", "compute:nova"));
    }

    static Map<String, Object> fullMetadata() {
        return Map.of("hostname", "vm-a", "name", "VM A", "public_keys", KEYS,
                "user_data", Base64.getEncoder().encodeToString(USER_DATA.getBytes(StandardCharsets.UTF_8)),
                "meta", Map.of("role", "web"), "availability_zone", "zone-1");
    }

    static TestCloud.Response putMetadata(String device, Map<String, Object> attrs) {
        return cloud.put("/v2.0/instance-metadata/" + device, f.admin, Map.of("instance_metadata", attrs));
    }

    @SuppressWarnings("unchecked")
    static String ipv4(Map<String, Object> port) {
        return ((List<Map<String, String>>) port.get("fixed_ips")).stream().map(ip -> ip.get("ip_address"))
                .filter(a -> a.contains(".")).findFirst().orElseThrow();
    }

    /** A request of the metadata proxy serving network (or router, with the router header) for the instance at address. */
    static TestCloud.Response proxied(String path, String originHeader, String origin, String address, Map<String, String> extra) {
        Map<String, String> headers = new HashMap<>(extra);
        headers.put(originHeader, origin);
        headers.put("X-Forwarded-For", address);
        return cloud.request("GET", "/v2.0/skein/metadata/" + path, f.admin, null, headers);
    }

    static TestCloud.Response fromNet1(String path, String address) {
        return proxied(path, "X-Skein-Network-ID", net1, address, Map.of());
    }

    static Map<String, Object> json(String text) {
        try {
            return JSON.readValue(text, new TypeReference<>() {});
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static Map<String, Object> json(byte[] bytes) { return json(new String(bytes, StandardCharsets.UTF_8)); }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /**
     * network_data.json written out from what /v2.0 shows now of the ports (given oldest first, the order the
     * instance's NICs have), their networks and subnets: one link per port, one network per fixed IP with its
     * subnet's gateway, host routes and DNS servers.
     */
    @SuppressWarnings("unchecked")
    @SafeVarargs
    static Map<String, Object> expectedNetworkData(Map<String, Object>... ports) {
        List<Map<String, Object>> links = new ArrayList<>(), networks = new ArrayList<>(), services = new ArrayList<>();
        for (Map<String, Object> created : ports) {
            String id = (String) created.get("id");
            Map<String, Object> port = f.show(f.admin, "ports", "port", id);
            Map<String, Object> network = f.show(f.admin, "networks", "network", (String) port.get("network_id"));
            links.add(ordered("id", "tap" + id.substring(0, 11), "vif_id", id, "type", "tap", "mtu", network.get("mtu"),
                    "ethernet_mac_address", port.get("mac_address")));
            for (Map<String, Object> ip : (List<Map<String, Object>>) port.get("fixed_ips")) {
                Map<String, Object> s = f.show(f.admin, "subnets", "subnet", (String) ip.get("subnet_id"));
                boolean v4 = ((Number) s.get("ip_version")).intValue() == 4;
                List<Map<String, Object>> routes = new ArrayList<>();
                if (s.get("gateway_ip") != null) {
                    routes.add(ordered("network", v4 ? "0.0.0.0" : "::", "netmask", v4 ? "0.0.0.0" : "::", "gateway", s.get("gateway_ip")));
                }
                for (Map<String, Object> r : (List<Map<String, Object>>) s.get("host_routes")) {
                    assertEquals("172.16.0.0/12", r.get("destination"), "the test knows the netmask of this route only");
                    routes.add(ordered("network", "172.16.0.0", "netmask", "255.240.0.0", "gateway", r.get("nexthop")));
                }
                List<Map<String, Object>> dns = ((List<String>) s.get("dns_nameservers")).stream()
                        .map(a -> ordered("type", "dns", "address", a)).toList();
                String type = v4 ? (Boolean.TRUE.equals(s.get("enable_dhcp")) ? "ipv4_dhcp" : "ipv4") : "ipv6_" + s.get("ipv6_address_mode");
                networks.add(ordered("id", "network" + networks.size(), "type", type, "link", "tap" + id.substring(0, 11),
                        "ip_address", ip.get("ip_address"), "netmask", v4 ? "255.255.255.0" : "ffff:ffff:ffff:ffff::",
                        "routes", routes, "network_id", port.get("network_id"), "services", dns));
                for (Map<String, Object> d : dns) if (!services.contains(d)) services.add(d);
            }
        }
        return ordered("links", links, "networks", networks, "services", services);
    }

    @Test
    void metadataIsAttachedReadReplacedAndDeleted() {
        Map<String, Object> created = expect(201, "instance_metadata", putMetadata("vm-crud", fullMetadata()));
        assertEquals("vm-crud", created.get("device_id"));
        assertEquals("vm-a", created.get("hostname"));
        assertEquals("VM A", created.get("name"));
        assertEquals(KEYS, created.get("public_keys"));
        assertEquals(Map.of("role", "web"), created.get("meta"));
        assertEquals("zone-1", created.get("availability_zone"));
        assertEquals(fullMetadata().get("user_data"), created.get("user_data"));
        assertEquals(0, ((Number) created.get("revision_number")).intValue());
        assertEquals(created, expect(200, "instance_metadata", cloud.get("/v2.0/instance-metadata/vm-crud", f.admin)));

        Map<String, Object> replaced = expect(200, "instance_metadata", putMetadata("vm-crud", Map.of("hostname", "db-1")));
        assertEquals("db-1", replaced.get("hostname"));
        assertEquals(Map.of(), replaced.get("public_keys"), "a PUT replaces the whole document");
        assertNull(replaced.get("user_data"));
        assertNull(replaced.get("availability_zone"));
        assertEquals(1, ((Number) replaced.get("revision_number")).intValue());
        assertEquals(created.get("created_at"), replaced.get("created_at"));

        assertEquals(204, cloud.delete("/v2.0/instance-metadata/vm-crud", f.admin).status());
        fails(404, "InstanceMetadataNotFound", cloud.get("/v2.0/instance-metadata/vm-crud", f.admin));
        fails(404, "InstanceMetadataNotFound", cloud.delete("/v2.0/instance-metadata/vm-crud", f.admin));
    }

    @Test
    void onlyAdminsAttachReadOrServeMetadata() {
        for (String token : List.of(f.alice, f.reader)) {
            fails(403, "PolicyNotAuthorized", cloud.put("/v2.0/instance-metadata/vm-a", token,
                    Map.of("instance_metadata", Map.of("hostname", "evil"))));
            fails(403, "PolicyNotAuthorized", cloud.get("/v2.0/instance-metadata/vm-a", token));
            fails(403, "PolicyNotAuthorized", cloud.delete("/v2.0/instance-metadata/vm-a", token));
            fails(403, "PolicyNotAuthorized", cloud.get("/v2.0/instance-metadata/vm-a/config-drive", token));
            fails(403, "PolicyNotAuthorized", cloud.request("GET", "/v2.0/skein/metadata/openstack/latest/meta_data.json", token, null,
                    Map.of("X-Skein-Network-ID", net1, "X-Forwarded-For", ipv4(portA1))));
        }
        assertEquals(401, cloud.get("/v2.0/instance-metadata/vm-a", null).status());
        assertEquals(401, cloud.request("GET", "/v2.0/skein/metadata/", null, null,
                Map.of("X-Skein-Network-ID", net1, "X-Forwarded-For", ipv4(portA1))).status());
        assertEquals("vm-a", expect(200, "instance_metadata", cloud.get("/v2.0/instance-metadata/vm-a", f.admin)).get("hostname"),
                "the refused PUTs changed nothing");
    }

    @Test
    void badInputIsRefusedAndLeavesNothingBehind() {
        Map<String, Map<String, Object>> bad = new LinkedHashMap<>();
        bad.put("unknown attribute", Map.of("flavor", "m1.small"));
        bad.put("hostname with a space", Map.of("hostname", "my host"));
        bad.put("hostname label too long", Map.of("hostname", "a".repeat(64)));
        bad.put("user_data not base64", Map.of("user_data", "not base64!"));
        bad.put("user_data too long", Map.of("user_data", "QUFB".repeat(16_384)));
        bad.put("meta value not a string", Map.of("meta", Map.of("n", 1)));
        bad.put("meta key too long", Map.of("meta", Map.of("k".repeat(256), "v")));
        bad.put("key name with a slash", Map.of("public_keys", Map.of("a/b", "ssh-ed25519 AAAA")));
        bad.put("key not a string", Map.of("public_keys", Map.of("k", List.of())));
        Map<String, Object> tooMany = new HashMap<>();
        for (int i = 0; i < 17; i++) tooMany.put("k" + i, "ssh-ed25519 AAAA" + i);
        bad.put("too many keys", Map.of("public_keys", tooMany));
        bad.put("empty availability zone", Map.of("availability_zone", ""));
        bad.forEach((why, attrs) -> fails(400, "HTTPBadRequest", putMetadata("vm-bad", attrs), why));
        fails(400, "HTTPBadRequest", cloud.put("/v2.0/instance-metadata/vm-bad", f.admin, Map.of("hostname", "x")), "no instance_metadata member");
        fails(400, "HTTPBadRequest", putMetadata("d".repeat(256), Map.of()), "device id too long");
        String huge = "{\"instance_metadata\": {\"name\": \"" + "x".repeat(1024 * 1024) + "\"}}";
        fails(413, "HTTPRequestEntityTooLarge", cloud.put("/v2.0/instance-metadata/vm-bad", f.admin, huge));
        fails(404, "InstanceMetadataNotFound", cloud.get("/v2.0/instance-metadata/vm-bad", f.admin));
    }

    @Test
    @SuppressWarnings("unchecked")
    void networkDataIsWhatTheApiSaysOfTheInstancesPorts() {
        TestCloud.Response r = fromNet1("openstack/latest/network_data.json", ipv4(portA1));
        assertEquals(200, r.status(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> expected = expectedNetworkData(portA1, portA2);
        assertEquals(expected, r.json());
        assertEquals(2, ((List<?>) expected.get("links")).size(), "both ports of vm-a");
        assertEquals(3, ((List<?>) expected.get("networks")).size(), "IPv4 and SLAAC on net1, static IPv4 on net2");
        assertEquals(List.of("ipv4_dhcp", "ipv6_slaac", "ipv4"),
                ((List<Map<String, Object>>) (List<?>) expected.get("networks")).stream().map(n -> n.get("type")).toList());
    }

    @Test
    void metaDataAndUserDataAreWhatWasAttached() {
        Map<String, Object> meta = fromNet1("openstack/latest/meta_data.json", ipv4(portA1)).json();
        assertEquals("vm-a", meta.get("uuid"));
        assertEquals("vm-a", meta.get("hostname"));
        assertEquals("VM A", meta.get("name"));
        assertEquals(KEYS, meta.get("public_keys"));
        assertEquals(List.of(ordered("name", "ci", "type", "ssh", "data", KEYS.get("ci")),
                ordered("name", "laptop", "type", "ssh", "data", KEYS.get("laptop"))), meta.get("keys"));
        assertEquals(Map.of("role", "web"), meta.get("meta"));
        assertEquals("zone-1", meta.get("availability_zone"));
        assertEquals(portA1.get("project_id"), meta.get("project_id"));
        assertEquals(0, meta.get("launch_index"));
        assertEquals(List.of(), meta.get("devices"));
        assertEquals(USER_DATA, fromNet1("openstack/latest/user_data", ipv4(portA1)).body());
        assertEquals(USER_DATA, fromNet1("latest/user-data", ipv4(portA1)).body());

        assertEquals("2012-08-10\n2013-04-04\n2013-10-17\n2015-10-15\n2016-06-30\n2016-10-06\n2017-02-22\n2018-08-27\n2020-10-14\nlatest",
                fromNet1("openstack", ipv4(portA1)).body());
        assertEquals("meta_data.json\nnetwork_data.json\nuser_data", fromNet1("openstack/latest/", ipv4(portA1)).body());
        assertEquals("meta_data.json\nuser_data", fromNet1("openstack/2013-04-04", ipv4(portA1)).body(), "no network_data.json before Liberty");
        assertNull(json(fromNet1("openstack/2013-04-04/meta_data.json", ipv4(portA1)).body()).get("project_id"));

        Map<String, Object> plain = fromNet1("openstack/latest/meta_data.json", ipv4(portB)).json();
        assertEquals("vm-b", plain.get("uuid"));
        assertEquals("vm-b", plain.get("hostname"), "without attached metadata the device id names the host");
        assertEquals(Map.of(), plain.get("public_keys"));
        assertEquals(404, fromNet1("openstack/latest/user_data", ipv4(portB)).status());
    }

    @Test
    void theEc2LayoutDescribesThePortTheRequestCameFrom() {
        String a = ipv4(portA1);
        assertEquals("ami-launch-index\nhostname\ninstance-id\nlocal-hostname\nlocal-ipv4\nmac\nplacement/\npublic-ipv4\npublic-keys/",
                fromNet1("latest/meta-data/", a).body());
        assertEquals(a, fromNet1("latest/meta-data/local-ipv4", a).body());
        assertEquals(floatingIp, fromNet1("latest/meta-data/public-ipv4", a).body());
        assertEquals(portA1.get("mac_address"), fromNet1("latest/meta-data/mac", a).body());
        assertEquals("vm-a", fromNet1("latest/meta-data/instance-id", a).body());
        assertEquals("vm-a", fromNet1("latest/meta-data/local-hostname", a).body());
        assertEquals("zone-1", fromNet1("latest/meta-data/placement/availability-zone", a).body());
        assertEquals("0=ci\n1=laptop", fromNet1("latest/meta-data/public-keys", a).body());
        assertEquals(KEYS.get("laptop"), fromNet1("latest/meta-data/public-keys/1/openssh-key", a).body());
        assertEquals("2009-04-04\nlatest", fromNet1("", a).body());

        String b = ipv4(portB);
        assertEquals(b, fromNet1("latest/meta-data/local-ipv4", b).body());
        assertEquals(404, fromNet1("latest/meta-data/public-ipv4", b).status(), "vm-b has no floating IP");

        String a2 = ipv4(portA2);
        TestCloud.Response viaNet2 = proxied("latest/meta-data/mac", "X-Skein-Network-ID", net2, a2, Map.of());
        assertEquals(portA2.get("mac_address"), viaNet2.body(), "the second NIC answers with its own MAC");
    }

    @Test
    void theInstanceIsFoundFromOriginAndSourceAddressOnly() {
        String a = ipv4(portA1), b = ipv4(portB);
        Map<String, String> claims = Map.of("X-Instance-ID", "vm-b", "X-Tenant-ID", (String) portB.get("project_id"));
        assertEquals("vm-a", fromNet1("latest/meta-data/instance-id", a).body());
        assertEquals("vm-b", fromNet1("latest/meta-data/instance-id", b).body());
        assertEquals("vm-a", proxied("latest/meta-data/instance-id?instance_id=vm-b", "X-Skein-Network-ID", net1, a, claims).body(),
                "headers and query parameters of the instance's own choosing change nothing");

        fails(404, "MetadataNotFound", fromNet1("latest/meta-data/instance-id", "10.20.0.200"), "no port holds the address");
        fails(404, "MetadataNotFound", fromNet1("latest/meta-data/instance-id", ipv4(portA2)), "vm-a's address on net2 is not on net1");
        fails(404, "MetadataNotFound", proxied("latest/meta-data/instance-id", "X-Skein-Network-ID", net2, a, Map.of()),
                "net1's address asked through net2's proxy");
        fails(404, "MetadataNotFound", fromNet1("latest/meta-data/instance-id", ipv4(dhcpPort)), "a network:* port is no instance");
        fails(404, "MetadataNotFound", fromNet1("openstack/../latest/meta-data/instance-id", a));

        assertEquals("vm-a", proxied("latest/meta-data/instance-id", "X-Skein-Router-ID", router, a, Map.of()).body(),
                "the router's interface subnet holds the address");
        fails(404, "MetadataNotFound", proxied("latest/meta-data/instance-id", "X-Skein-Router-ID", router, ipv4(portA2), Map.of()),
                "net2 is not attached to the router");
        fails(404, "MetadataNotFound", proxied("latest/meta-data/instance-id", "X-Skein-Router-ID", otherRouter, a, Map.of()));

        fails(400, "HTTPBadRequest", proxied("latest/meta-data/instance-id", "X-Skein-Network-ID", net1, a,
                Map.of("X-Skein-Router-ID", router)), "both origins");
        fails(400, "HTTPBadRequest", cloud.request("GET", "/v2.0/skein/metadata/latest", f.admin, null, Map.of("X-Forwarded-For", a)));
        fails(400, "HTTPBadRequest", cloud.request("GET", "/v2.0/skein/metadata/latest", f.admin, null, Map.of("X-Skein-Network-ID", net1)));
        fails(400, "HTTPBadRequest", fromNet1("latest", a + ", " + b), "a chain of addresses is not one source");
    }

    @Test
    void theAllInOneAgentGetsTheSameAnswersWithoutHttp() {
        ControllerClient local = cloud.controller().localClient();
        MetadataAnswer answer = local.metadata(MetadataProxies.Origin.network(net1), ipv4(portA1), "openstack/latest/network_data.json");
        assertEquals(200, answer.status());
        assertEquals("application/json", answer.contentType());
        assertEquals(fromNet1("openstack/latest/network_data.json", ipv4(portA1)).json(), json(answer.body()));
        assertEquals(USER_DATA, new String(local.metadata(MetadataProxies.Origin.router(router), ipv4(portA1), "latest/user-data").body(),
                StandardCharsets.UTF_8));
        assertEquals(404, local.metadata(MetadataProxies.Origin.router(otherRouter), ipv4(portA1), "latest").status());
    }

    @Test
    void theConfigDriveHoldsTheSameDocuments(@TempDir Path tmp) throws Exception {
        TestCloud.Response r = cloud.request("GET", "/v2.0/instance-metadata/vm-a/config-drive", f.admin, null, Map.of());
        assertEquals(200, r.status(), r.body());
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
        // TestCloud reads bodies as text, which would mangle the image: the CLI below fetches it as bytes.
        Path image = tmp.resolve("vm-a.iso");
        int exit = new CommandLine(new ConfigDriveCommand(Map.of("OS_AUTH_URL", cloud.baseUrl() + "/identity/v3",
                "OS_USERNAME", "admin", "OS_PASSWORD", TestCloud.ADMIN_PASSWORD, "OS_PROJECT_NAME", "admin")))
                .execute("vm-a", "-o", image.toString());
        assertEquals(0, exit);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)));

        try (IsoImage iso = IsoImage.open(image)) {
            System.out.println("config drive read " + (iso.mounted() ? "through a read-only loop mount" : "with isoinfo (no iso9660 mount here)"));
            assertEquals("config-2", iso.volumeId());
            String a = ipv4(portA1);
            assertEquals(expectedNetworkData(portA1, portA2), json(iso.file("openstack/latest/network_data.json")));
            assertEquals(fromNet1("openstack/latest/meta_data.json", a).json(), json(iso.file("openstack/latest/meta_data.json")));
            assertArrayEquals(USER_DATA.getBytes(StandardCharsets.UTF_8), iso.file("openstack/latest/user_data"));
            assertEquals(json(iso.file("openstack/latest/network_data.json")), json(iso.file("openstack/2015-10-15/network_data.json")));
            assertEquals(fromNet1("openstack/2012-08-10/meta_data.json", a).json(), json(iso.file("openstack/2012-08-10/meta_data.json")));
            assertNull(iso.file("openstack/2013-10-17/network_data.json"), "network_data.json starts with 2015-10-15");
        }

        Path plain = tmp.resolve("vm-b.iso");
        assertEquals(0, new CommandLine(new ConfigDriveCommand(Map.of())).execute("vm-b", "--server", cloud.baseUrl(),
                "--password", TestCloud.ADMIN_PASSWORD, "-o", plain.toString()));
        try (IsoImage iso = IsoImage.open(plain)) {
            assertEquals("vm-b", json(iso.file("openstack/latest/meta_data.json")).get("uuid"));
            assertNull(iso.file("openstack/latest/user_data"));
        }

        fails(404, "DeviceNotFound", cloud.get("/v2.0/instance-metadata/no-such-vm/config-drive", f.admin));
        Path none = tmp.resolve("none.iso");
        assertNotEquals(0, new CommandLine(new ConfigDriveCommand(Map.of("OS_TOKEN", f.admin))).execute("no-such-vm",
                "--server", cloud.baseUrl(), "-o", none.toString()));
        assertTrue(Files.notExists(none), "nothing is written when the controller refuses");
    }
}
