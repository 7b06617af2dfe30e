package dev.skein.server;

import dev.skein.plan.dhcp.DhcpIntent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The network node's plan parts as an agent fetches them over HTTP, with the DHCP settings of the controller's
 * configuration file.
 */
class NetworkNodePlanApiTest {
    static TestCloud cloud;
    static String admin;

    @BeforeAll
    static void start() {
        SkeinConfig cfg = new SkeinConfig();
        cfg.dhcp.dnsDomain = "cloud.example.org";
        cfg.dhcp.dhcpLeaseDuration = 3600;
        cloud = new TestCloud(cfg);
        admin = cloud.adminToken();
    }

    @AfterAll
    static void stop() {
        if (cloud != null) cloud.close();
    }

    @SuppressWarnings("unchecked")
    @Test
    void aDhcpPortBoundToTheNodePutsTheServerInItsPlanWithTheConfiguredDomainAndLease() {
        String net = (String) cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("name", "served"))).json("network").get("id");
        cloud.post("/v2.0/subnets", admin, Map.of("subnet", Map.of("network_id", net, "ip_version", 4, "cidr", "10.44.0.0/24")));
        String dhcpPort = (String) cloud.post("/v2.0/ports", admin, Map.of("port", Map.of("network_id", net,
                "device_owner", "network:dhcp", "binding:host_id", "node-a"))).json("port").get("id");
        Map<String, Object> vm = cloud.post("/v2.0/ports", admin, Map.of("port", Map.of("network_id", net))).json("port");
        String vmIp = (String) ((List<Map<String, Object>>) vm.get("fixed_ips")).get(0).get("ip_address");

        Map<String, Object> plan = cloud.get("/v2.0/skein/host-plans/node-a", admin).json("host_plan");
        List<Map<String, Object>> servers = (List<Map<String, Object>>) ((Map<String, Object>) plan.get("dhcp")).get("servers");
        assertEquals(1, servers.size(), plan::toString);
        Map<String, Object> server = servers.get(0);
        assertEquals(dhcpPort, server.get("port_id"));
        assertEquals("cloud.example.org", server.get("domain"));
        assertEquals(3600, server.get("lease_seconds"));
        assertEquals(true, server.get("metadata"));
        List<Map<String, Object>> reservations = (List<Map<String, Object>>) server.get("reservations");
        assertEquals(List.of(vm.get("id")), reservations.stream().map(r -> r.get("port_id")).toList());
        assertEquals("host-" + vmIp.replace('.', '-'), reservations.get(0).get("hostname"));
        assertTrue(((Map<String, Object>) plan.get("routers")).get("routers") instanceof List<?> l && l.isEmpty());
    }

    @Test
    void theDhcpSectionIsReadWithNeutronsNamesAndChecked(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("skein.yaml");
        Files.writeString(file, """
                dhcp:
                  dns_domain: example.net.
                  dhcp_lease_duration: 600
                  enable_isolated_metadata: false
                  force_metadata: true
                """);
        DhcpIntent.Settings settings = Controller.dhcpSettings(SkeinConfig.load(file).dhcp);
        assertEquals(new DhcpIntent.Settings("example.net", 600, false, true), settings);
        assertEquals(DhcpIntent.Settings.DEFAULTS, Controller.dhcpSettings(new SkeinConfig().dhcp));

        SkeinConfig.Dhcp shortLease = new SkeinConfig.Dhcp();
        shortLease.dhcpLeaseDuration = -1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Controller.dhcpSettings(shortLease));
        assertTrue(e.getMessage().startsWith("dhcp: dhcp_lease_duration"), e.getMessage());
        SkeinConfig.Dhcp badDomain = new SkeinConfig.Dhcp();
        badDomain.dnsDomain = "not a domain";
        assertThrows(IllegalArgumentException.class, () -> Controller.dhcpSettings(badDomain));
    }
}
