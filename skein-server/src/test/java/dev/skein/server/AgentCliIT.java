package dev.skein.server;

import dev.skein.plan.DeviceNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The agent of `./skein all-in-one`, seen through the real `openstack` CLI: it registers in-process and shows in
 * `network agent list/show`, the operator can describe and disable it, and a port bound to its host turns ACTIVE
 * when a tap appears. The built-in agent is pointed at a network namespace (local_agent.netns) so the machine's
 * own network is never touched; that needs root, as the data-plane tests do.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentCliIT {
    private static final String HOST = "cli-host";
    private static Namespaces ns;
    private static String hostNs;
    private static AllInOne skein;

    @BeforeAll
    static void start() throws Exception {
        String missing = Namespaces.missingTools();
        assertNull(missing, "this test needs " + missing);
        ns = new Namespaces();
        hostNs = ns.add("aio");
        skein = AllInOne.start("agent-cli-secret", String.join("\n", "local_agent:", "  host: " + HOST, "  netns: " + hostNs, ""));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (skein != null) skein.close();
        } finally {
            if (ns != null) ns.close();
        }
    }

    static AllInOne.Result openstack(String... args) throws Exception { return skein.cli(args); }

    static Map<String, Object> object(String... args) throws Exception { return skein.show(args); }

    static List<Map<String, Object>> list(String... args) throws Exception { return skein.list(args); }

    @Test
    @Order(1)
    void theBuiltInAgentIsListedAliveAndTheOperatorCanDescribeAndDisableIt() throws Exception {
        List<Map<String, Object>> agents = list("network", "agent", "list", "--host", HOST);
        assertEquals(1, agents.size(), agents.toString());
        Map<String, Object> listed = agents.get(0);
        assertEquals("Skein agent", listed.get("Agent Type"));
        assertEquals("skein-agent", listed.get("Binary"));
        assertEquals(true, listed.get("Alive"));
        String id = (String) listed.get("ID");

        assertEquals(0, openstack("network", "agent", "set", "--description", "rack 7", "--disable", id).exit());
        Map<String, Object> shown = object("network", "agent", "show", id);
        assertEquals("rack 7", shown.get("description"));
        assertEquals(false, shown.get("admin_state_up"));
        assertEquals(HOST, shown.get("host"));
        @SuppressWarnings("unchecked")
        Map<String, Object> configuration = (Map<String, Object>) shown.get("configuration");
        assertEquals(hostNs, configuration.get("netns"));
        assertEquals(List.of("compute", "network"), configuration.get("roles"), "the all-in-one host is both");

        AllInOne.Result refused = openstack("network", "agent", "delete", id);
        assertNotEquals(0, refused.exit(), "a live agent cannot be deleted:\n" + refused.out());
        assertEquals(0, openstack("network", "agent", "set", "--enable", id).exit());
    }

    @Test
    @Order(2)
    void aPortBoundToTheAllInOneHostTurnsActiveWhenItsTapAppears() throws Exception {
        object("network", "create", "aio-net");
        Map<String, Object> p = object("port", "create", "--network", "aio-net", "--host", HOST, "aio-port");
        String id = (String) p.get("id");
        assertEquals("DOWN", p.get("status"));
        String vm = ns.add("aio-vm");
        Namespaces.must("ip", "-n", hostNs, "link", "add", DeviceNames.tap(id), "type", "veth", "peer", "name", "eth0", "netns", vm);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"ACTIVE".equals(object("port", "show", id).get("status"))) {
            if (System.nanoTime() > deadline) fail("port " + id + " did not turn ACTIVE within 30 s");
        }
        Namespaces.must("ip", "-n", hostNs, "link", "del", DeviceNames.tap(id));
        while (!"DOWN".equals(object("port", "show", id).get("status"))) {
            if (System.nanoTime() > deadline) fail("port " + id + " did not turn DOWN after its tap went");
        }
    }
}
